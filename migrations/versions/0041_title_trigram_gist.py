"""A GiST trigram index on kwork titles (PostgreSQL), so a typo search reads only its nearest matches.

Revision ID: 0041
Revises: 0040
Create Date: 2026-11-30 16:00:00

The typo branch of a text search found every title whose trigram word similarity passed the threshold through the
GIN index (ix_kworks_title_trigrams) and ranked them all: about 860 titles for the benchmark's search at 10,000
kworks, 8,600 at 100,000, with the database's CPU growing alike (25 → 173 ms). GiST orders by distance
(`title <->> 'typed'`, one minus the word similarity), so the branch stops after the COUNT_CAP + 1 nearest
(services/catalog). The GIN index stays: it is the cheaper plan when few titles match, and the planner picks.
SQLite searches with FTS5 and has no typo match: nothing to do there.
"""
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_kworks_title_trigram_distance ON kworks USING gist (title gist_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_kworks_title_trigram_distance")
