"""Scope changes and fair endings (issue 18): partial-refund offers on delivered orders, arbitration of the work, tips

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "partial_refund_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_partial_refund_offers_amount_positive")),
        sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn')", name=op.f("ck_partial_refund_offers_status")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_partial_refund_offers_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partial_refund_offers")),
    )
    op.create_index(op.f("ix_partial_refund_offers_order_id"), "partial_refund_offers", ["order_id"])
    op.create_table(
        "work_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_role", sa.String(length=10), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("state_when_opened", sa.String(length=25), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("refund_amount", sa.BigInteger(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("decision IS NULL OR decision IN ('release', 'refund', 'split')", name=op.f("ck_work_disputes_decision")),
        sa.CheckConstraint("status IN ('open', 'decided')", name=op.f("ck_work_disputes_status")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_work_disputes_order_id_orders")),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_work_disputes_opened_by_id_users")),
        sa.ForeignKeyConstraint(["statement_id"], ["order_messages.id"], name=op.f("fk_work_disputes_statement_id_order_messages")),
        sa.ForeignKeyConstraint(["answer_id"], ["order_messages.id"], name=op.f("fk_work_disputes_answer_id_order_messages")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_work_disputes_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_disputes")),
    )
    op.create_index(op.f("ix_work_disputes_order_id"), "work_disputes", ["order_id"])
    op.create_index("ix_work_disputes_status_created", "work_disputes", ["status", "created_at"])
    op.create_table(
        "tips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_tips_amount_positive")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_tips_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips")),
        sa.UniqueConstraint("order_id", name=op.f("uq_tips_order_id")),
    )


def downgrade():
    op.drop_table("tips")
    op.drop_index("ix_work_disputes_status_created", table_name="work_disputes")
    op.drop_index(op.f("ix_work_disputes_order_id"), table_name="work_disputes")
    op.drop_table("work_disputes")
    op.drop_index(op.f("ix_partial_refund_offers_order_id"), table_name="partial_refund_offers")
    op.drop_table("partial_refund_offers")
