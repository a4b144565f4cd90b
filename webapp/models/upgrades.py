"""Upgrades during an order: the seller proposes more work for a price and extra days; the buyer accepts or not."""
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class UpgradeProposal(db.Model):
    """One proposed upgrade of a running order (domain.upgrades): a kwork extra, extra revisions, or work described
    in `title`. Accepted, it is what the buyer paid for on top of the order (its price joined the order's escrow)."""

    __tablename__ = "upgrade_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn', 'lapsed')", name="status"),
        CheckConstraint("kind IN ('extra', 'revisions', 'custom')", name="kind"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("days >= 0 AND quantity >= 1", name="days_quantity"),
        # At most one open proposal per order: the backstop behind the order lock every use case takes first.
        Index("uq_upgrade_proposals_open_order", "order_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))  # the extra's title, or the seller's description ("" for revisions)
    quantity: Mapped[int] = mapped_column(default=1)  # units of the extra, or number of extra revisions
    price: Mapped[int] = mapped_column(BigInteger)  # minor units the buyer pays into the order's escrow (an extra: its price times the quantity)
    days: Mapped[int] = mapped_column(default=0)  # added to the delivery time and the deadline in all
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")
