"""Cancellation reasons and their consequences, as data and one pure function.

A reason belongs to one side (or both), is valid only in some order states, and needs a comment of a minimum
length. The other party accepts or declines the cancellation, then says whether the stated reason is correct;
that answer decides the seller's rating impact and whether the buyer may leave a negative review.

Where the system itself knows whether a reason is true (the deadline has passed; the buyer never sent the
requirements), the reason is *verified*: it is offered only when the fact holds, applies at once, and its
consequence is fixed in VERIFIED_CONSEQUENCES – no answer can dispute it.
"""
from dataclasses import dataclass

from ..texts import lazy_gettext as _l
from .orders import AWAITING_REQUIREMENTS, DELIVERED, IN_WORK, NEW, OPEN_STATES, REVISION

MIN_COMMENT = 20


@dataclass(frozen=True)
class Reason:
    code: str
    label: str  # lazily translated: str(label) speaks the current language
    sides: frozenset[str]  # who may give it: "buyer", "seller"
    states: frozenset[str]  # order states in which it may be given
    min_comment: int = MIN_COMMENT
    applies_at_once: bool = False  # no agreement needed
    needs_late_order: bool = False
    # Offered only while the buyer has never sent requirements (a fact the system knows).
    needs_no_requirements: bool = False

    @property
    def verified(self) -> bool:
        """Facts decide this reason, not the other party's answer."""
        return self.code in VERIFIED_CONSEQUENCES


REASONS = {
    reason.code: reason
    for reason in (
        Reason("no_requirements", _l("The buyer gave no information"), frozenset({"seller"}), frozenset({AWAITING_REQUIREMENTS}), min_comment=0, applies_at_once=True, needs_no_requirements=True),
        Reason("no_information", _l("The buyer did not provide the information needed"), frozenset({"seller"}), frozenset({NEW, IN_WORK})),
        Reason("not_matching", _l("The buyer’s requirements don’t match the kwork description"), frozenset({"seller"}), frozenset({NEW, IN_WORK})),
        Reason("force_majeure", _l("Force majeure – illness, family emergency"), frozenset({"seller"}), frozenset({NEW, IN_WORK}), min_comment=100),
        Reason("seller_other", _l("Other, not the seller’s fault"), frozenset({"seller"}), frozenset(OPEN_STATES)),
        Reason("mistake", _l("Ordered by mistake / changed my mind"), frozenset({"buyer"}), frozenset({AWAITING_REQUIREMENTS, NEW}), applies_at_once=True),
        Reason("seller_late", _l("The seller is late"), frozenset({"buyer"}), frozenset({IN_WORK, REVISION}), applies_at_once=True, needs_late_order=True),
        Reason("misunderstanding", _l("Misunderstanding with the seller"), frozenset({"buyer"}), frozenset({NEW, IN_WORK, DELIVERED, REVISION})),
        Reason("buyer_other", _l("Other"), frozenset({"buyer"}), frozenset(OPEN_STATES)),
        Reason("mutual", _l("Mutual agreement"), frozenset({"buyer", "seller"}), frozenset(OPEN_STATES)),
        # Given by no party: arbitration of the work refunded the buyer in full (domain.arbitration).
        Reason("work_refunded", _l("Arbitration refunded the buyer: the work did not match the order"), frozenset(), frozenset(), min_comment=0),
    )
}  # fmt: skip

# Seller reasons that blame the buyer: if the buyer disputes them on an order already in work, the buyer may
# answer with a negative review.
BLAMES_BUYER = frozenset({"no_information", "not_matching"})


def reasons_for(side: str, state: str, *, late: bool, requirements_sent: bool = True) -> list[Reason]:
    """The reasons `side` may give for cancelling an order in `state` (late: past its deadline; requirements_sent:
    the buyer has sent requirements at some point)."""
    return [
        r for r in REASONS.values()
        if side in r.sides and state in r.states and (late or not r.needs_late_order)
        and not (requirements_sent and r.needs_no_requirements)
    ]  # fmt: skip


@dataclass(frozen=True)
class Consequence:
    counts_against_seller: bool  # lowers the responsibility rating and the completion rate
    buyer_may_review: bool  # the buyer may leave a negative review on the cancelled order
    spared_if_reordered: bool  # mutual: the completion rate is spared if the buyer re-orders within 14 days

    @property
    def summary(self) -> str:
        return _l("This cancellation affected the seller’s rating.") if self.counts_against_seller else (
            _l("This cancellation did not affect the seller’s rating.")
        )


# Reasons the system verifies from facts, and what they always mean (whatever anyone answers):
# - the buyer cancels a late order: it counts against the seller, and the buyer may review it negatively;
# - the seller cancels an order whose buyer never sent requirements: nothing against the seller, no review;
# (When the requirements deadline passes, a timer cancels with no request at all: only applied requests count in
# the seller's rates and open a review, so that cancellation costs the seller nothing.)
VERIFIED_CONSEQUENCES = {
    "seller_late": Consequence(True, True, False),
    "no_requirements": Consequence(False, False, False),
    # An admin judged the delivered work and refunded the buyer in full: it counts, and the buyer may say why.
    "work_refunded": Consequence(True, True, False),
}


def consequence(initiator: str, reason: str, state_when_requested: str, reason_agreed: bool) -> Consequence:
    """What an applied cancellation means for the seller's rating and the buyer's review.

    `reason_agreed` is the other party's answer to "is the stated reason correct?"; a request left unanswered
    (or applying at once) counts as agreed. A verified reason's consequence ignores it.
    """
    if reason in VERIFIED_CONSEQUENCES:
        return VERIFIED_CONSEQUENCES[reason]
    if reason == "mutual":
        # Whoever asked, a disputed "mutual" reason is judged like a seller's disputed reason only when the
        # seller asked: a buyer can't make a seller responsible by calling a cancellation mutual.
        counts = initiator == "seller" and not reason_agreed
        return Consequence(counts, False, reason_agreed)
    if initiator == "seller":
        if reason_agreed:
            return Consequence(False, False, False)
        return Consequence(True, state_when_requested == IN_WORK and reason in BLAMES_BUYER, False)
    # Buyer reasons other than lateness say nothing against the seller's work.
    return Consequence(False, False, False)
