"""Use cases. Each takes explicit arguments (the acting user, the time), returns models, raises DomainError.

Services commit their own unit of work and know nothing of HTTP.
"""
from .locking import begin_write  # noqa: F401  (re-exported: services call `begin_write` from here)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally (use with escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
