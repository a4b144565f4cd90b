"""The production worker (jobs.worker.AppWorker): forks per job, with the app built once, before the forks."""
import os

import pytest

import jobs
import webapp
from jobs.worker import AppWorker
from webapp.extensions import db
from webapp.models import SandboxMail
from webapp.queue import QUEUE_NAMES, get_queue
from webapp.services import notifications


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RQ's forking worker needs fork()")
def test_each_job_runs_in_a_forked_child_with_the_app_built_beforehand(app, ctx, make_user, monkeypatch):
    monkeypatch.setattr(jobs, "_app", app)  # built already, as the worker's parent would have it

    def built_in_a_child():
        raise AssertionError("a job built its own app")

    monkeypatch.setattr(webapp, "create_app", built_in_a_child)
    users = [make_user(name) for name in ("Anna", "Bob")]
    for user in users:
        notifications.notify(user.id, "new_order", "Buyer ordered “Logo” (order #%(id)s)", "/orders/1", id=1)
    db.session.commit()  # the mail jobs are enqueued now

    queues = [get_queue(name) for name in QUEUE_NAMES]
    worker = AppWorker(queues, connection=queues[0].connection)
    assert worker.app is app
    worker.work(burst=True)

    db.session.expire_all()
    assert sorted(mail.to for mail in db.session.query(SandboxMail)) == sorted(user.email for user in users)
    assert len(get_queue("mail").finished_job_registry) == 2 and len(get_queue("mail").failed_job_registry) == 0
