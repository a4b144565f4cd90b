"""Individual offers: who may make and answer them, the transitions, expiry by timer, escrow on acceptance."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain import offers as rules
from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import Offer, OrderMessage, Timer
from webapp.services import blocking, conversations, ledger, offers, timers, wallet

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def terms(**changes) -> offers.Terms:
    values = dict(description="A landing page with a contact form", price=3000, delivery_days=4, revisions=2, expires_in_days=3)
    return offers.Terms(**(values | changes))


@pytest.fixture
def talk(make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    buyer = make_user("Bea Buyer")
    kwork = make_kwork(seller)
    message = conversations.start(buyer, seller, kwork, "I need a landing page, can you?", [], NOW, asks_for_offer=True)
    return buyer, seller, kwork, message.conversation


def test_an_offer_is_a_card_in_the_thread_with_an_expiry_timer(talk):
    buyer, seller, kwork, conversation = talk
    offer = offers.make(seller, conversation, terms(), NOW)
    assert (offer.status, offer.kwork_id, offer.buyer_id) == ("open", kwork.id, buyer.id)
    card = db.session.query(conversations.ConversationMessage).filter_by(offer_id=offer.id).one()
    assert card.author_id == seller.id
    timer = db.session.query(Timer).filter_by(kind="offer_expiry", ref_id=offer.id).one()
    assert timer.order_id is None and timer.due_at == NOW + timedelta(days=3)
    assert conversations.unread_total(buyer.id) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"description": " "}, "description"), ({"price": 499}, "price"), ({"price": None}, "price"), ({"price": 1_000_001}, "price"),
    ({"delivery_days": 0}, "delivery_days"), ({"delivery_days": 31}, "delivery_days"), ({"revisions": -1}, "revisions"),
    ({"revisions": 21}, "revisions"), ({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 15}, "expires_in_days"),
])  # fmt: skip
def test_terms_outside_the_limits_are_field_errors(talk, changes, field):
    buyer, seller, kwork, conversation = talk
    with pytest.raises(ValidationFailed) as error:
        offers.make(seller, conversation, terms(**changes), NOW)
    assert [issue.field for issue in error.value.issues] == [field]


def test_the_base_kwork_must_be_the_sellers_own_active_one(talk, make_user, make_kwork):
    buyer, seller, kwork, conversation = talk
    other = make_kwork(make_user("Olga", role="seller"))
    with pytest.raises(ValidationFailed):
        offers.make(seller, conversation, terms(kwork_id=other.id), NOW)


def test_a_seller_who_blocked_the_buyer_makes_no_offer(talk):
    buyer, seller, kwork, conversation = talk
    blocking.block(seller, buyer, "spam", NOW)
    with pytest.raises(DomainError, match="unblock"):
        offers.make(seller, conversation, terms(), NOW)


def test_accepting_pays_into_escrow_through_the_ledger_and_places_a_new_order(talk, fund):
    buyer, seller, kwork, conversation = talk
    fund(buyer, 5000)
    offer = offers.make(seller, conversation, terms(), NOW)
    order = offers.accept(buyer, offer.id, NOW + timedelta(hours=1))
    assert (order.state, order.total, order.delivery_days, order.revisions_included, order.kwork_id) == ("new", 300_000, 4, 2, kwork.id)
    assert "I need a landing page, can you?" in order.requirements and "A landing page with a contact form" in order.requirements
    assert wallet.balance(buyer) == 200_000
    assert ledger.balance(ledger.escrow_code(order.id)) == 300_000
    assert db.session.query(OrderMessage).filter_by(order_id=order.id, kind="requirements").count() == 1
    assert db.session.get(Offer, offer.id).status == "accepted" and db.session.get(Offer, offer.id).order_id == order.id
    assert_ledger_consistent()
    with pytest.raises(rules.OfferClosed):
        offers.accept(buyer, offer.id, NOW + timedelta(hours=2))


def test_too_little_balance_charges_nothing_and_keeps_the_offer_open(talk, fund):
    buyer, seller, kwork, conversation = talk
    fund(buyer, 1000)
    offer = offers.make(seller, conversation, terms(), NOW)
    with pytest.raises(ledger.InsufficientFunds):
        offers.accept(buyer, offer.id, NOW)
    assert db.session.get(Offer, offer.id).status == "open" and wallet.balance(buyer) == 100_000
    fund(buyer, 2000)
    assert offers.accept(buyer, offer.id, NOW).state == "new"
    assert_ledger_consistent()


def test_only_the_buyer_accepts_or_declines_only_the_seller_withdraws(talk, fund):
    buyer, seller, kwork, conversation = talk
    offer = offers.make(seller, conversation, terms(), NOW)
    with pytest.raises(rules.OfferClosed):
        offers.accept(seller, offer.id, NOW)
    with pytest.raises(rules.OfferClosed):
        offers.decline(seller, offer.id, "No", NOW)
    with pytest.raises(rules.OfferClosed):
        offers.withdraw(buyer, offer.id, NOW)
    with pytest.raises(ValidationFailed):
        offers.decline(buyer, offer.id, "  ", NOW)
    declined = offers.decline(buyer, offer.id, "Too expensive for me", NOW)
    assert (declined.status, declined.decline_reason) == ("declined", "Too expensive for me")
    with pytest.raises(rules.OfferClosed):
        offers.withdraw(seller, offer.id, NOW)


def test_a_withdrawn_offer_cannot_be_accepted(talk, fund):
    buyer, seller, kwork, conversation = talk
    fund(buyer, 5000)
    offer = offers.make(seller, conversation, terms(), NOW)
    offers.withdraw(seller, offer.id, NOW)
    with pytest.raises(rules.OfferClosed):
        offers.accept(buyer, offer.id, NOW)
    assert wallet.balance(buyer) == 500_000


def test_the_timer_expires_an_open_offer_and_leaves_an_answered_one(talk, fund):
    buyer, seller, kwork, conversation = talk
    open_offer = offers.make(seller, conversation, terms(), NOW)
    answered = offers.make(seller, conversation, terms(expires_in_days=1), NOW)
    offers.decline(buyer, answered.id, "No thanks", NOW)
    assert timers.sweep(NOW + timedelta(days=2)) == 0  # the declined one's timer fires and changes nothing
    assert db.session.get(Offer, answered.id).status == "declined"
    assert timers.sweep(NOW + timedelta(days=3, minutes=1)) == 1
    assert db.session.get(Offer, open_offer.id).status == "expired"
    assert db.session.query(Timer).filter_by(kind="offer_expiry", state="fired").count() == 2


def test_an_offer_past_its_expiry_is_refused_even_before_the_timer_fires(talk, fund):
    buyer, seller, kwork, conversation = talk
    fund(buyer, 5000)
    offer = offers.make(seller, conversation, terms(expires_in_days=1), NOW)
    with pytest.raises(rules.OfferClosed, match="expired"):
        offers.accept(buyer, offer.id, NOW + timedelta(days=1, seconds=1))
    assert db.session.get(Offer, offer.id).status == "expired" and wallet.balance(buyer) == 500_000


def test_a_buyer_blocked_after_the_offer_cannot_accept_it(talk, fund):
    buyer, seller, kwork, conversation = talk
    fund(buyer, 5000)
    offer = offers.make(seller, conversation, terms(), NOW)
    blocking.block(seller, buyer, "spam", NOW)
    with pytest.raises(DomainError, match="does not take orders"):
        offers.accept(buyer, offer.id, NOW)
    assert db.session.get(Offer, offer.id).status == "open" and wallet.balance(buyer) == 500_000


def test_an_offer_cannot_be_accepted_while_the_seller_is_away(talk, fund):
    from datetime import date

    from webapp.services import availability

    buyer, seller, kwork, conversation = talk
    fund(buyer, 5000)
    offer = offers.make(seller, conversation, terms(), NOW)
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 26), "", NOW)
    with pytest.raises(DomainError, match="away"):
        offers.accept(buyer, offer.id, NOW)
    assert db.session.get(Offer, offer.id).status == "open" and wallet.balance(buyer) == 500_000
    assert offers.accept(buyer, offer.id, datetime(2026, 11, 26, tzinfo=timezone.utc)).state == "new"  # back: it works
