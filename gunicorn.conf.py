"""gunicorn's settings, read from the project folder (gunicorn loads ./gunicorn.conf.py), so `gunicorn wsgi:app`
as the README runs it and the benchmark's gunicorn get the same ones. Command-line flags still win.

The app is built once, in the master, and each worker is a fork of it (`preload_app`): the modules, templates and
mappers it loaded are shared with the master page by page until a worker writes to one, rather than built again
in every worker. Measured after warm-up on the benchmark's pages (PostgreSQL, 2 workers): 105 MB resident per
worker built on its own; 99 MB preloaded, of which about 42 MB shared with the master and the other worker
(63-65 MB proportional; about 20 MB shared without the gc.freeze below).
Code is reloaded by restarting gunicorn, not by `kill -HUP` (which forks new workers from the same loaded app).
"""
import gc

preload_app = True


def pre_fork(server, worker):
    """Before each fork: what the master built goes to the collector's permanent generation, which no collection
    visits, so a worker's first collections do not write to (and so copy) every shared page."""
    gc.freeze()


def post_fork(server, worker):
    """In the worker: a database connection the master may have opened is its own, never shared through the fork
    (SQLAlchemy's rule for pools and multiprocessing: drop them without closing the parent's). Redis clients
    notice the new process and reconnect by themselves (redis-py checks its pid)."""
    app = server.app.wsgi()
    from webapp.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
