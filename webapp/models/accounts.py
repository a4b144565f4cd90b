from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..domain.levels import LEVELS
from .base import UTCDateTime, utcnow

LEVEL_CODES = tuple(level.code for level in LEVELS)

ROLES = ("buyer", "seller")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # The catalog leaves out suspended sellers' kworks on every page: a few rows to find among thousands.
    __table_args__ = (
        Index("ix_users_suspended_at", "suspended_at"),
        CheckConstraint(f"level IN {LEVEL_CODES!r}", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60))
    about: Mapped[str] = mapped_column(Text, default="")
    working_hours: Mapped[str] = mapped_column(String(120), default="")
    # Away period (webapp.domain.availability): from away_from until away_until the seller's kworks can't be ordered.
    away_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    away_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    active_role: Mapped[str] = mapped_column(String(10), default="buyer")
    # IANA zone name: deadlines and dates are shown in the user's own time.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow", server_default="Europe/Moscow")
    # The interface language the user chose (webapp.i18n.LANGUAGES); None: follow the browser.
    language: Mapped[str | None] = mapped_column(String(5))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # A phone is usable (for payout confirmation) only once a voice code sent to it was confirmed.
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After any confirmed payout change, withdrawals wait until this moment (account-takeover protection).
    payouts_held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an admin: a suspended user cannot log in and their kworks leave the catalog.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    # When the owner opened the link e-mailed to this address. Selling, withdrawals and payout details wait for it.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 32 hex digits naming the avatar's renditions "avatars/<token>-<size>.webp|jpg"; None: initials are drawn.
    avatar_token: Mapped[str | None] = mapped_column(String(32))
    # Moved on at login and at most every few minutes of use (services/sessions.touch): buyers see "last seen".
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seller level (webapp.domain.levels), given by the daily job (services/levels.recompute_all), with the
    # completion rate it read: the catalog ranks by both without counting anyone's orders per request.
    level: Mapped[str] = mapped_column(String(10), default="new", server_default="new")
    level_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_rate: Mapped[int | None] = mapped_column()  # percent; None: no finished orders that count yet

    # The token of the server-side session (UserSession) this object was loaded for: set at login and by the user
    # loader for the request, never stored on the row.
    session_token = None

    def get_id(self) -> str:
        """Flask-Login's "alternative id", kept in the session cookie and the remember cookie: the user and one of
        their server-side sessions, "<user id>:<session token>". A cookie captured before a logout, a password
        change, a suspension or a "Sign out" on the devices page stops working once that session row is gone,
        while the user's other sessions go on."""
        if not self.session_token:
            raise RuntimeError("log in through services.sessions.start(): a login needs a server-side session")
        return f"{self.id}:{self.session_token}"

    # Two objects are the same user when their ids are (UserMixin compares get_id(), which now names a session).
    def __eq__(self, other):
        return other.id == self.id if isinstance(other, User) else NotImplemented

    __hash__ = object.__hash__

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return not self.is_suspended

    @property
    def is_selling(self) -> bool:
        return self.active_role == "seller"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """A signed-in browser (a "device" on the Signed-in devices page): the server's half of a login.

    The browser holds a random token (in Flask's session cookie, and in the remember cookie when it asked to be
    remembered); only its SHA-256 is stored. Deleting the row ends that login everywhere the token was copied to.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)  # "Keep me logged in on this device"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)  # moved on at most every few minutes
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the devices page shows, worked out once at login: no full user agent or address is kept.
    browser: Mapped[str] = mapped_column(String(80), default="")
    system: Mapped[str] = mapped_column(String(80), default="")
    network: Mapped[str] = mapped_column(String(50), default="")  # the address's network prefix, e.g. 192.0.2.0/24


ACCOUNT_EMAIL_KINDS = ("verify_email", "already_registered", "password_reset", "password_changed")


class AccountEmail(db.Model):
    """An e-mail about the account itself, waiting for the mail job: written in the transaction that asks for it
    and sent after the commit, so a change that rolls back sends nothing. Links (with their signed tokens) are
    made by the job, so no token is ever stored."""

    __tablename__ = "account_emails"
    __table_args__ = (CheckConstraint(f"kind IN {ACCOUNT_EMAIL_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
