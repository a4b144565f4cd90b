"""Timers: due-dated consequences for an order, fired exactly once.

The database row is the truth; an RQ job scheduled at the due time only says "look now", and a sweep every
minute finds rows whose job was lost (Redis flushed, worker down). Firing locks the timer and the order,
does nothing unless the timer is still scheduled, due, and the order still in the state it was made for, then
runs the kind's handler and marks the timer fired, all in one transaction. A second run finds it fired.

Timers falling due in the same second share one job, which fires every timer due by then: thousands of
deadlines at one instant (a sale's orders delivered together) cost one job, not one each. Every kind's handler
takes a whole batch with a fixed number of statements, however many timers it holds (locks in one ordered
statement, bulk inserts of events, postings and notifications, one e-mail job for the batch's notifications), and
each kind's share of a batch fires in a transaction of its own. Should a batch fail, its timers fire again one by
one, so a broken one holds back no other.
"""
import math
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq.timeouts import BaseTimeoutException
from sqlalchemy import bindparam, select, update

from ..extensions import db
from ..models import CancellationRequest, ExtensionRequest, Order, Timer
from ..models.orders import OpenRequests
from ..queue import kick_at, one_job_per_batch
from . import begin_write, bulk
from .locking import expire_loaded

# The columns of an order a timer's consequence reads or changes; LockedOrder holds them.
ORDER_COLUMNS = ("id", "state", "buyer_id", "seller_id", "kwork_id", "total", "deadline_at", "paused_at", "pause_requested_at",
                 "pause_reason", "completed_at", "cancelled_at", "auto_completed")  # fmt: skip
TIMER_COLUMNS = ("id", "kind", "order_id", "for_state", "ref_id", "due_at", "state")


class LockedRow:
    """A row locked by `fire_many` and read as plain values rather than loaded as an ORM object (a batch of hundreds
    would spend most of its time building and flushing them): its `columns` are attributes a handler reads and sets
    as on the model, and `fire_many` writes back, for the whole batch at once, the columns that `changed`."""

    __slots__ = ("columns", "_read")

    def __init__(self, columns: tuple[str, ...], row) -> None:
        self.columns = columns
        for name, value in zip(columns, row):
            setattr(self, name, value)
        self._read = tuple(row)

    def changed(self) -> set[str]:
        """The columns set to another value since the row was read."""
        return {name for name, read in zip(self.columns, self._read) if getattr(self, name) != read}

    def mark_written(self) -> None:
        """Its columns are in the database as they are now (written early by `write_now`)."""
        self._read = tuple(getattr(self, name) for name in self.columns)


class LockedOrder(OpenRequests, LockedRow):
    """An order locked by `fire_many`: the columns of ORDER_COLUMNS, and the order's cancellation and extension
    requests (LockedRequest). `fire_many` writes the columns a handler changed back in one UPDATE for the batch."""

    __slots__ = (*ORDER_COLUMNS, "cancellation_requests", "extension_requests")

    def __init__(self, row):
        super().__init__(ORDER_COLUMNS, row)
        self.cancellation_requests, self.extension_requests = [], []

    def cancellation(self, request_id: int | None) -> "LockedRequest | None":
        """The order's cancellation request with this id (a timer's ref_id), if any."""
        return next((r for r in self.cancellation_requests if r.id == request_id), None)

    def extension(self, request_id: int | None) -> "LockedRequest | None":
        """The order's extension request with this id (a timer's ref_id), if any."""
        return next((r for r in self.extension_requests if r.id == request_id), None)


class LockedRequest(LockedRow):
    """A cancellation or extension request of an order locked by `fire_many` (a row of the order's aggregate,
    guarded by its lock): every column of its table (CancellationRequest, ExtensionRequest). `fire_many` writes the
    columns the handlers changed back in one UPDATE per table for the whole batch."""

    # No slots: its columns are those of whichever table it was read from.
    def __init__(self, row):
        super().__init__(tuple(row._mapping.keys()), row)


class DueTimer:
    """A timer row locked by `fire_many` (id, kind, order_id, for_state, ref_id, due_at, state), as a handler reads it."""

    __slots__ = TIMER_COLUMNS

    def __init__(self, row):
        for name, value in zip(TIMER_COLUMNS, row):
            setattr(self, name, value)


Fired = list[tuple[DueTimer, LockedOrder]]
# kind → handler(fired, now), registered by the services that own each consequence: `fired` holds that kind's
# timers of one batch (DueTimer), each with its order (LockedOrder), locked and in the state the timer was made for
# (one timer per order).
# A handler changes the orders inside the current transaction and must not commit.
HANDLERS: dict[str, Callable[[Fired, datetime], None]] = {}
BATCHED: set[str] = set()  # kinds whose handler takes a whole batch (see batch_handler)
# kind → handler(timers, now) for timers that belong to no order (order_id NULL; ref_id names their row, e.g. an
# offer's expiry): the handler locks the batch's rows in one ordered statement and decides on each; returns how
# many it changed. User actions never lock these timers, so the only lock order is timer, then row.
ROW_HANDLERS: dict[str, Callable[[list["DueTimer"], datetime], int]] = {}
# Give the scheduled job its chance before the sweep (every 20 seconds) steps in: a timer whose job was lost fires
# within about 40 seconds of its due time, or of a worker being back.
SWEEP_GRACE = timedelta(seconds=20)
# Timers fired per transaction by a job: big enough that a burst costs few statements and commits per timer (each
# batch has some 20 statements and a commit, whatever its size: 400 took a quarter off the CPU of 100), small enough
# that the rows it locks (orders, wallets, the platform's commission account) are held a fraction of a second.
BATCH = 400
# Due timers read per round, then fired a kind's BATCH at a time: a day's mix of kinds still fills its batches.
ROUND = 4 * BATCH
# The timers that may still act while a cancellation request keeps the order frozen.
CANCELLATION_KINDS = ("cancel_request_deadline", "info_deadline", "warn_cancel_request_deadline", "warn_info_deadline")
# These consequences get a "warn_<kind>" timer 24 hours earlier whose handler (services.notifications) only
# notifies the party who can still act; it lives and dies with its timer.
WARNED_KINDS = ("auto_complete", "cancel_request_deadline", "info_deadline", "requirements_deadline")
WARNING_PREFIX, WARN_AHEAD = "warn_", timedelta(hours=24)


def batch_handler(kind: str):
    """Register `func(fired, now)`, called once with all the batch's timers of the kind. Only these kinds fire
    many to a transaction: such a handler must take its row locks in one ordered run for the whole batch (as
    `ledger.post_many` does), where a loop of one-timer handlers would lock wallets in one order per timer and
    could deadlock with a user's request."""

    def register(func):
        HANDLERS[kind] = func
        BATCHED.add(kind)
        return func

    return register


def schedule(kind: str, order: Order, due_at: datetime, *, ref_id: int | None = None) -> Timer:
    """Add a timer for the order's current state (the caller commits; the job is enqueued after that)."""
    timer = Timer(kind=kind, order_id=order.id, for_state=order.state, ref_id=ref_id, due_at=due_at)
    db.session.add(timer)
    db.session.flush()
    second = due_second(due_at)
    kick_at(db.session(), second, "jobs.timers.fire_due_timers", job_id=f"timers-due-{int(second.timestamp())}")
    if kind in WARNED_KINDS:
        schedule(WARNING_PREFIX + kind, order, due_at - WARN_AHEAD, ref_id=timer.id)
    return timer


def row_handler(kind: str):
    """Register `func(timers, now) -> int` (how many rows it changed) for timers of no order (`schedule_row`),
    called once with all the batch's due timers of the kind; like a batch_handler it locks their rows in one
    ordered statement."""

    def register(func):
        ROW_HANDLERS[kind] = func
        return func

    return register


def schedule_row(kind: str, ref_id: int, due_at: datetime, *, for_state: str) -> Timer:
    """A timer for a row that is not an order (the caller commits; the job is enqueued after that). Its handler
    checks the row is still in `for_state`."""
    timer = Timer(kind=kind, order_id=None, for_state=for_state, ref_id=ref_id, due_at=due_at)
    db.session.add(timer)
    db.session.flush()
    second = due_second(due_at)
    kick_at(db.session(), second, "jobs.timers.fire_due_timers", job_id=f"timers-due-{int(second.timestamp())}")
    return timer


def due_second(due_at: datetime) -> datetime:
    """The whole second at or after `due_at`: when the job firing it runs (never before the timer is due)."""
    return datetime.fromtimestamp(math.ceil(due_at.timestamp()), tz=timezone.utc)


def cancel(order: Order, *kinds: str) -> None:
    """Stop the order's scheduled timers (of these kinds, or all); a stale job is refused when it runs."""
    cancel_all([order], *kinds)


def cancel_all(orders: list[Order], *kinds: str) -> None:
    """`cancel` for many orders in one statement (a batch of timers cancelling their orders)."""
    if not orders:
        return
    query = update(Timer).where(bulk.among(Timer.order_id, [order.id for order in orders]), Timer.state == "scheduled")
    if kinds:
        query = query.where(Timer.kind.in_([*kinds, *(WARNING_PREFIX + kind for kind in kinds if kind in WARNED_KINDS)]))
    db.session.execute(query.values(state="cancelled").execution_options(synchronize_session=False))


def running(order: Order) -> list[Timer]:
    """The order's scheduled consequences (not the warnings before them)."""
    return list(db.session.scalars(_RUNNING, {"order_id": order.id}))


# Built once: every order page runs it (building a SELECT costs about as much as running it).
_RUNNING = (
    select(Timer)
    .where(Timer.order_id == bindparam("order_id"), Timer.state == "scheduled", ~Timer.kind.startswith(WARNING_PREFIX, autoescape=True))
    .order_by(Timer.due_at)
)  # fmt: skip


def _register_handlers() -> None:
    """Import the services that own the consequences: importing them registers their handlers."""
    from . import availability, cancellations, deadlines, notifications, offers, orders  # noqa: F401


def fire(timer_id: int, now: datetime) -> bool:
    """Fire the timer if it is still due and relevant; True when it changed the order."""
    return fire_many([timer_id], now) == 1


def fire_many(timer_ids: list[int], now: datetime) -> int:
    """Fire those of these timers still due and relevant, in one transaction; returns how many changed an order.

    At most one timer of an order fires: another of the same order's is left scheduled for the caller's next round,
    which sees what the first one did. A handler's error propagates with nothing fired (the caller rolls back).
    The orders and timers are locked and read as rows (LockedOrder, DueTimer), and what the handlers changed on them
    written back with one UPDATE for the orders and one per timer outcome, however many timers.
    """
    _register_handlers()
    begin_write()
    one_job_per_batch(db.session())  # the batch's notifications: one e-mail job
    # Orders first, then timers: the same lock order as user actions (which lock the order, then cancel timers).
    orders_table, timers_table = Order.__table__, Timer.__table__
    locked = db.session.execute(
        select(*(orders_table.c[name] for name in ORDER_COLUMNS))
        .where(orders_table.c.id.in_(select(timers_table.c.order_id).where(bulk.among(timers_table.c.id, timer_ids))))
        .order_by(orders_table.c.id)
        .with_for_update()
    )
    orders = {row[0]: LockedOrder(row) for row in locked}
    requests: dict[type, list[LockedRequest]] = {CancellationRequest: [], ExtensionRequest: []}
    if orders:
        # Whether each is frozen, and the requests the handlers answer: one query each, whatever the batch (rows of
        # the order's aggregate, guarded by its lock).
        for model, attribute in ((CancellationRequest, "cancellation_requests"), (ExtensionRequest, "extension_requests")):
            table = model.__table__
            for row in db.session.execute(select(table).where(bulk.among(table.c.order_id, orders)).order_by(table.c.id)):
                request = LockedRequest(row)
                requests[model].append(request)
                getattr(orders[request.order_id], attribute).append(request)
    found = db.session.execute(
        select(*(timers_table.c[name] for name in TIMER_COLUMNS)).where(bulk.among(timers_table.c.id, timer_ids))
        .order_by(timers_table.c.id).with_for_update()
    )  # fmt: skip
    firing: dict[str, Fired] = defaultdict(list)
    rows_firing: dict[str, list[DueTimer]] = defaultdict(list)
    taken: set[int] = set()
    stale: list[int] = []
    changed_rows = 0
    for timer in map(DueTimer, found):
        if timer.order_id is None:  # a row's timer (schedule_row): its handler locks and checks the row
            if timer.state == "scheduled" and timer.due_at <= now:
                rows_firing[timer.kind].append(timer)
            continue
        order = orders[timer.order_id]
        if timer.state != "scheduled" or timer.due_at > now or order.id in taken:
            continue
        taken.add(order.id)
        frozen = order.open_cancellation is not None and timer.kind not in CANCELLATION_KINDS
        if order.state != timer.for_state or frozen:
            stale.append(timer.id)  # the order moved on, or waits on a cancellation answer first
            continue
        firing[timer.kind].append((timer, order))
    for kind, row_timers in rows_firing.items():
        changed_rows += ROW_HANDLERS[kind](row_timers, now)
    for kind, fired in firing.items():
        HANDLERS[kind](fired, now)
    _write_back(Order, orders.values())
    for model, of_model in requests.items():
        _write_back(model, of_model)
    fired_ids = [timer.id for row_timers in rows_firing.values() for timer in row_timers]
    fired_ids += [timer.id for fired in firing.values() for timer, _order in fired]
    for ids, values in ((stale, {"state": "cancelled"}), (fired_ids, {"state": "fired", "fired_at": now})):
        if ids:
            db.session.execute(update(timers_table).where(bulk.among(timers_table.c.id, ids)).values(values))
    db.session.commit()
    return changed_rows + sum(len(fired) for kind, fired in firing.items() if not kind.startswith(WARNING_PREFIX))  # a warning only notified


def write_now(orders) -> None:
    """Write what the handlers changed so far on these orders now, for a consequence that reads them back from the
    database in the same transaction (a kwork's rating counts its completed orders: services.orders._release),
    rather than with the batch's write-back after every handler. One UPDATE for all of them; orders that are ORM
    objects (a user's action) are the session's to flush, and are left alone."""
    locked = [order for order in orders if isinstance(order, LockedOrder)]
    _write_back(Order, locked)
    for order in locked:
        order.mark_written()  # the batch's write-back has nothing left to write for them


def _write_back(model, rows) -> None:
    """What the handlers changed on the locked rows of the model's table (LockedOrder, LockedRequest), in one
    UPDATE (bulk.update_rows) of the columns any of them changed (a row that changed fewer writes back the others as it
    read them, under its order's lock)."""
    changes = [(row, row.changed()) for row in rows]
    columns = sorted(set().union(*(changed for _row, changed in changes)))
    if not columns:
        return
    bulk.update_rows(model.__table__, [{"id": row.id, **{name: getattr(row, name) for name in columns}} for row, changed in changes if changed])
    # An object loaded before in this session (a test's, a request's) reads the new values on its next use.
    expire_loaded(model, [row.id for row, changed in changes if changed])


def fire_due(clock: Callable[[], datetime], *, grace: timedelta = timedelta(0)) -> int:
    """Fire every scheduled timer due `grace` before the clock's time when this starts; returns how many changed
    an order. Each batch fires at the clock's time of its own firing, so fired_at says when it really happened."""
    _register_handlers()
    cutoff = clock() - grace
    changed, failed = 0, set()
    while True:
        query = select(Timer.id, Timer.kind).where(Timer.state == "scheduled", Timer.due_at <= cutoff)
        if failed:
            query = query.where(Timer.id.not_in(failed))
        due = db.session.execute(query.order_by(Timer.id).limit(ROUND)).all()
        db.session.rollback()  # end the read before the batch takes its own write transaction
        if not due:
            return changed
        by_kind: dict[str, list[int]] = defaultdict(list)  # in the order each kind's first timer came
        for timer_id, kind in due:
            by_kind[kind].append(timer_id)
        # A transaction per kind: each handler takes its locks in one ordered run, and two kinds' runs in one
        # transaction (completions' releases, then cancellations' refunds) would lock wallets out of order.
        for kind, of_kind in by_kind.items():
            if kind not in BATCHED and kind not in ROW_HANDLERS:
                changed += _fire_one_by_one(of_kind, clock, failed)
                continue
            for start in range(0, len(of_kind), BATCH):
                together = of_kind[start : start + BATCH]
                try:
                    changed += fire_many(together, clock())
                except BaseTimeoutException:
                    raise  # the job ran out of time: RQ retries it, and what fired stays fired
                except Exception:
                    db.session.rollback()
                    changed += _fire_one_by_one(together, clock, failed)


def _fire_one_by_one(timer_ids: list[int], clock: Callable[[], datetime], failed: set[int]) -> int:
    """Each timer in a transaction of its own: a kind not batched, and a batch that failed, so that one broken
    timer holds back no other."""
    changed = 0
    for timer_id in timer_ids:
        try:
            changed += fire_many([timer_id], clock())
        except BaseTimeoutException:
            raise
        except Exception:
            # It stays scheduled, so the sweep tries it again every minute (and logs it again) until the handler
            # is fixed; this job leaves it alone from now on.
            db.session.rollback()
            failed.add(timer_id)
            current_app.logger.exception("timer %s failed to fire", timer_id)
    return changed


def sweep(now: datetime) -> int:
    """Fire every scheduled timer overdue by more than SWEEP_GRACE (its job was lost); returns how many changed an
    order."""
    return fire_due(lambda: now, grace=SWEEP_GRACE)
