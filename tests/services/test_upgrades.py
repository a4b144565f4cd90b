"""Upgrades during an order (issue 18 item 2): the seller proposes, the buyer pays into the same escrow or declines,
the seller may withdraw; every later exit moves what the buyer actually paid."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.domain.extras import ExtraDraft
from webapp.extensions import db
from webapp.models import Notification, OrderEvent, Posting, UpgradeProposal
from webapp.services import cancellations, ledger, orders, upgrades

from ..conftest import assert_ledger_consistent, cancel_by_agreement

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
EXTRAS = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]


@pytest.fixture
def shop(make_user, make_kwork, make_order, fund):
    """An order in `state` of a kwork with two extras; the buyer's wallet holds `balance` units besides."""

    def make(state="in_work", balance=5000):
        seller = make_user("Seller", role="seller")
        kwork = make_kwork(seller, extras=EXTRAS)
        order = make_order(state, kwork=kwork, now=NOW)
        if balance:
            fund(order.buyer, balance)
        return order, kwork

    return make


def _propose(order, item="revisions", **terms):
    values = {"quantity": 2, "title": "", "price_units": 700, "days": 3, "comment": "", "now": NOW} | terms
    return upgrades.propose(order.seller, order, item, **values)


def _events(order, action):
    return db.session.query(OrderEvent).filter_by(order_id=order.id, action=action).count()


def test_an_accepted_extra_is_paid_into_the_same_escrow_in_one_posting_and_moves_the_deadline(shop):
    order, kwork = shop()
    page = kwork.extras[1]
    deadline, total, days = order.deadline_at, order.total, order.delivery_days
    proposal = _propose(order, f"extra-{page.id}", quantity=2, price_units=1, days=9)  # typed price and days ignored
    assert (proposal.kind, proposal.price, proposal.days, proposal.status) == ("extra", 60000, 2, "open")
    assert db.session.query(Notification).filter_by(user_id=order.buyer_id, kind="upgrade").count() == 1
    wallet_before = ledger.balance(ledger.wallet_code(order.buyer_id))

    upgrades.accept(order.buyer, order, proposal.id, NOW + timedelta(hours=1))

    assert proposal.status == "accepted"
    assert order.total == total + 60000 == ledger.balance(ledger.escrow_code(order.id))
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == wallet_before - 60000
    assert order.deadline_at == deadline + timedelta(days=2) and order.delivery_days == days + 2
    [posting] = db.session.query(Posting).filter_by(idempotency_key=f"order-{order.id}-upgrade-{proposal.id}").all()
    assert posting.kind == "upgrade_payment" and sum(e.amount for e in posting.entries) == 0 and len(posting.entries) == 2
    assert [(e.title, e.unit_price, e.quantity, e.days) for e in order.extras] == [("Extra page", 30000, 2, 1)]
    assert _events(order, "propose_upgrade") == _events(order, "accept_upgrade") == 1
    assert db.session.query(Notification).filter_by(user_id=order.seller_id, kind="upgrade").count() == 1
    assert_ledger_consistent()


def test_extra_revisions_add_to_those_included(shop):
    order, _kwork = shop("revision")
    included = order.revisions_included
    proposal = _propose(order, "revisions", quantity=2, price_units=400, days=0)
    upgrades.accept(order.buyer, order, proposal.id, NOW)
    assert order.revisions_included == included + 2 and order.state == "revision"


def test_completion_releases_what_the_buyer_paid_including_the_upgrade(shop, app):
    order, _kwork = shop()
    upgrades.accept(order.buyer, order, _propose(order, price_units=1000).id, NOW)
    orders.deliver(order.seller, order, "Done", [], NOW)
    orders.accept(order.buyer, order, NOW)
    fee = (200000 + 100000) * app.config["COMMISSION_PERCENT"] // 100
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    assert ledger.balance(ledger.wallet_code(order.seller_id)) == 300000 - fee
    assert_ledger_consistent()


def test_cancellation_refunds_what_the_buyer_paid_including_the_upgrade(shop):
    order, _kwork = shop(balance=1000)
    upgrades.accept(order.buyer, order, _propose(order, price_units=1000).id, NOW)
    cancel_by_agreement(order, NOW)
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == 300000
    assert_ledger_consistent()


def test_a_short_balance_says_how_much_to_top_up_and_changes_nothing(shop):
    order, _kwork = shop(balance=200)
    proposal = _propose(order, price_units=700)
    total = order.total
    with pytest.raises(upgrades.ShortOfFunds) as refused:
        upgrades.accept(order.buyer, order, proposal.id, NOW)
    assert refused.value.short_by == 50000 and refused.value.issues[0].field == "upgrade_answer"
    db.session.refresh(order)
    assert order.total == total and upgrades.open_proposal(order).id == proposal.id
    assert db.session.query(Posting).filter(Posting.idempotency_key.like(f"order-{order.id}-upgrade-%")).count() == 0
    assert_ledger_consistent()


@pytest.mark.parametrize("state", ["awaiting_requirements", "new", "delivered", "completed", "cancelled"])
def test_upgrades_are_proposed_only_while_work_goes_on(shop, state):
    order, _kwork = shop(state)
    assert upgrades.proposal_problem(order, order.seller)
    with pytest.raises(DomainError):
        _propose(order)


def test_only_the_seller_proposes_and_only_the_buyer_answers(shop):
    order, _kwork = shop()
    with pytest.raises(DomainError):
        upgrades.propose(order.buyer, order, "revisions", quantity=1, title="", price_units=500, days=0, comment="", now=NOW)
    proposal = _propose(order)
    with pytest.raises(DomainError):
        upgrades.accept(order.seller, order, proposal.id, NOW)
    with pytest.raises(DomainError):
        upgrades.withdraw(order.buyer, order, proposal.id, NOW)


def test_one_open_proposal_at_a_time(shop):
    order, _kwork = shop()
    first = _propose(order)
    with pytest.raises(DomainError):
        _propose(order, price_units=800)
    upgrades.withdraw(order.seller, order, first.id, NOW)
    second = _propose(order, price_units=800)
    # The buyer's page showed the first: accepting it does not buy the second, dearer one.
    with pytest.raises(DomainError):
        upgrades.accept(order.buyer, order, first.id, NOW)
    assert upgrades.open_proposal(order).id == second.id
    assert db.session.query(Notification).filter_by(user_id=order.buyer_id, kind="upgrade").count() == 3


def test_declined_and_withdrawn_proposals_can_not_be_accepted(shop):
    order, _kwork = shop()
    proposal = _propose(order)
    upgrades.decline(order.buyer, order, proposal.id, NOW)
    assert proposal.status == "declined" and _events(order, "decline_upgrade") == 1
    with pytest.raises(DomainError):
        upgrades.accept(order.buyer, order, proposal.id, NOW)
    with pytest.raises(DomainError):
        upgrades.withdraw(order.seller, order, proposal.id, NOW)


def test_an_open_cancellation_request_freezes_proposals_and_answers(shop):
    order, _kwork = shop()
    proposal = _propose(order)
    cancellations.request(order.buyer, order, "mutual", "We agreed to stop the order here, thank you.", NOW)
    with pytest.raises(DomainError, match="cancellation"):
        upgrades.accept(order.buyer, order, proposal.id, NOW)


def test_an_open_proposal_lapses_with_the_delivery_or_the_cancellation(shop):
    order, _kwork = shop()
    proposal = _propose(order)
    orders.deliver(order.seller, order, "Done", [], NOW)
    db.session.refresh(proposal)
    assert proposal.status == "lapsed" and upgrades.open_proposal(order) is None
    with pytest.raises(DomainError):
        upgrades.accept(order.buyer, order, proposal.id, NOW)

    other, _kwork = shop()
    lapsing = _propose(other)
    cancel_by_agreement(other, NOW)
    db.session.refresh(lapsing)
    assert lapsing.status == "lapsed"


@pytest.mark.parametrize(
    ("item", "terms", "fields"),
    [
        ("custom", {"title": " ", "price_units": None, "days": None}, {"upgrade_title", "upgrade_price", "upgrade_days"}),
        ("revisions", {"quantity": 0, "price_units": 50, "days": 31}, {"upgrade_quantity", "upgrade_price", "upgrade_days"}),
        ("extra-999999", {}, {"upgrade_item"}),
        ("", {}, {"upgrade_item"}),
    ],
)
def test_terms_are_checked_field_by_field(shop, item, terms, fields):
    order, _kwork = shop()
    with pytest.raises(ValidationFailed) as refused:
        _propose(order, item, **terms)
    assert {issue.field for issue in refused.value.issues} == fields
    assert db.session.query(UpgradeProposal).count() == 0


def test_an_extra_quantity_beyond_what_it_allows_is_refused(shop):
    order, kwork = shop()
    express, page = kwork.extras
    with pytest.raises(ValidationFailed) as refused:
        _propose(order, f"extra-{express.id}", quantity=2)
    assert refused.value.issues[0].field == "upgrade_quantity"
    with pytest.raises(ValidationFailed):
        _propose(order, f"extra-{page.id}", quantity=6)
