from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

REQUEST_STATUSES = ("open", "declined", "applied", "resolved")


class CancellationRequest(db.Model):
    """A side's request to cancel an order, the other side's answer, and what it meant for the seller."""

    __tablename__ = "cancellation_requests"
    __table_args__ = (CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    initiator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    initiator_role: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text)
    state_when_requested: Mapped[str] = mapped_column(String(25))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The other side's answer to "is the stated reason correct?"; None until answered (or while declined).
    reason_agreed: Mapped[bool | None] = mapped_column()
    auto_applied: Mapped[bool] = mapped_column(default=False)
    # Filled when the cancellation applies (domain.cancellations.consequence).
    counts_against_seller: Mapped[bool] = mapped_column(default=False)
    buyer_may_review: Mapped[bool] = mapped_column(default=False)
    spared_if_reordered: Mapped[bool] = mapped_column(default=False)
    # An admin can take a cancellation out of both metrics (fraud, mistaken order), with a reason.
    exempt_reason: Mapped[str | None] = mapped_column(Text)

    order = relationship("Order", back_populates="cancellation_requests")
    initiator = relationship("User")


class ExtensionRequest(db.Model):
    """The seller asks for more days; the buyer has two days to answer, and silence means yes."""

    __tablename__ = "extension_requests"
    __table_args__ = (CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    days: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    auto_accepted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order", back_populates="extension_requests")
