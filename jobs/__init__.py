"""RQ entry points: thin functions that open an app context and call one service.

Run them with `rq worker --with-scheduler` and `rq cron jobs/cron.py` against the app's Redis (see README).
"""
from contextlib import contextmanager

from flask import current_app

_app = None


@contextmanager
def app_context():
    """The current app when there is one (tests run jobs inside theirs), else one app per worker process."""
    global _app
    try:
        current_app._get_current_object()
    except RuntimeError:
        if _app is None:
            from webapp import create_app

            _app = create_app()
        with _app.app_context():
            yield
    else:
        yield
