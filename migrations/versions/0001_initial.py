"""accounts, categories, kworks, tiers, options, portfolio

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 04:49:21.972822

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# Reference data, frozen here: later changes to categories get migrations of their own.
CATEGORIES = [
    ("design", "Design"),
    ("programming", "Programming and IT"),
    ("writing", "Writing and translation"),
    ("marketing", "Marketing and SEO"),
    ("video-audio", "Video and audio"),
    ("business", "Business and admin"),
]


def upgrade():
    categories = op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('working_hours', sa.String(length=120), nullable=False),
    sa.Column('accepting_orders', sa.Boolean(), nullable=False),
    sa.Column('active_role', sa.String(length=10), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('kworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('buyer_instructions', sa.Text(), nullable=False),
    sa.Column('is_packaged', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'pending', 'active', 'paused', 'rejected')", name=op.f('ck_kworks_status')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_kworks_category_id_categories')),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_kworks_seller_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kworks'))
    )
    with op.batch_alter_table('kworks', schema=None) as batch_op:
        batch_op.create_index('ix_kworks_category_status', ['category_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_kworks_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('ix_kworks_status_created', ['status', 'created_at'], unique=False)

    op.create_table('kwork_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_kwork_options_kwork_id_kworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kwork_options'))
    )
    with op.batch_alter_table('kwork_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kwork_options_kwork_id'), ['kwork_id'], unique=False)

    op.create_table('portfolio_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('image_name', sa.String(length=80), nullable=True),
    sa.Column('link_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('(image_name IS NULL) <> (link_url IS NULL)', name=op.f('ck_portfolio_items_image_xor_link')),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_portfolio_items_kwork_id_kworks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_portfolio_items_seller_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_items'))
    )
    with op.batch_alter_table('portfolio_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_items_kwork_id'), ['kwork_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_items_seller_id'), ['seller_id'], unique=False)

    op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kwork_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=True),
    sa.Column('delivery_days', sa.Integer(), nullable=True),
    sa.Column('revisions', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.CheckConstraint("level IN ('economy', 'standard', 'business')", name=op.f('ck_tiers_level')),
    sa.ForeignKeyConstraint(['kwork_id'], ['kworks.id'], name=op.f('fk_tiers_kwork_id_kworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('kwork_id', 'level', name='uq_tiers_kwork_level')
    )
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.create_index('ix_tiers_level_price', ['level', 'price'], unique=False)

    op.create_table('tier_options',
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['kwork_options.id'], name=op.f('fk_tier_options_option_id_kwork_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_tier_options_tier_id_tiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tier_id', 'option_id', name=op.f('pk_tier_options'))
    )

    op.bulk_insert(
        categories,
        [{"slug": slug, "name": name, "position": position} for position, (slug, name) in enumerate(CATEGORIES)],
    )

def downgrade():
    op.drop_table('tier_options')
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.drop_index('ix_tiers_level_price')

    op.drop_table('tiers')
    with op.batch_alter_table('portfolio_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_items_seller_id'))
        batch_op.drop_index(batch_op.f('ix_portfolio_items_kwork_id'))

    op.drop_table('portfolio_items')
    with op.batch_alter_table('kwork_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kwork_options_kwork_id'))

    op.drop_table('kwork_options')
    with op.batch_alter_table('kworks', schema=None) as batch_op:
        batch_op.drop_index('ix_kworks_status_created')
        batch_op.drop_index(batch_op.f('ix_kworks_seller_id'))
        batch_op.drop_index('ix_kworks_category_status')

    op.drop_table('kworks')
    op.drop_table('users')
    op.drop_table('categories')
