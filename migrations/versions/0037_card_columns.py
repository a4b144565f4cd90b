"""What every catalog card shows, stored on the kwork: the Economy tier's price and delivery days, and the count of
published reviews, so a page of cards needs no join on tiers and no count of reviews per card. The services that
change tiers (services/kworks) and reviews (services/reviews) keep them; services/card_columns recomputes them.

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-30 03:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE kworks SET
    price_from = (SELECT tiers.price FROM tiers WHERE tiers.kwork_id = kworks.id AND tiers.level = 'economy'),
    delivery_days_from = (SELECT tiers.delivery_days FROM tiers WHERE tiers.kwork_id = kworks.id AND tiers.level = 'economy'),
    review_count = (SELECT count(*) FROM reviews WHERE reviews.kwork_id = kworks.id AND reviews.status = 'published')
"""


def upgrade():
    # Plain ALTER TABLE on both databases: a batch (copy-and-move) on SQLite would drop the FTS triggers on kworks.
    op.add_column("kworks", sa.Column("price_from", sa.Integer(), nullable=True))
    op.add_column("kworks", sa.Column("delivery_days_from", sa.Integer(), nullable=True))
    op.add_column("kworks", sa.Column("review_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(BACKFILL)
    # The catalog's price sorts walk this index in order (active kworks, cheapest or dearest first) and stop at
    # the page's end; price filters read a range of it.
    op.create_index("ix_kworks_status_price", "kworks", ["status", "price_from"])


def downgrade():
    op.drop_index("ix_kworks_status_price", table_name="kworks")
    for name in ("review_count", "delivery_days_from", "price_from"):
        op.drop_column("kworks", name)  # SQLite 3.35+ drops a column in place
