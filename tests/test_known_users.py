"""The logged-in user's row kept between their requests (webapp/known_users.py): read once, then from memory
until a committed write to it, from this process or any other, moves its version on."""
import pytest
from flask import g
from sqlalchemy import update

from webapp import known_users
from webapp.extensions import db
from webapp.models import User


def selects(statements: list[str]) -> list[str]:
    return [statement for statement in statements if statement.startswith("SELECT")]


@pytest.fixture
def fresh_request_load(app):
    def load(user_id: int, method: str = "GET") -> User:
        """What the next request's user loader gets: its session starts empty."""
        db.session.remove()
        with app.test_request_context("/", method=method):
            return known_users.load(user_id)

    return load


def test_a_user_is_read_once_then_kept(make_user, statements, fresh_request_load):
    user_id = make_user("Anna").id
    fresh_request_load(user_id)
    statements.clear()
    kept = fresh_request_load(user_id)
    assert selects(statements) == [] and kept.display_name == "Anna" and kept in db.session
    kept.timezone = "Asia/Tokyo"  # the copy belongs to this request's session: its changes are written as usual
    db.session.commit()
    assert fresh_request_load(user_id).timezone == "Asia/Tokyo"


def test_a_change_from_another_process_is_read_at_once(make_user, statements, fresh_request_load):
    """A bulk statement naming no scope moves "all" on, as a write from an admin's process does."""
    user_id = make_user("Anna").id
    fresh_request_load(user_id)
    db.session.execute(update(User).where(User.id == user_id).values(display_name="Anna K."))
    db.session.commit()
    statements.clear()
    assert fresh_request_load(user_id).display_name == "Anna K." and len(selects(statements)) == 1


def test_what_a_request_changed_and_rolled_back_never_reaches_the_kept_row(make_user, fresh_request_load):
    user_id = make_user("Anna").id
    fresh_request_load(user_id).display_name = "Mallory"
    db.session.rollback()
    assert fresh_request_load(user_id).display_name == "Anna"


def test_without_redis_the_user_is_read_every_time(make_user, statements, monkeypatch, fresh_request_load):
    user_id = make_user("Anna").id
    monkeypatch.setattr(known_users.page_cache, "versions", lambda *scopes: None)
    fresh_request_load(user_id)
    statements.clear()
    assert fresh_request_load(user_id).display_name == "Anna" and len(selects(statements)) == 1


def test_a_suspension_ends_a_session_whose_user_was_kept(client, login_as, make_user, statements):
    def status_of_a_new_request(url: str) -> int:
        g.pop("_login_user", None)  # tests share one app context (and session) between requests; production doesn't
        db.session.remove()
        return client.get(url).status_code

    user_id = make_user("Sid").id
    login_as(db.session.get(User, user_id))
    assert status_of_a_new_request("/orders/") == 200
    statements.clear()
    assert status_of_a_new_request("/orders/") == 200
    assert not any("FROM users" in statement for statement in statements)  # the user came from memory
    db.session.execute(update(User).where(User.id == user_id).values(suspended_at=db.func.now()))
    db.session.commit()
    assert status_of_a_new_request("/orders/") == 302


def test_a_request_that_may_write_reads_the_row_itself(make_user, statements, fresh_request_load):
    """A POST checks suspension, admin rights or the payout hold in its own transaction, never from memory."""
    user_id = make_user("Anna").id
    fresh_request_load(user_id)
    statements.clear()
    assert fresh_request_load(user_id, method="POST").display_name == "Anna" and len(selects(statements)) == 1
