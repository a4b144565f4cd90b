"""ledger, orders, messages, reviews, top-ups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:03:48.470171

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='Europe/Moscow', nullable=False))
    op.create_table('ledger_postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_postings')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_postings_idempotency_key'))
    )
    accounts = op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('allow_negative', sa.Boolean(), nullable=False),
    sa.CheckConstraint('allow_negative OR balance >= 0', name=op.f('ck_ledger_accounts_no_overdraft')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ledger_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_user_id'), ['user_id'], unique=False)

    op.create_table('topups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_topups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topups')),
    sa.UniqueConstraint('reference', name=op.f('uq_topups_reference'))
    )
    with op.batch_alter_table('topups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topups_user_id'), ['user_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['posting_id'], ['ledger_postings.id'], name=op.f('fk_ledger_entries_posting_id_ledger_postings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_posting_id'), ['posting_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=False),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.Column('checkout_token', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=25), nullable=False),
    sa.Column('tier_level', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('tier_description', sa.String(length=200), nullable=False),
    sa.Column('included_options', sa.JSON(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('delivery_days', sa.Integer(), nullable=False),
    sa.Column('revisions_included', sa.Integer(), nullable=False),
    sa.Column('revisions_used', sa.Integer(), nullable=False),
    sa.Column('buyer_instructions', sa.Text(), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requirements_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('awaiting_requirements', 'new', 'in_work', 'delivered', 'revision', 'completed', 'cancelled')", name=op.f('ck_orders_state')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_orders_buyer_id_users')),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_orders_kwork_id_kworks')),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['orders.id'], name=op.f('fk_orders_repeat_of_id_orders')),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_orders_seller_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('checkout_token', name=op.f('uq_orders_checkout_token'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_buyer_state', ['buyer_id', 'state', 'created_at'], unique=False)
        batch_op.create_index('ix_orders_kwork_completed', ['kwork_id', 'state', 'completed_at'], unique=False)
        batch_op.create_index('ix_orders_seller_state', ['seller_id', 'state', 'created_at'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=25), nullable=True),
    sa.Column('to_state', sa.String(length=25), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_order_events_actor_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id'), ['order_id'], unique=False)

    op.create_table('order_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('message', 'requirements', 'delivery', 'revision_request')", name=op.f('ck_order_messages_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_order_messages_author_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_messages_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_messages'))
    )
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_messages_order_id'), ['order_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_reviews_buyer_id_users')),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_reviews_kwork_id_kworks')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_reviews_order_id_orders')),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_reviews_seller_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('order_id', name='uq_reviews_order_id')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_kwork_id'), ['kwork_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_seller_id'), ['seller_id'], unique=False)

    op.create_table('order_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['order_messages.id'], name=op.f('fk_order_attachments_message_id_order_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_order_attachments_stored_name'))
    )
    with op.batch_alter_table('order_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_attachments_message_id'), ['message_id'], unique=False)


    # The accounts money comes from and goes to, and a wallet for every existing user.
    op.bulk_insert(
        accounts,
        [
            {"code": "external:topup", "balance": 0, "allow_negative": True},
            {"code": "external:payout", "balance": 0, "allow_negative": True},
            {"code": "platform:commission", "balance": 0, "allow_negative": False},
        ],
    )
    op.execute(
        "INSERT INTO ledger_accounts (code, user_id, balance, allow_negative) "
        "SELECT 'wallet:' || id, id, 0, false FROM users"
    )

def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('order_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_attachments_message_id'))

    op.drop_table('order_attachments')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_seller_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_kwork_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_messages_order_id'))

    op.drop_table('order_messages')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_order_id'))

    op.drop_table('order_events')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_seller_state')
        batch_op.drop_index('ix_orders_kwork_completed')
        batch_op.drop_index('ix_orders_buyer_state')

    op.drop_table('orders')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_posting_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_account_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('topups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topups_user_id'))

    op.drop_table('topups')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_user_id'))

    op.drop_table('ledger_accounts')
    op.drop_table('ledger_postings')
