"""The RQ queue on the app's Redis, and enqueueing that waits for the database commit."""
from datetime import datetime

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

QUEUE_NAME = "default"


def get_queue() -> Queue:
    """One queue per app, on the app's Redis (the embedded one in the demo)."""
    if "rq_queue" not in current_app.extensions:
        connection = redis.Redis.from_url(current_app.config["REDIS_URL"])
        current_app.extensions["rq_queue"] = Queue(QUEUE_NAME, connection=connection)
    return current_app.extensions["rq_queue"]


def after_commit(session: Session, due_at: datetime | None, func: str, *args, job_id: str) -> None:
    """Run `func(*args)` at `due_at` (None: as soon as a worker is free), once the transaction has committed.

    Enqueueing first would let a worker look for a row that is not there yet (or never will be, on rollback).
    """
    session.info.setdefault("after_commit_jobs", []).append((due_at, func, args, job_id))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    jobs = session.info.pop("after_commit_jobs", [])
    if not jobs:
        return
    queue = get_queue()
    for due_at, func, args, job_id in jobs:
        try:
            retry = Retry(max=3, interval=[10, 60, 300])
            if due_at is None:
                queue.enqueue(func, *args, job_id=job_id, retry=retry)
            else:
                queue.enqueue_at(due_at, func, *args, job_id=job_id, retry=retry)
        except redis.RedisError:
            # The row is committed: a timer is fired by the periodic sweep, a call can be requested again.
            current_app.logger.exception("could not enqueue %s", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("after_commit_jobs", None)
