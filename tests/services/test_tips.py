"""Tips on completed orders: wallet → seller less the commission, once per order, shown to the seller."""
from datetime import datetime, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import Notification, Posting
from webapp.services import ledger, tips, wallet

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_a_tip_goes_from_the_buyer_to_the_seller_less_the_commission(make_order, fund):
    order = make_order("completed")
    fund(order.buyer, 1000)
    seller_before = wallet.balance(order.seller)
    found = tips.tip(order.buyer, order, 500, NOW)
    assert (found.amount, found.commission) == (50000, 10000)
    assert wallet.balance(order.buyer) == 50000
    assert wallet.balance(order.seller) - seller_before == 40000
    [posting] = db.session.query(Posting).filter_by(idempotency_key=f"order-{order.id}-tip").all()
    assert posting.kind == "tip"
    assert db.session.query(Notification).filter_by(user_id=order.seller_id, kind="tip").count() == 1
    with pytest.raises(DomainError, match="already tipped"):
        tips.tip(order.buyer, order, 1, NOW)
    assert_ledger_consistent()


def test_a_tip_needs_a_completed_order_the_buyer_and_the_money(make_order, fund):
    order = make_order("delivered")
    with pytest.raises(DomainError, match="completed order only"):
        tips.tip(order.buyer, order, 100, NOW)
    completed = make_order("completed")
    with pytest.raises(DomainError, match="Only the buyer"):
        tips.tip(completed.seller, completed, 100, NOW)
    with pytest.raises(ValidationFailed) as failed:
        tips.tip(completed.buyer, completed, 100, NOW)  # the balance went into the order
    assert [i.field for i in failed.value.issues] == ["tip"] and "Nothing has been charged" in failed.value.issues[0].message
    assert tips.for_order(completed) is None
    for amount in (None, 0, -1, 100001):
        with pytest.raises(ValidationFailed):
            tips.tip(completed.buyer, completed, amount, NOW)
    assert_ledger_consistent()
