"""Which statements each page runs, whether any is a lazy load from a template, and (on PostgreSQL) whether any of
them scans a table end to end.

The statements are captured from real requests through the Flask test client, so the check follows the code:
a new filter or sort on a page is explained without anyone listing it here. Each statement is explained with
sequential scans switched off (`enable_seqscan`), so the planner takes an index wherever one can answer: a scan
that remains is one no index serves, on any table, however few rows the benchmark gave it (reading a small table
whole is the right plan today and a scan of every row once it grows). The small reference tables, like categories,
are read whole by design.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import g
from sqlalchemy import event

from webapp import lazy_loads
from webapp.extensions import db

SMALL_TABLES = ("categories", "alembic_version")  # a few rows each: scanning them whole is the plan


@dataclass(frozen=True)
class PagePlan:
    queries: int
    seq_scans: list[str]  # "kworks: SELECT … (first characters)" for each sequential scan
    lazy_loads: list[str]  # "Order.kwork" for each relationship loaded on first use while the page was built


def capture(app, path: str, user_id: int | None) -> tuple[list[tuple[str, object]], list[str]]:
    """The reads (SELECT or WITH) one GET of `path` runs (as `user_id`, or a visitor) and the lazy loads among them."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # a WITH may begin a read too (EXPLAIN runs nothing)
            statements.append((statement, parameters))

    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            from webapp.models import User
            from webapp.services import sessions

            _row, token = sessions.start(db.session.get(User, user_id), remember=False, user_agent="bench", address="127.0.0.1",
                                         now=datetime.now(timezone.utc))  # fmt: skip
        with client.session_transaction() as session:
            session["_user_id"] = f"{user_id}:{token}"
            session["_fresh"] = True
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            g.pop("_login_user", None)
            with lazy_loads.recorded() as lazy:
                response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return statements, lazy


def plan(app, path: str, user_id: int | None) -> PagePlan:
    statements, lazy = capture(app, path, user_id)
    scans = []
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # for this transaction: the EXPLAINs below
            for statement, parameters in statements:
                lines = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
                for line in lines:
                    if (found := re.search(r"Seq Scan on (\w+)", line)) and found.group(1) not in SMALL_TABLES:
                        scans.append(f"{found.group(1)}: {' '.join(statement.split())[:110]}")
    return PagePlan(queries=len(statements), seq_scans=scans, lazy_loads=lazy)
