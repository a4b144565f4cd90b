"""A race harness: contenders in threads, each with its own app context, session and database connection, started
together by a barrier.

A contender is a function that first reads what a view would have read (the order, the viewer) and returns the
action to run; every thread prepares, checks out its connection, then waits at the barrier, so the actions start at
the same instant and conflict for real in the database. SQLite serialises writers, so this proves something only on
PostgreSQL (`needs_postgres`). A contender must not touch the test's own objects (they belong to the test's session):
read the ids in the test, and load the rows inside the contender.
"""
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from webapp.extensions import db

needs_postgres = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
    reason="races are proven with parallel connections on PostgreSQL (SQLite serialises every writer)",
)


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def race(app, *contenders: Callable[[], Callable[[], object]], timeout: float = 60) -> list[Outcome]:
    """Run every contender's action at once; returns their outcomes in order (the value, or the error raised)."""
    barrier = threading.Barrier(len(contenders), timeout=timeout)
    outcomes = [Outcome() for _ in contenders]

    def run(slot: Outcome, contender) -> None:
        with app.app_context():
            try:
                action = contender()
                db.session.connection()  # this thread's own connection, taken before the start
                barrier.wait()
                slot.value = action()
            except BaseException as error:  # noqa: BLE001 - the outcome records whatever happened
                db.session.rollback()
                slot.error = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(slot, contender), daemon=True) for slot, contender in zip(outcomes, contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a contender never finished (deadlock?)"
    db.session.rollback()  # the test's own session reads what the contenders committed
    db.session.expire_all()
    return outcomes


def winners(outcomes: list[Outcome]) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.ok]
