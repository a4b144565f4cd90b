"""Availability: an away period on the user (from, until, message) replaces the "Not taking new orders today"
switch, which never expired. A seller who had switched it off is away until the end of today (UTC), with the
timer that ends it: the switch said "today".

Revision ID: 0032
Revises: 0030
Create Date: 2026-11-29 21:00:00

"""
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("away_from", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("away_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("away_message", sa.Text(), nullable=False, server_default=""))
    now = datetime.now(timezone.utc)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=timezone.utc)
    users = sa.table("users", sa.column("id"), sa.column("accepting_orders"), sa.column("away_from", sa.DateTime(timezone=True)),
                     sa.column("away_until", sa.DateTime(timezone=True)))
    timers = sa.table("timers", sa.column("kind"), sa.column("order_id"), sa.column("for_state"), sa.column("ref_id"),
                      sa.column("due_at", sa.DateTime(timezone=True)), sa.column("state"),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    bind.execute(sa.insert(timers).from_select(
        ["kind", "order_id", "for_state", "ref_id", "due_at", "state", "created_at"],
        sa.select(sa.literal("away_end"), sa.null(), sa.literal("away"), users.c.id, sa.literal(tomorrow, sa.DateTime(timezone=True)),
                  sa.literal("scheduled"), sa.literal(now, sa.DateTime(timezone=True))).where(users.c.accepting_orders == sa.false()),
    ))
    bind.execute(sa.update(users).where(users.c.accepting_orders == sa.false()).values(away_from=now, away_until=tomorrow))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("accepting_orders")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("accepting_orders", sa.Boolean(), nullable=False, server_default=sa.true()))
    users = sa.table("users", sa.column("accepting_orders"), sa.column("away_until", sa.DateTime(timezone=True)))
    op.get_bind().execute(sa.update(users).where(users.c.away_until.is_not(None)).values(accepting_orders=False))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("away_message")
        batch.drop_column("away_until")
        batch.drop_column("away_from")
