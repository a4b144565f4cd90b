"""The pool's pre-ping on PostgreSQL is one empty query (webapp/pool_ping.py): it passes on a working connection,
opens no transaction, and a connection whose server process is gone is replaced before a request gets it."""
import os

import psycopg
import pytest
from sqlalchemy import text

from webapp import pool_ping
from webapp.extensions import db

needs_postgres = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
                                    reason="the empty-query ping is PostgreSQL's")


@needs_postgres
def test_the_engine_pings_with_an_empty_query(app):
    with app.app_context():
        assert db.engine.dialect.do_ping is pool_ping.ping
        with db.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            connection.rollback()
            assert pool_ping.ping(raw) is True
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # no transaction was opened
            assert connection.scalar(text("SELECT 41 + 1")) == 42  # and psycopg carries on as before


@needs_postgres
def test_a_connection_whose_server_process_ended_is_replaced_before_use(app):
    with app.app_context():
        with db.engine.connect() as connection:
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
            raw = connection.connection.dbapi_connection
        # Back in the pool; its server process is ended from another connection, as a restart or a failover would.
        url = db.engine.url.set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError):
            pool_ping.ping(raw)
        assert raw.closed
        assert db.engine.dialect.is_disconnect(psycopg.OperationalError("gone"), raw, None)
        with db.engine.connect() as connection:  # the pool pinged, saw the disconnect and connected again
            assert connection.scalar(text("SELECT pg_backend_pid()")) != pid


def test_sqlite_keeps_sqlalchemys_own_ping(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.engine.dialect.do_ping is not pool_ping.ping
