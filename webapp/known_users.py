"""The logged-in user's row, kept in each web process between their requests until it may have changed.

Every request of a logged-in user begins by loading them (Flask-Login's user loader). A page then served from the
page cache (only ever for a GET) needs nothing else from the database, so that one SELECT, with the connection
checkout, ping and rollback around it, would be most of what the request costs. The row is kept under the
page-cache versions of "all" and "user:<id>", which every committed write to a users row moves on, from whichever
process made it (webapp/page_cache.py), and for at most a minute.
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
from .models import User

MAX_AGE = 60  # seconds: bounds staleness should a version bump be lost (Redis unreachable at that moment)
MAX_USERS = 10_000  # per web process


class _Kept:
    def __init__(self):
        self._rows = TTLCache(maxsize=MAX_USERS, ttl=MAX_AGE)
        self._lock = threading.Lock()  # the demo's server is threaded

    def get(self, user_id: int, versions: tuple) -> User | None:
        with self._lock:
            kept = self._rows.get(user_id)
        return kept[1] if kept is not None and kept[0] == versions else None

    def put(self, user: User, versions: tuple) -> None:
        with self._lock:
            self._rows[user.id] = (versions, _detached_copy(user))


def _kept() -> _Kept:
    return current_app.extensions.setdefault("known_users", _Kept())


def _detached_copy(user: User) -> User:
    """A copy of the loaded row that belongs to no session, so that no request's session ever holds the kept one."""
    mapper = inspect(User)
    copy = mapper.class_manager.new_instance()
    for column in mapper.column_attrs:
        set_committed_value(copy, column.key, getattr(user, column.key))
    make_transient_to_detached(copy)
    return copy


def load(user_id: int) -> User | None:
    """The user for Flask-Login: for a GET, from this process's memory when their row has not changed since it
    was kept. A request that may write reads the row as before, so the rules it checks (suspension, admin rights,
    the payout hold) are read in its own transaction, not from a copy that a lost version bump could leave a
    minute old."""
    present = db.session.identity_map.get(identity_key(User, user_id))
    if present is not None or not current_app.config["PAGE_CACHE"] or request.method not in ("GET", "HEAD"):
        return present or db.session.get(User, user_id)
    reading = db.session().in_transaction()  # begun before the versions (on SQLite, an older snapshot)
    found = page_cache.versions(page_cache.EVERYTHING, f"user:{user_id}")
    if found is None:  # Redis can't say what changed
        return db.session.get(User, user_id)
    kept = _kept().get(user_id, found)
    if kept is not None:
        return db.session.merge(kept, load=False)  # a copy bound to this request's session, without SQL
    # Read after the versions: a write committed in between moves them on, so this row is never kept as older.
    user = db.session.get(User, user_id)
    if user is not None and not reading:
        _kept().put(user, found)
    return user
