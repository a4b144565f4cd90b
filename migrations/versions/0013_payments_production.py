"""Stripe top-ups (checkout, payment intent, refund), processed provider events, opaque voice repeat ids, sandbox
calls tied to their call

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("topups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider", sa.String(length=20), nullable=False, server_default="sandbox"))
        batch_op.add_column(sa.Column("checkout_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("payment_intent", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("refunded_amount", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("refund_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_topups_checkout_id"), ["checkout_id"], unique=True)

    op.create_table(
        "payment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("topup_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["topup_id"], ["topups.id"], name=op.f("fk_payment_events_topup_id_topups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
        sa.UniqueConstraint("provider", "event_id", name="uq_payment_events_provider_event_id"),
    )
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_events_topup_id"), ["topup_id"], unique=False)

    with op.batch_alter_table("voice_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repeat_token", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_voice_codes_repeat_token"), ["repeat_token"], unique=True)

    with op.batch_alter_table("sandbox_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_sid", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_sandbox_calls_call_sid"), ["call_sid"], unique=False)


def downgrade():
    with op.batch_alter_table("sandbox_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_calls_call_sid"))
        batch_op.drop_column("call_sid")
    with op.batch_alter_table("voice_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_codes_repeat_token"))
        batch_op.drop_column("repeat_token")
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_events_topup_id"))
    op.drop_table("payment_events")
    with op.batch_alter_table("topups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topups_checkout_id"))
        for column in ("refunded_at", "refund_id", "refunded_amount", "payment_intent", "checkout_id", "provider"):
            batch_op.drop_column(column)
