"""Every Redis client the app makes, and where Redis lives.

Redis is a helper here, never the only copy of anything a page needs: when it is refused or hangs, a web request
must go on without it within a second or two, not wait for the kernel's TCP timeouts. So every client comes from
`client(url)` (or `connection_options` for a library that builds its own, such as the rate limiter's storage):

- short connect and read timeouts (REDIS_CONNECT_TIMEOUT, REDIS_TIMEOUT);
- one immediate retry, only for a connection that turned out to be closed (Redis restarted, an idle connection
  dropped), never for a timeout, which would only double the wait;
- a health check of connections idle for HEALTH_CHECK_INTERVAL seconds, so a stale one is replaced before use;
- a circuit breaker per Redis address: after a connection attempt fails or a reply times out, every client of this
  process to that address fails at once for REDIS_RETRY_AFTER seconds instead of each call waiting its own
  timeout, then one call tries again.

RQ's worker and `rq cron` run their own long blocking reads; they get `WorkerRedis` (connect timeout, keepalive,
health checks) through `--connection-class`. Where the embedded Redis lives: webapp/embedded_redis.py.
"""
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5"))
TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "1.5"))
RETRY_AFTER = float(os.environ.get("REDIS_RETRY_AFTER", "5"))
HEALTH_CHECK_INTERVAL = 30  # seconds a pooled connection may sit idle before it is pinged on reuse
WORKER_TIMEOUT = 30  # seconds; RQ raises it further for its blocking dequeue


class Breaker:
    """Fails calls to one Redis at once for `pause` seconds after one of them failed to connect or timed out."""

    def __init__(self, pause: float):
        self.pause = pause
        self._open_until = 0.0
        self._failure = ""
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self._open_until:
            raise redis.ConnectionError(f"Redis failed less than {self.pause:g} s ago ({self._failure}); not asking it again yet")

    def trip(self, error: Exception) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.pause
            self._failure = str(error)

    @contextmanager
    def watching(self, *errors: type[Exception]):
        try:
            yield
        except errors as error:
            self.trip(error)
            raise


_breakers: dict[tuple[str, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, pause: float) -> Breaker:
    """One breaker per address and pause in this process, shared by every client of that address."""
    with _breakers_lock:
        return _breakers.setdefault((url, pause), Breaker(pause))


class _Guarded:
    """A redis-py connection that asks its breaker before talking to Redis and trips it on a failed connect or a
    timed-out reply. A pooled connection that Redis closed is not tripped on: the retry reconnects it."""

    def __init__(self, *args, breaker: Breaker, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = breaker

    def connect_check_health(self, *args, **kwargs):
        if self._sock:
            return super().connect_check_health(*args, **kwargs)
        self.breaker.check()
        with self.breaker.watching(redis.ConnectionError, redis.TimeoutError):
            return super().connect_check_health(*args, **kwargs)

    def send_packed_command(self, *args, **kwargs):
        self.breaker.check()
        with self.breaker.watching(redis.TimeoutError):
            return super().send_packed_command(*args, **kwargs)

    def read_response(self, *args, **kwargs):
        with self.breaker.watching(redis.TimeoutError):
            return super().read_response(*args, **kwargs)


class GuardedConnection(_Guarded, redis.Connection):
    pass


class GuardedUnixConnection(_Guarded, redis.UnixDomainSocketConnection):
    pass


def _setting(config: Mapping[str, Any] | None, name: str, default: float) -> float:
    return float((config or {}).get(name, default))


def connection_options(url: str, config: Mapping[str, Any] | None = None) -> dict:
    """Keyword arguments for `redis.Redis.from_url(url, …)`: timeouts, retry, health checks and the breaker.

    `config` is the app's config (REDIS_CONNECT_TIMEOUT, REDIS_TIMEOUT, REDIS_RETRY_AFTER); without one, the
    environment's values.
    """
    # The same keys for every address: Flask-Limiter merges the options of each app it is bound to into one dict.
    # (No TCP keepalive, which a Unix socket refuses: the read timeout and health checks find a dead peer.)
    return {
        "socket_connect_timeout": _setting(config, "REDIS_CONNECT_TIMEOUT", CONNECT_TIMEOUT),
        "socket_timeout": _setting(config, "REDIS_TIMEOUT", TIMEOUT),
        "retry": Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        "health_check_interval": HEALTH_CHECK_INTERVAL,
        "connection_class": GuardedUnixConnection if url.startswith("unix://") else GuardedConnection,
        "breaker": breaker_for(url, _setting(config, "REDIS_RETRY_AFTER", RETRY_AFTER)),
    }


def client(url: str, config: Mapping[str, Any] | None = None) -> redis.Redis:
    """A Redis client for web requests (see the module's docstring). Pass the app's config when there is one."""
    return redis.Redis.from_url(url, **connection_options(url, config))


class WorkerRedis(redis.Redis):
    """The client class for `rq worker` and `rq cron` (`--connection-class webapp.redis_conn.WorkerRedis`).

    A worker waits in blocking reads and retries a lost Redis on its own, so it gets no breaker and a longer read
    timeout (RQ raises it above its dequeue timeout); it does get a short connect timeout, TCP keepalive and
    health checks, so a Redis that vanished is noticed rather than waited on.
    """

    @classmethod
    def from_url(cls, url: str, **kwargs):
        options = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": WORKER_TIMEOUT,
                   "health_check_interval": HEALTH_CHECK_INTERVAL}  # fmt: skip
        if not url.startswith("unix://"):
            options["socket_keepalive"] = True
        return super().from_url(url, **(options | kwargs))


def resolve_url(configured: str | None, instance_path: Path) -> str:
    """REDIS_URL when set, else the embedded Redis of this instance folder (started or attached to)."""
    if configured:
        return configured
    from . import embedded_redis  # production never needs the bundled server

    return embedded_redis.url(instance_path)


def limiter_storage_uri(redis_url: str) -> str:
    """The `limits` library spells a Unix-socket Redis as redis+unix://."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url
