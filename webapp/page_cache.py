"""Finished pages kept in each web process's memory until the data they show changes.

Two kinds of page are kept:

- For visitors who are not logged in (`for_visitors`): the catalog, kwork and seller pages are the same for
  everyone (per language, and per whole page or htmx fragment). They depend on the "public" version.
- For a logged-in user (`for_member`): the order page and the dashboard, kept per user session. They depend on
  versions of their scopes: "user:<id>" (the viewer, and an order's two parties), "order:<id>", and "all".

A version is a number in Redis that moves on after every committed transaction that wrote what it covers, from
whichever process wrote it. The ORM's flushes and statements are watched (see the bottom of this module): a row
of the orders table or with an `order_id` moves its order and both parties on; a users row or one with a
`user_id` moves that user on; a row with neither, or a bulk statement that does not name its scope with the
`changes` execution option, moves "all" on. A request reads the versions before anything else, so a page built
from rows older than a write is stored under versions from before that write, which nobody asks for again.

Entries also expire after MAX_AGE, which bounds staleness should a version bump be lost (Redis unreachable at
that moment); without Redis, pages are simply built every time.
"""
import secrets
import threading
from dataclasses import dataclass, field
from functools import wraps

import redis
from cachetools import TTLCache
from flask import Response, current_app, g, has_app_context, request, session
from flask_babel import get_timezone
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from . import redis_conn
from .clock import now
from .extensions import db
from .htmx import is_htmx
from .i18n import select_locale
from .models import Kwork, LedgerAccount, Order, User

# What the catalog, kwork and seller pages show: kworks with their tiers and options, portfolios, published
# reviews, sellers' and reviewers' names and states, categories.
PUBLIC_TABLES = frozenset({"categories", "kworks", "tiers", "kwork_options", "tier_options", "portfolio_items", "reviews", "users"})
# The users columns visitors' pages show (a seller's profile, a reviewer's name); the others are private.
PUBLIC_USER_FIELDS = ("display_name", "about", "working_hours", "accepting_orders", "suspended_at")
# Rows no kept page shows, so writing them moves no version: the ledger's journal (balances live on accounts),
# logs and the sandboxes.
UNSHOWN_TABLES = frozenset({"ledger_postings", "ledger_entries", "audit_entries", "sandbox_mails", "sandbox_calls"})
PUBLIC, EVERYTHING = "public", "all"
VERSION_PREFIX = "gigsmith:page-version:"
VERSION_TTL = 3600  # seconds; a version key outlives every entry stored under it (MAX_AGE)
MAX_AGE = 300  # seconds
MAX_BYTES = 32 * 1024 * 1024  # per web process
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
    def __init__(self, max_age: int):
        self._entries = TTLCache(maxsize=MAX_BYTES, ttl=max_age, getsizeof=lambda entry: len(entry.body))
        self._lock = threading.Lock()  # the demo's server is threaded; gunicorn's sync workers are not

    def get(self, key) -> _Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key, entry: _Entry) -> None:
        if len(entry.body) < MAX_BYTES // 64:  # a huge page would push out many ordinary ones
            with self._lock:
                self._entries[key] = entry


def _cache(kind: str) -> _PageCache:
    caches = current_app.extensions.get("page_cache")
    if caches is None:
        # A member's page is keyed by the minute, so it is of no use after one.
        caches = current_app.extensions["page_cache"] = {"visitor": _PageCache(MAX_AGE), "member": _PageCache(60)}
    return caches[kind]


def _redis() -> redis.Redis:
    if "page_cache_redis" not in current_app.extensions:
        current_app.extensions["page_cache_redis"] = redis_conn.client(current_app.config["REDIS_URL"], current_app.config)
    return current_app.extensions["page_cache_redis"]


def _start_if_missing(pipeline, scope: str) -> None:
    """A lost version (expired, Redis flushed) starts again from a random number, never from one already used."""
    pipeline.set(VERSION_PREFIX + scope, secrets.randbits(48), nx=True, ex=VERSION_TTL)


def versions(*scopes: str) -> tuple | None:
    """The scopes' current versions (one round trip unless some must be started); None when Redis can't say."""
    keys = [VERSION_PREFIX + scope for scope in scopes]
    try:
        found = _redis().mget(keys)
        if None in found:
            pipeline = _redis().pipeline(transaction=False)
            for scope, version in zip(scopes, found):
                if version is None:
                    _start_if_missing(pipeline, scope)
            pipeline.mget(keys)
            found = pipeline.execute()[-1]
        return tuple(found)
    except redis.RedisError:
        return None


def moved_on(scopes: set[str]) -> None:
    try:
        pipeline = _redis().pipeline(transaction=False)
        for scope in sorted(scopes):
            _start_if_missing(pipeline, scope)
            pipeline.incr(VERSION_PREFIX + scope)
            pipeline.expire(VERSION_PREFIX + scope, VERSION_TTL)
        pipeline.execute()
    except redis.RedisError:
        current_app.logger.warning("could not move page versions on: kept pages live out MAX_AGE")


def _kept_or_built(key, view, args, kwargs, keep):
    """The page kept under `key`, else the view's, kept when `keep(response)` says it may serve the key again."""
    cache = _cache(key[0])
    entry = cache.get(key)
    if entry is not None:
        return entry.response()
    # Loading the user may have begun a read (on SQLite, a snapshot) before the versions were read, or taken the
    # row kept under versions read before these (webapp/known_users.py): the page must be built from rows at least
    # as new as the versions it is kept under.
    db.session.rollback()
    db.session.expire_all()
    response = view(*args, **kwargs)
    if keep(response):
        headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
        cache.put(key, _Entry(response.get_data(), response.status_code, headers))
    return response


def _rendered_a_token() -> bool:
    return bool(g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))


def for_visitors(view):
    """Serve the view's page from the cache to anonymous visitors; build and keep it when it isn't there."""

    def same_for_everyone(response) -> bool:
        return response.status_code in (200, 422) and not session.modified and not _rendered_a_token()

    @wraps(view)
    def cached(*args, **kwargs):
        shared = (
            request.method == "GET"
            and current_app.config["PAGE_CACHE"]
            and not current_user.is_authenticated
            and set(session.keys()) <= SHARED_SESSION_KEYS
        )
        found = versions(PUBLIC) if shared else None
        if found is None:
            return view(*args, **kwargs)
        key = ("visitor", found, select_locale(), is_htmx(), request.full_path)
        return _kept_or_built(key, view, args, kwargs, same_for_everyone)

    return cached


def for_member(scopes=lambda **kwargs: ()):
    """Keep the view's page for the logged-in user's session until a version it depends on moves on.

    `scopes(**view_kwargs)` names what the page shows beyond the viewer's own data and "all" (an order page: its
    order), without reading the database: a page is only ever kept after its view let this user see it. The key
    holds the session's CSRF secret, so the forms' tokens stay valid for exactly that session, and the
    minute, so "2 hours left" and deadlines passing show as they would in a page built now.
    """

    def decorate(view):
        def same_session(response) -> bool:
            return response.status_code == 200 and not session.modified

        @wraps(view)
        def cached(*args, **kwargs):
            private = (
                request.method == "GET"
                and current_app.config["PAGE_CACHE"]
                and current_user.is_authenticated
                and "_flashes" not in session
                and "csrf_token" in session
            )
            found = versions(EVERYTHING, f"user:{current_user.id}", *scopes(**kwargs)) if private else None
            if found is None:
                return view(*args, **kwargs)
            minute = now().replace(second=0, microsecond=0)
            key = ("member", found, current_user.id, session["csrf_token"], select_locale(), str(get_timezone()), minute,
                   is_htmx(), request.full_path)  # fmt: skip
            return _kept_or_built(key, view, args, kwargs, same_session)

        return cached

    return decorate


def order_scopes(order: Order) -> tuple[str, ...]:
    """What a write to an order's rows changes: its page and both parties' pages (their dashboards)."""
    return (f"order:{order.id}", f"user:{order.buyer_id}", f"user:{order.seller_id}")


def ledger_account_scopes(account: LedgerAccount) -> tuple[str, ...]:
    """A wallet shows on its owner's pages, an escrow on its order's page; the platform's and external accounts on
    no page that is kept."""
    if account.user_id is not None:
        return (f"user:{account.user_id}",)
    kind, _, ident = account.code.partition(":")
    return (f"order:{ident}",) if kind == "escrow" else ()


# Rows whose scope is not an order_id or user_id column of theirs. A kwork shows on kept pages only as its seller's
# counts (order pages keep their own copy of the title).
ROW_SCOPES = {Kwork: lambda kwork: (f"user:{kwork.seller_id}",), LedgerAccount: ledger_account_scopes}


# --- noticing writes --------------------------------------------------------------------------------------------


@dataclass
class _Written:
    """What the session's current transaction wrote, by scope."""

    scopes: set[str] = field(default_factory=set)
    orders: set[int] = field(default_factory=set)  # rows of these orders: their parties are looked up at flush


def _written(session: Session) -> _Written:
    return session.info.setdefault("page_versions_written", _Written())


def _shown_publicly(instance, session: Session) -> bool:
    """Whether this written row can show on a visitor's page (a user's language or phone cannot)."""
    if instance.__table__.name not in PUBLIC_TABLES:
        return False
    if isinstance(instance, User) and instance in session.dirty:
        changed = inspect(instance).attrs
        return any(changed[name].history.has_changes() for name in PUBLIC_USER_FIELDS)
    return True


def _note_row(written: _Written, instance, session: Session) -> None:
    table = instance.__table__.name
    if _shown_publicly(instance, session):
        written.scopes.add(PUBLIC)
    if table in UNSHOWN_TABLES:
        return
    if isinstance(instance, Order):
        written.scopes |= set(order_scopes(instance))
        return
    if isinstance(instance, User):  # a name or a suspension shows on other people's pages too
        written.scopes |= {f"user:{instance.id}", EVERYTHING}
        return
    if type(instance) in ROW_SCOPES:
        written.scopes |= set(ROW_SCOPES[type(instance)](instance))
        return
    order_id, user_id = getattr(instance, "order_id", None), getattr(instance, "user_id", None)
    if order_id is not None:
        written.orders.add(order_id)
    if user_id is not None:
        written.scopes.add(f"user:{user_id}")
    if order_id is None and user_id is None:
        written.scopes.add(EVERYTHING)


def _add_parties(session: Session, written: _Written) -> None:
    """Each written order's scope and its parties', from the identity map or else one query."""
    unknown = []
    for order_id in written.orders:
        order = session.identity_map.get(identity_key(Order, order_id))
        if order is not None:
            written.scopes |= set(order_scopes(order))
        else:
            unknown.append(order_id)
    if unknown:
        table = Order.__table__
        query = select(table.c.id, table.c.buyer_id, table.c.seller_id).where(table.c.id.in_(unknown))
        for order_id, buyer_id, seller_id in session.connection().execute(query):
            written.scopes |= {f"order:{order_id}", f"user:{buyer_id}", f"user:{seller_id}"}
    written.orders.clear()


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush_context) -> None:
    written = _written(session)
    for instance in (*session.new, *(i for i in session.dirty if session.is_modified(i)), *session.deleted):
        _note_row(written, instance, session)
    _add_parties(session, written)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    written = _written(state.session)
    if table in PUBLIC_TABLES:
        written.scopes.add(PUBLIC)
    if table not in UNSHOWN_TABLES:
        # A bulk statement may name what it changes (`.execution_options(changes=("order:7",))`); else anything.
        written.scopes |= set(state.execution_options.get("changes", (EVERYTHING,)))


@event.listens_for(Session, "after_commit")
def _move_on_after_commit(session: Session) -> None:
    # After the commit, never before: a page built between the two would show old rows under the new version.
    written = session.info.pop("page_versions_written", None)
    if written is not None and written.scopes and has_app_context():
        moved_on(written.scopes)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("page_versions_written", None)
