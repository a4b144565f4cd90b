"""Server-side sessions (webapp/services/sessions.py): one row per login, ended by logout, password changes,
suspension and the devices page; alive for 30 days when remembered, a day of idleness otherwise."""
from datetime import datetime, timedelta, timezone

import time_machine

from webapp.domain import devices
from webapp.extensions import db
from webapp.models import UserSession
from webapp.services import accounts, passwords, sessions

from ..conftest import PASSWORD

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")  # fmt: skip


def start(user, *, remember=False, agent=FIREFOX, address="192.0.2.77", now=NOW):
    return sessions.start(user, remember=remember, user_agent=agent, address=address, now=now)


def test_a_login_is_a_row_holding_only_the_tokens_hash_and_a_coarse_description(make_user):
    user = make_user()
    row, token = start(user, agent=IPHONE, address="2001:db8:5:6::1")
    assert token not in row.token_hash and row.token_hash == sessions.token_hash(token) and len(token) >= 40
    assert (row.browser, row.system, row.network) == ("Mobile Safari 17", "iOS", "2001:db8:5::/48")
    assert sessions.find(user.id, row.token_hash) == row
    assert sessions.find(user.id + 1, row.token_hash) is None  # the token names one user's session only


def test_devices_are_described_without_looking_anything_up():
    assert devices.browser_and_system(FIREFOX) == ("Firefox 120", "Ubuntu")
    assert devices.browser_and_system("") == ("", "") and devices.browser_and_system("curl/8.0")[1] == ""
    assert devices.network_of("192.0.2.77") == "192.0.2.0/24"
    assert devices.network_of("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert devices.network_of("not an address") == ""


def test_the_alternative_id_names_user_and_token_and_nothing_else_parses():
    assert sessions.parse_id("7:" + "t" * 43) == (7, "t" * 43)
    for old_or_forged in ("7", "7:", "x:" + "t" * 43, "", "7:short"):
        assert sessions.parse_id(old_or_forged) is None


def test_a_session_not_remembered_ends_after_a_day_unused_a_remembered_one_after_30_days(make_user):
    user = make_user()
    plain, _ = start(user)
    kept, _ = start(user, remember=True)
    assert sessions.is_alive(plain, NOW + timedelta(hours=23)) and not sessions.is_alive(plain, NOW + timedelta(hours=24))
    assert sessions.is_alive(kept, NOW + timedelta(days=29)) and not sessions.is_alive(kept, NOW + timedelta(days=30))
    assert [row.id for row in sessions.signed_in(user, NOW + timedelta(days=2))] == [kept.id]
    start(user, now=NOW + timedelta(days=31))  # a new login tidies the user's ended sessions away
    assert db.session.query(UserSession).filter_by(user_id=user.id).count() == 1


def test_last_used_moves_at_most_every_five_minutes(make_user):
    user = make_user()
    row, _ = start(user)
    assert not sessions.due_for_touch(row, NOW + timedelta(minutes=4))
    assert sessions.due_for_touch(row, NOW + timedelta(minutes=5))
    sessions.touch(row.id, user.id, NOW + timedelta(minutes=6))
    sessions.touch(row.id, user.id, NOW + timedelta(minutes=7))  # a second request at once writes nothing
    db.session.refresh(row)
    assert row.last_used_at == NOW + timedelta(minutes=6)


def test_signing_out_one_device_leaves_the_others_and_no_one_signs_out_someone_else(make_user):
    user, other = make_user(), make_user()
    laptop, _ = start(user)
    phone, phone_token = start(user, agent=IPHONE)
    theirs, _ = start(other)
    assert not sessions.sign_out(user, session_id=theirs.id)
    assert sessions.sign_out(user, session_id=laptop.id)
    assert [row.id for row in sessions.signed_in(user, NOW)] == [phone.id]
    assert sessions.sign_out(user, token=phone_token) and sessions.signed_in(user, NOW) == []
    assert [row.id for row in sessions.signed_in(other, NOW)] == [theirs.id]


def test_everywhere_else_keeps_this_browser_everywhere_keeps_none(make_user):
    user = make_user()
    start(user)
    start(user)
    here, token = start(user, remember=True)
    assert sessions.sign_out_everywhere(user, except_token=token) == 2
    assert [row.id for row in sessions.signed_in(user, NOW)] == [here.id]
    assert sessions.sign_out_everywhere(user) == 1 and sessions.signed_in(user, NOW) == []


def test_suspension_ends_every_session_and_reinstatement_brings_none_back(make_user):
    admin, user = make_user(admin=True), make_user()
    start(user)
    start(user, remember=True)
    accounts.set_suspended(admin, user, True, "Spam", NOW)
    assert sessions.signed_in(user, NOW) == []
    accounts.set_suspended(admin, user, False, "Appeal accepted", NOW)
    assert sessions.signed_in(user, NOW) == []


def test_a_password_change_ends_every_session_of_the_user_only(make_user):
    user, other = make_user(), make_user()
    start(user)
    start(user, remember=True)
    theirs, _ = start(other)
    with time_machine.travel(NOW, tick=False):
        passwords.change(user, PASSWORD, "a brand new passphrase", NOW)
    assert sessions.signed_in(user, NOW) == [] and sessions.signed_in(other, NOW) == [theirs]


def test_the_hourly_housekeeping_deletes_every_ended_session_in_one_statement(make_user, app):
    from sqlalchemy import event

    from jobs.cron import cron  # noqa: F401  (the entry is registered; importing the module must not fail)
    from jobs.housekeeping import housekeeping

    ana, ben = make_user("Ana"), make_user("Ben")
    idle, _ = start(ana, now=NOW - timedelta(hours=25))  # not remembered: idle past the day
    remembered, _ = start(ana, remember=True, now=NOW - timedelta(hours=25))  # remembered: alive for 30 days
    fresh, _ = start(ben, now=NOW - timedelta(hours=1))  # first: a login deletes that user's ended sessions
    old, _ = start(ben, remember=True, now=NOW - timedelta(days=31))  # past its lifetime; Ben never logs in again
    ids = {row.id for row in (idle, remembered, old, fresh)}
    statements = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("DELETE"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with time_machine.travel(NOW, tick=False):
            assert housekeeping() == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1
    left = {row_id for (row_id,) in db.session.execute(db.select(UserSession.id).where(UserSession.id.in_(ids)))}
    assert left == {remembered.id, fresh.id}
    with time_machine.travel(NOW + timedelta(days=30), tick=False):  # later, the rest end by themselves too
        assert housekeeping() == 2
