"""The schema as the migrations build it (on SQLite here, on PostgreSQL in CI's second pass)."""
from sqlalchemy import inspect

from webapp.extensions import db


def test_every_foreign_key_is_indexed(ctx):
    """A page that loads through a foreign key ("the options of this tier", "the orders of this user"), and every
    delete of a referenced row, scans the whole referencing table unless the key's columns begin some index (a
    primary key, an index or a unique constraint). tier_options.option_id without one made the kwork page scan
    70,000 rows at benchmark size. A new table's foreign keys get their index in the migration that creates it."""
    inspector = inspect(db.engine)
    unindexed = []
    for table in inspector.get_table_names():
        if table.startswith(("kworks_fts", "alembic_")):
            continue
        leading = [inspector.get_pk_constraint(table)["constrained_columns"]]
        leading += [index["column_names"] for index in inspector.get_indexes(table)]
        leading += [unique["column_names"] for unique in inspector.get_unique_constraints(table)]
        for key in inspector.get_foreign_keys(table):
            columns = key["constrained_columns"]
            if not any(existing[: len(columns)] == columns for existing in leading):
                unindexed.append(f"{table}({', '.join(columns)}) -> {key['referred_table']}")
    assert unindexed == []
