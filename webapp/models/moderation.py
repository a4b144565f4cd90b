from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

DISPUTE_DECISIONS = ("uphold", "reverse", "exempt", "force_cancel")


class Dispute(db.Model):
    """A party escalates a cancellation disagreement to arbitration; an admin decides."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'decided')", name="status"),
        CheckConstraint(f"decision IS NULL OR decision IN {DISPUTE_DECISIONS!r}", name="decision"),
        Index("ix_disputes_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    cancellation_id: Mapped[int] = mapped_column(ForeignKey("cancellation_requests.id"), unique=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_role: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    decision: Mapped[str | None] = mapped_column(String(15))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")
    cancellation = relationship("CancellationRequest")
    opened_by = relationship("User", foreign_keys=[opened_by_id])


class AuditEntry(db.Model):
    """One admin action: who did what to which record, the record before and after, and why."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column()
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("User", lazy="joined", innerjoin=True)
