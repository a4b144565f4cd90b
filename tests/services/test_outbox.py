"""Jobs that must happen are rows first (webapp.queue, services.outbox): a flushed Redis, Redis down at the commit, a
job that failed for good or a worker killed mid-job delay them by a sweep, never lose them; a job run twice acts once."""
from datetime import datetime, timedelta, timezone

import pytest
import redis
import time_machine
from rq.job import Job, JobStatus

from webapp import queue as job_queue
from webapp.extensions import db
from webapp.models import Notification, OutboxJob, SandboxMail, Withdrawal
from webapp.services import notifications, outbox, payouts

from .test_payouts import CARD, last_spoken_code
from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


@pytest.fixture
def withdrawal(make_user, fund):
    """A withdrawal just requested: its settlement is an outbox row whose RQ job is waiting."""
    seller = make_user("Seller", role="seller")
    seller.phone, seller.phone_verified_at = "+442079460958", START - timedelta(days=3)
    db.session.commit()
    with time_machine.travel(START - timedelta(days=2), tick=False):
        payouts.add_card(seller, CARD, START - timedelta(days=2))
        run_worker()
        payouts.confirm(seller, last_spoken_code(), START - timedelta(days=2))
        run_worker()
    fund(seller, 1000)
    [detail] = payouts.active_details(seller)
    with time_machine.travel(START, tick=False):
        return payouts.withdraw(seller, detail.id, 500, START)


def settlement_row(withdrawal: Withdrawal) -> OutboxJob:
    [row] = [row for row in db.session.query(OutboxJob).filter_by(func="jobs.payouts.settle_withdrawal") if row.args == [withdrawal.id]]
    return row


def test_the_job_runs_and_marks_its_row_done(withdrawal):
    row = settlement_row(withdrawal)
    assert (row.done_at, row.attempts, row.queue) == (None, 1, "default")
    assert Job.exists(row.rq_job_id, connection=job_queue.get_queue().connection)
    with time_machine.travel(START + timedelta(seconds=5), tick=False):
        run_worker()
    assert withdrawal.status == "paid"
    assert row.done_at == START + timedelta(seconds=5)
    assert outbox.sweep(START + timedelta(minutes=5)) == 0


def test_a_withdrawal_whose_job_redis_lost_is_settled_by_the_sweep(app, withdrawal):
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    with time_machine.travel(START + timedelta(seconds=10), tick=False):
        run_worker()
        assert withdrawal.status == "requested"  # no job: the worker alone can't know
        assert outbox.sweep(START + timedelta(seconds=10)) == 0  # the job's first lease runs
    with time_machine.travel(START + timedelta(seconds=45), tick=False):
        assert outbox.sweep(START + timedelta(seconds=45)) == 1
        run_worker()
    db.session.expire_all()
    row = settlement_row(withdrawal)
    assert (withdrawal.status, row.attempts, row.done_at) == ("paid", 2, START + timedelta(seconds=45))
    assert outbox.sweep(START + timedelta(minutes=5)) == 0


def test_mail_queued_while_redis_is_down_goes_out_once_after_the_sweep(app, make_user, monkeypatch):
    user = make_user()

    def refused(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    with monkeypatch.context() as patched, time_machine.travel(START, tick=False):
        patched.setattr(job_queue, "get_queue", refused)
        notifications.notify(user.id, "new_order", "Buyer ordered “Logo” (order #%(id)s)", "/orders/1", id=1)
        db.session.commit()  # no 500: the row waits
    [row] = db.session.query(OutboxJob).all()
    assert (row.func, row.queue, row.done_at) == ("jobs.mail.send_notification_email", "mail", None)
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert outbox.sweep(START + timedelta(minutes=1)) == 1
        run_worker()
        # A second run of the same row (handed over again while the first was under way) sends nothing more.
        assert outbox.run(row.id, START + timedelta(minutes=1)) is None
        assert notifications.send_email(db.session.query(Notification).one().id) is False
    assert [mail.to for mail in db.session.query(SandboxMail)] == [user.email]


def test_a_job_left_started_by_a_killed_worker_is_handed_over_after_a_while(app, withdrawal):
    row = settlement_row(withdrawal)
    job = Job.fetch(row.rq_job_id, connection=job_queue.get_queue().connection)
    job_queue.get_queue().remove(job)  # a worker took it from the queue ...
    job.set_status(JobStatus.STARTED)
    job.started_at = START
    job.save()  # ... and was killed (kill -9) while running it
    assert outbox.sweep(START + timedelta(seconds=45)) == 0  # it may still be running
    with time_machine.travel(START + timedelta(minutes=3), tick=False):
        assert outbox.sweep(START + timedelta(minutes=3)) == 1
        run_worker()
    db.session.expire_all()
    assert (withdrawal.status, settlement_row(withdrawal).attempts) == ("paid", 2)


def test_a_job_that_keeps_failing_is_given_up_and_logged(ctx, caplog):
    row = OutboxJob(func="jobs.payouts.settle_withdrawal", args=[0], queue="default", attempts=outbox.MAX_ATTEMPTS, enqueued_at=START)
    db.session.add(row)
    db.session.commit()
    assert outbox.sweep(START + timedelta(minutes=1)) == 0
    assert row.gave_up_at == START + timedelta(minutes=1)
    assert "gave up after 6 attempts" in caplog.text


def test_only_entry_points_under_jobs_can_be_run(ctx):
    row = OutboxJob(func="os.system", args=["true"], queue="default")
    db.session.add(row)
    db.session.commit()
    with pytest.raises(ValueError, match="entry points under jobs/"):
        outbox.run(row.id, START)


def test_the_cli_sweep_reports_timers_and_jobs(app, withdrawal):
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        result = app.test_cli_runner().invoke(args=["sweep"])
    assert "Fired 0 timers; handed 1 lost job to the queue again." in result.output
