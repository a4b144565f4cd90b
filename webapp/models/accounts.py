from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

ROLES = ("buyer", "seller")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # The catalog leaves out suspended sellers' kworks on every page: a few rows to find among thousands.
    __table_args__ = (Index("ix_users_suspended_at", "suspended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60))
    about: Mapped[str] = mapped_column(Text, default="")
    working_hours: Mapped[str] = mapped_column(String(120), default="")
    # "Not taking new orders today": sellers switch this off without pausing each kwork.
    accepting_orders: Mapped[bool] = mapped_column(default=True)
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
