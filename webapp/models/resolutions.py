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
