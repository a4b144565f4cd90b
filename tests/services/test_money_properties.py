"""Money never appears or disappears: random sequences of top-ups, orders, upgrades, completions and cancellations,
checking the ledger invariants after every step; and two checkouts racing for one balance."""
import secrets
import threading
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.domain import orders as rules
from webapp.extensions import db
from webapp.models import Entry, LedgerAccount, Order, Posting, UpgradeProposal
from webapp.domain.errors import ValidationFailed
from webapp.domain.extras import ExtraDraft
from webapp.services import ledger, orders, resolutions, tips, upgrades, wallet, work_disputes

from ..conftest import assert_ledger_consistent, cancel_by_agreement

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("topup"), st.integers(0, 2), st.integers(100, 6000)),
        # A checkout with some of the kwork's paid extras: 0 none, 1 express, 2 two extra pages, 3 both.
        st.tuples(st.just("order"), st.integers(0, 2), st.sampled_from(["economy", "standard", "business"]), st.integers(0, 3)),
        st.tuples(st.just("complete"), st.integers(0, 50)),
        st.tuples(st.just("cancel"), st.integers(0, 50)),
        # The seller offers back this share (per cent) of a delivered order; the buyer accepts the split.
        st.tuples(st.just("split"), st.integers(0, 50), st.integers(1, 99)),
        st.tuples(st.just("offer"), st.integers(0, 2), st.integers(500, 7000)),
        # The buyer takes the delivery to arbitration; an admin releases, refunds, or splits with this share.
        # The buyer of a completed order tips the seller this many units (refused, nothing charged, if short).
        st.tuples(st.just("tip"), st.integers(0, 50), st.integers(1, 3000)),
        st.tuples(st.just("arbitrate"), st.integers(0, 50), st.sampled_from(["release", "refund", "split"]), st.integers(1, 99)),
        # The seller of a running order proposes an upgrade for this many units; the buyer accepts (paying into the
        # escrow, refused with nothing charged if short) or declines.
        st.tuples(st.just("upgrade"), st.integers(0, 50), st.integers(100, 4000), st.booleans()),
    ),
    max_size=25,
)


def assert_order_money(order: Order):
    """Invariants 4 and 7: escrow holds what was paid while open, nothing after; the exit posting exists."""
    escrow = ledger.balance(ledger.escrow_code(order.id))
    keys = set(db.session.scalars(db.select(Posting.idempotency_key).where(Posting.idempotency_key.like(f"order-{order.id}-%"))))
    # Upgrades: one posting per accepted proposal, and order.total is everything paid into the escrow.
    bought = db.session.scalars(db.select(UpgradeProposal).where(UpgradeProposal.order_id == order.id, UpgradeProposal.status == "accepted")).all()
    upgrade_keys = {f"order-{order.id}-upgrade-{proposal.id}" for proposal in bought}
    assert {key for key in keys if "-upgrade-" in key} == upgrade_keys
    keys -= upgrade_keys
    paid_in = db.session.scalar(db.select(db.func.sum(Entry.amount)).join(LedgerAccount).where(
        LedgerAccount.code == ledger.escrow_code(order.id), Entry.amount > 0))  # fmt: skip
    assert paid_in == order.total
    if order.state in rules.OPEN_STATES:
        assert escrow == order.total and keys == {f"order-{order.id}-payment"}
    elif order.state == rules.COMPLETED:
        assert escrow == 0 and keys - {f"order-{order.id}-tip"} == {f"order-{order.id}-payment", f"order-{order.id}-release"}
    else:
        assert escrow == 0 and keys == {f"order-{order.id}-payment", f"order-{order.id}-refund"}


@pytest.fixture
def market(make_user, make_kwork):
    """One seller and three buyers shared by every example: balances carry over, the invariants must hold anyway."""
    seller = make_user(role="seller")
    extras = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]
    return seller, make_kwork(seller, extras=extras), [make_user() for _ in range(3)], make_user("Ada", admin=True)


def deliver(seller, order):
    """Deliver an open order from where it is: new, or already in work (an upgrade step starts the work)."""
    if order.state == rules.NEW:
        orders.start_work(seller, order, NOW)
    orders.deliver(seller, order, "Done", [], NOW)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_random_money_sequences_keep_the_books_balanced(market, steps):
    seller, kwork, buyers, admin = market
    placed: list[Order] = []
    for step in steps:
        kind = step[0]
        if kind == "topup":
            wallet.confirm_topup(wallet.start_topup(buyers[step[1]], step[2]))
        elif kind == "order":
            buyer = buyers[step[1]]
            before = wallet.balance(buyer)
            express, page = kwork.extras
            extras = [{}, {express.id: 1}, {page.id: 2}, {express.id: 1, page.id: 2}][step[3]]
            try:
                placed.append(orders.place_order(buyer, kwork, step[2], quantity=1, requirements="Brief",
                                                 checkout_token=secrets.token_hex(8), now=NOW, extras=extras))  # fmt: skip
            except ledger.InsufficientFunds:
                assert wallet.balance(buyer) == before < orders.quote(kwork, step[2], quantity=1, extras=extras).total
        elif kind == "offer":  # an individual offer accepted: the same escrow posting as a checkout
            from webapp.models import Offer
            from webapp.services import conversations, offers

            buyer = buyers[step[1]]
            before = wallet.balance(buyer)
            conversation = conversations.start(buyer, seller, kwork, "Brief", [], NOW).conversation
            offer = offers.make(seller, conversation, offers.Terms("Custom work", step[2], 3, 1, 3), NOW)
            try:
                placed.append(offers.accept(buyer, offer.id, NOW))
            except ledger.InsufficientFunds:
                assert wallet.balance(buyer) == before < step[2] * 100
                assert db.session.get(Offer, offer.id).status == "open"
        elif kind == "tip" and placed:
            order = placed[step[1] % len(placed)]
            if not tips.can_tip(order, order.buyer):
                continue
            buyer_before, seller_before = wallet.balance(order.buyer), wallet.balance(seller)
            try:
                found = tips.tip(order.buyer, order, step[2], NOW)
            except ValidationFailed:
                assert wallet.balance(order.buyer) == buyer_before < step[2] * 100
            else:
                assert buyer_before - wallet.balance(order.buyer) == found.amount
                assert wallet.balance(seller) - seller_before == found.amount - found.commission
        elif placed:
            order = placed[step[1] % len(placed)]
            if order.state not in rules.OPEN_STATES or kind == "tip":
                continue
            if kind == "complete":
                deliver(seller, order)
                orders.accept(order.buyer, order, NOW)
            elif kind == "split":
                deliver(seller, order)
                buyer_before, seller_before = wallet.balance(order.buyer), wallet.balance(seller)
                refund_units = max(1, order.total * step[2] // 10000)
                resolutions.offer(seller, order, refund_units, "", NOW)
                resolutions.accept(order.buyer, order, NOW)
                to_buyer, to_seller, _fee = rules.split(order.total, refund_units * 100, 20)
                assert wallet.balance(order.buyer) - buyer_before == to_buyer
                assert wallet.balance(seller) - seller_before == to_seller
            elif kind == "arbitrate":
                deliver(seller, order)
                dispute = work_disputes.open_dispute(order.buyer, order, "The work is not what the package promised.", [], NOW)
                amount = max(1, order.total * step[3] // 10000) if step[2] == "split" else None
                work_disputes.decide(admin, dispute, step[2], amount, "Judged from the files", NOW)
                assert order.state == ("cancelled" if step[2] == "refund" else "completed")
            elif kind == "upgrade":
                if order.state == rules.NEW:
                    orders.start_work(seller, order, NOW)
                if order.state not in rules.WORKING_STATES:
                    continue
                proposal = upgrades.propose(seller, order, "revisions", quantity=1, title="", price_units=step[2], days=1, comment="", now=NOW)
                buyer_before, total_before = wallet.balance(order.buyer), order.total
                try:
                    (upgrades.accept if step[3] else upgrades.decline)(order.buyer, order, proposal.id, NOW)
                except upgrades.ShortOfFunds as short:
                    assert wallet.balance(order.buyer) == buyer_before == proposal.price - short.short_by
                    assert order.total == total_before
                    upgrades.withdraw(seller, order, proposal.id, NOW)
                else:
                    paid = step[2] * 100 if step[3] else 0
                    assert buyer_before - wallet.balance(order.buyer) == order.total - total_before == paid
            else:
                cancel_by_agreement(order, NOW)
        assert_ledger_consistent()
        for order in placed:
            assert_order_money(order)


def test_two_simultaneous_orders_cannot_overdraw_one_balance(app, make_user, make_kwork, fund):
    seller = make_user(role="seller")
    kwork_id = make_kwork(seller).id
    buyer = make_user()
    buyer_id = buyer.id
    fund(buyer, 3000)  # enough for one Standard order (2,000), not two
    db.session.remove()

    barrier = threading.Barrier(2, timeout=30)
    outcomes = []

    def checkout():
        barrier.wait()  # both start together; neither holds a transaction while waiting for the other
        with app.app_context():
            from webapp.models import Kwork, User

            user, kwork = db.session.get(User, buyer_id), db.session.get(Kwork, kwork_id)
            try:
                orders.place_order(user, kwork, "standard", quantity=1, requirements="Brief",
                                   checkout_token=secrets.token_hex(8), now=NOW)  # fmt: skip
                outcomes.append("placed")
            except ledger.InsufficientFunds:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=checkout) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["placed", "refused"]
    with app.app_context():
        from webapp.models import User

        assert wallet.balance(db.session.get(User, buyer_id)) == 100000
        assert db.session.query(Order).count() == 1
        assert_ledger_consistent()
