"""A payout voice code belongs to the payout change it was issued for

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 16:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("voice_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payout_change_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_voice_codes_payout_change_id_payout_changes"), "payout_changes",
                                    ["payout_change_id"], ["id"])


def downgrade():
    with op.batch_alter_table("voice_codes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_voice_codes_payout_change_id_payout_changes"), type_="foreignkey")
        batch_op.drop_column("payout_change_id")
