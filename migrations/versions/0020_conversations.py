"""Conversations between two users: members with unread counts, messages with files and pre-check flags, reports;
individual offers (with expiry timers that belong to no order); kworks ordered only after agreement

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 19:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_low_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversations_user_low_id_users")), nullable=False),
        sa.Column("user_high_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversations_user_high_id_users")), nullable=False),
        sa.Column("started_by_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversations_started_by_id_users")), nullable=False),
        sa.Column("kwork_id", sa.Integer(), sa.ForeignKey("kworks.id", name=op.f("fk_conversations_kwork_id_kworks")), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_low_id", "user_high_id", name=op.f("uq_conversations_pair")),
        sa.CheckConstraint("user_low_id < user_high_id", name=op.f("ck_conversations_pair_order")),
    )
    op.create_index("ix_conversations_user_high_id", "conversations", ["user_high_id"])
    op.create_index("ix_conversations_last_message_at", "conversations", ["last_message_at"])
    op.create_table(
        "conversation_members",
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id", name=op.f("fk_conversation_members_conversation_id_conversations")), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversation_members_user_id_users")), primary_key=True),
        sa.Column("other_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversation_members_other_id_users")), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_conversation_members_user", "conversation_members", ["user_id", "conversation_id"])
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id", name=op.f("fk_offers_conversation_id_conversations")), nullable=False),
        sa.Column("seller_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_offers_seller_id_users")), nullable=False),
        sa.Column("buyer_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_offers_buyer_id_users")), nullable=False),
        sa.Column("kwork_id", sa.Integer(), sa.ForeignKey("kworks.id", name=op.f("fk_offers_kwork_id_kworks")), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", name=op.f("fk_offers_order_id_orders")), nullable=True),
        sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn', 'expired')", name=op.f("ck_offers_status")),
    )
    op.create_index("ix_offers_conversation", "offers", ["conversation_id", "id"])
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id", name=op.f("fk_conversation_messages_conversation_id_conversations")), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_conversation_messages_author_id_users")), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("asks_for_offer", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("offer_id", sa.Integer(), sa.ForeignKey("offers.id", name=op.f("fk_conversation_messages_offer_id_offers")), nullable=True),
    )
    op.create_index("ix_conversation_messages_thread", "conversation_messages", ["conversation_id", "id"])
    op.create_index("ix_conversation_messages_flagged", "conversation_messages", ["flagged"])
    op.create_table(
        "conversation_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("conversation_messages.id", name=op.f("fk_conversation_attachments_message_id_conversation_messages")), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.UniqueConstraint("stored_name", name=op.f("uq_conversation_attachments_stored_name")),
    )
    op.create_index("ix_conversation_attachments_message_id", "conversation_attachments", ["message_id"])
    op.create_table(
        "message_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("conversation_messages.id", name=op.f("fk_message_reports_message_id_conversation_messages")), nullable=False),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id", name=op.f("fk_message_reports_conversation_id_conversations")), nullable=False),
        sa.Column("reporter_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_message_reports_reporter_id_users")), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), sa.ForeignKey("users.id", name=op.f("fk_message_reports_closed_by_id_users")), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_message_reports_status")),
        sa.UniqueConstraint("message_id", "reporter_id", name=op.f("uq_message_reports_message_reporter")),
    )
    op.create_index("ix_message_reports_status_conversation", "message_reports", ["status", "conversation_id"])
    # A plain ADD COLUMN, not a batch: rebuilding kworks on SQLite would drop its full-text triggers (0019).
    op.add_column("kworks", sa.Column("agreement_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    # An offer's expiry is a timer of no order (ref_id names the offer).
    with op.batch_alter_table("timers") as batch:
        batch.alter_column("order_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM timers WHERE order_id IS NULL")
    with op.batch_alter_table("timers") as batch:
        batch.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
    op.drop_column("kworks", "agreement_only")
    op.drop_table("message_reports")
    op.drop_table("conversation_attachments")
    op.drop_table("conversation_messages")
    op.drop_table("offers")
    op.drop_table("conversation_members")
    op.drop_table("conversations")
