"""On PostgreSQL each connection's cursors describe their results lazily (webapp/lazy_description.py): the same
description psycopg gives, made when read, from the result it was asked about."""
import os

import psycopg
import pytest
from sqlalchemy import text

from webapp import lazy_description
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
                                reason="psycopg's cursors are PostgreSQL's")

QUERY = "SELECT 1 AS id, 'a'::varchar(20) AS name, now() AS at, 2.5::numeric(6, 2) AS price, ARRAY[1, 2] AS ids"


def _described(cursor) -> list[tuple]:
    return [(c.name, c.type_code, c.display_size, c.internal_size, c.precision, c.scale, c.null_ok) for c in cursor.description]


def test_the_description_is_psycopgs_own(app):
    with app.app_context(), db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw.cursor(), lazy_description.Cursor)
        ours, theirs = raw.cursor(), psycopg.Cursor(raw)
        ours.execute(QUERY)
        theirs.execute(QUERY)
        assert len(ours.description) == 5  # psycopg's Column objects compare by identity: their fields are compared below
        assert _described(ours) == _described(theirs) and [c.type_display for c in ours.description] == [c.type_display for c in theirs.description]
        ours.execute("SELECT ;")  # rows of no columns: described, and empty
        assert ours.description is not None and len(ours.description) == 0 and list(ours.description) == []
        ours.execute("SET LOCAL statement_timeout = 5000")  # no rows at all: no description
        assert ours.description is None


def test_a_description_read_later_describes_its_own_result(app):
    with app.app_context(), db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute(QUERY)
        first = cursor.description
        cursor.execute("SELECT 'x' AS other")
        assert [column.name for column in first] == ["id", "name", "at", "price", "ids"]
        assert [column.name for column in cursor.description] == ["other"]


def test_sqlalchemy_reads_names_and_rows_through_it(app):
    with app.app_context():
        row = db.session.execute(text(QUERY)).mappings().one()
        assert (row["id"], row["name"], str(row["price"]), row["ids"]) == (1, "a", "2.50", [1, 2])
        db.session.rollback()
