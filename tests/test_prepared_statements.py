"""A transaction that only read is committed at the end of its app context, so that psycopg keeps the statements it
prepared on PostgreSQL (a rollback makes it forget them all); one that wrote, or holds a change not yet flushed, is
rolled back as before (webapp/prepared_statements.py)."""
import os
from contextlib import nullcontext
import threading

import pytest
from sqlalchemy import event, select, text, update

from webapp.extensions import db
from webapp.models import User
from webapp.prepared_statements import is_read

needs_postgres = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"),
                                    reason="statements are prepared on PostgreSQL only")


@pytest.mark.parametrize(("statement", "read"), [
    ("SELECT users.id FROM users", True),
    ("\n  select updated_at, deleted_at FROM kworks", True),
    ("SELECT id FROM orders WHERE id = 1 FOR UPDATE", True),
    ("WITH found AS (SELECT id FROM kworks) SELECT count(*) FROM found", True),
    ("WITH x AS (SELECT updated_at, deleted_at, inserted FROM kworks) SELECT * FROM x", True),
    ("WITH moved AS (UPDATE users SET level = 'new' RETURNING id) SELECT * FROM moved", False),
    ("with gone as (delete from timers returning id) select * from gone", False),
    ("WITH locked AS (SELECT id FROM orders FOR UPDATE) SELECT * FROM locked", False),
    ("INSERT INTO users (email) VALUES ('a')", False),
    ("UPDATE users SET level = 'new'", False),
    ("DELETE FROM timers", False),
    ("SET LOCAL statement_timeout = 1000", False),
    ("SELECTED", False),
    ("SELECT 1; UPDATE users SET level = 'new'", False),
    ("SELECT * INTO copied FROM users", False),
    ("select * into copied from users", False),
    ("WITH x AS (SELECT id FROM users) SELECT * INTO copied FROM x", False),
    ("WITH x AS (SELECT kworks.deleted_at, kworks.updated_at AS inserted_into FROM kworks) SELECT * FROM x", True),
    ("WITHOUT", False),
    ("BEGIN", False),
])  # fmt: skip
def test_is_read(statement, read):
    assert is_read(statement) is read


@pytest.fixture
def endings(app):
    """"commit" and "rollback" for each end of a transaction on the app's engine."""
    seen = []
    with app.app_context():
        engine = db.engine
    commit, rollback = (lambda connection: seen.append("commit")), (lambda connection: seen.append("rollback"))
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    yield seen
    event.remove(engine, "commit", commit)
    event.remove(engine, "rollback", rollback)


def _user_id(make_user) -> int:
    user = make_user()
    db.session.commit()
    return user.id


def test_only_reads_end_in_a_commit_on_postgresql_and_a_rollback_elsewhere(app, make_user, endings):
    user_id = _user_id(make_user)
    endings.clear()
    with app.app_context():
        db.session.scalar(select(User.display_name).where(User.id == user_id))
        db.session.execute(text("WITH u AS (SELECT id FROM users) SELECT count(*) FROM u")).scalar()
    assert endings == (["commit"] if db.engine.dialect.name == "postgresql" else ["rollback"])


@pytest.mark.parametrize("write", ["core update", "with update", "pending change", "flushed change", "error"])
def test_a_transaction_that_wrote_is_rolled_back_as_before(app, make_user, endings, write):
    if write == "with update" and db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no data-modifying WITH")
    user_id = _user_id(make_user)
    endings.clear()
    with pytest.raises(RuntimeError) if write == "error" else nullcontext():
        with app.app_context():
            user = db.session.get(User, user_id)
            if write == "core update":
                db.session.execute(update(User).where(User.id == user_id).values(display_name="Written"))
            elif write == "with update":
                db.session.execute(text("WITH moved AS (UPDATE users SET display_name = 'Written' WHERE id = :id RETURNING id) "
                                        "SELECT count(*) FROM moved"), {"id": user_id})  # fmt: skip
            elif write == "pending change":
                user.display_name = "Written"  # never flushed: a commit here would write it
            elif write == "flushed change":
                user.display_name = "Written"
                db.session.flush()
            else:
                db.session.execute(update(User).where(User.id == user_id).values(display_name="Written"))
                raise RuntimeError("the request failed")
    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.get(User, user_id).display_name != "Written"
        db.session.remove()


@needs_postgres
def test_pages_keep_their_prepared_statements_and_a_search_is_planned_with_its_words(app, make_user, make_kwork):
    """Seven views of a kwork page and of a search on one pooled connection, served as a web worker serves them
    (each request its own app context; here the test's own is pushed, so they run in a thread of their own):
    psycopg prepared the page's statements on the fifth and they are still there. The catalog's text search is
    never prepared: a plan for any words ranked too many kworks."""
    kwork = make_kwork(make_user(), title="Server setup and hardening")
    db.session.commit()
    kwork_id = kwork.id
    db.session.remove()
    db.engine.dispose()  # one connection from here on, reused by each request in turn
    answers = []

    def serve():
        client = app.test_client()
        for _ in range(7):
            answers.append(client.get(f"/catalog/kworks/{kwork_id}").status_code)
            answers.append(client.get("/catalog/?q=server+setup").status_code)
        with app.app_context():
            answers.append(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all())

    worker = threading.Thread(target=serve)
    worker.start()
    worker.join(timeout=60)
    *statuses, prepared = answers
    assert statuses == [200] * 14
    assert any("FROM kworks" in statement for statement in prepared), prepared
    assert not any("to_tsquery" in statement for statement in prepared), prepared


@needs_postgres
def test_a_connection_lost_during_a_request_that_showed_what_it_could_is_left_to_the_rollback(app, make_user):
    """A page that catches the database's failure and renders anyway (the header counts, the inbox poll) ends with
    a broken connection: the teardown neither raises nor keeps the session, as before."""
    user_id = _user_id(make_user)
    with app.app_context():
        other = db.engine.connect()
    try:
        with app.app_context():
            db.session.get(User, user_id)
            backend = db.session.scalar(text("SELECT pg_backend_pid()"))
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            with pytest.raises(Exception):  # noqa: B017 - psycopg's OperationalError, as SQLAlchemy wraps it
                db.session.scalar(text("SELECT 1"))
            registry, scope = db.session.registry, db.session.registry.scopefunc()
        assert scope not in registry.registry  # Flask-SQLAlchemy removed the request's session
    finally:
        other.close()
    with app.app_context():
        assert db.session.get(User, user_id) is not None  # the pool gives a working connection again
        db.session.remove()
