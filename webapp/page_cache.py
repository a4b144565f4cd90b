"""Finished public pages for visitors who are not logged in, kept in each web process until public data changes.

Every anonymous visitor sees the same catalog, kwork and seller pages (per language, and per whole page or htmx
fragment), so a page built once can be sent again without a query or a template, for as long as nothing it shows
has changed. "Nothing has changed" is a version number in Redis: every committed write to a table those pages
read (PUBLIC_TABLES) moves it on, from whichever process wrote. A request reads the version before it reads
anything else, so a page built from rows older than a write is stored under the version before that write,
which nobody asks for again. Entries also expire after MAX_AGE, which bounds staleness should a version bump
be lost (Redis unreachable at that moment); without Redis, pages are simply built every time.
"""
import secrets
import threading
from dataclasses import dataclass
from functools import wraps

import redis
from cachetools import TTLCache
from flask import Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from .htmx import is_htmx
from .i18n import select_locale

# What the catalog, kwork and seller pages show: kworks with their tiers and options, portfolios, published
# reviews, sellers' and reviewers' names and states, categories.
PUBLIC_TABLES = frozenset({"categories", "kworks", "tiers", "kwork_options", "tier_options", "portfolio_items", "reviews", "users"})
VERSION_KEY = "gigsmith:public-pages-version"
MAX_AGE = 300  # seconds
MAX_BYTES = 16 * 1024 * 1024  # per web process
# Session keys a visitor may carry and still get everyone's page: the chosen language (part of the key), the
# CSRF secret (these pages have no form that posts; a page that rendered a token is never stored) and what
# Flask-Login leaves after a logout. A flashed message or a login makes the page personal.
SHARED_SESSION_KEYS = frozenset({"language", "csrf_token", "_fresh", "_id", "_permanent"})
KEPT_HEADERS = ("Content-Type", "Vary")


@dataclass(frozen=True)
class _Entry:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, self.status, list(self.headers))


class _PageCache:
    def __init__(self):
        self._entries = TTLCache(maxsize=MAX_BYTES, ttl=MAX_AGE, getsizeof=lambda entry: len(entry.body))
        self._lock = threading.Lock()  # the demo's server is threaded; gunicorn's sync workers are not

    def get(self, key) -> _Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key, entry: _Entry) -> None:
        if len(entry.body) < MAX_BYTES // 64:  # a huge page would push out many ordinary ones
            with self._lock:
                self._entries[key] = entry


def _cache() -> _PageCache:
    return current_app.extensions.setdefault("page_cache", _PageCache())


def _redis() -> redis.Redis:
    if "page_cache_redis" not in current_app.extensions:
        current_app.extensions["page_cache_redis"] = redis.Redis.from_url(current_app.config["REDIS_URL"])
    return current_app.extensions["page_cache_redis"]


def _start_if_missing(pipeline) -> None:
    """A lost version (Redis flushed) starts again from a random number, never from one already used."""
    pipeline.set(VERSION_KEY, secrets.randbits(48), nx=True)


def current_version() -> bytes | None:
    try:
        pipeline = _redis().pipeline(transaction=False)
        _start_if_missing(pipeline)
        pipeline.get(VERSION_KEY)
        return pipeline.execute()[1]
    except redis.RedisError:
        return None


def public_data_changed() -> None:
    try:
        pipeline = _redis().pipeline(transaction=False)
        _start_if_missing(pipeline)
        pipeline.incr(VERSION_KEY)
        pipeline.execute()
    except redis.RedisError:
        current_app.logger.warning("could not move the public page version on: cached pages live out MAX_AGE")


def _shared_request() -> bool:
    """A request whose page is the same for every visitor with its language."""
    return (
        request.method == "GET"
        and current_app.config["PAGE_CACHE"]
        and not current_user.is_authenticated
        and set(session.keys()) <= SHARED_SESSION_KEYS
    )


def _same_for_everyone(response: Response) -> bool:
    rendered_token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    return not rendered_token and not session.modified and "Set-Cookie" not in response.headers


def for_visitors(view):
    """Serve the view's page from the cache to anonymous visitors; build and keep it when it isn't there."""

    @wraps(view)
    def cached(*args, **kwargs):
        version = current_version() if _shared_request() else None
        if version is None:
            return view(*args, **kwargs)
        key = (version, select_locale(), is_htmx(), request.full_path)
        entry = _cache().get(key)
        if entry is not None:
            return entry.response()
        response = view(*args, **kwargs)
        if response.status_code in (200, 422) and _same_for_everyone(response):
            headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
            _cache().put(key, _Entry(response.get_data(), response.status_code, headers))
        return response

    return cached


# --- noticing writes to public data ---------------------------------------------------------------------------


def _note(session: Session, table_name: str | None) -> None:
    if table_name in PUBLIC_TABLES:
        session.info["public_data_written"] = True


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush_context) -> None:
    changed = (*session.new, *(i for i in session.dirty if session.is_modified(i)), *session.deleted)
    for instance in changed:
        table = getattr(instance, "__table__", None)
        _note(session, table.name if table is not None else None)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _note(state.session, getattr(table, "name", None))


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    # After the commit, never before: a page built between the two would show old rows under the new version.
    if session.info.pop("public_data_written", False) and has_app_context():
        public_data_changed()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("public_data_written", None)
