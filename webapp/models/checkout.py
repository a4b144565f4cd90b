from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime


class CheckoutDraft(db.Model):
    """What a buyer typed at checkout when their balance fell short, kept while they top up (see
    webapp/services/checkout_drafts.py). One per buyer and kwork: a later shortfall replaces it."""

    __tablename__ = "checkout_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id"), primary_key=True)
    tier_level: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int]
    requirements: Mapped[str] = mapped_column(Text, default="")
    send_later: Mapped[bool] = mapped_column(default=False)
    # The extras chosen: {"<kwork extra id>": quantity}.
    extras: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # expired drafts are purged by this
