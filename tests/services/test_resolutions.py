"""Resolving a delivered order without an admin: the seller's partial refund, the buyer's answer, the split."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain import orders as rules
from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import Notification, Posting
from webapp.services import cancellations, ledger, orders, resolutions, timers

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_split_shares_the_escrow_and_takes_commission_on_the_sellers_part_only():
    assert rules.split(200000, 50000, 20) == (50000, 120000, 30000)
    assert rules.split(1000, 0, 20) == (0, 800, 200)
    assert rules.split(1000, 1000, 20) == (1000, 0, 0)
    assert rules.split(999, 1, 33) == (1, 669, 329)  # 998 × 33 % = 329.34, rounded down
    with pytest.raises(ValueError):
        rules.split(100, 101, 20)


def test_buyer_accepts_a_partial_refund_and_the_order_completes_with_the_split(make_order):
    order = make_order("delivered")  # Standard: 2,000
    offer = resolutions.offer(order.seller, order, 500, "Sorry, the logo is missing; here is part of the money.", NOW)
    assert resolutions.open_offer(order) == offer
    assert db.session.query(Notification).filter_by(user_id=order.buyer_id, kind="delivered").count() == 2
    resolutions.accept(order.buyer, order, NOW + timedelta(hours=1))
    assert (order.state, offer.status, order.completed_at) == ("completed", "accepted", NOW + timedelta(hours=1))
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == 50000
    assert ledger.balance(ledger.wallet_code(order.seller_id)) == 120000  # 1,500 less 20 %
    assert ledger.balance(ledger.PLATFORM_COMMISSION) == 30000
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    [posting] = db.session.query(Posting).filter_by(idempotency_key=f"order-{order.id}-release").all()
    assert posting.kind == "split"
    assert timers.running(order) == []
    assert [e.action for e in order.events][-2:] == ["offer_partial_refund", "accept_partial_refund"]
    assert_ledger_consistent()


def test_declining_keeps_the_delivery_and_its_auto_completion(make_order):
    order = make_order("delivered")
    offer = resolutions.offer(order.seller, order, 100, "", NOW)
    resolutions.decline(order.buyer, order, NOW)
    assert (order.state, offer.status) == ("delivered", "declined")
    assert [t.kind for t in timers.running(order)] == ["auto_complete"]
    with pytest.raises(DomainError, match="no partial refund offer"):
        resolutions.accept(order.buyer, order, NOW)
    resolutions.offer(order.seller, order, 200, "", NOW)  # a new offer may follow a declined one


@pytest.mark.parametrize("amount", [None, 0, -5, 2000, 999999])
def test_the_refund_is_at_least_one_and_less_than_the_total(make_order, amount):
    order = make_order("delivered")
    with pytest.raises(ValidationFailed) as failed:
        resolutions.offer(order.seller, order, amount, "", NOW)
    assert [i.field for i in failed.value.issues] == ["refund"]
    assert "from 1 to 1,999" in failed.value.issues[0].message


def test_only_the_seller_of_a_delivered_order_offers_and_only_the_buyer_answers(make_order):
    order = make_order("in_work")
    with pytest.raises(DomainError, match="only be offered on a delivered order"):
        resolutions.offer(order.seller, order, 100, "", NOW)
    orders.deliver(order.seller, order, "Done", [], NOW)
    with pytest.raises(orders.OrderNotFound):
        resolutions.offer(order.buyer, order, 100, "", NOW)
    resolutions.offer(order.seller, order, 100, "", NOW)
    with pytest.raises(DomainError, match="already waiting"):
        resolutions.offer(order.seller, order, 100, "", NOW)
    with pytest.raises(DomainError, match="Only the buyer"):
        resolutions.accept(order.seller, order, NOW)


def test_an_auto_completed_order_leaves_the_offer_unanswerable(make_order):
    order = make_order("delivered", now=NOW)
    resolutions.offer(order.seller, order, 100, "", NOW)
    timers.sweep(NOW + timedelta(days=3, minutes=5))
    db.session.expire_all()
    assert order.state == "completed" and resolutions.open_offer(order) is None
    with pytest.raises(DomainError):
        resolutions.accept(order.buyer, order, NOW + timedelta(days=4))
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == 0
    assert_ledger_consistent()


def test_no_offer_while_a_cancellation_request_is_open(make_order):
    order = make_order("delivered")
    cancellations.request(order.buyer, order, "misunderstanding", "The result is not what I described at all, sorry.", NOW)
    with pytest.raises(DomainError, match="cancellation request is open"):
        resolutions.offer(order.seller, order, 100, "", NOW)


def test_an_offer_lapses_with_its_delivery(make_order):
    order = make_order("delivered")
    resolutions.offer(order.seller, order, 100, "", NOW)
    orders.request_revision(order.buyer, order, "Please add the logo", NOW + timedelta(hours=1))
    orders.deliver(order.seller, order, "Logo added", [], NOW + timedelta(hours=2))
    assert resolutions.open_offer(order) is None
    with pytest.raises(DomainError):
        resolutions.accept(order.buyer, order, NOW + timedelta(hours=3))
