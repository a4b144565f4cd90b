"""Storefront: kwork pictures (cover and gallery), user avatars, favourites

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 19:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kwork_pictures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kwork_id", sa.Integer(), sa.ForeignKey("kworks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.UniqueConstraint("token", name=op.f("uq_kwork_pictures_token")),
        sa.Column("alt", sa.String(250), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_kwork_pictures_size")),
    )
    op.create_index("ix_kwork_pictures_kwork_position", "kwork_pictures", ["kwork_id", "position"])
    op.create_table(
        "favourites",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kwork_id", sa.Integer(), sa.ForeignKey("kworks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_favourites_kwork", "favourites", ["kwork_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("avatar_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_seen_at")
        batch.drop_column("avatar_token")
    op.drop_index("ix_favourites_kwork", "favourites")
    op.drop_table("favourites")
    op.drop_index("ix_kwork_pictures_kwork_position", "kwork_pictures")
    op.drop_table("kwork_pictures")
