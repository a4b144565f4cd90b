"""voice codes, security events, sandbox calls, phone

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:05:47.175068

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sandbox_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('to', sa.String(length=20), nullable=False),
    sa.Column('from_number', sa.String(length=20), nullable=False),
    sa.Column('twiml', sa.Text(), nullable=False),
    sa.Column('spoken', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_calls'))
    )
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_security_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_user_id'), ['user_id'], unique=False)

    op.create_table('voice_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'calling', 'answered', 'failed', 'confirmed', 'expired', 'cancelled')", name=op.f('ck_voice_codes_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_voice_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_codes'))
    )
    with op.batch_alter_table('voice_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_codes_call_sid'), ['call_sid'], unique=False)
        batch_op.create_index('ix_voice_codes_phone_created', ['phone', 'created_at'], unique=False)
        batch_op.create_index('ix_voice_codes_user_created', ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone_verified_at')
        batch_op.drop_column('phone')

    with op.batch_alter_table('voice_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_voice_codes_user_created')
        batch_op.drop_index('ix_voice_codes_phone_created')
        batch_op.drop_index(batch_op.f('ix_voice_codes_call_sid'))

    op.drop_table('voice_codes')
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_events_user_id'))

    op.drop_table('security_events')
    op.drop_table('sandbox_calls')
