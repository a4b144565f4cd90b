"""A confirmed address before selling, withdrawing or touching payout details (webapp/services/email_verification.py),
and a sign-up that tells whoever typed an address nothing about it (accounts.sign_up)."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import AccountEmail, User
from webapp.services import accounts, email_verification, payouts, tokens

from ..conftest import PASSWORD, full_draft
from ..mail import deliver, link_in, mails_to

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


def test_sign_up_makes_an_unconfirmed_buyer_and_mails_the_confirmation_link(ctx):
    user = accounts.sign_up(" New@Example.com", "Nina", PASSWORD, NOW)
    assert (user.email, user.active_role, user.email_verified_at) == ("new@example.com", "buyer", None)
    deliver()
    [mail] = mails_to("new@example.com")
    assert mail.subject == "Gigsmith: Confirm your email address" and "Hello Nina," in mail.body
    token = link_in(mail, "/auth/verify-email/").removeprefix("/auth/verify-email/")
    assert email_verification.confirm(token, NOW) == user and user.email_verified_at == NOW
    assert email_verification.confirm(token, NOW + timedelta(hours=1)).email_verified_at == NOW  # again: no change


def test_sign_up_with_a_taken_address_makes_nothing_and_tells_its_owner(make_user):
    owner = make_user("Anna", email="anna@example.com")
    assert accounts.sign_up("ANNA@example.com", "Mallory", "mallory's own passphrase", NOW) is None
    assert db.session.query(User).count() == 1
    deliver()
    [mail] = mails_to("anna@example.com")
    assert mail.subject == "Gigsmith: You already have a Gigsmith account" and "Hello Anna," in mail.body
    assert "/auth/forgot-password" in mail.body and "Mallory" not in mail.body
    assert accounts.authenticate("anna@example.com", PASSWORD) == owner


def test_sign_up_refuses_a_weak_password_whether_or_not_the_address_is_taken(make_user):
    make_user(email="anna@example.com")
    for email in ("anna@example.com", "new@example.com"):
        with pytest.raises(ValidationFailed) as refused:
            accounts.sign_up(email, "Someone", "aaaaaaaaaa", NOW)
        assert [issue.field for issue in refused.value.issues] == ["password"]
    assert db.session.query(AccountEmail).count() == 0


def test_mails_are_written_in_the_recipients_language(make_user):
    owner = make_user("Anna", email="anna@example.com")
    owner.language = "ru"
    db.session.commit()
    accounts.sign_up("anna@example.com", "Someone", PASSWORD, NOW)
    deliver()
    [mail] = mails_to("anna@example.com")
    assert "Здравствуйте" in mail.body or "Привет" in mail.body, mail.body


def test_a_confirmation_link_expires_after_three_days_and_names_the_address(ctx):
    user = accounts.sign_up("new@example.com", "Nina", PASSWORD, NOW)
    token = tokens.verification_token(user)
    with time_machine.travel(timedelta(days=3, minutes=1)):
        with pytest.raises(tokens.InvalidLink, match="expired"):
            email_verification.confirm(token, NOW)
    user.email = "changed@example.com"
    db.session.commit()
    with pytest.raises(tokens.InvalidLink, match="not valid"):
        email_verification.confirm(token, NOW)
    assert user.email_verified_at is None


def test_the_link_is_sent_again_only_while_unconfirmed(make_user):
    user = make_user(verified=False)
    email_verification.send_link(user, NOW)
    assert [e.kind for e in db.session.query(AccountEmail)] == ["verify_email"]
    accounts.register("other@example.com", "Other", PASSWORD)  # created by hand: no mail at all
    assert db.session.query(AccountEmail).count() == 1
    verified = make_user()
    with pytest.raises(DomainError, match="already confirmed"):
        email_verification.send_link(verified, NOW)


def test_selling_waits_for_a_confirmed_address(make_user):
    user = make_user(verified=False)
    with pytest.raises(email_verification.EmailNotVerified, match="Confirm your email address first"):
        accounts.switch_role(user, "seller")
    assert not user.is_selling
    accounts.switch_role(user, "buyer")  # buying never waits


def test_a_draft_is_saved_but_submitting_waits_for_a_confirmed_address(make_user):
    from webapp.services import kworks

    user = make_user(verified=False)
    kwork = kworks.save_kwork(user, full_draft(), submit=False)
    assert kwork.status == "draft"
    with pytest.raises(email_verification.EmailNotVerified) as refused:
        kworks.save_kwork(user, full_draft(), kwork=kwork, submit=True)
    assert refused.value.issues[0].field == ""  # shown at the top of the editor, not beside a field
    db.session.rollback()
    assert db.session.get(type(kwork), kwork.id).status == "draft"


def test_payout_details_and_withdrawals_wait_for_a_confirmed_address(make_user):
    user = make_user(verified=False)
    user.phone, user.phone_verified_at = "+442079460958", NOW
    db.session.commit()
    for attempt in (lambda: payouts.add_card(user, "4111 1111 1111 1111", NOW),
                    lambda: payouts.add_ewallet(user, "paypal", "anna@example.com", NOW),
                    lambda: payouts.withdraw(user, None, 1000, NOW)):  # fmt: skip
        with pytest.raises(email_verification.EmailNotVerified):
            attempt()
        db.session.rollback()


def test_both_answers_to_a_sign_up_cost_one_password_hash(make_user, monkeypatch):
    """The argon2 hash is most of what a sign-up costs: a taken address pays it too, so timing tells nothing."""
    from webapp.services import passwords

    make_user(email="anna@example.com")
    hashed = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda password: hashed.append(password) or real(password))
    accounts.sign_up("anna@example.com", "Someone", PASSWORD, NOW)
    accounts.sign_up("nina@example.com", "Nina", PASSWORD, NOW)
    assert hashed == [PASSWORD, PASSWORD]
