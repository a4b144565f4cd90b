"""wsgi.py and gunicorn.conf.py: gunicorn's web workers load no migration tooling (the flask CLI that loads the same
module migrates); the master preloads the app and forks its workers."""
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from .conftest import real_clock
from .ports import answers, free_port

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, *args):
    env = real_clock(dict(os.environ)) | {"GIGSMITH_INSTANCE_PATH": str(tmp_path)}
    env.pop("GIGSMITH_ENV", None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_web_worker_loads_no_alembic(tmp_path):
    # As gunicorn imports it: no click command around the import.
    done = _run(tmp_path, "-c", "import sys, wsgi; print('alembic' in sys.modules, 'migrate' in wsgi.app.extensions)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_the_flask_cli_loading_the_same_module_can_migrate(tmp_path):
    done = _run(tmp_path, "-m", "flask", "--app", "wsgi", "db", "--help")
    assert done.returncode == 0, done.stderr
    assert "upgrade" in done.stdout


def test_gunicorn_preloads_the_app_and_its_forked_workers_serve_pages(app, redis_url, tmp_path):
    # gunicorn.conf.py, read from the project folder as `gunicorn wsgi:app` in the README runs it: the master builds
    # the app once (it holds the app's modules: tens of MB), then each forked worker serves with its own pool.
    port = free_port()
    env = real_clock(os.environ) | {"GIGSMITH_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                                    "REDIS_URL": redis_url}  # fmt: skip
    env.pop("GIGSMITH_ENV", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    master = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(master.pid).children()) < 2 or not answers(port, "/robots.txt", timeout=10):
            assert master.poll() is None, master.stderr.read().decode(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        assert all(answers(port, "/catalog/", timeout=10) for _ in range(12))  # both workers, each with its own connections
        # A master that only forks (no preload) stays near 20 MB; this one loaded Flask, SQLAlchemy and the app.
        assert psutil.Process(master.pid).memory_info().rss > 50 * 2**20
    finally:
        master.terminate()
        master.wait(timeout=30)
