"""One way to lock: a use case that decides on rows locks them first and decides on what the lock returned.

A view reads an order (to check the viewer may see it, to bind a form), then calls a service. Deciding on that
earlier read is how two requests both won: each saw the order `delivered`, one accepted it and paid the seller, the
other sent it back for a revision. So every writing use case starts here:

1. `begin_write()` ends the read transaction the caller had open (committing it expires every loaded object) and
   starts the writing one (on SQLite `BEGIN IMMEDIATE`, which holds the single write lock from the first read);
2. `lock(Model, id)` takes the row lock (`SELECT … FOR UPDATE`, PostgreSQL) and returns the row as read under it;
   everything else the use case reads afterwards (an order's requests, a request's status) is loaded afresh,
   after the lock, so it includes whatever the request that held the lock before committed.

Rows that belong to an aggregate (an order's cancellation, extension and pause requests, its timers, its review)
are guarded by their root's lock: every use case that changes them locks the order first.
"""
from typing import TypeVar

from sqlalchemy import select, text

from ..extensions import db

T = TypeVar("T")


class PendingChanges(RuntimeError):
    """A writing unit of work was begun after something had already been changed in the session."""


def begin_write() -> None:
    """Start a unit of work that reads and then writes rows other requests may write too (money, order states).

    What the caller read before is committed first, so nothing decided later rests on it: every object loaded
    earlier is expired and read again on use. Callers only read before calling a service; a change still pending
    here would be committed by accident, so it is refused instead.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise PendingChanges("begin_write() called with unsaved changes in the session: lock first, then change")
    if session.in_transaction():
        session.commit()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_immediate": True})


def lock(model: type[T], ident: int | None) -> T | None:
    """Begin a writing unit of work and lock row `ident` of `model`; returns it as read under the lock, or None
    when there is no such row."""
    begin_write()
    return relock(model, ident)


def relock(model: type[T], ident: int | None) -> T | None:
    """Lock one more row inside the unit of work already begun (after its root: always in the same order)."""
    if ident is None:
        return None
    query = select(model).where(model.id == ident).with_for_update(of=model).execution_options(populate_existing=True)
    return db.session.execute(query).scalars().one_or_none()


def lock_all(model: type[T], ids) -> list[T]:
    """Lock these rows of `model` in id order (one order everywhere, so two use cases never deadlock) inside the
    unit of work already begun; returns them as read under the lock."""
    ids = sorted(set(ids))
    if not ids:
        return []
    query = select(model).where(model.id.in_(ids)).order_by(model.id).with_for_update(of=model)
    return list(db.session.execute(query.execution_options(populate_existing=True)).scalars())


def expire_loaded(model: type, ids, attributes: list[str] | None = None) -> None:
    """Objects of `model` with these ids already loaded in the session (a test's, a request's) read their columns
    (or these `attributes`) again on their next use: for set-based UPDATEs that bypass the ORM. One pass over the
    session's identity map (a job's holds few objects) rather than a lookup per id (hundreds a timer batch)."""
    ids = set(ids)
    identity_map = db.session.identity_map
    for key in list(identity_map.keys()):
        cls, ident = key[0], key[1]
        if issubclass(cls, model) and ident[0] in ids and (loaded := identity_map.get(key)) is not None:
            db.session.expire(loaded, attributes)


def serialise(key: str) -> None:
    """Hold a lock on a name (not a row) until the transaction ends, e.g. a phone number that any user may ask to
    call: PostgreSQL's transaction advisory lock. SQLite needs none: `begin_write` already holds its only writer
    lock."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
