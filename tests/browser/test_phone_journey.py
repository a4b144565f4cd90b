"""Confirming a phone by a voice-code call, by keyboard, reading the code off the sandbox phone page."""
import re

import pytest
from playwright.sync_api import expect

from ..services.test_timers import run_worker
from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser


def test_confirm_a_phone_with_the_spoken_code(page, make_user):
    make_user("Sam Seller", email="sam@example.com", role="seller")
    done_seeding()
    keyboard = page.keyboard
    log_in(page, "sam@example.com")
    page.goto("/account/phone")
    assert_no_axe_violations(page, "phone page, no number")

    tab_to(page, page.get_by_role("textbox", name="Phone number"))
    keyboard.type("+44 20 7946 0958")
    keyboard.press("Enter")
    expect(page.locator("#call-status")).to_contain_text("Calling you now")
    assert_no_axe_violations(page, "phone page, calling")

    run_worker()  # the RQ job places the call through the sandbox backend
    done_seeding()
    # htmx polling picks the new status up and announces it once.
    expect(page.locator("#call-status")).to_contain_text("Call placed: enter the code you heard.")
    expect(page.locator("#sr-status")).to_have_text("Call placed. Enter the code you heard.")

    sandbox = page.context.new_page()
    sandbox.goto("/sandbox/phone")
    spoken = sandbox.locator("ol.messages li p").nth(1).inner_text()
    assert_no_axe_violations(sandbox, "sandbox phone")
    digits = re.search(r"code is: ((?:\d, ){5}\d)", spoken).group(1).replace(", ", "")
    sandbox.close()

    tab_to(page, page.get_by_role("textbox", name="Code from the call"))
    keyboard.type(digits)
    keyboard.press("Enter")
    expect(page.get_by_text("Your phone number is confirmed.")).to_be_visible()
    expect(page.get_by_text("Confirmed number: +44 20 7946 0958")).to_be_visible()
    assert_no_axe_violations(page, "phone confirmed")
    tab_to(page, page.get_by_role("link", name="Security activity"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Security activity")
    assert_no_axe_violations(page, "security activity")
