"""The outbox: background jobs that must happen, as rows (see webapp.queue), run by RQ and made up for by a sweep.

`run` is what RQ executes for a row: it calls the row's entry point and marks the row done. Entry points are
idempotent (a withdrawal settles once, a code call is placed once, an e-mail goes out once), so a job that runs again
after a crash changes nothing. `sweep` hands over again every row not done whose job is gone: Redis was flushed or
unreachable at the commit, the job failed for good, or the worker running it was killed.
"""
import importlib
from datetime import datetime, timedelta

import redis
from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from ..extensions import db
from ..models import OutboxJob
from ..queue import get_queue, hand_over

# A row handed to RQ this long ago and still not done is looked at by the sweep (every 20 seconds, jobs/cron.py):
# with both, a job lost at the commit runs within a minute of a worker being there to run it.
LEASE = timedelta(seconds=30)
# A job "started" for longer than this belonged to a worker that died (ours take seconds).
STUCK = timedelta(minutes=2)
# After this many hand-overs a job that keeps failing is given up on, and logged, rather than retried forever.
MAX_ATTEMPTS = 6
WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def _entry_point(path: str):
    module, _, name = path.rpartition(".")
    if not module.startswith("jobs."):
        raise ValueError(f"outbox jobs run entry points under jobs/, not {path!r}")
    return getattr(importlib.import_module(module), name)


def run(row_id: int, now: datetime):
    """RQ's job for an outbox row: call its entry point, then mark it done. A row already done is left alone (its
    job was handed over again while the first run was still under way)."""
    row = db.session.get(OutboxJob, row_id)
    if row is None or row.done_at is not None:
        db.session.rollback()
        return None
    func, args = _entry_point(row.func), list(row.args)
    db.session.rollback()  # the entry point opens its own unit of work
    result = func(*args)
    db.session.execute(update(OutboxJob).where(OutboxJob.id == row_id, OutboxJob.done_at.is_(None)).values(done_at=now))
    db.session.commit()
    return result


def _lost(row: OutboxJob, connection, now: datetime) -> bool:
    """Whether the row's current RQ job can no longer run it."""
    try:
        job = Job.fetch(row.rq_job_id, connection=connection)
    except NoSuchJobError:
        return True  # flushed, expired, or never enqueued (Redis was down at the commit)
    status = job.get_status(refresh=False)
    if status in WAITING:
        return False
    if status == JobStatus.STARTED:
        return job.started_at is None or job.started_at.replace(tzinfo=now.tzinfo) < now - STUCK
    return True  # failed for good (its retries are spent), stopped, cancelled, or finished without marking the row


def sweep(now: datetime, limit: int = 500) -> int:
    """Hand over again the rows whose job was lost; returns how many. A row handed over MAX_ATTEMPTS times is given
    up (logged with its last error). Without Redis nothing happens: the next sweep tries again."""
    rows = list(db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.done_at.is_(None), OutboxJob.gave_up_at.is_(None), OutboxJob.enqueued_at < now - LEASE)
        .order_by(OutboxJob.id).limit(limit)
        .with_for_update(skip_locked=True)  # two sweeps at once never hand one row over twice
    ))  # fmt: skip
    if not rows:
        db.session.rollback()
        return 0
    try:
        connection = get_queue().connection
        lost = [row for row in rows if _lost(row, connection, now)]
    except redis.RedisError:
        db.session.rollback()
        return 0
    again = []
    for row in lost:
        if row.attempts >= MAX_ATTEMPTS:
            row.gave_up_at = now
            current_app.logger.error("outbox job %s (%s%s) gave up after %s attempts", row.id, row.func, tuple(row.args), row.attempts)
            continue
        row.attempts += 1
        row.enqueued_at = now
        again.append((row.id, row.attempts, row.queue))
    db.session.commit()
    hand_over(again)
    return len(again)


def unfinished(older_than: datetime) -> int:
    """Rows not done that were handed to RQ before `older_than` (the chaos benchmark's invariant)."""
    return db.session.query(OutboxJob).filter(OutboxJob.done_at.is_(None), OutboxJob.enqueued_at < older_than).count()
