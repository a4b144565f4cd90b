"""An upgrade during an order, by keyboard: the seller proposes two extra revisions for a price and a day, the buyer
accepts and pays from the balance; the order's total, revisions and history show it. Axe on each new state."""
import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser


def test_seller_proposes_an_upgrade_and_buyer_accepts_it(page, new_context, make_user, make_order, fund):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    buyer = make_user("Bea Buyer", email="bea@example.com")
    order_id = make_order("in_work", seller=seller, buyer=buyer).id
    fund(buyer, 1000)
    done_seeding()
    keyboard = page.keyboard

    log_in(page, "sam@example.com")
    page.goto(f"/orders/{order_id}")
    tab_to(page, page.locator("#upgrade-box > summary"))
    keyboard.press("Enter")
    assert_no_axe_violations(page, "upgrade form open")
    revisions = page.get_by_role("radio", name="Extra revisions")
    tab_to(page, page.get_by_role("radio").and_(page.locator("#upgrade_item")))
    while not revisions.is_checked():  # arrow keys move (and select) within a radio group
        keyboard.press("ArrowDown")
    tab_to(page, page.get_by_role("textbox", name="Quantity"))
    keyboard.press("Control+A")
    keyboard.type("2")
    tab_to(page, page.get_by_role("textbox", name="Price"))
    keyboard.type("600")
    tab_to(page, page.get_by_role("textbox", name="Extra days"))
    keyboard.press("Control+A")
    keyboard.type("1")
    tab_to(page, page.get_by_role("button", name="Send the proposal"))
    keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Upgrade proposed")).to_be_visible()
    expect(page.get_by_role("heading", name="You proposed an upgrade")).to_be_visible()
    assert_no_axe_violations(page, "upgrade proposed, seller")

    buyer_page = new_context().new_page()
    log_in(buyer_page, "bea@example.com")
    buyer_page.goto(f"/orders/{order_id}")
    expect(buyer_page.get_by_role("heading", name="Sam Seller proposes an upgrade")).to_be_visible()
    expect(buyer_page.locator("#upgrade-proposal")).to_contain_text("2 extra revisions")
    assert_no_axe_violations(buyer_page, "upgrade proposed, buyer")
    buyer_keys = buyer_page.keyboard
    tab_to(buyer_page, buyer_page.get_by_role("radio", name="Yes, pay for it from my balance"))
    buyer_keys.press("Space")
    tab_to(buyer_page, buyer_page.locator("#upgrade-proposal").get_by_role("button", name="Send answer"))
    buyer_keys.press("Enter")
    expect(buyer_page.get_by_role("status").filter(has_text="Upgrade accepted and paid")).to_be_visible()
    expect(buyer_page.locator("#upgrades-bought")).to_contain_text("2 extra revisions")
    expect(buyer_page.locator(".history")).to_contain_text("accepted and paid for the upgrade")
    assert_no_axe_violations(buyer_page, "upgrade accepted, buyer")
