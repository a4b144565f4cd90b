"""Account use cases started at the same instant on parallel PostgreSQL connections (tests/races.py): one address
signed up twice at once makes one account, a reset link used twice at once works once."""
from datetime import datetime, timezone

from webapp.extensions import db
from webapp.models import AccountEmail, User
from webapp.services import accounts, passwords, tokens

from ..conftest import PASSWORD
from ..races import needs_postgres, race

pytestmark = needs_postgres

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


def test_one_address_signed_up_twice_at_once_makes_one_account(app, ctx):
    outcomes = race(app, *[lambda: (lambda: accounts.sign_up("nina@example.com", "Nina", PASSWORD, NOW))] * 2)
    assert all(outcome.ok for outcome in outcomes)  # the same answer to both: no error, no enumeration
    assert db.session.query(User).filter_by(email="nina@example.com").count() == 1
    assert sorted(e.kind for e in db.session.query(AccountEmail)) == ["already_registered", "verify_email"]


def test_a_reset_link_used_twice_at_once_works_once(app, make_user):
    user = make_user(email="anna@example.com")
    token = tokens.reset_token(user)
    picks = ["first new passphrase", "second new passphrase"]
    outcomes = race(app, *[(lambda pick=pick: (lambda: passwords.reset(token, pick, NOW))) for pick in picks])
    [won] = [pick for pick, outcome in zip(picks, outcomes) if outcome.ok]
    [lost] = [outcome.error for outcome in outcomes if not outcome.ok]
    assert isinstance(lost, tokens.InvalidLink)
    assert accounts.authenticate("anna@example.com", won) is not None
