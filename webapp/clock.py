"""The current time, in one place, so tests can move it (time-machine) and services receive it as an argument."""
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
