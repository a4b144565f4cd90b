"""The seller's ranking inputs stored on each kwork: `seller_rank` (the rank of the seller's level,
domain/levels.py LEVELS) and `seller_completion` (the seller's completion rate), with an index in the catalog's
"Best match" order, so its default page walks the index and stops at the page's end instead of reading and sorting
every active kwork joined to its seller. The daily levels job (services/levels) and the kwork editor
(services/kworks) keep them; services/card_columns recomputes them.

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-30 03:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

# The ranks of domain/levels.py LEVELS as they stand at this revision (a migration does not import the app):
# an unknown level ranks 0, as in the catalog's former CASE.
RANKS = {"new": 0, "level_1": 1, "level_2": 2, "top": 3}
RANK_OF_LEVEL = "CASE users.level " + " ".join(f"WHEN '{code}' THEN {rank}" for code, rank in RANKS.items()) + " ELSE 0 END"
BACKFILL = f"""
UPDATE kworks SET
    seller_rank = coalesce((SELECT {RANK_OF_LEVEL} FROM users WHERE users.id = kworks.seller_id), 0),
    seller_completion = (SELECT users.completion_rate FROM users WHERE users.id = kworks.seller_id)
"""


def upgrade():
    # Plain ALTER TABLE on both databases: a batch (copy-and-move) on SQLite would drop the FTS triggers on kworks.
    op.add_column("kworks", sa.Column("seller_rank", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("kworks", sa.Column("seller_completion", sa.Integer(), nullable=True))
    op.execute(BACKFILL)
    # Best match without a text search (services/catalog.reputation_order, then id): the catalog's default page
    # reads the first entries of the active kworks here. SQLite refuses NULLS LAST in an index but already sorts
    # NULL last under DESC, and its planner matches "DESC NULLS LAST" in the ORDER BY to a plain DESC column.
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.create_index(
        "ix_kworks_best_match",
        "kworks",
        [
            "status",
            sa.text("seller_rank DESC"),
            sa.text(f"seller_completion DESC{nulls_last}"),
            sa.text(f"rating DESC{nulls_last}"),
            sa.text("created_at DESC"),
            sa.text("id DESC"),
        ],
    )


def downgrade():
    op.drop_index("ix_kworks_best_match", table_name="kworks")
    for name in ("seller_completion", "seller_rank"):
        op.drop_column("kworks", name)  # SQLite 3.35+ drops a column in place
