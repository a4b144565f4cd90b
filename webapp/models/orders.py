from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.orders import STATES
from ..extensions import db
from .base import UTCDateTime, utcnow


class OpenRequests:
    """The open cancellation and extension request among an order's `cancellation_requests` and
    `extension_requests` (at most one of each is open): for Order, and for services.timers.LockedOrder, an order
    locked and read as a row."""

    __slots__ = ()  # LockedOrder keeps its slots

    @property
    def open_extension(self):
        return next((r for r in self.extension_requests if r.status == "open"), None)

    @property
    def open_cancellation(self):
        return next((r for r in self.cancellation_requests if r.status == "open"), None)


class Order(OpenRequests, db.Model):
    """A bought package. What was bought is copied in, so later edits to the kwork don't change the deal."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"state IN {STATES!r}", name="state"),
        Index("ix_orders_buyer_state", "buyer_id", "state", "created_at"),
        Index("ix_orders_seller_state", "seller_id", "state", "created_at"),
        Index("ix_orders_kwork_completed", "kwork_id", "state", "completed_at"),
        # Order lists and dashboards: a party's orders newest first, across all states.
        Index("ix_orders_buyer_created", "buyer_id", "created_at", "id"),
        Index("ix_orders_seller_created", "seller_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id"))
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    # One per checkout form: a double-submitted form finds the first order instead of paying twice.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(25))

    tier_level: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(80))
    tier_description: Mapped[str] = mapped_column(String(200), default="")
    included_options: Mapped[list] = mapped_column(JSON, default=list)
    unit_price: Mapped[int] = mapped_column(BigInteger)  # minor units
    quantity: Mapped[int] = mapped_column(default=1)
    total: Mapped[int] = mapped_column(BigInteger)  # minor units, what the buyer paid into escrow
    delivery_days: Mapped[int] = mapped_column()
    revisions_included: Mapped[int] = mapped_column()
    revisions_used: Mapped[int] = mapped_column(default=0)
    auto_completed: Mapped[bool] = mapped_column(default=False, server_default=false())
    buyer_instructions: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requirements_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Pause: the seller asks (requested_at, reason), the buyer consents (paused_at); the deadline clock stops.
    pause_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    buyer = relationship("User", foreign_keys=[buyer_id], lazy="joined", innerjoin=True)
    seller = relationship("User", foreign_keys=[seller_id], lazy="joined", innerjoin=True)
    kwork = relationship("Kwork")
    events: Mapped[list["OrderEvent"]] = relationship(back_populates="order", order_by="OrderEvent.id")
    messages: Mapped[list["OrderMessage"]] = relationship(back_populates="order", order_by="OrderMessage.id")
    review: Mapped["Review | None"] = relationship(back_populates="order", uselist=False)
    cancellation_requests = relationship(
        "CancellationRequest", back_populates="order", order_by="CancellationRequest.id"
    )

    # What was bought besides the package (snapshot rows), in checkout order.
    extras: Mapped[list["OrderExtra"]] = relationship(back_populates="order", order_by="OrderExtra.id")
    extension_requests = relationship("ExtensionRequest", back_populates="order", order_by="ExtensionRequest.id")

    @property
    def applied_cancellation(self):
        return next((r for r in self.cancellation_requests if r.status == "applied"), None)

    def role_of(self, user) -> str | None:
        if user.id == self.buyer_id:
            return "buyer"
        if user.id == self.seller_id:
            return "seller"
        return None

    def late(self, now) -> bool:
        from ..domain.orders import is_late

        return is_late(self.state, self.deadline_at, now, paused=self.paused_at is not None)

    @property
    def revision_is_extra(self) -> bool:
        """The current revision goes beyond what the package includes (the seller may decline it)."""
        return self.revisions_used > self.revisions_included


class OrderExtra(db.Model):
    """An extra as bought: copied from the kwork, so later edits to its extras don't change the deal."""

    __tablename__ = "order_extras"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    unit_price: Mapped[int] = mapped_column(BigInteger)  # minor units
    quantity: Mapped[int] = mapped_column(default=1)
    days: Mapped[int] = mapped_column(default=0)  # per unit

    order: Mapped[Order] = relationship(back_populates="extras")

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


class OrderEvent(db.Model):
    """One line of an order's history: who moved it from which state to which, when, and why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (a timer)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(25))
    to_state: Mapped[str] = mapped_column(String(25))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor = relationship("User")


MESSAGE_KINDS = ("message", "requirements", "delivery", "revision_request")


class OrderMessage(db.Model):
    __tablename__ = "order_messages"
    __table_args__ = (CheckConstraint(f"kind IN {MESSAGE_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="message")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="messages")
    author = relationship("User", lazy="joined", innerjoin=True)
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="message", lazy="selectin")


class Attachment(db.Model):
    __tablename__ = "order_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("order_messages.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column()

    message: Mapped[OrderMessage] = relationship(back_populates="attachments")


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_reviews_order_id"),
        CheckConstraint("status IN ('published', 'pending', 'hidden')", name="status"),
        # The newest reviews of a kwork (its page) and of a seller (their profile).
        Index("ix_reviews_kwork_created", "kwork_id", "created_at"),
        Index("ix_reviews_seller_created", "seller_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    positive: Mapped[bool] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "published" is shown and counted; "pending" waits for an admin (written late via support, or reported by
    # the seller while shown); "hidden" was taken down by an admin for breaking the rules.
    status: Mapped[str] = mapped_column(String(10), default="published", server_default="published")
    via_support: Mapped[bool] = mapped_column(default=False, server_default=false())
    report_reason: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="review")
    buyer = relationship("User", foreign_keys=[buyer_id], lazy="joined", innerjoin=True)


class TopUp(db.Model):
    """A balance top-up through a payment provider: pending until the provider confirms or declines it."""

    __tablename__ = "topups"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, paid, declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "sandbox" (the demo's page) or "stripe"; a top-up is only ever answered by the provider it was started with.
    provider: Mapped[str] = mapped_column(String(20), default="sandbox", server_default="sandbox")
    checkout_id: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)  # Stripe Checkout Session
    payment_intent: Mapped[str | None] = mapped_column(String(255))  # what a refund is made against
    # What went back to the card (minor units), once: a refund closes the top-up for further refunds.
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refund_id: Mapped[str | None] = mapped_column(String(255), index=True)  # refund.failed names the refund
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PaymentEvent(db.Model):
    """A provider's webhook event that was acted on: one row per event id, written in the transaction that acted.

    A replayed event finds its row and changes nothing; the unique constraint is the backstop under a race.
    """

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_payment_events_provider_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(80))  # the provider's event type, "checkout.session.completed"
    topup_id: Mapped[int | None] = mapped_column(ForeignKey("topups.id"), index=True)
    # What the event did: "credited", "declined", "waiting" (paid later), "ignored" (answered already), "refused"
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
