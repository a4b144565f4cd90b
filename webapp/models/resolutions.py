"""How delivered orders end besides acceptance: a seller's partial-refund offer, arbitration of the work, and a tip."""
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class PartialRefundOffer(db.Model):
    """The seller offers to give part of a delivered order's escrow back; the buyer's acceptance completes the
    order with that split (Fiverr's Resolution Center)."""

    __tablename__ = "partial_refund_offers"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn')", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units back to the buyer; the rest goes to the seller
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")


class WorkDispute(db.Model):
    """A party takes a delivery to arbitration: a statement (with files), the other party's answer, an admin's
    decision (domain.arbitration). The statement and the answer are order messages, so their files are kept and
    served like every other attachment of the order."""

    __tablename__ = "work_disputes"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'decided')", name="status"),
        CheckConstraint("decision IS NULL OR decision IN ('release', 'refund', 'split')", name="decision"),
        Index("ix_work_disputes_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_role: Mapped[str] = mapped_column(String(10))
    statement_id: Mapped[int] = mapped_column(ForeignKey("order_messages.id"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("order_messages.id"))
    state_when_opened: Mapped[str] = mapped_column(String(25))
    status: Mapped[str] = mapped_column(String(10), default="open")
    decision: Mapped[str | None] = mapped_column(String(10))
    refund_amount: Mapped[int | None] = mapped_column(BigInteger)  # minor units back to the buyer (split, refund)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    statement = relationship("OrderMessage", foreign_keys=[statement_id])
    answer = relationship("OrderMessage", foreign_keys=[answer_id])


class Tip(db.Model):
    """A buyer's tip on a completed order: from the buyer's balance to the seller's, less the commission. One per
    order (its posting's idempotency key is the order's)."""

    __tablename__ = "tips"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units the buyer paid
    commission: Mapped[int] = mapped_column(BigInteger)  # minor units the platform kept
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")
