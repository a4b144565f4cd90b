"""Load on the real server: gunicorn with 2 sync workers on loopback, driven by wrk."""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is needed: install it with `apt-get install -y wrk` (Debian package) and run again")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workers: int = 2):
    """The app behind gunicorn (sync workers, as deployed); yields its port and stops it on the way out."""
    port = _free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn_bin), "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning", "bench.wsgi:app"],
        cwd=BENCH_DIR.parent,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=urlencode(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    result = response.status, response.getheader("Set-Cookie") or "", response.read()
    connection.close()
    return result


def _session(set_cookie: str) -> str:
    found = re.search(r"(session=[^;]+)", set_cookie)
    if not found:
        raise RuntimeError("no session cookie in the response")
    return found.group(1)


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real form (CSRF token and all) and return the session cookie to send with wrk."""
    status, set_cookie, page = request(port, "GET", "/auth/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page
    )
    if status != 200 or token is None:
        raise RuntimeError("the login page has no CSRF token")
    form = {"email": email, "password": password, "csrf_token": token.group(1).decode()}
    status, set_cookie, _ = request(port, "POST", "/auth/login", form, cookie=_session(set_cookie))
    if status != 302:
        raise RuntimeError(f"logging in answered {status}")
    return _session(set_cookie)


def wrk(port: int, path: str, seconds: int, connections: int, cookie: str | None = None) -> Load:
    command = [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(BENCH_DIR / "report.lua")]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return Load(
        requests_per_second=result["requests"] / result["seconds"],
        p50_ms=result["p50"] / 1000,
        p99_ms=result["p99"] / 1000,
        errors=result["failed"] + result["non_2xx"],
    )


def server_env(database_url: str, redis_url: str, instance: Path) -> dict:
    return os.environ | {
        "GIGSMITH_ENV": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "GIGSMITH_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-secret-key",
    }
