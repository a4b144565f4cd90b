"""Timers: due-dated consequences for an order, fired exactly once.

The database row is the truth; an RQ job scheduled at the due time only says "look now", and a sweep every
minute finds rows whose job was lost (Redis flushed, worker down). Firing locks the timer and the order,
does nothing unless the timer is still scheduled, due, and the order still in the state it was made for, then
runs the kind's handler and marks the timer fired, all in one transaction. A second run finds it fired.
"""
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..models import Order, Timer
from ..queue import after_commit
from . import begin_write

# kind → handler(timer, order, now), registered by the services that own each consequence. A handler changes
# the order inside the current transaction and must not commit.
HANDLERS: dict[str, Callable[[Timer, Order, datetime], None]] = {}
SWEEP_GRACE = timedelta(minutes=1)
# The timers that may still act while a cancellation request keeps the order frozen.
CANCELLATION_KINDS = ("cancel_request_deadline", "info_deadline", "warn_cancel_request_deadline", "warn_info_deadline")  # give the scheduled job its chance before the sweep steps in
# These consequences get a "warn_<kind>" timer 24 hours earlier whose handler (services.notifications) only
# notifies the party who can still act; it lives and dies with its timer.
WARNED_KINDS = ("auto_complete", "cancel_request_deadline", "info_deadline")
WARNING_PREFIX, WARN_AHEAD = "warn_", timedelta(hours=24)


def handler(kind: str):
    def register(func):
        HANDLERS[kind] = func
        return func

    return register


def schedule(kind: str, order: Order, due_at: datetime, *, ref_id: int | None = None) -> Timer:
    """Add a timer for the order's current state (the caller commits; the job is enqueued after that)."""
    timer = Timer(kind=kind, order_id=order.id, for_state=order.state, ref_id=ref_id, due_at=due_at)
    db.session.add(timer)
    db.session.flush()
    after_commit(db.session(), due_at, "jobs.timers.fire_timer", timer.id, job_id=f"timer-{timer.id}")
    if kind in WARNED_KINDS:
        schedule(WARNING_PREFIX + kind, order, due_at - WARN_AHEAD, ref_id=timer.id)
    return timer


def cancel(order: Order, *kinds: str) -> None:
    """Stop the order's scheduled timers (of these kinds, or all); a stale job is refused when it runs."""
    query = update(Timer).where(Timer.order_id == order.id, Timer.state == "scheduled")
    if kinds:
        query = query.where(Timer.kind.in_([*kinds, *(WARNING_PREFIX + kind for kind in kinds if kind in WARNED_KINDS)]))
    db.session.execute(query.values(state="cancelled").execution_options(synchronize_session=False))


def running(order: Order) -> list[Timer]:
    """The order's scheduled consequences (not the warnings before them)."""
    warning = Timer.kind.startswith(WARNING_PREFIX, autoescape=True)
    query = select(Timer).where(Timer.order_id == order.id, Timer.state == "scheduled", ~warning)
    return list(db.session.scalars(query.order_by(Timer.due_at)))


def fire(timer_id: int, now: datetime) -> bool:
    """Fire the timer if it is still due and relevant; True when it changed the order."""
    from . import cancellations, deadlines, notifications, orders  # noqa: F401  (importing them registers their handlers)

    begin_write()
    order_id = db.session.scalar(select(Timer.order_id).where(Timer.id == timer_id))
    if order_id is None:
        db.session.rollback()
        return False
    # Order first, then timer: the same lock order as user actions (which lock the order, then cancel timers).
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    timer = db.session.scalar(
        select(Timer).where(Timer.id == timer_id).with_for_update().execution_options(populate_existing=True)
    )
    if timer.state != "scheduled" or timer.due_at > now:
        db.session.rollback()
        return False
    frozen = order.open_cancellation is not None and timer.kind not in CANCELLATION_KINDS
    if order.state != timer.for_state or frozen:
        timer.state = "cancelled"  # the order moved on, or waits on a cancellation answer first
        db.session.commit()
        return False
    HANDLERS[timer.kind](timer, order, now)
    timer.state, timer.fired_at = "fired", now
    db.session.commit()
    return not timer.kind.startswith(WARNING_PREFIX)  # a warning only notified


def sweep(now: datetime, limit: int = 500) -> int:
    """Fire every scheduled timer overdue by more than a minute; returns how many changed an order."""
    due = db.session.scalars(
        select(Timer.id)
        .where(Timer.state == "scheduled", Timer.due_at <= now - SWEEP_GRACE)
        .order_by(Timer.due_at)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read before each fire takes its own write transaction
    return sum(fire(timer_id, now) for timer_id in due)
