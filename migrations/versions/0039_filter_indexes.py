"""Indexes for two lookups that read more rows than they answer: a category's kworks by price (the catalog
filtered by category and price, and sorted by price, walked the status-and-price index and skipped the other
categories' kworks: 28 ms on SQLite at 10,000 kworks), and a top-up by its refund's id (Stripe's `refund.failed`
names the refund).

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-30 04:30:00

"""
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade():
    # Plain create/drop, not batch mode: a batch rebuild of kworks on SQLite would drop its full-text triggers.
    op.create_index("ix_kworks_category_status_price", "kworks", ["category_id", "status", "price_from"])
    op.drop_index("ix_kworks_category_status", table_name="kworks")
    op.create_index("ix_topups_refund_id", "topups", ["refund_id"])


def downgrade():
    op.drop_index("ix_topups_refund_id", table_name="topups")
    op.create_index("ix_kworks_category_status", "kworks", ["category_id", "status"])
    op.drop_index("ix_kworks_category_status_price", table_name="kworks")
