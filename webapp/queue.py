"""The RQ queues on the app's Redis, and the jobs a transaction asks for, handed to RQ after its commit.

Two queues, in the order a worker takes them (`rq worker default mail`): "default" for what changes orders and
money (timers, calls, withdrawals), "mail" for notification e-mails, so a burst of mail never delays a deadline.

A job that must happen (an e-mail, a withdrawal's settlement, a code call) is a row first: `after_commit` writes an
`OutboxJob` in the caller's transaction and, once it has committed, hands it to RQ (`jobs.outbox.run`). The job marks
the row done; the sweep (services.outbox) hands over again a row whose job was lost. Redis being flushed or down at
the commit then delays the job, never loses it. Timers are rows of their own (the `timers` table): `kick_at` only
wakes a worker at their due second, and the sweep fires what a lost kick left behind.
"""
from collections import defaultdict
from datetime import datetime

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from . import redis_conn
from .models import OutboxJob

QUEUE_NAME, MAIL_QUEUE = "default", "mail"
QUEUE_NAMES = (QUEUE_NAME, MAIL_QUEUE)
RUN_OUTBOX_JOB = "jobs.outbox.run"


def get_queue(name: str = QUEUE_NAME) -> Queue:
    """The app's queues, on the app's Redis (the embedded one in the demo)."""
    queues = current_app.extensions.setdefault("rq_queues", {})
    if name not in queues:
        connection = redis_conn.client(current_app.config["REDIS_URL"], current_app.config)
        queues[name] = Queue(name, connection=connection)
    return queues[name]


def after_commit(session: Session, func: str, *args, queue: str = QUEUE_NAME) -> OutboxJob:
    """Run `func(*args)` (an entry point under jobs/) as soon as a worker is free, once this transaction has
    committed: an outbox row now, the RQ job after the commit. Nothing happens if the transaction rolls back."""
    row = OutboxJob(func=func, args=list(args), queue=queue)
    session.add(row)
    session.info.setdefault("outbox_rows", []).append((row, queue))
    return row


def after_commit_for(session: Session, row, func: str, *, queue: str = QUEUE_NAME) -> None:
    """`after_commit(func, id of row)` for a row not flushed yet: its outbox row is written just before the commit,
    when one flush has given every such row its id (many notifications of one transaction: one INSERT each way)."""
    session.info.setdefault("outbox_for_rows", []).append((row, func, queue))


def after_commit_each(session: Session, func: str, ids: list[int], *, queue: str = QUEUE_NAME) -> None:
    """`after_commit(func, id)` for each of these rows, inserted already (set-based, their ids known): inside
    `one_job_per_batch` they join the batch's one job, as `after_commit_for` rows do."""
    if session.info.get("outbox_batched") and func in BATCHED_JOBS:
        session.info.setdefault("outbox_batched_ids", defaultdict(list))[(func, queue)].extend(ids)
    else:
        for row_id in ids:
            after_commit(session, func, row_id, queue=queue)


# A job's variant taking a list of row ids: a transaction that asked for one job per job (`one_job_per_batch`)
# gets one job for all its rows.
BATCHED_JOBS = {"jobs.mail.send_notification_email": "jobs.mail.send_notification_emails"}


def one_job_per_batch(session: Session) -> None:
    """This transaction's `after_commit_for` rows share one job per entry point that has a list variant (a timer
    batch's notifications: one e-mail job, not one per notification)."""
    session.info["outbox_batched"] = True


def kick_at(session: Session, due_at: datetime, func: str, *args, job_id: str) -> None:
    """Wake a worker at `due_at` to run `func(*args)`, once the transaction has committed. For jobs whose rows are
    their own truth (timers): a lost kick is made up by the sweep. A job id asked for twice is enqueued once."""
    session.info.setdefault("kicks", {}).setdefault(job_id, (due_at, func, args))


def _retry() -> Retry:
    return Retry(max=3, interval=[10, 60, 300])


@event.listens_for(Session, "before_commit")
def _write_outbox_rows(session: Session) -> None:
    pending = session.info.pop("outbox_for_rows", [])
    batched = session.info.pop("outbox_batched", False)
    together = session.info.pop("outbox_batched_ids", None) or defaultdict(list)  # rows inserted set-based
    if not pending and not together:
        return
    if pending:
        session.flush()  # every row gets its id, in one INSERT per table
    for row, func, queue in pending:
        identity = inspect(row).identity
        if identity is None:  # removed again before the commit: nothing to do
            continue
        if batched and func in BATCHED_JOBS:
            together[(func, queue)].append(identity[0])
        else:
            after_commit(session, func, identity[0], queue=queue)
    for (func, queue), ids in together.items():
        if len(ids) == 1:
            after_commit(session, func, ids[0], queue=queue)
        else:
            after_commit(session, BATCHED_JOBS[func], ids, queue=queue)


def hand_over(jobs: list[tuple[int, int, str]]) -> None:
    """Enqueue the jobs of these outbox rows, given as (id, attempts, queue), in one round trip per queue. Without
    Redis they wait in the outbox for the sweep."""
    by_queue = defaultdict(list)
    for row_id, attempts, queue_name in jobs:
        job_id = OutboxJob.job_id_for(row_id, attempts)
        by_queue[queue_name].append(Queue.prepare_data(RUN_OUTBOX_JOB, (row_id,), job_id=job_id, retry=_retry()))
    for queue_name, prepared in by_queue.items():
        try:
            get_queue(queue_name).enqueue_many(prepared)
        except redis.RedisError:
            current_app.logger.warning("Redis unavailable: %d job(s) wait in the outbox for the sweep", len(prepared))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    # The ids from the identity keys: reading the committed (expired) rows would cost a query each.
    written = [(inspect(row).identity, queue) for row, queue in session.info.pop("outbox_rows", [])]
    if jobs := [(identity[0], 1, queue) for identity, queue in written if identity is not None]:
        hand_over(jobs)
    for job_id, (due_at, func, args) in session.info.pop("kicks", {}).items():
        try:
            get_queue().enqueue_at(due_at, func, *args, job_id=job_id, retry=_retry())
        except redis.RedisError:
            # The timer rows are committed: the periodic sweep fires them.
            current_app.logger.warning("Redis unavailable: could not schedule %s; the sweep will fire its timers", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    for key in ("outbox_rows", "outbox_for_rows", "outbox_batched", "outbox_batched_ids", "kicks"):
        session.info.pop(key, None)
