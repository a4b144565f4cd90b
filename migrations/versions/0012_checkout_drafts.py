"""checkout drafts: what a buyer short of money typed, kept in the database rather than in Redis

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkout_drafts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=False),
    sa.Column('tier_level', sa.String(length=10), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=False),
    sa.Column('send_later', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_checkout_drafts_kwork_id_kworks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkout_drafts_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'kwork_id', name=op.f('pk_checkout_drafts'))
    )
    with op.batch_alter_table('checkout_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkout_drafts_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('checkout_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkout_drafts_expires_at'))

    op.drop_table('checkout_drafts')
