"""The order state machine and the rules around it (deadlines, revisions, commission, review window, rating).

One table says which action moves an order from which states to which, and who may take it. Services ask
`target_state` before changing anything; pages ask `available_actions` to show only what is allowed.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..texts import lazy_gettext as _l
from .errors import DomainError

AWAITING_REQUIREMENTS, NEW, IN_WORK, DELIVERED, REVISION = "awaiting_requirements", "new", "in_work", "delivered", "revision"
COMPLETED, CANCELLED = "completed", "cancelled"
STATES = (AWAITING_REQUIREMENTS, NEW, IN_WORK, DELIVERED, REVISION, COMPLETED, CANCELLED)
OPEN_STATES = (AWAITING_REQUIREMENTS, NEW, IN_WORK, DELIVERED, REVISION)
# Where the deadline clock runs: the seller owes work.
WORKING_STATES = (IN_WORK, REVISION)

STATE_LABELS = {
    AWAITING_REQUIREMENTS: _l("Waiting for requirements"),
    NEW: _l("Not started yet"),
    IN_WORK: _l("In work"),
    DELIVERED: _l("Delivered"),
    REVISION: _l("Revision requested"),
    COMPLETED: _l("Completed"),
    CANCELLED: _l("Cancelled"),
}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    role: str  # "buyer" or "seller"


TRANSITIONS = {
    "send_requirements": Transition(frozenset({AWAITING_REQUIREMENTS}), NEW, "buyer"),
    "start": Transition(frozenset({NEW}), IN_WORK, "seller"),
    "deliver": Transition(frozenset({IN_WORK, REVISION}), DELIVERED, "seller"),
    "accept": Transition(frozenset({DELIVERED}), COMPLETED, "buyer"),
    "request_revision": Transition(frozenset({DELIVERED}), REVISION, "buyer"),
    # Only a revision beyond those the package includes may be declined; the delivery then stands.
    "decline_revision": Transition(frozenset({REVISION}), DELIVERED, "seller"),
}

ACTION_REFUSALS = {
    "send_requirements": _l("The requirements have already been sent"),
    "start": _l("Work can only start on an order that has its requirements and has not started"),
    "deliver": _l("Only an order in work or under revision can be delivered"),
    "accept": _l("Only a delivered order can be accepted"),
    "request_revision": _l("A revision can only be requested on a delivered order"),
    "decline_revision": _l("Only a requested revision can be declined"),
}


class IllegalTransition(DomainError):
    pass


def target_state(action: str, state: str, role: str) -> str:
    """The state `action` leads to from `state`, or IllegalTransition if that role may not take it now."""
    transition = TRANSITIONS[action]
    if role != transition.role:
        raise IllegalTransition(_l("Only the buyer can do this") if transition.role == "buyer" else _l("Only the seller can do this"))
    if state not in transition.sources:
        raise IllegalTransition(ACTION_REFUSALS[action])
    return transition.target


def available_actions(state: str, role: str, *, revision_is_extra: bool = False) -> list[str]:
    actions = [name for name, t in TRANSITIONS.items() if t.role == role and state in t.sources]
    if "decline_revision" in actions and not revision_is_extra:
        actions.remove("decline_revision")
    return actions


REVISION_MIN_TIME = timedelta(hours=24)


def deadline_after_revision(deadline: datetime, now: datetime) -> datetime:
    """A revision request always leaves the seller at least 24 hours before the deadline."""
    return max(deadline, now + REVISION_MIN_TIME)


def is_late(state: str, deadline: datetime | None, now: datetime, *, paused: bool = False) -> bool:
    """Past the deadline while the seller owes work; a paused order's clock is stopped."""
    return state in WORKING_STATES and deadline is not None and now > deadline and not paused


def deadline_after_pause(deadline: datetime, paused_at: datetime, now: datetime) -> datetime:
    """Resuming moves the deadline by exactly the time the order was paused."""
    return deadline + (now - paused_at)


def commission(total: int, percent: int) -> int:
    """The platform's share of a released escrow, in minor units, rounded down in the seller's favour."""
    return total * percent // 100


def review_window(delivery_days: int) -> timedelta:
    """How long after completion a buyer may write or edit a review: 30 days, 60 for long orders."""
    return timedelta(days=60 if delivery_days > 10 else 30)


MIN_NEGATIVE_REVIEW = 30
RATING_WINDOW = 80


@dataclass(frozen=True)
class RatingBreakdown:
    written_positive: int
    unreviewed_positive: int  # completed without a review (repeat orders, silent buyers): counted as positive
    negative: int

    @property
    def total(self) -> int:
        return self.written_positive + self.unreviewed_positive + self.negative

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return math.floor(100 * (self.written_positive + self.unreviewed_positive) / self.total)


def rating(outcomes: list[bool | None]) -> RatingBreakdown:
    """Rating over the last finished orders, newest first: True/False is a written review, None none."""
    recent = outcomes[:RATING_WINDOW]
    return RatingBreakdown(
        written_positive=sum(1 for o in recent if o is True),
        unreviewed_positive=sum(1 for o in recent if o is None),
        negative=sum(1 for o in recent if o is False),
    )


def split(total: int, refund: int, percent: int) -> tuple[int, int, int]:
    """An escrow of `total` shared out: (to the buyer, to the seller, commission), in minor units, summing to
    `total`. The commission is taken only on what the seller keeps, rounded down as on a full release."""
    if not 0 <= refund <= total:
        raise ValueError("refund outside the escrow")
    kept = total - refund
    fee = commission(kept, percent)
    return refund, kept - fee, fee
