"""`rq worker -w jobs.worker.AppWorker`: RQ's forking worker, with the Flask app built once instead of per job.

RQ forks a child for every job, and a child that builds the app itself spends about a second on it (config,
blueprints, extensions), longer than most jobs take. This worker builds it in the parent before the first fork,
so each child inherits it ready. The parent never touches the database; each child still starts with an empty
connection pool, so a connection can never be shared across a fork.
"""
import os

from rq import Worker

from webapp.extensions import db

from . import preload_app


class AppWorker(Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = preload_app()

    def main_work_horse(self, job, queue):
        try:
            with self.app.app_context():
                db.engine.dispose(close=False)  # close=False: the parent's connections, if any, stay the parent's
        except BaseException:
            os._exit(1)  # a child must never fall back into the parent's loop
        super().main_work_horse(job, queue)
