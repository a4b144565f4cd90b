"""payout details, changes, withdrawals

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:18:35.364291

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payout_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('brand', sa.String(length=20), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('card', 'ewallet')", name=op.f('ck_payout_details_kind')),
    sa.CheckConstraint("status IN ('pending', 'active', 'removed')", name=op.f('ck_payout_details_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_payout_details_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_details'))
    )
    with op.batch_alter_table('payout_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_details_user_id'), ['user_id'], unique=False)

    op.create_table('payout_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('detail_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("action IN ('add', 'remove')", name=op.f('ck_payout_changes_action')),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name=op.f('ck_payout_changes_status')),
    sa.ForeignKeyConstraint(['detail_id'], ['payout_details.id'], name=op.f('fk_payout_changes_detail_id_payout_details')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_payout_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_changes'))
    )
    with op.batch_alter_table('payout_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_changes_user_id'), ['user_id'], unique=False)

    op.create_table('withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('detail_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('requested', 'paid', 'failed')", name=op.f('ck_withdrawals_status')),
    sa.ForeignKeyConstraint(['detail_id'], ['payout_details.id'], name=op.f('fk_withdrawals_detail_id_payout_details')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_withdrawals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_withdrawals'))
    )
    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_withdrawals_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payouts_held_until', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('payouts_held_until')

    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_withdrawals_user_id'))

    op.drop_table('withdrawals')
    with op.batch_alter_table('payout_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_changes_user_id'))

    op.drop_table('payout_changes')
    with op.batch_alter_table('payout_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_details_user_id'))

    op.drop_table('payout_details')
