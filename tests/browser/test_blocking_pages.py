"""Blocking a buyer by keyboard, and the settings list; axe on both pages."""
import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser


def test_block_a_buyer_by_keyboard(page, make_user, make_order):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    order = make_order("completed", seller=seller)
    buyer_name, order_id = order.buyer.display_name, order.id
    done_seeding()
    keyboard = page.keyboard
    log_in(page, "sam@example.com")
    page.goto(f"/orders/{order_id}")
    tab_to(page, page.get_by_role("link", name=f"Block {buyer_name}"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Block {buyer_name}?")
    assert_no_axe_violations(page, "block form")
    # One Tab stop for the radio group; the arrow keys choose within it.
    tab_to(page, page.get_by_role("radio", name="Rude or abusive messages"))
    for _ in range(3):
        keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Spam")).to_be_checked()
    tab_to(page, page.get_by_role("button", name=f"Block {buyer_name}"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Blocked buyers")
    expect(page.locator(".kwork-row__title")).to_have_text([buyer_name])
    assert_no_axe_violations(page, "blocked buyers")
