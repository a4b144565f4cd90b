"""An index for every foreign key: pages load through them (the options of a tier, the messages of an author) and
deleting a referenced row checks them; without an index each is a scan of the whole table (tier_options.option_id
made the kwork page scan 70,000 rows at benchmark size). tests/test_schema.py keeps every later key indexed.

Revision ID: 0030
Revises: 0022
Create Date: 2026-11-29 21:00:00

"""
from alembic import op

revision = "0030"
down_revision = "0022"
branch_labels = None
depends_on = None

FOREIGN_KEYS = [  # (table, column), named ix_<table>_<column> as the metadata's naming convention does
    ("blocks", "buyer_id"),
    ("cancellation_requests", "initiator_id"),
    ("checkout_drafts", "kwork_id"),
    ("conversation_members", "other_id"),
    ("conversation_messages", "author_id"),
    ("conversation_messages", "offer_id"),
    ("conversations", "kwork_id"),
    ("conversations", "started_by_id"),
    ("disputes", "decided_by_id"),
    ("disputes", "opened_by_id"),
    ("message_reports", "closed_by_id"),
    ("message_reports", "conversation_id"),
    ("message_reports", "reporter_id"),
    ("notifications", "order_id"),
    ("offers", "buyer_id"),
    ("offers", "kwork_id"),
    ("offers", "order_id"),
    ("offers", "seller_id"),
    ("order_events", "actor_id"),
    ("order_messages", "author_id"),
    ("orders", "repeat_of_id"),
    ("payout_changes", "detail_id"),
    ("reviews", "buyer_id"),
    ("tier_options", "option_id"),
    ("voice_codes", "payout_change_id"),
    ("withdrawals", "detail_id"),
    ("work_disputes", "answer_id"),
    ("work_disputes", "decided_by_id"),
    ("work_disputes", "opened_by_id"),
    ("work_disputes", "statement_id"),
]


def upgrade():
    for table, column in FOREIGN_KEYS:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column in reversed(FOREIGN_KEYS):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
