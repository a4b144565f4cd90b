"""Adding a card confirmed by the spoken code, by keyboard; a withdrawal is then refused during the 24 h hold."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from webapp.extensions import db

from ..services.test_timers import run_worker
from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser


def test_add_a_card_with_the_voice_code_and_meet_the_hold(page, make_user, fund):
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    seller.phone, seller.phone_verified_at = "+442079460958", datetime.now(timezone.utc) - timedelta(days=3)
    db.session.commit()
    fund(seller, 5000)
    done_seeding()
    keyboard = page.keyboard

    log_in(page, "sam@example.com")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Balance"))
    keyboard.press("Enter")
    tab_to(page, page.get_by_role("main").get_by_role("link", name="Payouts"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payouts")
    assert_no_axe_violations(page, "payouts, none yet")

    tab_to(page, page.get_by_role("textbox", name="Card number"))
    keyboard.type("4111 1111 1111 1112")
    keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("textbox", name="Card number")).to_have_value("4111 1111 1111 1112")
    assert_no_axe_violations(page, "payouts, bad card")
    tab_to(page, page.get_by_role("textbox", name="Card number"))
    keyboard.press("Control+A")
    keyboard.type("4111 1111 1111 1111")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Confirm: add Visa card ending 1111")).to_be_visible()

    run_worker()
    done_seeding()
    sandbox = page.context.new_page()
    sandbox.goto("/sandbox/phone")
    spoken = sandbox.locator("ol.messages li p").nth(1).inner_text()
    digits = re.search(r"code is: ((?:\d, ){5}\d)", spoken).group(1).replace(", ", "")
    sandbox.close()

    page.reload()
    assert_no_axe_violations(page, "payouts, change pending")
    tab_to(page, page.get_by_role("textbox", name="Code from the call"))
    keyboard.type(digits)
    keyboard.press("Enter")
    expect(page.get_by_text("Your payout details are updated. Withdrawals are on hold for 24 hours.")).to_be_visible()
    expect(page.locator(".kwork-row__title")).to_have_text(["Visa card ending 1111"])
    assert_no_axe_violations(page, "payouts, card active, on hold")

    tab_to(page, page.get_by_role("combobox", name="Send to"))
    keyboard.press("ArrowDown")
    tab_to(page, page.get_by_role("textbox", name="Amount (RUB)"))
    keyboard.type("1000")
    keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Withdrawals are on hold for 24 hours after a change to your payout details")
    assert_no_axe_violations(page, "payouts, withdrawal refused")
