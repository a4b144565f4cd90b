"""The pool's check that a PostgreSQL connection still works, for the price of one empty query.

Every request that reads the database first takes a connection from the pool, and `pool_pre_ping` (config.py) asks
it whether it still works, so a restarted or failed-over server costs no request its answer. SQLAlchemy's own ping
for psycopg switches the connection to autocommit, opens a cursor, runs `;` through psycopg's statement machinery and
switches autocommit back: about 0.1 ms of a web worker's CPU per request. An empty query sent straight through
libpq is the same round trip, answered by the server with EmptyQueryResponse, and opens no transaction.

A connection the server dropped fails it: libpq reports the error (or no result at all), the connection's status
turns bad, and SQLAlchemy's `is_disconnect` sees a closed connection, so the pool replaces it before the request
gets it – as with the ping it replaces. `tests/test_pool_ping.py` terminates a pooled connection's backend.
"""
import psycopg
from psycopg import pq
from sqlalchemy import Engine


def ping(dbapi_connection: psycopg.Connection) -> bool:
    """Whether the connection answers an empty query; raises psycopg.OperationalError when it does not."""
    result = dbapi_connection.pgconn.exec_(b"")  # raises OperationalError itself when nothing came back
    if result.status != pq.ExecStatus.EMPTY_QUERY:
        raise psycopg.OperationalError(f"the ping failed: {result.error_message.decode(errors='replace').strip()}")
    return True


def install(engine: Engine) -> None:
    """Use `ping` for the engine's pre-ping when it talks to PostgreSQL through psycopg (SQLite has no server to lose)."""
    if engine.dialect.driver == "psycopg" and not engine.dialect.is_async:
        engine.dialect.do_ping = ping
