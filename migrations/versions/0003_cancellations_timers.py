"""cancellation requests, timers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:41:12.574117

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cancellation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('initiator_id', sa.Integer(), nullable=False),
    sa.Column('initiator_role', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('state_when_requested', sa.String(length=25), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason_agreed', sa.Boolean(), nullable=True),
    sa.Column('auto_applied', sa.Boolean(), nullable=False),
    sa.Column('counts_against_seller', sa.Boolean(), nullable=False),
    sa.Column('buyer_may_review', sa.Boolean(), nullable=False),
    sa.Column('spared_if_reordered', sa.Boolean(), nullable=False),
    sa.Column('exempt_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'declined', 'applied', 'resolved')", name=op.f('ck_cancellation_requests_status')),
    sa.ForeignKeyConstraint(['initiator_id'], ['users.id'], name=op.f('fk_cancellation_requests_initiator_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_cancellation_requests_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cancellation_requests'))
    )
    with op.batch_alter_table('cancellation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellation_requests_order_id'), ['order_id'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('for_state', sa.String(length=25), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('scheduled', 'fired', 'cancelled')", name=op.f('ck_timers_state')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_timers_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index('ix_timers_order_kind', ['order_id', 'kind', 'state'], unique=False)
        batch_op.create_index('ix_timers_state_due', ['state', 'due_at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_completed', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('auto_completed')

    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_state_due')
        batch_op.drop_index('ix_timers_order_kind')

    op.drop_table('timers')
    with op.batch_alter_table('cancellation_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cancellation_requests_order_id'))

    op.drop_table('cancellation_requests')
