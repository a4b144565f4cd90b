"""Set-based writes of many rows in one statement (a timer batch's hundreds of orders, postings, events).

On PostgreSQL the rows travel as one array per column, unnested by the server: the statement is short and the
same whatever the number of rows, so psycopg parses it once and sends it once. An executemany would go row by row
(psycopg pipelines an UPDATE's rows one message each) and an INSERT's VALUES list is a new statement of thousands
of placeholders each time, which psycopg parses in Python. Elsewhere (SQLite, in process) an executemany is
already one loop in C, and is what these helpers run.
"""

from sqlalchemy import Table, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _unnested(table: Table, names: list[str], rows: list[dict]):
    """The rows as a derived table of unnest(one array per column) whose columns are named `names`."""
    arrays = (bindparam(f"v_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)) for name in names)
    return func.unnest(*arrays).table_valued(*names).render_derived()


def among(column, values):
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`: one parameter rather than one per value, so the
    statement is the same for any number of values (SQLAlchemy expands nothing, psycopg parses it once)."""
    values = list(values)
    if _on_postgresql():
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(table: Table, rows: list[dict], *, returning: tuple = ()):
    """INSERT `rows` (dicts with the same keys, column names of `table`) in one statement; with `returning`
    (columns of `table`), the Result of those columns for the new rows, in no particular order."""
    if not rows:
        return None
    if _on_postgresql():
        names = list(rows[0])
        unnested = _unnested(table, names, rows)
        statement = insert(table).from_select(names, select(*(unnested.c[name] for name in names)))
        return db.session.execute(statement.returning(*returning) if returning else statement)
    statement = insert(table).returning(*returning) if returning else insert(table)
    return db.session.execute(statement, rows)


def update_rows(table: Table, rows: list[dict]) -> int:
    """UPDATE the rows of `table` whose id is a row's "id", setting the other keys of the row (column names) to its
    values, in one statement; returns how many rows were updated. Only for rows already locked in this transaction
    (the statement's join locks them in no set order)."""
    if not rows:
        return 0
    names = list(rows[0])
    columns = [name for name in names if name != "id"]
    if _on_postgresql():
        unnested = _unnested(table, names, rows)
        statement = update(table).where(table.c.id == unnested.c.id).values({name: unnested.c[name] for name in columns})
        return db.session.execute(statement).rowcount
    statement = update(table).where(table.c.id == bindparam("v_id")).values({name: bindparam(f"v_{name}") for name in columns})
    return db.session.execute(statement, [{f"v_{name}": row[name] for name in names} for row in rows]).rowcount
