"""Away period: a seller sets it by keyboard and without JavaScript; buyers see when they are back and no order
buttons; the seller ends it early."""
import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, log_in, tab_to

pytestmark = pytest.mark.browser


def test_keyboard_seller_goes_away_and_buyers_see_the_date(new_context, catalog_kworks):
    page = new_context().new_page()
    log_in(page, catalog_kworks["seller_email"])
    page.goto("/account/away")
    first = page.get_by_label("First day away")
    tab_to(page, first)
    first.fill("2026-11-24")  # a date input's segments take Tab too: each field is reached with tab_to
    back_on = tab_to(page, page.get_by_label("Back on"))
    back_on.fill("2026-12-12")
    tab_to(page, page.get_by_label("Message to buyers (optional)"))
    page.keyboard.type("Hiking in the mountains")
    tab_to(page, page.get_by_role("button", name="Save the away period"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Your away period has been saved")).to_be_visible()
    expect(page.locator(".notice", has_text="You are away now.")).to_contain_text("Back on December 12")
    assert_no_axe_violations(page, "away page, away")

    anonymous = new_context().new_page()
    anonymous.goto(f"/catalog/kworks/{catalog_kworks['vps_id']}")
    # The seller (Moscow) is back at midnight on 12 December, which is 21:00 on the 11th in UTC, an anonymous
    # visitor's zone: dates are shown in the viewer's time zone, as everywhere on the site.
    expect(anonymous.locator(".away-notice strong").first).to_have_text("Back on December 11")
    expect(anonymous.get_by_text("Hiking in the mountains").first).to_be_visible()
    expect(anonymous.locator("a.button--order")).to_have_count(0)
    assert_no_axe_violations(anonymous, "kwork page, seller away")

    back = page.get_by_role("button", name="I’m back: take orders again")
    tab_to(page, back)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_be_visible()


def test_without_javascript_the_form_answers_with_errors_and_success(new_context, catalog_kworks):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, catalog_kworks["seller_email"])
    page.goto("/account/away")
    page.get_by_label("First day away").fill("2026-12-12")
    page.get_by_label("Back on").fill("2026-12-01")
    page.get_by_role("button", name="Save the away period").click()
    expect(page.get_by_text("must be after the first day").first).to_be_visible()
    assert_no_axe_violations(page, "away page with an error, no JavaScript")
    page.get_by_label("Back on").fill("2026-12-20")
    page.get_by_role("button", name="Save the away period").click()
    expect(page.get_by_role("status").filter(has_text="Your away period has been saved")).to_be_visible()
