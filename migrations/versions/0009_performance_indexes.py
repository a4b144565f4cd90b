"""performance indexes: catalog count and suspended sellers, order lists by party, newest reviews

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 08:00:00

Checked with EXPLAIN on PostgreSQL at benchmark size (`python -m bench`): no page query scans orders or kworks.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_users_suspended_at", "users", ["suspended_at"]),
    ("ix_kworks_listed", "kworks", ["status", "deleted_at", "seller_id", "id"]),
    ("ix_orders_buyer_created", "orders", ["buyer_id", "created_at", "id"]),
    ("ix_orders_seller_created", "orders", ["seller_id", "created_at", "id"]),
    ("ix_reviews_kwork_created", "reviews", ["kwork_id", "created_at"]),
    ("ix_reviews_seller_created", "reviews", ["seller_id", "created_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
