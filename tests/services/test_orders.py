import secrets
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.domain.orders import IllegalTransition
from webapp.extensions import db
from webapp.models import Order
from webapp.services import accounts, cancellations, ledger, orders, wallet

from ..conftest import assert_ledger_consistent, cancel_by_agreement

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


def place(buyer, kwork, level="standard", requirements="Root access", **kw):
    return orders.place_order(buyer, kwork, level, quantity=kw.pop("quantity", 1), requirements=requirements,
                              checkout_token=kw.pop("token", secrets.token_hex(8)), now=NOW, **kw)  # fmt: skip


@pytest.fixture
def seller(make_user):
    return make_user("Seller", role="seller")


@pytest.fixture
def kwork(seller, make_kwork):
    return make_kwork(seller)  # Economy 1,000 / Standard 2,000 / Business 4,000; 1/2/3 days; 1/2/3 revisions


def test_placing_moves_the_price_into_escrow(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 2500)
    order = place(buyer, kwork)
    assert (order.state, order.total, order.unit_price) == ("new", 200000, 200000)
    assert wallet.balance(buyer) == 50000
    assert ledger.balance(ledger.escrow_code(order.id)) == 200000
    assert [e.action for e in order.events] == ["place"]
    assert order.messages[0].kind == "requirements"
    assert order.buyer_instructions == "Hosting access and the domain name."
    assert order.included_options == ["Server setup"]
    assert_ledger_consistent()


def test_insufficient_funds_charges_nothing_and_creates_no_order(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 1999)
    with pytest.raises(ledger.InsufficientFunds):
        place(buyer, kwork)
    assert db.session.query(Order).count() == 0
    assert wallet.balance(buyer) == 199900
    assert_ledger_consistent()


def test_quantity_multiplies_the_total(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 3000)
    assert place(buyer, kwork, "economy", quantity=3).total == 300000
    with pytest.raises(ValidationFailed):
        place(buyer, kwork, "economy", quantity=11)


def test_a_double_submitted_checkout_pays_once(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 5000)
    first = place(buyer, kwork, token="same-form")
    second = place(buyer, kwork, token="same-form")
    assert first.id == second.id and wallet.balance(buyer) == 300000


def test_requirements_can_be_sent_later(make_user, fund, kwork, seller):
    buyer = make_user()
    fund(buyer, 2000)
    order = place(buyer, kwork, requirements=None)
    assert order.state == "awaiting_requirements"
    with pytest.raises(IllegalTransition):
        orders.start_work(seller, order, NOW)
    with pytest.raises(ValidationFailed):
        orders.send_requirements(buyer, order, "   ", [], NOW)
    orders.send_requirements(buyer, order, "Here you go", [orders.Upload("brief.txt", b"hello")], NOW)
    assert (order.state, order.requirements) == ("new", "Here you go")
    assert order.messages[-1].attachments[0].original_name == "brief.txt"


@pytest.mark.parametrize(
    "setup, message",
    [
        ("own", "You can’t order your own kwork"),
        ("paused", "This kwork is not available to order"),
        ("unavailable", "The seller is away"),
    ],
)
def test_checkout_refusals(make_user, fund, kwork, seller, setup, message):
    from webapp.services import kworks

    buyer = seller if setup == "own" else make_user()
    if setup == "paused":
        kworks.set_paused(seller, kwork, True)
    if setup == "unavailable":
        from datetime import date

        from webapp.services import availability

        availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 30), "", datetime(2026, 11, 24, 12, tzinfo=timezone.utc))
    fund(buyer, 5000)
    with pytest.raises(DomainError, match=message):
        place(buyer, kwork)


def test_single_package_kwork_only_sells_its_package(make_user, fund, make_kwork, seller):
    kwork = make_kwork(seller, title="Single", packaged=False)
    buyer = make_user()
    fund(buyer, 5000)
    with pytest.raises(DomainError, match="Choose one of the kwork’s packages"):
        place(buyer, kwork, "business")
    assert place(buyer, kwork, "economy").total == 100000


def test_full_happy_path_releases_escrow_less_commission(make_order):
    order = make_order("in_work")
    seller, buyer = order.seller, order.buyer
    assert order.deadline_at == NOW + timedelta(days=2)
    orders.deliver(seller, order, "Here it is", [], NOW + timedelta(days=1))
    orders.accept(buyer, order, NOW + timedelta(days=1, hours=2))
    assert order.state == "completed" and order.completed_at == NOW + timedelta(days=1, hours=2)
    assert wallet.balance(seller) == 160000
    assert ledger.balance(ledger.PLATFORM_COMMISSION) == 40000
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    assert [e.action for e in order.events] == ["place", "start", "deliver", "accept"]
    assert all(e.actor_id in (buyer.id, seller.id) for e in order.events)
    assert_ledger_consistent()


def test_revision_counts_and_leaves_the_seller_24_hours(make_order):
    order = make_order("delivered")
    late_in_the_day = order.deadline_at - timedelta(hours=1)
    orders.request_revision(order.buyer, order, "Bigger logo", late_in_the_day)
    assert order.revisions_used == 1 and order.deadline_at == late_in_the_day + timedelta(hours=24)
    assert order.events[-1].comment == "Bigger logo"
    with pytest.raises(IllegalTransition, match="included in the package"):
        orders.decline_revision(order.seller, order, "No", NOW)


def test_revisions_beyond_the_package_may_be_declined(make_order):
    order = make_order("delivered", level="economy")  # one revision included
    orders.request_revision(order.buyer, order, "First", NOW)
    orders.deliver(order.seller, order, "Again", [], NOW)
    orders.request_revision(order.buyer, order, "Second", NOW)  # beyond the package: still allowed to ask
    assert order.revision_is_extra
    with pytest.raises(ValidationFailed):
        orders.decline_revision(order.seller, order, "", NOW)
    orders.decline_revision(order.seller, order, "That is a new task", NOW)
    assert order.state == "delivered"


def test_a_party_cannot_take_the_other_sides_actions(make_order):
    order = make_order("delivered")
    with pytest.raises(IllegalTransition, match="Only the buyer"):
        orders.accept(order.seller, order, NOW)
    stranger = accounts.register("stranger@example.com", "Stranger", "long enough password")
    with pytest.raises(orders.OrderNotFound):
        orders.accept(stranger, order, NOW)
    with pytest.raises(orders.OrderNotFound):
        orders.get_for(stranger, order.id)
    assert order.state == "delivered"


def test_cancellation_refunds_in_full_and_closes_the_order(make_order):
    order = make_order("in_work")
    cancel_by_agreement(order, NOW)
    assert order.state == "cancelled"
    assert wallet.balance(order.buyer) == order.total
    with pytest.raises(ValidationFailed, match="Select one of the reasons listed"):  # nothing left to cancel
        cancellations.request(order.seller, order, "mutual", "Cancelling a second time, just to be sure.", NOW)
    with pytest.raises(IllegalTransition):
        orders.refund_and_close(order, order.seller, "Again", NOW)
    assert_ledger_consistent()


def test_order_lists_filter_and_count(make_order, make_user):
    buyer = make_user("Buyer")
    first = make_order("new", buyer=buyer)
    make_order("completed", buyer=buyer, kwork=first.kwork)
    found, counts = orders.list_for(buyer, "buyer", None)
    assert len(found) == 2 and counts == {"new": 1, "completed": 1}
    assert [o.state for o in orders.list_for(buyer, "buyer", "completed")[0]] == ["completed"]
    assert orders.list_for(first.seller, "seller", None)[1] == {"new": 1, "completed": 1}


def test_a_dashboard_summary_loads_the_newest_orders_and_counts_all_of_them(make_order, make_user, make_kwork):
    seller = make_user("Seller", role="seller")
    kwork = make_kwork(seller)
    week_ago = NOW - timedelta(days=7)
    for state in ("new", "completed", "in_work", "revision", "delivered"):
        make_order(state, kwork=kwork, now=week_ago)  # in work and revision: past their deadline now
    make_order("in_work", kwork=kwork, now=NOW)  # on time
    paused = make_order("in_work", kwork=kwork, now=week_ago)
    paused.paused_at = week_ago  # a paused order's clock is stopped
    db.session.commit()

    summary = orders.summary_for(seller, "seller", NOW, recent=3)
    everything, counts = orders.list_for(seller, "seller", None)
    assert summary.recent == everything[:3]
    assert summary.counts == counts == {"new": 1, "completed": 1, "in_work": 3, "revision": 1, "delivered": 1}
    assert summary.late == sum(1 for order in everything if order.late(NOW)) == 2
    # Like is_late, the deadline itself is not late yet; a second after it is.
    on_time = next(order for order in everything if order.state == "in_work" and order.deadline_at > NOW)
    assert orders.summary_for(seller, "seller", on_time.deadline_at).late == 2
    assert orders.summary_for(seller, "seller", on_time.deadline_at + timedelta(seconds=1)).late == 3
    assert orders.summary_for(on_time.buyer, "buyer", NOW).late == 0
