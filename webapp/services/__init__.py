"""Use cases. Each takes explicit arguments (the acting user, the time), returns models, raises DomainError.

Services commit their own unit of work and know nothing of HTTP.
"""
from ..extensions import db


def begin_write() -> None:
    """Start a unit of work that reads and then writes rows other requests may write too (money, order states).

    On SQLite the transaction must hold the write lock from its first read (BEGIN IMMEDIATE); whatever the caller
    read before is committed first (callers only read before calling a service). On PostgreSQL row locks
    (SELECT … FOR UPDATE, conditional updates) do this job and nothing happens here.
    """
    if db.engine.dialect.name != "sqlite":
        return
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_immediate": True})


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally (use with escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
