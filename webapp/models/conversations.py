"""Conversations: one thread per pair of users, its messages and their files, and reports of messages."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Conversation(db.Model):
    """The one thread between two users (the lower id first, so a pair has one row whoever wrote first)."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("user_low_id", "user_high_id", name="uq_conversations_pair"),
        CheckConstraint("user_low_id < user_high_id", name="pair_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_low_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_high_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kwork_id: Mapped[int | None] = mapped_column(ForeignKey("kworks.id"))  # the kwork it started from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int | None] = mapped_column()
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the other one first answered the one who started it: the seller's response time is made of these.
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Joined: the thread's page shows it, and marking the thread read commits (expiring what was loaded) first.
    kwork = relationship("Kwork", lazy="joined")

    def has(self, user) -> bool:
        return user.id in (self.user_low_id, self.user_high_id)

    def other_id(self, user) -> int:
        return self.user_high_id if user.id == self.user_low_id else self.user_low_id


class ConversationMember(db.Model):
    """One side of a conversation: how many messages they have not read, and when they were last e-mailed about it."""

    __tablename__ = "conversation_members"
    __table_args__ = (Index("ix_conversation_members_user", "user_id", "conversation_id"),)

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unread: Mapped[int] = mapped_column(default=0, server_default="0")
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conversation = relationship("Conversation")
    other = relationship("User", foreign_keys=[other_id])


class ConversationMessage(db.Model):
    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_thread", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the moderation pre-check saw (contact details, paying outside Gigsmith) between people with no order
    # together: [{"rule": …, "excerpt": …}]; empty when nothing was flagged.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    # The buyer asks the seller for an individual offer with this message (their brief).
    asks_for_offer: Mapped[bool] = mapped_column(default=False, server_default=false())
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))  # the message is this offer's card

    conversation = relationship("Conversation")
    author = relationship("User", lazy="joined", innerjoin=True)
    attachments: Mapped[list["ConversationAttachment"]] = relationship(back_populates="message", lazy="selectin")
    offer = relationship("Offer", lazy="selectin")


class ConversationAttachment(db.Model):
    """A file sent in a conversation, kept by the storage adapter like an order's attachments."""

    __tablename__ = "conversation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("conversation_messages.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column()

    message: Mapped[ConversationMessage] = relationship(back_populates="attachments")


class MessageReport(db.Model):
    """A participant reported a message; an admin looks at the conversation and closes the report."""

    __tablename__ = "message_reports"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        UniqueConstraint("message_id", "reporter_id", name="uq_message_reports_message_reporter"),
        Index("ix_message_reports_status_conversation", "status", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("conversation_messages.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Offer(db.Model):
    """A seller's individual terms for a buyer, made in their conversation. Accepting it places an order."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn', 'expired')", name="status"),
        Index("ix_offers_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kwork_id: Mapped[int] = mapped_column(ForeignKey("kworks.id"))  # the base kwork (the order points at it)
    description: Mapped[str] = mapped_column(Text)
    price: Mapped[int] = mapped_column()  # whole currency units, as a package's price
    delivery_days: Mapped[int] = mapped_column()
    revisions: Mapped[int] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))

    kwork = relationship("Kwork", lazy="joined", innerjoin=True)
