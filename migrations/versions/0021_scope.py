"""Scope changes and fair endings (issue 18): partial-refund offers on delivered orders

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


def downgrade():
    op.drop_index(op.f("ix_partial_refund_offers_order_id"), table_name="partial_refund_offers")
    op.drop_table("partial_refund_offers")
