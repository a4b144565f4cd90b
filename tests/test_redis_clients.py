"""Redis clients give up quickly and together; the embedded Redis has one server per folder and one owner."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
import redis

from webapp import embedded_redis, redis_conn
from webapp.config import PROJECT_ROOT

from .conftest import real_clock
from .ports import free_port


def test_a_refused_redis_fails_at_once_and_every_client_then_skips_it_for_a_while():
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    config = {"REDIS_RETRY_AFTER": 0.5, "REDIS_TIMEOUT": 0.2}
    first, second = redis_conn.client(url, config), redis_conn.client(url, config)
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError, match="refused"):
        first.get("key")
    with pytest.raises(redis.ConnectionError, match="refused.*not asking it again yet"):
        second.get("key")  # another client of the same address, without trying
    assert time.monotonic() - started < 0.2

    time.sleep(0.6)
    with socket.create_server(("127.0.0.1", port)):  # now something listens there (and never answers)
        with pytest.raises(redis.TimeoutError):
            second.get("key")  # the pause is over: it connected again


def test_a_hung_redis_costs_one_read_timeout(tmp_path):
    with socket.socket() as listener:  # accepts connections (the kernel does) and never answers, like SIGSTOP
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        config = {"REDIS_TIMEOUT": 0.3, "REDIS_RETRY_AFTER": 5}
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            redis_conn.client(url, config).get("key")
        with pytest.raises(redis.ConnectionError, match="not asking it again yet"):
            redis_conn.client(url, config).get("key")
        assert time.monotonic() - started < 1.0  # one timeout, no retries of it


def _run(code: str, instance: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
                          env=real_clock(dict(os.environ)) | {"GIGSMITH_INSTANCE_PATH": str(instance)})  # fmt: skip


@pytest.fixture
def instance():
    path = Path(tempfile.mkdtemp(prefix="gigsmith-redis-"))  # short: the Unix socket lives in it
    yield path
    embedded_redis.stop(path)  # not stop_owned(): the session's own embedded Redis must stay
    for server in psutil.process_iter(["name", "cwd"]):  # after a failed assertion: no server left behind
        if server.info["name"] == "redis-server" and server.info["cwd"] == str(path):
            server.kill()
    subprocess.run(["rm", "-rf", str(path)])


def _server_pid(url: str) -> int:
    return redis.Redis.from_url(url, socket_timeout=2).info("server")["process_id"]


def test_another_process_attaches_to_the_running_server_and_leaves_it_running(instance):
    url = embedded_redis.url(instance)
    pid = _server_pid(url)
    attached = _run(f"from webapp import embedded_redis; from pathlib import Path; print(embedded_redis.url(Path({str(instance)!r})))", instance)
    assert attached.returncode == 0, attached.stderr
    assert attached.stdout.strip() == url
    assert _server_pid(url) == pid  # the same server, still serving after that process exited
    assert (instance / "redis.owner").read_text() == str(os.getpid())


def test_the_owner_stops_its_server_and_the_data_is_there_next_time(instance):
    url = embedded_redis.url(instance)
    redis.Redis.from_url(url).set("kept", "yes")
    server = psutil.Process(_server_pid(url))
    embedded_redis.stop(instance)
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE
    assert not (instance / "redis.sock").exists() and not (instance / "redis.owner").exists()
    assert redis.Redis.from_url(embedded_redis.url(instance)).get("kept") == b"yes"


def test_a_server_whose_owner_was_killed_is_adopted_rather_than_started_twice(instance):
    owner = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; from webapp import embedded_redis; "
                              f"embedded_redis.url(Path({str(instance)!r})); print('up', flush=True); time.sleep(60)"],
                             cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, env=real_clock(dict(os.environ)))  # fmt: skip
    assert owner.stdout.readline().strip() == "up"
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    orphan = psutil.Process(_server_pid(f"unix://{instance / 'redis.sock'}"))

    url = embedded_redis.url(instance)
    assert _server_pid(url) == orphan.pid  # adopted, not a second server on the same socket
    embedded_redis.stop(instance)
    assert not orphan.is_running() or orphan.status() == psutil.STATUS_ZOMBIE
