"""The order page and checkout answer back with JavaScript: an htmx request that fails on the order page is shown
and said by the layout's one error handler, focus kept; checkout's pay button follows the chosen package."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_focus_not_lost, assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

MESSAGES = re.compile(r"/orders/\d+/messages$")


def test_a_failed_message_on_the_order_page_is_shown_and_announced(page, make_user, make_order):
    buyer = make_user("Bea Buyer", email="bea@example.com")
    order_id = make_order("in_work", buyer=buyer).id
    done_seeding()
    log_in(page, "bea@example.com")
    page.goto(f"/orders/{order_id}")
    page.route(MESSAGES, lambda route: route.fulfill(status=500, content_type="text/plain", body="Internal error"))
    message = page.get_by_label("Message", exact=True)
    tab_to(page, message)
    page.keyboard.type("Any news on the server?")
    tab_to(page, page.get_by_role("button", name="Send message"))
    page.keyboard.press("Enter")
    notice = page.locator("#request-error")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Sorry, something went wrong")
    expect(page.locator("#sr-status")).to_have_text("Sorry, something went wrong. Try again in a few minutes.")
    expect(page.get_by_role("button", name="Send message")).to_be_focused()
    expect(message).to_have_value("Any news on the server?")  # nothing swapped, nothing lost
    assert_focus_not_lost(page)
    assert_no_axe_violations(page, "order page after a failed htmx message")

    page.unroute(MESSAGES)
    page.keyboard.press("Enter")
    expect(page.locator("#sr-status")).to_have_text("Message sent")
    expect(notice).to_be_hidden()


def test_the_pay_button_follows_the_package(page, make_user, make_kwork, fund):
    kwork_id = make_kwork(make_user("Sam Seller", role="seller")).id
    buyer = make_user("Bea Buyer", email="bea@example.com")
    fund(buyer, 10000)
    done_seeding()
    log_in(page, "bea@example.com")
    page.goto(f"/orders/checkout/{kwork_id}?tier=standard")
    expect(page.get_by_role("button", name="Pay RUB 2,000")).to_be_visible()
    business = page.get_by_role("radio", name=re.compile(r"^Business"))
    tab_to(page, page.get_by_role("radio", name=re.compile(r"^Standard")))
    page.keyboard.press("ArrowDown")
    expect(business).to_be_checked()
    expect(page.get_by_role("button", name="Pay RUB 4,000")).to_be_visible()
    expect(page.locator("#sr-status")).to_have_text("Total to pay: RUB 4,000")
    expect(page.locator("#order-summary")).to_contain_text("Balance afterRUB 6,000")
    expect(business).to_be_focused()  # the summary changed beside it; focus stayed
    assert_no_axe_violations(page, "checkout after choosing another package")
