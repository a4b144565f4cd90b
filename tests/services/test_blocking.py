from datetime import datetime, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.services import blocking, orders

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def test_blocking_is_refused_while_an_order_is_active(make_order):
    order = make_order("in_work")
    with pytest.raises(DomainError, match=f"while order #{order.id} with them is active"):
        blocking.block(order.seller, order.buyer, "abusive", NOW)
    assert not blocking.is_blocked(order.seller_id, order.buyer_id)


def test_a_blocked_buyer_can_neither_order_nor_message(make_order, fund):
    order = make_order("completed")
    blocking.block(order.seller, order.buyer, "off_platform", NOW)
    fund(order.buyer, 5000)
    with pytest.raises(DomainError, match="does not take orders from you"):
        orders.place_order(order.buyer, order.kwork, "economy", quantity=1, requirements="x", checkout_token="t", now=NOW)
    with pytest.raises(ValidationFailed, match="blocked messages from you"):
        orders.post_message(order.buyer, order, "Why?", [], NOW)
    orders.post_message(order.seller, order, "Goodbye", [], NOW)  # the seller still can
    blocking.unblock(order.seller, order.buyer_id)
    assert orders.place_order(order.buyer, order.kwork, "economy", quantity=1, requirements="x", checkout_token="t2", now=NOW)


def test_a_reason_is_required_and_self_blocking_refused(make_user):
    seller, buyer = make_user(role="seller"), make_user()
    with pytest.raises(ValidationFailed, match="Select why"):
        blocking.block(seller, buyer, None, NOW)
    with pytest.raises(DomainError):
        blocking.block(seller, seller, "spam", NOW)
    assert blocking.block(seller, buyer, "spam", NOW) == blocking.block(seller, buyer, "spam", NOW)  # idempotent
