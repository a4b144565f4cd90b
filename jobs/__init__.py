"""RQ entry points: thin functions that open an app context and call one service.

Run them with `rq worker default mail --with-scheduler -w jobs.worker.AppWorker` and `rq cron jobs/cron.py`
against the app's Redis (see README).
"""
from contextlib import contextmanager

from flask import current_app

_app = None


def preload_app():
    """This process's app, built on first use (jobs.worker.AppWorker builds it before forking each job)."""
    global _app
    if _app is None:
        from webapp import create_app
        from webapp.config import ConfigurationError

        try:
            _app = create_app(migrations=False)  # jobs never migrate: no Alembic in the worker's memory
        except ConfigurationError as error:
            raise SystemExit(f"Gigsmith: {error}") from None  # one line, as wsgi.py prints it
    return _app


@contextmanager
def app_context():
    """The current app when there is one (tests run jobs inside theirs), else this process's app."""
    try:
        current_app._get_current_object()
    except RuntimeError:
        with preload_app().app_context():
            yield
    else:
        yield
