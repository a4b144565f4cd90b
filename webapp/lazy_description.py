"""A psycopg cursor whose `description` makes its Column objects only when something reads them.

psycopg builds `cursor.description` afresh on every read: a `Column` per column of the result, each decoding its
name and looking up its type. SQLAlchemy reads it after every statement that returns rows, but for a compiled
statement it has run before it keeps the result's metadata and only asks whether there is a description at all.
The order page's nine statements return about 220 columns (the joined order, its people and kwork): building their
Column objects was about 6 % of the instructions the page cost, the kwork page's 7 %.

`Cursor.description` answers with a `LazyDescription` of the current result: None where psycopg says None, and
otherwise a sequence that makes psycopg's own Column objects, from that result, the first time one is asked for
(a statement SQLAlchemy sees for the first time, `text()`, `exec_driver_sql`). It is installed as each psycopg
connection's `cursor_factory` (SQLAlchemy's documented way to choose the cursor class); server-side cursors
(`stream_results`) are psycopg's own. `tests/test_lazy_description.py` compares it with psycopg's description.
"""
from collections.abc import Sequence

import psycopg
from psycopg.pq import ExecStatus
from sqlalchemy import Engine, event

# The statuses after which psycopg describes a result that has no columns ("SELECT ;"), as BaseCursor.description.
_ROWS = frozenset(status for status in (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, getattr(ExecStatus, "TUPLES_CHUNK", None)) if status is not None)


class _ResultOf:
    """What psycopg's Column reads of a cursor (`pgresult`, `_encoding`, `adapters`), fixed to one result, so the
    columns can be made after the cursor has moved on."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, pgresult, encoding: str, adapters):
        self.pgresult, self._encoding, self.adapters = pgresult, encoding, adapters


class LazyDescription(Sequence):
    """psycopg's description of one result: its Column objects, made on first use."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result):
        self._cursor, self._result, self._columns = cursor, result, None

    def _made(self) -> list:
        if self._columns is None:
            source = _ResultOf(self._result, self._cursor._encoding, self._cursor.adapters)
            self._columns = [psycopg.Column(source, index) for index in range(self._result.nfields)]
            self._cursor = self._result = None
        return self._columns

    def __len__(self) -> int:
        return len(self._columns) if self._columns is not None else self._result.nfields

    def __getitem__(self, index):
        return self._made()[index]

    def __iter__(self):
        return iter(self._made())

    def __eq__(self, other) -> bool:
        return list(self._made()) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor):
    """psycopg's client cursor, with a description made when read (see the module's docstring)."""

    @property
    def description(self):
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return LazyDescription(self, result)
        return None


def install(engine: Engine) -> None:
    """Give every psycopg connection the engine opens this cursor class (SQLite has its own cursors)."""
    if engine.dialect.driver != "psycopg" or engine.dialect.is_async:
        return

    @event.listens_for(engine, "connect")
    def _lazy_descriptions(dbapi_connection, _record) -> None:
        dbapi_connection.cursor_factory = Cursor
