from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

CODE_STATUSES = ("queued", "calling", "answered", "failed", "confirmed", "expired", "cancelled")


class VoiceCode(db.Model):
    """A one-time code spoken in a phone call. Only its hash is stored; the call is placed by an RQ job."""

    __tablename__ = "voice_codes"
    __table_args__ = (
        CheckConstraint(f"status IN {CODE_STATUSES!r}", name="status"),
        Index("ix_voice_codes_user_created", "user_id", "created_at"),
        Index("ix_voice_codes_phone_created", "phone", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(20))  # "phone" (verify the number) or "payout" (confirm a change)
    # A payout code confirms only the change it was issued for (a newer change cancels it).
    payout_change_id: Mapped[int | None] = mapped_column(ForeignKey("payout_changes.id"))
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    locale: Mapped[str] = mapped_column(String(10), default="en")
    code_hash: Mapped[str | None] = mapped_column(String(255))  # set by the job that generates and speaks it
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The opaque id in the "press 1 to repeat" URL Twilio calls back (webapp/adapters/voice.py derives the digits
    # from it with the app's secret), so the code never appears in a URL, a proxy log or this table.
    repeat_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class SecurityEvent(db.Model):
    """The user's "Security activity": every code call, attempt and outcome, and rejected webhooks."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxCall(db.Model):
    """A call the sandbox voice backend received instead of Twilio: the exact request the library built."""

    __tablename__ = "sandbox_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(300))
    to: Mapped[str] = mapped_column(String(20))
    from_: Mapped[str] = mapped_column("from_number", String(20))
    twiml: Mapped[str] = mapped_column(Text)
    spoken: Mapped[str] = mapped_column(Text)
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)  # ties the call to its VoiceCode (its user)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(db.Model):
    """A seller has blocked a buyer: no orders from them, no messages."""

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("seller_id", "buyer_id", name="uq_blocks_seller_buyer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer = relationship("User", foreign_keys=[buyer_id])
