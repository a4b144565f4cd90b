"""Upgrades answered at the same instant on parallel PostgreSQL connections (tests/races.py): each conflicting pair
has one winner, and an accepted upgrade leaves exactly one posting."""
from datetime import datetime, timezone

from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import Posting, UpgradeProposal
from webapp.services import ledger, upgrades

from ..conftest import assert_ledger_consistent, cancel_by_agreement
from ..races import needs_postgres, race, winners
from .test_races import as_view, events

pytestmark = needs_postgres

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def _proposed(make_order, fund, price_units=700):
    order = make_order("in_work", now=START)
    fund(order.buyer, 5000)
    proposal = upgrades.propose(order.seller, order, "revisions", quantity=1, title="", price_units=price_units, days=2, comment="", now=START)
    return order, proposal.id


def _upgrade_postings(order) -> int:
    return db.session.query(Posting).filter(Posting.idempotency_key.like(f"order-{order.id}-upgrade-%")).count()


def test_accepting_twice_at_once_pays_once(app, make_order, fund):
    order, proposal_id = _proposed(make_order, fund)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: upgrades.accept(buyer, o, proposal_id, START)),
        as_view(order.id, order.buyer_id, lambda buyer, o: upgrades.accept(buyer, o, proposal_id, START)),
    )
    [_winner] = winners(outcomes)
    assert all(isinstance(o.error, DomainError) for o in outcomes if not o.ok)
    db.session.refresh(order)
    assert _upgrade_postings(order) == 1 and events(order, "accept_upgrade") == 1
    assert order.total == 200000 + 70000 == ledger.balance(ledger.escrow_code(order.id))
    assert_ledger_consistent()


def test_accept_and_withdraw_at_once_have_one_winner(app, make_order, fund):
    order, proposal_id = _proposed(make_order, fund)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: upgrades.accept(buyer, o, proposal_id, START)),
        as_view(order.id, order.seller_id, lambda seller, o: upgrades.withdraw(seller, o, proposal_id, START)),
    )
    [_winner] = winners(outcomes)
    db.session.refresh(order)
    status = db.session.get(UpgradeProposal, proposal_id).status
    accepted = outcomes[0].ok
    assert status == ("accepted" if accepted else "withdrawn")
    assert _upgrade_postings(order) == (1 if accepted else 0)
    assert ledger.balance(ledger.escrow_code(order.id)) == order.total == 200000 + (70000 if accepted else 0)
    assert_ledger_consistent()


def test_accept_and_a_cancellation_request_at_once_then_the_refund_returns_everything_paid(app, make_order, fund):
    """The acceptance and the seller's cancellation request lock the same order: if the request goes first the
    order is frozen and the acceptance refused; if the acceptance goes first it is paid. Either way the cancellation
    then refunds exactly what the escrow holds (order.total)."""
    from webapp.services import cancellations

    order, proposal_id = _proposed(make_order, fund)
    buyer_before = ledger.balance(ledger.wallet_code(order.buyer_id))
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: upgrades.accept(buyer, o, proposal_id, START)),
        as_view(order.id, order.seller_id, lambda seller, o: cancellations.request(
            seller, o, "mutual", "We agreed to stop the order here, thank you.", START)),
    )
    assert outcomes[1].ok
    accepted = outcomes[0].ok
    assert accepted or "cancellation" in str(outcomes[0].error)
    db.session.refresh(order)
    assert _upgrade_postings(order) == (1 if accepted else 0)
    assert ledger.balance(ledger.escrow_code(order.id)) == order.total == 200000 + (70000 if accepted else 0)
    cancellations.answer(order.buyer, order.open_cancellation, accept=True, reason_correct=True, now=START)
    assert order.state == "cancelled" and ledger.balance(ledger.escrow_code(order.id)) == 0
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == buyer_before + 200000
    assert db.session.get(UpgradeProposal, proposal_id).status == ("accepted" if accepted else "lapsed")
    assert_ledger_consistent()


def test_accept_racing_the_delivery_pays_only_if_it_went_first(app, make_order, fund):
    """A delivery ends the work: an acceptance that comes second finds the proposal lapsed; one that came first was
    paid and the delivery releases it with the rest."""
    from webapp.services import orders

    order, proposal_id = _proposed(make_order, fund)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: upgrades.accept(buyer, o, proposal_id, START)),
        as_view(order.id, order.seller_id, lambda seller, o: orders.deliver(seller, o, "Done", [], START)),
    )
    assert outcomes[1].ok
    db.session.refresh(order)
    status = db.session.get(UpgradeProposal, proposal_id).status
    assert order.state == "delivered"
    assert (status, _upgrade_postings(order)) == (("accepted", 1) if outcomes[0].ok else ("lapsed", 0))
    assert ledger.balance(ledger.escrow_code(order.id)) == order.total
    cancel_by_agreement(order, START)
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    assert_ledger_consistent()
