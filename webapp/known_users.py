"""The logged-in user's row, kept in each web process between their requests until it may have changed.

Every request of a logged-in user begins by loading them (Flask-Login's user loader). A page then served from the
page cache (only ever for a GET) needs nothing else from the database, so that one SELECT, with the connection
checkout, ping and rollback around it, would be most of what the request costs. The row is kept under the
page-cache versions of "all" and "user:<id>", which every committed write to a users row moves on, from whichever
process made it (webapp/page_cache.py), and for at most a minute.

The server-side session the request's cookie names (services/sessions.py) is kept the same way, under the same
versions: ending a session deletes its row, which moves "user:<id>" on, so a signed-out cookie is refused on the
very next request, from any process.
"""
import threading

from cachetools import TTLCache
from flask import current_app, request
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from . import page_cache
from .extensions import db
from .models import User, UserSession
from .services import sessions

MAX_AGE = 60  # seconds: bounds staleness should a version bump be lost (Redis unreachable at that moment)
MAX_USERS = 10_000  # per web process


class _Kept:
    def __init__(self):
        self._rows = TTLCache(maxsize=MAX_USERS, ttl=MAX_AGE)
        self._lock = threading.Lock()  # the demo's server is threaded

    def get(self, key, versions: tuple):
        with self._lock:
            kept = self._rows.get(key)
        return kept[1] if kept is not None and kept[0] == versions else None

    def put(self, key, row, versions: tuple) -> None:
        with self._lock:
            self._rows[key] = (versions, _detached_copy(row))


def _kept(kind: str = "users") -> _Kept:
    """Kept users by id, or kept sessions ("sessions") by token hash."""
    return current_app.extensions.setdefault(f"known_{kind}", _Kept())


def _detached_copy(row):
    """A copy of the loaded row that belongs to no session, so that no request's session ever holds the kept one."""
    mapper = inspect(type(row))
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(row, column.key))
    make_transient_to_detached(copy)
    return copy


def load(user_id: int) -> User | None:
    """The user for Flask-Login: for a GET, from this process's memory when their row has not changed since it
    was kept. A request that may write reads the row as before, so the rules it checks (suspension, admin rights,
    the payout hold) are read in its own transaction, not from a copy that a lost version bump could leave a
    minute old."""
    return load_signed_in(user_id, None)[0]


def load_signed_in(user_id: int, hashed_token: str | None) -> tuple[User | None, UserSession | None]:
    """The user and their session row with this token hash (None for either that does not exist), kept or read as
    `load` describes."""

    def read():
        user = present or db.session.get(User, user_id)
        return user, sessions.find(user_id, hashed_token) if hashed_token else None

    present = db.session.identity_map.get(identity_key(User, user_id))
    if present is not None or not current_app.config["PAGE_CACHE"] or request.method not in ("GET", "HEAD"):
        return read()
    reading = db.session().in_transaction()  # begun before the versions (on SQLite, an older snapshot)
    found = page_cache.versions(page_cache.EVERYTHING, f"user:{user_id}")
    if found is None:  # Redis can't say what changed
        return read()
    user = _kept().get(user_id, found)
    row = _kept("sessions").get(hashed_token, found) if hashed_token else None
    if user is not None and (row is not None or hashed_token is None):
        # Copies bound to this request's session, without SQL.
        return db.session.merge(user, load=False), row and db.session.merge(row, load=False)
    # Read after the versions: a write committed in between moves them on, so no row is ever kept as older.
    user, row = read()
    if not reading:
        if user is not None:
            _kept().put(user.id, user, found)
        if row is not None:
            _kept("sessions").put(hashed_token, row, found)
    return user, row
