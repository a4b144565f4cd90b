from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

TIMER_STATES = ("scheduled", "fired", "cancelled")


class Timer(db.Model):
    """A due-dated consequence for an order. The row is the truth; the RQ job only says "look now"."""

    __tablename__ = "timers"
    __table_args__ = (
        CheckConstraint(f"state IN {TIMER_STATES!r}", name="state"),
        Index("ix_timers_state_due", "state", "due_at"),
        Index("ix_timers_order_kind", "order_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))  # None: a row's timer (ref_id names it)
    # The order state the timer was made for: firing in any other state does nothing.
    for_state: Mapped[str] = mapped_column(String(25))
    ref_id: Mapped[int | None] = mapped_column()  # e.g. the cancellation request it belongs to
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
