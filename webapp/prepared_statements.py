"""PostgreSQL keeps the statements a web worker prepares from one request to the next.

psycopg prepares a statement on the server once a connection has run it five times (`prepare_threshold`); later runs
skip parsing and planning. Planning is most of what a page costs the server: the order page's one joined load of the
order, its people, review, cancellation and extras takes 0.7 ms to plan and 0.08 ms to run. But psycopg forgets
every prepared statement on ROLLBACK (a rolled-back DDL may have changed what they refer to) and sends DEALLOCATE ALL,
and every request ended in one: Flask-SQLAlchemy closes the session when the app context ends, which rolls back the
transaction its reads began. So no statement was ever prepared, and every page was planned afresh.

A transaction that only read leaves the database the same whether it is committed or rolled back. So when an app
context ends without an error, a PostgreSQL transaction that ran nothing but reads (`is_read`) and holds no pending
ORM change is committed (`commit_reads`), and the prepared statements stay. Anything else – a write, DDL, a statement
not known to be a read, an error – is rolled back by Flask-SQLAlchemy as before.

A statement whose best plan depends on its values – the catalog's text search, where a plan for any words cannot
know how many kworks these words match – is run unprepared with `.execution_options(prepare_on_server=False)`
(`_execute_unprepared`), so PostgreSQL plans it with its values each time, as before.

A deploy that changes a column's type while old workers run may make their prepared statements fail once on each
pooled connection ("cached plan must not change result type"); the README's production section restarts the
workers after migrating.

What was written is known per database connection (`WROTE` in its `info`), reset when the session's transaction
takes the connection: the app has one session per app context (`db.session`). A second Session sharing that
connection would reset it too and needs its own tracking first.
"""
import logging
import re

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

WROTE = "gigsmith_wrote"  # Connection.info key: this transaction ran a statement that is not a read
_HEAD = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_MODIFYING = ("INSERT", "UPDATE", "DELETE", "MERGE", "INTO")


def is_read(statement: str) -> bool:
    """Whether the SQL text only reads: one statement (no `;`), a SELECT without INTO (which creates a table), or a
    WITH none of whose parts modifies data (`WITH moved AS (UPDATE …) SELECT …`) or selects INTO. A locking
    `… FOR UPDATE` in a WITH counts as a write, to be safe. The checks are plain substring searches: this runs for
    every statement, and a regular expression over a 3 KB column list cost about 90 µs."""
    head = _HEAD.match(statement)
    if head is None or ";" in statement:
        return False
    if head.group(1).upper() == "SELECT":
        # SQLAlchemy writes keywords in capitals and names in small letters; raw SQL may write either.
        return "INTO" not in statement and " into " not in statement.lower()
    return not _has_keyword(statement.upper(), _MODIFYING)


def _has_keyword(upper: str, words) -> bool:
    """Whether any of `words` stands in `upper` as a word of its own (not part of a name such as DELETED_AT)."""
    for word in words:
        start = upper.find(word)
        while start != -1:
            end = start + len(word)
            before = upper[start - 1] if start else " "
            after = upper[end] if end < len(upper) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return True
            start = upper.find(word, end)
    return False


def register(app: Flask, db) -> None:
    """Listen to every engine's statements and commit read-only transactions at the end of each app context. Must
    run after db.init_app: Flask calls teardown functions in reverse order, so this one runs before
    Flask-SQLAlchemy's session.remove()."""
    app.teardown_appcontext(lambda error: commit_reads(db, error))


def commit_reads(db, error) -> None:
    """Commit the scoped session's transaction on its connections if it ran only reads on PostgreSQL and has nothing
    pending (see the module's docstring). The connections are committed, not the Session: its commit hooks (the
    outbox, uploads) are for work that wrote, and its objects need no expiring, as the session is removed next.
    Never raises: a teardown that raised would keep Flask-SQLAlchemy's from removing the session, and a connection
    that broke during the request (a page that shows what it can when the database fails to answer) is left to
    that removal, which rolls back as it always did."""
    try:
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        transaction = session.get_transaction()
        if transaction is None or not transaction.is_active or session.info.get(_TRACKED) is not transaction:
            return
        if session.new or session.dirty or session.deleted:
            return
        connections = session.info[_CONNECTIONS]
        for connection in connections:
            if connection.closed or connection.invalidated or not connection.in_transaction():
                return
            if connection.dialect.name != "postgresql" or connection.info.get(WROTE, True):
                return
        for connection in connections:
            connection.commit()
    except Exception:  # noqa: BLE001 - see above: Flask-SQLAlchemy's remove() rolls back
        log.warning("a read-only transaction was not committed; it is rolled back instead", exc_info=True)


_TRACKED, _CONNECTIONS = "reads_tracked_transaction", "reads_tracked_connections"  # Session.info keys


@event.listens_for(Session, "after_begin")
def _transaction_began(session, transaction, connection) -> None:
    """A session's transaction took a connection: it has not written on it yet. A savepoint within the transaction
    (which has a parent) uses the same connection and leaves what it ran before counted."""
    if transaction.parent is not None:
        return
    if session.info.get(_TRACKED) is not transaction:
        session.info[_TRACKED], session.info[_CONNECTIONS] = transaction, []
    connection.info[WROTE] = False
    session.info[_CONNECTIONS].append(connection)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not is_read(statement):
        connection.info[WROTE] = True


@event.listens_for(Engine, "do_execute")
def _execute_unprepared(cursor, statement, parameters, context):
    """Run a statement marked `prepare_on_server=False` without preparing it (psycopg's `prepare=False`)."""
    if (context.execution_options.get("prepare_on_server", True) is False and context.dialect.driver == "psycopg"
            and not context.execution_options.get("stream_results")):  # a server-side cursor is never prepared  # fmt: skip
        cursor.execute(statement, parameters, prepare=False)
        return True
    return None
