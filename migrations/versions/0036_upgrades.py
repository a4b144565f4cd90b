"""Upgrades during an order: the seller's proposals of more work, the buyer's answers.

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-29 23:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upgrade_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'withdrawn', 'lapsed')", name=op.f("ck_upgrade_proposals_status")),
        sa.CheckConstraint("kind IN ('extra', 'revisions', 'custom')", name=op.f("ck_upgrade_proposals_kind")),
        sa.CheckConstraint("price > 0", name=op.f("ck_upgrade_proposals_price_positive")),
        sa.CheckConstraint("days >= 0 AND quantity >= 1", name=op.f("ck_upgrade_proposals_days_quantity")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_upgrade_proposals_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade_proposals")),
    )
    op.create_index(op.f("ix_upgrade_proposals_order_id"), "upgrade_proposals", ["order_id"])
    op.create_index("uq_upgrade_proposals_open_order", "upgrade_proposals", ["order_id"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))  # fmt: skip


def downgrade():
    op.drop_index("uq_upgrade_proposals_open_order", table_name="upgrade_proposals")
    op.drop_index(op.f("ix_upgrade_proposals_order_id"), table_name="upgrade_proposals")
    op.drop_table("upgrade_proposals")
