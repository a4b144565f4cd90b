"""A checkout draft is kept in the database for an hour, replaced by a newer one and given back once."""
from datetime import datetime, timedelta, timezone

from webapp.extensions import db
from webapp.models import CheckoutDraft
from webapp.services import checkout_drafts
from webapp.services.checkout_drafts import Draft

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
TYPED = Draft("standard", 2, "Domain example.com, root access", False)


def test_a_draft_is_given_back_once(make_user, make_kwork):
    buyer, kwork = make_user(), make_kwork(make_user())
    checkout_drafts.keep(buyer, kwork, TYPED, NOW)
    assert checkout_drafts.take(buyer, kwork, NOW + timedelta(minutes=59)) == TYPED
    assert checkout_drafts.take(buyer, kwork, NOW + timedelta(minutes=59)) is None


def test_a_newer_draft_replaces_the_older_and_drafts_are_per_buyer_and_kwork(make_user, make_kwork):
    buyer, other_buyer = make_user(), make_user()
    kwork, other_kwork = make_kwork(make_user()), make_kwork(make_user())
    checkout_drafts.keep(buyer, kwork, TYPED, NOW)
    newer = Draft("business", 1, "", True)
    checkout_drafts.keep(buyer, kwork, newer, NOW + timedelta(minutes=5))
    assert db.session.query(CheckoutDraft).count() == 1
    assert checkout_drafts.take(other_buyer, kwork, NOW) is None
    assert checkout_drafts.take(buyer, other_kwork, NOW) is None
    assert checkout_drafts.take(buyer, kwork, NOW + timedelta(minutes=6)) == newer


def test_a_draft_past_its_hour_is_not_given_back_and_old_drafts_are_purged(make_user, make_kwork):
    buyer, kwork = make_user(), make_kwork(make_user())
    checkout_drafts.keep(buyer, kwork, TYPED, NOW)
    assert checkout_drafts.take(buyer, kwork, NOW + timedelta(hours=1)) is None
    assert db.session.query(CheckoutDraft).count() == 0

    checkout_drafts.keep(buyer, kwork, TYPED, NOW)
    someone_else = make_user()
    checkout_drafts.keep(someone_else, kwork, TYPED, NOW + timedelta(hours=2))  # purges the buyer's stale draft
    assert [row.user_id for row in db.session.query(CheckoutDraft)] == [someone_else.id]
