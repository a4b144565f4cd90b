"""The seed announcement's journey, by keyboard: the seller asks to cancel an order in work for "no information",
the buyer agrees to cancel but disputes the reason, and the seller's rating page shows the order and the impact."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

COMMENT = "I asked twice for the hosting login in the messages and still have nothing to start from."


def test_seller_cancels_for_no_information_and_buyer_disputes_the_reason(page, new_context, make_user, make_order):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    buyer = make_user("Bea Buyer", email="bea@example.com")
    order_id = make_order("in_work", seller=seller, buyer=buyer).id
    done_seeding()
    keyboard = page.keyboard

    log_in(page, "sam@example.com")
    page.goto(f"/orders/{order_id}")
    assert_no_axe_violations(page, "order in work, seller")
    # The cancel form sits in a <details>: Enter on its summary opens it.
    tab_to(page, page.locator("#cancel-box > summary"))
    keyboard.press("Enter")
    reason = page.get_by_role("radio", name="The buyer did not provide the information needed")
    tab_to(page, reason)
    keyboard.press("Space")
    expect(reason).to_be_checked()
    assert_no_axe_violations(page, "cancel form open")
    tab_to(page, page.get_by_role("textbox", name="Explain what happened"))
    keyboard.type(COMMENT)
    tab_to(page, page.get_by_role("button", name="Ask to cancel"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You asked to cancel this order")).to_be_visible()
    expect(page.locator(".timers")).to_contain_text("Cancels automatically in")
    assert_no_axe_violations(page, "open cancellation, seller")

    buyer_page = new_context().new_page()
    log_in(buyer_page, "bea@example.com")
    buyer_page.goto(f"/orders/{order_id}")
    expect(buyer_page.get_by_role("heading", name="Sam Seller asked to cancel this order")).to_be_visible()
    assert_no_axe_violations(buyer_page, "open cancellation, buyer")
    buyer_keys = buyer_page.keyboard
    agree = buyer_page.get_by_role("radio", name="Yes, cancel the order")
    tab_to(buyer_page, agree)
    buyer_keys.press("Space")
    # Tab reaches a radio group once; the arrow keys move (and select) within it.
    tab_to(buyer_page, buyer_page.get_by_role("radio", name="Yes, the reason is correct"))
    buyer_keys.press("ArrowDown")
    expect(buyer_page.get_by_role("radio", name="No, the reason is not correct")).to_be_checked()
    tab_to(buyer_page, buyer_page.get_by_role("button", name="Send answer"))
    buyer_keys.press("Enter")
    expect(buyer_page.locator(".order-summary .order-state")).to_have_text("Cancelled")
    expect(buyer_page.get_by_text("This cancellation affected the seller’s rating.")).to_be_visible()
    # A disputed "no information" on an order in work lets the buyer answer with a negative review.
    expect(buyer_page.get_by_role("heading", name="Leave a review")).to_be_visible()
    assert_no_axe_violations(buyer_page, "cancelled order, buyer")

    page.goto("/account/")
    expect(page.get_by_text(re.compile(r"Your order completion rate is 0%, below 90%"))).to_be_visible()
    tab_to(page, page.get_by_role("link", name="See which orders moved it"))
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/ratings$"))
    row = page.locator("tbody tr").first
    expect(row).to_contain_text(f"#{order_id}")
    expect(row).to_contain_text("the buyer said the reason was not correct")
    assert_no_axe_violations(page, "seller ratings")
