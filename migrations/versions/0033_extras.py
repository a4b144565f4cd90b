"""Paid extras: a kwork's extras, the extras an order bought (snapshot rows), the extras a checkout draft keeps.

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-29 21:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kwork_extras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kwork_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("quantity_allowed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kwork_id"], ["kworks.id"], name=op.f("fk_kwork_extras_kwork_id_kworks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kwork_extras")),
    )
    op.create_index(op.f("ix_kwork_extras_kwork_id"), "kwork_extras", ["kwork_id"])
    op.create_table(
        "order_extras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_extras_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_extras")),
    )
    op.create_index(op.f("ix_order_extras_order_id"), "order_extras", ["order_id"])
    with op.batch_alter_table("checkout_drafts") as batch:
        batch.add_column(sa.Column("extras", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("checkout_drafts") as batch:
        batch.drop_column("extras")
    op.drop_index(op.f("ix_order_extras_order_id"), table_name="order_extras")
    op.drop_table("order_extras")
    op.drop_index(op.f("ix_kwork_extras_kwork_id"), table_name="kwork_extras")
    op.drop_table("kwork_extras")
