"""Seller levels: the level the daily job gave each user (webapp/domain/levels.py), when it last changed, and the
completion rate it read, kept on the user so the catalog ranks by reputation without counting orders per request.

Revision ID: 0035
Revises: 0033
Create Date: 2026-11-29 23:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("level", sa.String(length=10), nullable=False, server_default="new"))
        batch.add_column(sa.Column("level_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("completion_rate", sa.Integer(), nullable=True))
        batch.create_check_constraint("level", "level IN ('new', 'level_1', 'level_2', 'top')")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("level", type_="check")
        batch.drop_column("completion_rate")
        batch.drop_column("level_changed_at")
        batch.drop_column("level")
