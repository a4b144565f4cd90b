"""Passwords (webapp/services/passwords.py, webapp/domain/passwords.py): the NIST rules for a new one, a change that
needs the current one, and a reset link that is signed, bound to the password it was made under, used once and
valid for an hour."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain import passwords as rules
from webapp.domain.errors import ValidationFailed
from webapp.extensions import db
from webapp.models import AccountEmail
from webapp.services import accounts, passwords, tokens

from ..conftest import PASSWORD
from ..mail import deliver, link_in, mails_to

NEW = "plum tractor lantern"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 10 characters"),
        ("aaaaaaaaaa", "easy to guess"),
        ("1234567890", "commonly used"),
        ("qwertyuiop", "commonly used"),
        ("password123", "commonly used"),
        ("Password123", "commonly used"),  # the list is compared without case
        ("iloveyou12", "commonly used"),
        ("anna.petrova@example.com", "easy to guess"),  # the user's own address
        ("x" * 201, "200 characters or fewer"),
    ],
)
def test_rules_refuse_short_common_and_guessable_passwords(app, password, why):
    with app.test_request_context():
        found = [str(message) for message in rules.problems(password, ("anna.petrova@example.com", "Anna Petrova"))]
    assert len(found) == 1 and why in found[0], found


@pytest.mark.parametrize("password", [PASSWORD, NEW, "x7Vq-9pLm2", "Tr0ub4dor&3"])
def test_rules_accept_long_uncommon_passwords_without_composition_rules(app, password):
    with app.test_request_context():
        assert rules.problems(password, ("anna@example.com", "Anna")) == []


def test_the_blocklist_comes_from_a_maintained_package():
    assert len(rules._common()) >= 30_000 and "qwertyuiop" in rules._common()


def test_change_needs_the_current_password_and_a_good_new_one(make_user):
    user = make_user(email="anna@example.com")
    with pytest.raises(ValidationFailed) as refused:
        passwords.change(user, "wrong password", "aaaaaaaaaa", datetime.now(timezone.utc))
    assert [issue.field for issue in refused.value.issues] == ["current_password", "password"]
    assert accounts.authenticate("anna@example.com", PASSWORD) == user
    passwords.change(user, PASSWORD, NEW, datetime.now(timezone.utc))
    assert accounts.authenticate("anna@example.com", PASSWORD) is None
    assert accounts.authenticate("anna@example.com", NEW) == user
    assert [e.kind for e in db.session.query(AccountEmail)] == ["password_changed"]


def test_a_reset_is_asked_for_with_the_same_silence_whether_or_not_the_address_exists(make_user):
    make_user(email="anna@example.com")
    assert passwords.request_reset("nobody@example.com", datetime.now(timezone.utc)) is None
    assert db.session.query(AccountEmail).count() == 0
    assert passwords.request_reset(" ANNA@example.com ", datetime.now(timezone.utc)) is None
    assert [e.kind for e in db.session.query(AccountEmail)] == ["password_reset"]


def reset_link(user) -> str:
    passwords.request_reset(user.email, datetime.now(timezone.utc))
    deliver()
    [mail] = [m for m in mails_to(user.email) if "Reset your password" in m.subject]
    return link_in(mail, "/auth/reset-password/").removeprefix("/auth/reset-password/")


def test_a_reset_link_works_once(make_user):
    user = make_user(email="anna@example.com", verified=False)
    token = reset_link(user)
    assert passwords.reset_link_user(token) == user
    passwords.reset(token, NEW, datetime.now(timezone.utc))
    assert accounts.authenticate("anna@example.com", NEW) == user
    assert user.email_verified_at is not None  # the link reached the mailbox: the address is confirmed
    with pytest.raises(tokens.InvalidLink, match="already used"):
        passwords.reset_link_user(token)
    with pytest.raises(tokens.InvalidLink, match="already used"):
        passwords.reset(token, "another new passphrase", datetime.now(timezone.utc))
    assert accounts.authenticate("anna@example.com", NEW) == user


def test_a_reset_link_ends_when_the_password_changes_another_way(make_user):
    user = make_user(email="anna@example.com")
    token = reset_link(user)
    passwords.change(user, PASSWORD, NEW, datetime.now(timezone.utc))
    with pytest.raises(tokens.InvalidLink):
        passwords.reset(token, "another new passphrase", datetime.now(timezone.utc))


def test_a_reset_link_expires_after_an_hour(make_user):
    user = make_user(email="anna@example.com")
    token = reset_link(user)
    with time_machine.travel(timedelta(minutes=59)):
        assert passwords.reset_link_user(token) == user
    with time_machine.travel(timedelta(minutes=61)):
        with pytest.raises(tokens.InvalidLink, match="expired"):
            passwords.reset(token, NEW, datetime.now(timezone.utc))
    assert accounts.authenticate("anna@example.com", PASSWORD) == user


def test_a_forged_or_repurposed_token_is_refused(make_user):
    user = make_user(email="anna@example.com")
    token = reset_link(user)
    for forged in (token[:-2] + "xx", tokens.verification_token(user), "not-a-token"):
        with pytest.raises(tokens.InvalidLink, match="not valid"):
            passwords.reset_link_user(forged)


def test_a_reset_still_follows_the_rules(make_user):
    user = make_user(email="anna@example.com")
    token = reset_link(user)
    with pytest.raises(ValidationFailed, match="commonly used"):
        passwords.reset(token, "qwertyuiop", datetime.now(timezone.utc))
    passwords.reset(token, NEW, datetime.now(timezone.utc))  # the refused try did not use the link up
