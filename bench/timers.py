"""Timer throughput: 10,000 auto-completions due at the same instant, fired by one RQ worker with its scheduler
(the production one: jobs.worker.AppWorker, forking per job).

The timers are written and enqueued the way the app does it (rows in one transaction, then the job for their due
second after the commit, via webapp.queue.kick_at); the worker runs the real handler for each (complete the
order, release escrow, refresh the kwork rating, notify both parties). The database then has to show each fired
exactly once.
"""
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import redis
from sqlalchemy import func, insert, select

from webapp.domain import orders as rules
from webapp.extensions import db
from webapp.models import Order, OrderEvent, Posting, Timer
from webapp.queue import QUEUE_NAMES, kick_at
from webapp.services.timers import due_second

KIND = "auto_complete"  # delivered orders, three days without an answer: the commonest timer in a marketplace
# Room to write and enqueue every timer before they fall due, so lateness measures the worker, not the set-up.
LEAD = timedelta(seconds=20)


@dataclass(frozen=True)
class TimerRun:
    count: int
    fired: int  # within the time limit; every fired one is checked to have fired exactly once
    enqueue_seconds: float
    jobs_per_second: float  # from the first to the last firing
    last_fired_after: float  # seconds from the due instant to the last firing
    lateness_p50: float
    lateness_p99: float


def run(app, count: int, redis_url: str, env: dict, log: Path, timeout: float = 120) -> TimerRun:
    redis.Redis.from_url(redis_url).flushdb()  # no jobs left from an earlier run (the benchmark's own Redis db)
    with app.app_context():
        order_ids = db.session.scalars(
            select(Order.id).where(Order.state == rules.DELIVERED).order_by(Order.id).limit(count)
        ).all()
        if len(order_ids) < count:
            raise RuntimeError(f"only {len(order_ids)} delivered orders to time out, {count} wanted")
        started = time.monotonic()
        due = datetime.now(timezone.utc) + LEAD
        first_id = (db.session.scalar(select(func.max(Timer.id))) or 0) + 1
        timer_ids = list(range(first_id, first_id + count))
        db.session.execute(
            insert(Timer),
            [dict(id=t, kind=KIND, order_id=o, for_state=rules.DELIVERED, due_at=due, state="scheduled")
             for t, o in zip(timer_ids, order_ids)],
        )  # fmt: skip
        second = due_second(due)  # as timers.schedule does for each timer
        kick_at(db.session(), second, "jobs.timers.fire_due_timers", job_id=f"timers-due-{int(second.timestamp())}")
        db.session.commit()
        enqueue_seconds = time.monotonic() - started
        if datetime.now(timezone.utc) >= due:
            raise RuntimeError("enqueueing took longer than the lead time: raise LEAD")

    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("rq")), "worker", *QUEUE_NAMES, "--with-scheduler", "--quiet",
         "--worker-class", "jobs.worker.AppWorker", "--url", redis_url],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with app.app_context():
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                fired = db.session.scalar(select(func.count()).where(Timer.id.in_(timer_ids), Timer.state == "fired"))
                db.session.rollback()
                if fired == count:
                    break
                time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    if not fired:
        tail = "".join(log.read_text().splitlines(keepends=True)[-15:])
        raise RuntimeError(f"no timer fired within {timeout:.0f} s; the worker said:\n{tail}")
    with app.app_context():
        fired_ids = db.session.scalars(select(Timer.id).where(Timer.id.in_(timer_ids), Timer.state == "fired")).all()
        fired_orders = db.session.scalars(select(Timer.order_id).where(Timer.id.in_(fired_ids))).all()
        _assert_fired_once(fired_ids, fired_orders)
        moments = db.session.execute(select(Timer.due_at, Timer.fired_at).where(Timer.id.in_(fired_ids))).all()
    lateness = sorted((fired - due_at).total_seconds() for due_at, fired in moments)
    span = (max(f for _, f in moments) - min(f for _, f in moments)).total_seconds()
    return TimerRun(
        count=count,
        fired=len(fired_ids),
        enqueue_seconds=enqueue_seconds,
        jobs_per_second=len(fired_ids) / span if span else float(len(fired_ids)),
        last_fired_after=lateness[-1],
        lateness_p50=statistics.median(lateness),
        lateness_p99=lateness[int(0.99 * (len(lateness) - 1))],
    )


def _assert_fired_once(timer_ids: list[int], order_ids: list[int]) -> None:
    """Each of these timers fired and completed its order once: one completion event and one escrow release each."""
    fired = db.session.scalar(select(func.count()).where(Timer.id.in_(timer_ids), Timer.state == "fired"))
    assert fired == len(timer_ids), f"{len(timer_ids) - fired} timers did not fire"
    completed = db.session.scalar(select(func.count()).where(Order.id.in_(order_ids), Order.state == rules.COMPLETED))
    assert completed == len(order_ids), f"{len(order_ids) - completed} orders not completed"
    events = db.session.execute(
        select(OrderEvent.order_id, func.count())
        .where(OrderEvent.order_id.in_(order_ids), OrderEvent.action == KIND)
        .group_by(OrderEvent.order_id)
    ).all()
    assert len(events) == len(order_ids) and all(n == 1 for _, n in events), "an order completed more than once"
    releases = db.session.scalar(
        select(func.count()).where(Posting.idempotency_key.in_([f"order-{o}-release" for o in order_ids]))
    )
    assert releases == len(order_ids), "an escrow was not released exactly once"
