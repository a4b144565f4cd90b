"""The seller's responsibility rating and completion rate, with the orders that moved them and why."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import aliased

from ..domain.cancellations import REASONS, consequence
from ..domain.orders import CANCELLED, COMPLETED
from ..extensions import db
from ..models import CancellationRequest, Order
from ..texts import gettext as _

REORDER_WINDOW = timedelta(days=14)
WARN_BELOW = 90  # percent completion under which the seller dashboard warns


@dataclass(frozen=True)
class Mover:
    order: Order
    cancellation: CancellationRequest
    why: str
    counts_for_responsibility: bool
    counts_for_completion: bool


@dataclass(frozen=True)
class Figures:
    """The two rates and what they are computed from."""

    completed: int
    cancelled: int
    counted_for_responsibility: int  # cancellations that count against the responsibility rating
    counted_for_completion: int  # ... and against the completion rate

    @property
    def responsibility(self) -> int | None:
        """Share of finished orders not cancelled for a reason that counts against the seller."""
        finished = self.completed + self.cancelled
        if not finished:
            return None
        return (100 * (finished - self.counted_for_responsibility)) // finished

    @property
    def completion(self) -> int | None:
        """completed / (completed + cancellations that count)."""
        if not self.completed + self.counted_for_completion:
            return None
        return (100 * self.completed) // (self.completed + self.counted_for_completion)

    @property
    def warn(self) -> bool:
        return self.completion is not None and self.completion < WARN_BELOW


@dataclass(frozen=True)
class SellerRatings(Figures):
    movers: list[Mover]  # every applied cancellation, newest first, with why it counts or not


# Built once: aliasing Order anew on every call costs more than running the query.
_AGAIN = aliased(Order)


def _reordered_ids(seller_id: int) -> set[int]:
    """The seller's mutually cancelled orders whose buyer ordered the same kwork again within 14 days (one query;
    the window is checked here because date arithmetic in SQL differs between SQLite and PostgreSQL)."""
    again = _AGAIN
    rows = db.session.execute(
        select(Order.id, Order.cancelled_at, again.created_at)
        .join(CancellationRequest, CancellationRequest.order_id == Order.id)
        .join(again, (again.buyer_id == Order.buyer_id) & (again.kwork_id == Order.kwork_id) & (again.id != Order.id))
        .where(
            Order.seller_id == seller_id,
            Order.state == CANCELLED,
            CancellationRequest.status == "applied",
            CancellationRequest.reason == "mutual",
            again.created_at >= Order.cancelled_at,
        )
    )
    return {order_id for order_id, cancelled_at, ordered_at in rows if ordered_at <= cancelled_at + REORDER_WINDOW}


def _reversed(c: CancellationRequest) -> bool:
    """An administrator reversed the answer's rating impact: the impact is not what the answer as given implies."""
    return consequence(c.initiator_role, c.reason, c.state_when_requested, bool(c.reason_agreed)).counts_against_seller != (
        c.counts_against_seller
    )


def _why(c: CancellationRequest, reordered: bool) -> str:
    label = REASONS[c.reason].label
    if c.exempt_reason:
        return _("“%(reason)s” – exempted by an administrator: %(exempt_reason)s", reason=label, exempt_reason=c.exempt_reason)
    if c.reason == "seller_late":
        return _("The buyer cancelled because the deadline had passed.")
    if c.reason == "work_refunded":
        return _("Arbitration judged the delivered work and refunded the buyer in full.")
    if c.reason == "mutual":
        if reordered:
            return _("Cancelled by mutual agreement – the buyer ordered again within 14 days, so it does not count.")
        return _("Cancelled by mutual agreement.")
    by_seller = c.initiator_role == "seller"  # then the buyer answered; else the seller did
    if _reversed(c):
        if c.counts_against_seller:
            return _("“%(reason)s” – an administrator reversed the rating impact of the answer on the reason.", reason=label)
        return _("“%(reason)s” – an administrator reversed the rating impact of the answer: it does not count.", reason=label)
    if c.counts_against_seller:
        if by_seller:
            return _("You cancelled with “%(reason)s” and the buyer said the reason was not correct.", reason=label)
        return _("The buyer cancelled with “%(reason)s” and you said the reason was not correct.", reason=label)
    if c.auto_applied:
        return _("“%(reason)s”, applied after 48 hours without an answer.", reason=label)
    if by_seller:
        return _("“%(reason)s”, and the buyer agreed with the reason.", reason=label)
    return _("“%(reason)s”, and you agreed with the reason.", reason=label)


def _counts(cancellation, reordered: bool) -> tuple[bool, bool]:
    """Whether an applied cancellation counts against the responsibility rating, and against the completion rate."""
    exempt = cancellation.exempt_reason is not None
    responsibility = cancellation.counts_against_seller and not exempt
    completion = not exempt and (cancellation.counts_against_seller or (cancellation.reason == "mutual" and not reordered))
    return responsibility, completion


def _completed(seller_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Order.seller_id == seller_id, Order.state == COMPLETED))


# Built once: every seller dashboard runs it (building a SELECT costs about as much CPU as running it).
_APPLIED_CANCELLATIONS = (
    select(Order.id, CancellationRequest.reason, CancellationRequest.counts_against_seller, CancellationRequest.exempt_reason)
    .join(CancellationRequest, CancellationRequest.order_id == Order.id)
    .where(Order.seller_id == bindparam("seller_id"), Order.state == CANCELLED, CancellationRequest.status == "applied")
)  # fmt: skip


def figures(seller_id: int, *, completed: int | None = None) -> Figures:
    """The rates alone (dashboards, moderation): the cancellations are read as a few columns, not as orders.
    `completed` is the seller's number of completed orders when the caller has counted it already (the seller
    dashboard counts orders by state), which saves counting them again."""
    rows = db.session.execute(_APPLIED_CANCELLATIONS, {"seller_id": seller_id}).all()
    reordered_ids = _reordered_ids(seller_id) if any(row.reason == "mutual" for row in rows) else set()
    counted = [_counts(row, row.id in reordered_ids) for row in rows]
    return Figures(completed=_completed(seller_id) if completed is None else completed, cancelled=len(rows),
                   counted_for_responsibility=sum(r for r, _c in counted), counted_for_completion=sum(c for _r, c in counted))  # fmt: skip


def for_seller(seller_id: int) -> SellerRatings:
    """The rates with every cancellation that moved them and why (the seller's ratings page)."""
    rows = db.session.execute(
        select(Order, CancellationRequest)
        .join(CancellationRequest, CancellationRequest.order_id == Order.id)
        .where(Order.seller_id == seller_id, Order.state == CANCELLED, CancellationRequest.status == "applied")
        .order_by(Order.cancelled_at.desc())
    ).all()
    reordered_ids = _reordered_ids(seller_id) if any(c.reason == "mutual" for _, c in rows) else set()
    movers = []
    for order, cancellation in rows:
        reordered = order.id in reordered_ids
        movers.append(Mover(order, cancellation, _why(cancellation, reordered), *_counts(cancellation, reordered)))
    return SellerRatings(completed=_completed(seller_id), cancelled=len(rows),
                         counted_for_responsibility=sum(1 for m in movers if m.counts_for_responsibility),
                         counted_for_completion=sum(1 for m in movers if m.counts_for_completion), movers=movers)  # fmt: skip


def figures_by_seller() -> dict[int, Figures]:
    """`figures` for every seller at once, in three statements whatever their number (the daily levels job): the
    completed orders and the applied cancellations are counted by GROUP BY, and the mutual cancellations that a
    reorder within 14 days excuses are read once for all sellers and taken off in Python (the window is checked
    here, as in `_reordered_ids`). Sellers with neither a completed nor a cancelled order are left out."""
    completed = dict(db.session.execute(
        select(Order.seller_id, func.count()).where(Order.state == COMPLETED).group_by(Order.seller_id)
    ).all())  # fmt: skip
    c = CancellationRequest
    not_exempt = c.exempt_reason.is_(None)
    against = c.counts_against_seller.is_(True)
    mutual_only = not_exempt & ~against & (c.reason == "mutual")  # counts for completion unless reordered
    ones = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    cancelled = {row.seller_id: row for row in db.session.execute(
        select(Order.seller_id, func.count().label("cancelled"), ones(not_exempt & against).label("against"),
               ones(mutual_only).label("mutual"))
        .join(c, c.order_id == Order.id)
        .where(Order.state == CANCELLED, c.status == "applied")
        .group_by(Order.seller_id)
    )}  # fmt: skip
    again = _AGAIN
    excused: dict[int, set[int]] = {}
    for order_id, seller_id, cancelled_at, ordered_at in db.session.execute(
        select(Order.id, Order.seller_id, Order.cancelled_at, again.created_at)
        .join(c, c.order_id == Order.id)
        .join(again, (again.buyer_id == Order.buyer_id) & (again.kwork_id == Order.kwork_id) & (again.id != Order.id))
        .where(Order.state == CANCELLED, c.status == "applied", mutual_only, again.created_at >= Order.cancelled_at)
    ):
        if ordered_at <= cancelled_at + REORDER_WINDOW:
            excused.setdefault(seller_id, set()).add(order_id)
    result = {}
    for seller_id in completed.keys() | cancelled.keys():
        row = cancelled.get(seller_id)
        against_count = int(row.against) if row else 0
        for_completion = against_count + (int(row.mutual) - len(excused.get(seller_id, ())) if row else 0)
        result[seller_id] = Figures(completed=completed.get(seller_id, 0), cancelled=row.cancelled if row else 0,
                                    counted_for_responsibility=against_count, counted_for_completion=for_completion)  # fmt: skip
    return result
