"""An upgrade during an order, by keyboard: the seller proposes two extra revisions for a price and a day, the buyer
accepts and pays from the balance; the order's total, revisions and history show it. Axe on each new state. And
the same forms without JavaScript, with their errors."""
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


def test_an_upgrade_without_javascript(new_context, make_user, make_order):
    """Plain form posts: the seller's proposal of other work comes back with its missing price marked and the
    description kept; the buyer, short of money, is told how much to top up, then declines."""
    import re

    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    buyer = make_user("Bea Buyer", email="bea@example.com")
    order_id = make_order("in_work", seller=seller, buyer=buyer).id  # the buyer's balance is spent on the order
    done_seeding()
    described = "A second landing page in the same style, with its own contact form"

    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "sam@example.com")
    page.goto(f"/orders/{order_id}")
    page.locator("#upgrade-box > summary").click()
    page.get_by_role("radio", name="Other work, described below").check()
    page.get_by_role("textbox", name="Describe the extra work").fill(described)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the proposal").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("textbox", name="Describe the extra work")).to_have_value(described)
    expect(page.get_by_role("radio", name="Other work, described below")).to_be_checked()
    page.get_by_role("textbox", name="Price").fill("1500")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("status").filter(has_text="Upgrade proposed")).to_be_visible()

    buyer_page = new_context(java_script_enabled=False).new_page()
    log_in(buyer_page, "bea@example.com")
    buyer_page.goto(f"/orders/{order_id}")
    proposal = buyer_page.locator("#upgrade-proposal")
    expect(proposal).to_contain_text(described)
    proposal.get_by_role("radio", name="Yes, pay for it from my balance").check()
    with buyer_page.expect_navigation():
        proposal.get_by_role("button", name="Send answer").click()
    expect(buyer_page).to_have_title(re.compile(r"^Error: "))
    expect(buyer_page.get_by_role("link", name="Top up RUB 1,500")).to_be_visible()
    buyer_page.locator("#upgrade-proposal").get_by_role("radio", name="No, decline it").check()
    with buyer_page.expect_navigation():
        buyer_page.locator("#upgrade-proposal").get_by_role("button", name="Send answer").click()
    expect(buyer_page.get_by_role("status").filter(has_text="Upgrade declined")).to_be_visible()
    expect(buyer_page.locator("#upgrade-proposal")).to_have_count(0)
