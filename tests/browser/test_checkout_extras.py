"""Checkout with paid extras in a real browser (issue 18): chosen by keyboard alone with JavaScript, and by plain form
posts without it; the summary shows each extra, the total and the deadline before paying; the order keeps them."""
import re

import pytest
from playwright.sync_api import expect

from webapp.domain.extras import ExtraDraft

from .conftest import VPS, assert_no_axe_violations, done_seeding, log_in, tab_to
from .test_order_journey import BUYER_EMAIL, REQUIREMENTS, activate, keyboard_log_in, press_and_load, type_into

pytestmark = pytest.mark.browser

EXTRAS = [ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)]
# Standard (RUB 2,000, 2 days) + Express delivery (RUB 500) + two extra pages (RUB 300 and a day each).
TOTAL, DAYS = "RUB 3,100", "4 days"


@pytest.fixture
def kwork_id(make_user, make_kwork, fund):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    kwork_id = make_kwork(seller, title=VPS, extras=EXTRAS).id
    fund(make_user("Bea Buyer", email=BUYER_EMAIL), 3100)
    done_seeding()
    return kwork_id


def summary(page):
    return page.get_by_role("region", name="Your order")


def assert_summary(page):
    box = summary(page)
    expect(box).to_contain_text("Express delivery × 1")
    expect(box).to_contain_text("RUB 500")
    expect(box).to_contain_text("Extra page × 2")
    expect(box).to_contain_text("RUB 600")
    expect(box).to_contain_text(DAYS)
    expect(box).to_contain_text(TOTAL)


def assert_order_keeps_extras(page):
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.get_by_role("status").filter(has_text="Order placed")).to_be_visible()
    facts = page.locator(".order-summary")
    expect(facts).to_contain_text("Express delivery × 1")
    expect(facts).to_contain_text("Extra page × 2")
    expect(facts).to_contain_text(TOTAL)


def test_checkout_with_extras_keyboard_only(page, kwork_id):
    keyboard_log_in(page, BUYER_EMAIL)
    page.goto(f"/orders/checkout/{kwork_id}?tier=standard")
    expect(page.get_by_role("group", name="Extras")).to_be_visible()
    assert_no_axe_violations(page, "checkout with extras")

    express = page.get_by_role("checkbox", name="Express delivery: RUB 500")
    tab_to(page, express)
    page.keyboard.press("Space")
    expect(express).to_be_checked()
    extra_page = page.get_by_role("checkbox", name="Extra page: RUB 300, adds 1 day")
    tab_to(page, extra_page)
    page.keyboard.press("Space")
    expect(extra_page).to_be_checked()
    type_into(page, page.get_by_label("Quantity of “Extra page”"), "2", replace=True)

    # The total before paying: "Update the total" answers with the same page, the choices kept.
    activate(page, page.get_by_role("button", name="Update the total"))
    assert_summary(page)
    expect(express).to_be_checked()
    expect(page.get_by_label("Quantity of “Extra page”")).to_have_value("2")
    assert_no_axe_violations(page, "checkout with extras, total shown")

    type_into(page, page.get_by_label("Your requirements"), REQUIREMENTS)
    activate(page, page.get_by_role("button", name=re.compile(r"^Pay")))
    assert_order_keeps_extras(page)
    assert_no_axe_violations(page, "order with extras")


def test_checkout_with_extras_without_javascript(new_context, kwork_id):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, BUYER_EMAIL)
    page.goto(f"/orders/checkout/{kwork_id}?tier=standard")

    # A quantity that is not a number: the field says so, and every choice made is still there.
    page.get_by_role("checkbox", name="Express delivery: RUB 500").check()
    page.get_by_role("checkbox", name="Extra page: RUB 300, adds 1 day").check()
    page.get_by_label("Quantity of “Extra page”").fill("two")
    page.get_by_label("Your requirements").fill(REQUIREMENTS)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Quantity of “Extra page”")).to_have_value("two")
    expect(page.get_by_label("Your requirements")).to_have_value(REQUIREMENTS)
    expect(page.get_by_role("checkbox", name="Express delivery: RUB 500")).to_be_checked()

    page.get_by_label("Quantity of “Extra page”").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Update the total").click()
    assert_summary(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Pay")).click()
    assert_order_keeps_extras(page)
