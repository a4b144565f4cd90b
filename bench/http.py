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
    cpu_ms: float = 0.0  # web workers' CPU per request
    database_cpu_ms: float | None = None  # PostgreSQL backends' CPU per request (None: not measured, e.g. SQLite)


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is needed: install it with `apt-get install -y wrk` (Debian package) and run again")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    pid: int

    @property
    def workers(self) -> list[int]:
        return children(self.pid)


@contextmanager
def gunicorn(env: dict, workers: int = 2):
    """The app behind gunicorn (sync workers, as deployed); yields the Server and stops it on the way out."""
    port = free_port()
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
                if request(port, "GET", "/healthz")[0] == 200 and len(children(process.pid)) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = dict(PROXY_HEADERS) | ({"Cookie": cookie} if cookie else {})
    # Over https, Flask-WTF also wants a form's Referer to be this site (as a browser sends it).
    headers["Referer"] = f"https://{HOST}:{port}{path}"
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


def wrk(server: Server, path: str, seconds: int, connections: int, cookie: str | None = None, database_pids=()) -> Load:
    """Load `path` for `seconds`; besides throughput and latency, the CPU the web workers (and the database server's
    backends, when their pids are given) spent per request, read from /proc around the run: on a shared machine the
    CPU a request costs is the figure that stays put when the neighbours get busy."""
    command = [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(BENCH_DIR / "report.lua")]
    for name, value in PROXY_HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    workers = server.workers
    database_pids = list(database_pids() if callable(database_pids) else database_pids)
    web_before, database_before = cpu_seconds(workers), cpu_seconds(database_pids)
    output = subprocess.run(command + [f"http://{HOST}:{server.port}{path}"], capture_output=True, text=True, check=True).stdout
    web_cpu, database_cpu = cpu_seconds(workers) - web_before, cpu_seconds(database_pids) - database_before
    result = json.loads(output.strip().splitlines()[-1])
    requests = max(1, result["requests"])
    return Load(
        requests_per_second=result["requests"] / result["seconds"],
        p50_ms=result["p50"] / 1000,
        p99_ms=result["p99"] / 1000,
        errors=result["failed"] + result["non_2xx"],
        cpu_ms=web_cpu * 1000 / requests,
        database_cpu_ms=database_cpu * 1000 / requests if database_pids else None,
    )


def server_env(database_url: str, redis_url: str, instance: Path) -> dict:
    """Production settings, as deployed behind one proxy (wrk sends X-Forwarded-Proto: https). The outside services
    are named but never reached: the measured pages call none of them."""
    return os.environ | {
        "GIGSMITH_ENV": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "GIGSMITH_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-secret-key",
        "PUBLIC_BASE_URL": "https://bench.gigsmith.example",
        "TRUSTED_PROXIES": "1",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "TWILIO_ACCOUNT_SID": "ACbench",
        "TWILIO_AUTH_TOKEN": "bench",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "SMTP_HOST": "127.0.0.1",
        "MAIL_FROM": "Gigsmith <bench@gigsmith.example>",
        "STORAGE_BACKEND": "local",
    }


PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def _ticks(pid: int) -> int:
    """User + system CPU time of a process so far, in clock ticks (/proc/<pid>/stat fields 14 and 15)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pids) -> float:
    return sum(_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """The process's proportional set size: its private pages plus its share of the pages it shares with others
    (a preloaded gunicorn's workers share what the master loaded). What one more worker costs the machine;
    resident size (rss_mb) counts every shared page in full in every worker."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0
