"""The RQ queues on the app's Redis, and enqueueing that waits for the database commit.

Two queues, in the order a worker takes them (`rq worker default mail`): "default" for what changes orders and
money (timers, calls, withdrawals), "mail" for notification e-mails, so a burst of mail never delays a deadline.
"""
from collections import defaultdict
from datetime import datetime

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from . import redis_conn

QUEUE_NAME, MAIL_QUEUE = "default", "mail"
QUEUE_NAMES = (QUEUE_NAME, MAIL_QUEUE)


def get_queue(name: str = QUEUE_NAME) -> Queue:
    """The app's queues, on the app's Redis (the embedded one in the demo)."""
    queues = current_app.extensions.setdefault("rq_queues", {})
    if name not in queues:
        connection = redis_conn.client(current_app.config["REDIS_URL"], current_app.config)
        queues[name] = Queue(name, connection=connection)
    return queues[name]


def after_commit(session: Session, due_at: datetime | None, func: str, *args, job_id: str, queue: str = QUEUE_NAME) -> None:
    """Run `func(*args)` at `due_at` (None: as soon as a worker is free), once the transaction has committed.

    Enqueueing first would let a worker look for a row that is not there yet (or never will be, on rollback).
    A job id asked for twice in one transaction is enqueued once.
    """
    session.info.setdefault("after_commit_jobs", {}).setdefault(job_id, (due_at, func, args, queue))


def after_commit_for(session: Session, row, func: str, *, job_prefix: str, queue: str = QUEUE_NAME) -> None:
    """Run `func(id of row)` as soon as a worker is free, once the transaction has committed, as job
    "<job_prefix>-<id>". The row needs no flush for its id now (it is read after the commit), so the rows of many
    such jobs added in one transaction are written by one INSERT."""
    session.info.setdefault("after_commit_rows", []).append((row, func, job_prefix, queue))


def _retry() -> Retry:
    return Retry(max=3, interval=[10, 60, 300])


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    jobs = session.info.pop("after_commit_jobs", {})
    for row, func, prefix, queue_name in session.info.pop("after_commit_rows", []):
        identity = inspect(row).identity
        if identity is not None:  # else never written (removed again before the commit): nothing to do
            jobs.setdefault(f"{prefix}-{identity[0]}", (None, func, (identity[0],), queue_name))
    due_now = defaultdict(list)
    for job_id, (due_at, func, args, queue_name) in jobs.items():
        if due_at is None:
            due_now[queue_name].append(Queue.prepare_data(func, args, job_id=job_id, retry=_retry()))
            continue
        try:
            get_queue(queue_name).enqueue_at(due_at, func, *args, job_id=job_id, retry=_retry())
        except redis.RedisError:
            # The row is committed: a timer is fired by the periodic sweep.
            current_app.logger.exception("could not enqueue %s", job_id)
    for queue_name, prepared in due_now.items():
        try:
            get_queue(queue_name).enqueue_many(prepared)  # one round trip for all of them
        except redis.RedisError:
            # The rows are committed: a call can be requested again; an e-mail is lost, its notification stays.
            current_app.logger.exception("could not enqueue %s", ", ".join(job.job_id for job in prepared))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("after_commit_jobs", None)
    session.info.pop("after_commit_rows", None)
