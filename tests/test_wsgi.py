"""wsgi.py: gunicorn's web workers load no migration tooling; the flask CLI that loads the same module migrates."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, *args):
    env = os.environ | {"GIGSMITH_INSTANCE_PATH": str(tmp_path)}
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
