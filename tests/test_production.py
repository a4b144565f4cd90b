"""GIGSMITH_ENV=production starts only with real services, says what is missing in one line, and keeps the demo's
data and sandboxes out. Run as a real process would: the command line, a fresh interpreter, only the environment."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from webapp.config import PROJECT_ROOT, ConfigurationError, ProductionConfig, production_problems

from .test_security_headers import PRODUCTION_ENV

VENV_BIN = Path(sys.executable).parent


def run(command: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "GIGSMITH_INSTANCE_PATH": os.environ["GIGSMITH_INSTANCE_PATH"]}
    return subprocess.run(command, cwd=PROJECT_ROOT, env=base | env, capture_output=True, text=True, timeout=timeout)


def without(*names: str) -> dict[str, str]:
    return {key: value for key, value in PRODUCTION_ENV.items() if key not in names}


def test_the_app_refuses_to_start_without_payments_calls_and_mail_in_one_line():
    result = run([sys.executable, "-c", "import wsgi"], {"GIGSMITH_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": "postgresql+psycopg://db/x",
                                                         "REDIS_URL": "redis://127.0.0.1:6379/4"})  # fmt: skip
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("Gigsmith: GIGSMITH_ENV=production cannot start: set PUBLIC_BASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TWILIO_ACCOUNT_SID")
    assert "SMTP_HOST" in lines[0] and "MAIL_FROM" in lines[0]


@pytest.mark.parametrize("missing", ["STRIPE_WEBHOOK_SECRET", "TWILIO_FROM_NUMBER", "SMTP_HOST", "SECRET_KEY"])
def test_each_missing_service_is_named(missing):
    result = run([sys.executable, "-c", "import wsgi"], without(missing))
    assert result.returncode == 4 and f"set {missing}" in result.stderr and "Traceback" not in result.stderr


def test_gunicorn_stops_instead_of_booting_workers_forever():
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    result = run([str(gunicorn), "--bind", "127.0.0.1:0", "--workers", "1", "wsgi:app"], without("STRIPE_SECRET_KEY"), timeout=60)
    assert result.returncode == 4, result.stderr[-2000:]
    assert "Gigsmith: GIGSMITH_ENV=production cannot start: set STRIPE_SECRET_KEY" in result.stderr
    # The app is preloaded (gunicorn.conf.py): the master itself stops on the one line, before any worker boots.
    assert result.stderr.strip().splitlines() == ["Gigsmith: GIGSMITH_ENV=production cannot start: set STRIPE_SECRET_KEY (see README, Production)."]


@pytest.mark.parametrize("command", ["seed", "demo"])
def test_seed_and_demo_refuse_production(command):
    result = run([str(VENV_BIN / "flask"), "--app", "wsgi", command], PRODUCTION_ENV)
    assert result.returncode == 1
    assert f"`{command}` creates demo accounts with a published password and is refused with GIGSMITH_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_real_services(monkeypatch):
    assert production_problems(PRODUCTION_ENV) == []
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    ProductionConfig()  # everything there: it starts
    for name in ("STRIPE_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN", "SMTP_HOST"):
        monkeypatch.delenv(name)
        with pytest.raises(ConfigurationError, match=rf"cannot start: set {name} \(see README, Production\)\.$"):
            ProductionConfig()
        monkeypatch.setenv(name, PRODUCTION_ENV[name])
    insecure = PRODUCTION_ENV | {"PUBLIC_BASE_URL": "http://gigsmith.example", "STRIPE_SECRET_KEY": "pk_live_x"}
    assert production_problems(insecure) == ["PUBLIC_BASE_URL must start with https://",
                                             "STRIPE_SECRET_KEY must be a Stripe secret key (sk_…) or restricted key (rk_…)"]  # fmt: skip
