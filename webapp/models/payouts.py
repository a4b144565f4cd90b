from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class PayoutDetail(db.Model):
    """Where a seller's withdrawals go. A card is kept only as brand, last four digits and a provider token."""

    __tablename__ = "payout_details"
    __table_args__ = (
        CheckConstraint("kind IN ('card', 'ewallet')", name="kind"),
        CheckConstraint("status IN ('pending', 'active', 'removed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    brand: Mapped[str] = mapped_column(String(20), default="")  # card network, or e-wallet provider
    last4: Mapped[str] = mapped_column(String(4), default="")
    token: Mapped[str] = mapped_column(String(64), default="")  # stands in for the payment provider's card token
    account_id: Mapped[str] = mapped_column(String(64), default="")  # e-wallet account
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def label(self) -> str:
        if self.kind == "card":
            return f"{self.brand} card ending {self.last4}"
        return f"{self.brand} {self.account_id}"


class PayoutChange(db.Model):
    """Adding or removing a payout detail: pending until the voice code is confirmed."""

    __tablename__ = "payout_changes"
    __table_args__ = (
        CheckConstraint("action IN ('add', 'remove')", name="action"),
        CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    detail_id: Mapped[int] = mapped_column(ForeignKey("payout_details.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    detail: Mapped[PayoutDetail] = relationship()


class Withdrawal(db.Model):
    __tablename__ = "withdrawals"
    __table_args__ = (CheckConstraint("status IN ('requested', 'paid', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    detail_id: Mapped[int] = mapped_column(ForeignKey("payout_details.id"))
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units
    status: Mapped[str] = mapped_column(String(10), default="requested")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    detail: Mapped[PayoutDetail] = relationship()
