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


def after_commit(session: Session, due_at: datetime, func: str, *args, job_id: str) -> None:
    """Schedule `func(*args)` at `due_at`, but only once the current transaction has committed.

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
            queue.enqueue_at(due_at, func, *args, job_id=job_id, retry=Retry(max=3, interval=[10, 60, 300]))
        except redis.RedisError:
            # The row is committed; the periodic sweep fires it even without a job.
            current_app.logger.exception("could not enqueue %s; the sweep will pick it up", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("after_commit_jobs", None)
