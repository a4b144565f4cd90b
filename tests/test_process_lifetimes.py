"""The demo stops what it started: its RQ worker, `rq cron` and the embedded Redis, on SIGTERM and on SIGINT; a CLI
command run beside it leaves the demo's Redis alone.

Each test starts the README's `flask --app wsgi demo` as a real process (on a free port, in a temporary instance
folder with SQLite and the embedded Redis), waits until it answers HTTP, and signals it.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import redis

from webapp.config import PROJECT_ROOT

from .conftest import real_clock
from .ports import answers, free_port

START_TIMEOUT = 90  # seconds: migrations, seeding and the first request on a loaded machine
STOP_TIMEOUT = 30  # the demo gives the worker 10 s, then the embedded Redis 10 s to save


@dataclass
class Demo:
    process: subprocess.Popen
    instance: Path
    port: int
    log: Path
    children: list[psutil.Process] = field(default_factory=list)

    @property
    def socket(self) -> str:
        return json.loads((self.instance / "redis.rdb.settings").read_text())["unixsocket"]

    def redis(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=self.socket, socket_connect_timeout=1, socket_timeout=5, retry=None)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _environment(instance: Path) -> dict:
    """The README's environment: no REDIS_URL or DATABASE_URL, so the demo uses SQLite and its embedded Redis, on
    the machine's clock (nothing here depends on the date)."""
    env = {name: value for name, value in os.environ.items() if name not in ("REDIS_URL", "DATABASE_URL", "GIGSMITH_ENV")}
    return real_clock(env) | {"GIGSMITH_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1"}


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def start_demo():
    started: list[Demo] = []

    def start() -> Demo:
        # A short path: the embedded Redis's Unix socket lives in it (socket paths are limited to ~107 bytes).
        instance = Path(tempfile.mkdtemp(prefix="gigsmith-demo-"))
        log = instance / "demo.log"
        port = free_port()
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                cwd=PROJECT_ROOT, env=_environment(instance), stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        demo = Demo(process, instance, port, log)
        started.append(demo)
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(port):
            assert process.poll() is None, f"the demo exited with {process.returncode}:\n{demo.output()}"
            assert time.monotonic() < deadline, f"the demo did not answer within {START_TIMEOUT} s:\n{demo.output()}"
            time.sleep(0.2)
        # The worker and the cron sweep (and whatever they forked), and the daemonised embedded Redis.
        demo.children = psutil.Process(process.pid).children(recursive=True)
        demo.children.append(psutil.Process(int(demo.redis().info("server")["process_id"])))
        return demo

    yield start
    for demo in started:  # after a failed assertion: leave nothing running
        for process in [*demo.children, psutil.Process(demo.process.pid)] if demo.process.poll() is None else demo.children:
            if _alive(process):
                process.kill()
        demo.process.wait()
        shutil.rmtree(demo.instance, ignore_errors=True)


def _names(processes: list[psutil.Process]) -> list[str]:
    return [" ".join(process.cmdline()[1:4]) for process in processes if _alive(process)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_demo_stops_its_worker_cron_and_embedded_redis(start_demo, sig):
    demo = start_demo()
    names = _names(demo.children)
    assert any("worker" in name for name in names) and any("cron" in name for name in names), names
    assert any("redis-server" in process.name() for process in demo.children)

    demo.process.send_signal(sig)
    assert demo.process.wait(STOP_TIMEOUT) == 0, demo.output()

    assert _names(demo.children) == [], demo.output()
    assert not Path(demo.instance / "redis.sock").exists()  # removed by the server that made it
    assert (demo.instance / "redis.rdb").exists()  # what was queued is saved for the next start
    assert not (demo.instance / "redis.owner").exists()


def test_a_cli_command_beside_the_demo_leaves_its_redis_running(start_demo):
    demo = start_demo()
    server_pid = demo.redis().info("server")["process_id"]

    command = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "sweep"],
        cwd=PROJECT_ROOT, env=_environment(demo.instance), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert command.returncode == 0, command.stderr
    assert "Fired" in command.stdout

    assert demo.redis().ping()  # the same socket still works …
    assert demo.redis().info("server")["process_id"] == server_pid  # … served by the same server
    assert (demo.instance / "redis.owner").read_text() == str(demo.process.pid)
    assert answers(demo.port)
