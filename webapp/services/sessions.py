"""Server-side sessions: every login is a row (a "signed-in device"), found again by a random token the browser holds.

Flask's cookie session stays the transport: it carries "<user id>:<token>" as Flask-Login's user id (User.get_id),
and so does the remember cookie when the user ticked "Keep me logged in". Only the token's SHA-256 is stored, so
the table itself signs nobody in. Deleting a row ends that login for every copy of its cookies: logout, "Sign out"
on the devices page, a password change or reset, and a suspension each delete rows, and a cookie captured before
is refused from then on (also after a reinstatement: the rows are gone, not paused).

A session ends by itself LIFETIME after the login (the remember cookie lasts as long), or, when the browser was not
to be remembered, after IDLE_LIMIT without a request. "Last used" moves on at most every TOUCH_EVERY: a write per
request would cost more than most pages.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, or_, select, update

from ..domain import devices
from ..extensions import db
from ..models import User, UserSession
from . import begin_write

LIFETIME = timedelta(days=30)
IDLE_LIMIT = timedelta(hours=24)
TOUCH_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_id(alternative_id: str) -> tuple[int, str] | None:
    """(user id, token) from Flask-Login's id "<user id>:<token>"; None for anything else (a bare user id from a
    cookie made before sessions were kept on the server is refused)."""
    user_id, _, token = (alternative_id or "").partition(":")
    if not user_id.isdigit() or len(token) < 20:
        return None
    return int(user_id), token


def _ended(now: datetime):
    """SQL: rows whose session has ended by itself."""
    return or_(UserSession.expires_at <= now, and_(UserSession.remember.is_(False), UserSession.last_used_at <= now - IDLE_LIMIT))


def is_alive(row: UserSession, now: datetime) -> bool:
    return now < row.expires_at and (row.remember or now - row.last_used_at < IDLE_LIMIT)


def start(user: User, *, remember: bool, user_agent: str | None, address: str | None, now: datetime) -> tuple[UserSession, str]:
    """Sign a browser in as `user`: a new session row, described by its browser, system and network.

    Effects: the row (committed), and the user's sessions that had ended by themselves are deleted on the way.
    Returns the row and the token, which exists only in what is handed to the browser.
    """
    begin_write()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, _ended(now)))  # fmt: skip
    token = secrets.token_urlsafe(32)
    browser, system = devices.browser_and_system(user_agent)
    row = UserSession(
        user_id=user.id, token_hash=token_hash(token), remember=remember, created_at=now, last_used_at=now,
        expires_at=now + LIFETIME, browser=browser, system=system, network=devices.network_of(address),
    )  # fmt: skip
    db.session.add(row)
    db.session.execute(update(User).where(User.id == user.id).values(last_seen_at=now))
    db.session.commit()
    return row, token


def purge_ended(now: datetime) -> int:
    """Delete every session that has ended by itself (past its lifetime, or idle too long without "Keep me logged
    in"), whoever it belongs to: one set-based DELETE, run hourly by `rq cron jobs/cron.py` (jobs/housekeeping.py).
    Login still removes the user's own ended rows; this catches users who never log in again. Returns how many."""
    begin_write()
    purged = db.session.execute(delete(UserSession).where(_ended(now))).rowcount
    db.session.commit()
    return purged


def find(user_id: int, hashed_token: str) -> UserSession | None:
    """The user's session row with this token hash, alive or not."""
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == hashed_token, UserSession.user_id == user_id))


# Built once, run with its parameters: every signed-in request runs it, and building a SELECT costs SQLAlchemy about
# as much CPU as running it (0.4 of the 0.7 ms a small statement took in process).
_USER_WITH_SESSION = (
    select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"))
)  # fmt: skip


def find_with_user(user_id: int, hashed_token: str) -> tuple[User, UserSession] | None:
    """The user and their session row with this token hash (alive or not) in one statement: every signed-in
    request asks, so it costs one round trip, not two."""
    found = db.session.execute(_USER_WITH_SESSION, {"user_id": user_id, "token_hash": hashed_token}).first()
    return (found[0], found[1]) if found else None


def due_for_touch(row: UserSession, now: datetime) -> bool:
    return now - row.last_used_at >= TOUCH_EVERY


def touch(row_id: int, user_id: int, now: datetime) -> None:
    """Note that a session was used now (callers ask only when `due_for_touch`). One conditional UPDATE, so two
    requests at once write it once."""
    begin_write()
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == row_id, UserSession.last_used_at <= now - TOUCH_EVERY)
        .values(last_used_at=now)
    )
    # What buyers read as "last seen" on the seller's cards and pages, moved on as seldom as the session.
    db.session.execute(update(User).where(User.id == user_id).values(last_seen_at=now))
    db.session.commit()


def signed_in(user: User, now: datetime) -> list[UserSession]:
    """The user's live sessions, the most recently used first."""
    query = (select(UserSession).where(UserSession.user_id == user.id, ~_ended(now))
             .order_by(UserSession.last_used_at.desc(), UserSession.id.desc()))  # fmt: skip
    return list(db.session.scalars(query))


def revoke(user_id: int, *, session_id: int | None = None, hashed_token: str | None = None, keeping_token: str | None = None) -> int:
    """Delete the user's sessions inside the caller's unit of work (the caller commits): one by id or by token
    hash, or else all of them but the one `keeping_token` names. Returns how many were deleted."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if session_id is not None:
        query = query.where(UserSession.id == session_id)
    elif hashed_token is not None:
        query = query.where(UserSession.token_hash == hashed_token)
    elif keeping_token is not None:
        query = query.where(UserSession.token_hash != keeping_token)
    return db.session.execute(query).rowcount


def sign_out(user: User, *, session_id: int | None = None, token: str | None = None) -> bool:
    """End one of the user's sessions: a device from the devices page (by id), or this browser's (by token, at
    logout). Another user's session id ends nothing. Returns whether a session ended."""
    begin_write()
    ended = revoke(user.id, session_id=session_id, hashed_token=token_hash(token) if token else None) if (session_id or token) else 0
    db.session.commit()
    return ended > 0


def sign_out_everywhere(user: User, *, except_token: str | None = None) -> int:
    """End every session of the user, or every one but this browser's ("Sign out everywhere else")."""
    begin_write()
    ended = revoke(user.id, keeping_token=token_hash(except_token) if except_token else None)
    db.session.commit()
    return ended
