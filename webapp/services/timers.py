"""Timers: due-dated consequences for an order, fired exactly once.

The database row is the truth; an RQ job scheduled at the due time only says "look now", and a sweep every
minute finds rows whose job was lost (Redis flushed, worker down). Firing locks the timer and the order,
does nothing unless the timer is still scheduled, due, and the order still in the state it was made for, then
runs the kind's handler and marks the timer fired, all in one transaction. A second run finds it fired.

Timers falling due in the same second share one job, which fires every timer due by then: thousands of
deadlines at one instant (a sale's orders delivered together) cost one job, not one each.
"""
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq.timeouts import BaseTimeoutException
from sqlalchemy import select, update

from ..extensions import db
from ..page_cache import order_scopes
from ..models import Order, Timer
from ..queue import after_commit
from . import begin_write

# kind → handler(timer, order, now), registered by the services that own each consequence. A handler changes
# the order inside the current transaction and must not commit.
HANDLERS: dict[str, Callable[[Timer, Order, datetime], None]] = {}
SWEEP_GRACE = timedelta(minutes=1)  # give the scheduled job its chance before the sweep steps in
# Timers fetched per round of a firing job (each still fires in its own transaction).
BATCH = 500
# The timers that may still act while a cancellation request keeps the order frozen.
CANCELLATION_KINDS = ("cancel_request_deadline", "info_deadline", "warn_cancel_request_deadline", "warn_info_deadline")
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
    second = due_second(due_at)
    after_commit(db.session(), second, "jobs.timers.fire_due_timers", job_id=f"timers-due-{int(second.timestamp())}")
    if kind in WARNED_KINDS:
        schedule(WARNING_PREFIX + kind, order, due_at - WARN_AHEAD, ref_id=timer.id)
    return timer


def due_second(due_at: datetime) -> datetime:
    """The whole second at or after `due_at`: when the job firing it runs (never before the timer is due)."""
    return datetime.fromtimestamp(math.ceil(due_at.timestamp()), tz=timezone.utc)


def cancel(order: Order, *kinds: str) -> None:
    """Stop the order's scheduled timers (of these kinds, or all); a stale job is refused when it runs."""
    query = update(Timer).where(Timer.order_id == order.id, Timer.state == "scheduled")
    if kinds:
        query = query.where(Timer.kind.in_([*kinds, *(WARNING_PREFIX + kind for kind in kinds if kind in WARNED_KINDS)]))
    db.session.execute(query.values(state="cancelled").execution_options(synchronize_session=False, changes=order_scopes(order)))


def running(order: Order) -> list[Timer]:
    """The order's scheduled consequences (not the warnings before them)."""
    warning = Timer.kind.startswith(WARNING_PREFIX, autoescape=True)
    query = select(Timer).where(Timer.order_id == order.id, Timer.state == "scheduled", ~warning)
    return list(db.session.scalars(query.order_by(Timer.due_at)))


def fire(timer_id: int, now: datetime) -> bool:
    """Fire the timer if it is still due and relevant; True when it changed the order."""
    from . import cancellations, deadlines, notifications, orders  # noqa: F401  (importing them registers their handlers)

    begin_write()
    # Order first, then timer: the same lock order as user actions (which lock the order, then cancel timers).
    order = db.session.scalar(
        select(Order)
        .where(Order.id == select(Timer.order_id).where(Timer.id == timer_id).scalar_subquery())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:  # no such timer
        db.session.rollback()
        return False
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


def fire_due(clock: Callable[[], datetime], *, grace: timedelta = timedelta(0)) -> int:
    """Fire every scheduled timer due `grace` before the clock's time when this starts; returns how many changed
    an order. Each fires at the clock's time of its own firing, so fired_at says when it really happened."""
    cutoff = clock() - grace
    changed, after_id = 0, 0
    while True:
        due = db.session.scalars(
            select(Timer.id)
            .where(Timer.state == "scheduled", Timer.due_at <= cutoff, Timer.id > after_id)
            .order_by(Timer.id)
            .limit(BATCH)
        ).all()
        db.session.rollback()  # end the read before each fire takes its own write transaction
        if not due:
            break
        for timer_id in due:
            try:
                changed += fire(timer_id, clock())
            except BaseTimeoutException:
                raise  # the job ran out of time: RQ retries it, and what fired stays fired
            except Exception:
                # One broken timer must not hold back the others due with it. It stays scheduled, so the sweep
                # tries it again every minute (and logs it again) until the handler is fixed.
                db.session.rollback()
                current_app.logger.exception("timer %s failed to fire", timer_id)
        after_id = due[-1]
    return changed


def sweep(now: datetime) -> int:
    """Fire every scheduled timer overdue by more than a minute (its job was lost); returns how many changed an order."""
    return fire_due(lambda: now, grace=SWEEP_GRACE)
