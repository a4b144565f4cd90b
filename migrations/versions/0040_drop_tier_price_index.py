"""Drop ix_tiers_level_price: nothing filters or sorts tiers by level and price since the catalog reads its prices
from kworks.price_from (0037), and every tier written still paid for keeping it. Tiers are found by their kwork
(uq_tiers_kwork_level).

Revision ID: 0040
Revises: 0039
Create Date: 2026-11-30 11:15:00

"""
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_tiers_level_price", table_name="tiers")


def downgrade():
    op.create_index("ix_tiers_level_price", "tiers", ["level", "price"])
