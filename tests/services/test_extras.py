"""Paid extras: edited on the kwork, bought at checkout, kept on the order, paid into escrow in full."""
import secrets
from datetime import datetime, timezone

import pytest

from webapp.domain.errors import ValidationFailed
from webapp.domain.extras import ExtraDraft
from webapp.services import checkout_drafts, kworks, ledger, orders, wallet

from ..conftest import assert_ledger_consistent, full_draft

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
EXTRAS = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]


@pytest.fixture
def kwork(make_user, make_kwork):
    return make_kwork(make_user("Seller", role="seller"), extras=EXTRAS)  # Standard 2,000, 2 days


def place(buyer, kwork, extras, **kw):
    return orders.place_order(buyer, kwork, "standard", quantity=kw.pop("quantity", 1), requirements="Root access",
                              checkout_token=secrets.token_hex(8), now=NOW, extras=extras, **kw)  # fmt: skip


def test_the_editor_keeps_extras_in_order_and_drops_blank_rows(kwork):
    assert [(e.title, e.price, e.days, e.quantity_allowed, e.max_quantity) for e in kwork.extras] == [
        ("Express delivery", 500, 0, False, 1), ("Extra page", 300, 1, True, 5)]  # fmt: skip
    seller = kwork.seller
    draft = kworks.draft_from_kwork(kwork)
    draft.extras = [ExtraDraft(), draft.extras[1]]
    kworks.save_kwork(seller, draft, kwork=kwork, submit=True)
    assert [e.title for e in kwork.extras] == ["Extra page"]


def test_the_editor_refuses_a_broken_extra(kwork):
    draft = kworks.draft_from_kwork(kwork)
    draft.extras = [ExtraDraft("Express delivery", 5)]
    with pytest.raises(ValidationFailed) as error:
        kworks.save_kwork(kwork.seller, draft, kwork=kwork, submit=True)
    assert [issue.field for issue in error.value.issues] == ["extras-0-price"]


def test_moderation_snapshot_lists_the_extras(kwork):
    before = dict(kwork.approved_snapshot)
    assert before["Extras"] == "Express delivery: 500 +0d\nExtra page: 300 +1d ×5"
    kwork.extras[0].price = 700
    changes = kworks.changes_since_approval(kwork)
    assert [change.label for change in changes] == ["Extras"]


def test_a_kwork_without_extras_has_no_extras_line(make_user, make_kwork):
    assert "Extras" not in make_kwork(make_user("Other seller", role="seller")).approved_snapshot


def test_extras_add_to_the_total_and_deadline_and_the_escrow_holds_it_all(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 4000)
    express, page = kwork.extras
    order = place(buyer, kwork, {express.id: 1, page.id: 3})
    assert order.total == (2000 + 500 + 3 * 300) * 100
    assert order.delivery_days == 2 + 3
    assert [(e.title, e.unit_price, e.quantity, e.days) for e in order.extras] == [
        ("Express delivery", 50000, 1, 0), ("Extra page", 30000, 3, 1)]  # fmt: skip
    assert ledger.balance(ledger.escrow_code(order.id)) == order.total
    assert wallet.balance(buyer) == 400000 - order.total
    assert_ledger_consistent()


def test_the_quote_is_what_is_charged(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 5000)
    express, page = kwork.extras
    price = orders.quote(kwork, "standard", quantity=2, extras={page.id: 2})
    assert place(buyer, kwork, {page.id: 2}, quantity=2).total == price.total == (2 * 2000 + 600) * 100


@pytest.mark.parametrize("choice, field", [
    ("express-twice", "extras-0-quantity"),
    ("page-too-many", "extras-1-quantity"),
    ("page-none", "extras-1-quantity"),
    ("foreign", "extras"),
])  # fmt: skip
def test_extras_outside_what_the_kwork_offers_are_refused_and_nothing_charged(make_user, fund, kwork, choice, field):
    buyer = make_user()
    fund(buyer, 9000)
    express, page = kwork.extras
    wanted = {"express-twice": {express.id: 2}, "page-too-many": {page.id: 6}, "page-none": {page.id: 0},
              "foreign": {999999: 1}}[choice]  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        place(buyer, kwork, wanted)
    assert [issue.field for issue in error.value.issues] == [field]
    assert wallet.balance(buyer) == 900000


def test_completing_releases_the_whole_total_with_extras(make_user, fund, kwork):
    buyer = make_user()
    fund(buyer, 4000)
    order = place(buyer, kwork, {kwork.extras[0].id: 1})
    orders.start_work(kwork.seller, order, NOW)
    orders.deliver(kwork.seller, order, "Done", [], NOW)
    orders.accept(buyer, order, NOW)
    assert ledger.balance(ledger.escrow_code(order.id)) == 0
    assert_ledger_consistent()


def test_a_checkout_draft_keeps_the_extras_chosen(make_user, kwork):
    buyer = make_user()
    page = kwork.extras[1]
    checkout_drafts.keep(buyer, kwork, checkout_drafts.Draft("standard", 1, "Root", False, {page.id: 4}), NOW)
    assert checkout_drafts.take(buyer, kwork, NOW).extras == {page.id: 4}
