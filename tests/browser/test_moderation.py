"""Moderation in a real browser: an admin approves one kwork and rejects another with a reason, by keyboard."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

APPROVE = "I will set up a VPS server"
REJECT = "I will write your privacy policy"
REASON = "Say which countries' laws the policy covers, and remove the phone number from the description."


def test_moderation_approve_reject(page, new_context, make_user, make_kwork):
    make_user("Ada Admin", email="ada@example.com", admin=True)
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    make_kwork(seller, status="pending", title=APPROVE)
    rejected_id = make_kwork(seller, status="pending", title=REJECT).id
    done_seeding()
    keyboard = page.keyboard

    log_in(page, "ada@example.com")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation"))
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/moderation/kworks$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kworks waiting for moderation")
    expect(page.locator(".kwork-row")).to_have_count(2)
    assert_no_axe_violations(page, "moderation queue")

    # Approve the first: its button's name says which kwork it approves.
    tab_to(page, page.get_by_role("button", name=f"Approve {APPROVE}", exact=True))
    keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text=f"“{APPROVE}” approved")).to_be_visible()
    expect(page.locator(".kwork-row")).to_have_count(1)

    # Reject the second; an empty reason is refused first.
    tab_to(page, page.get_by_role("link", name=f"Reject {REJECT}", exact=True))
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/moderation/kworks/{rejected_id}/reject$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reject “{REJECT}”")
    assert_no_axe_violations(page, "reject form")
    tab_to(page, page.get_by_role("button", name="Reject kwork"))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        keyboard.press("Enter")
    assert posted.value.status == 422
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Enter the reason the seller will see"])
    assert_no_axe_violations(page, "reject form with an error")
    keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    keyboard.press("Enter")
    reason = page.get_by_role("textbox", name="Reason the seller will see")
    expect(reason).to_be_focused()
    keyboard.type(REASON)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Reject kwork")).to_be_focused()
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/moderation/kworks$"))
    expect(page.get_by_role("status").filter(has_text=f"“{REJECT}” rejected")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()
    assert_no_axe_violations(page, "empty moderation queue")

    # The seller sees both outcomes, and the reason, on My kworks and in the editor.
    seller_page = new_context().new_page()
    log_in(seller_page, "sam@example.com")
    seller_page.goto("/kworks/")
    approved_row = seller_page.locator(".kwork-row").filter(has=seller_page.get_by_role("link", name=APPROVE, exact=True))
    rejected_row = seller_page.locator(".kwork-row").filter(has=seller_page.get_by_role("link", name=REJECT, exact=True))
    expect(approved_row.locator(".status")).to_have_text("Active")
    expect(rejected_row.locator(".status")).to_have_text("Rejected")
    expect(rejected_row).to_contain_text(f"Moderator: {REASON}")
    assert_no_axe_violations(seller_page, "My kworks with a rejected kwork")

    seller_page.get_by_role("link", name=f"Edit {REJECT}", exact=True).press("Enter")
    expect(seller_page).to_have_url(re.compile(rf"/kworks/{rejected_id}/edit$"))
    notice = seller_page.locator(".notice--error:not(#request-error)")  # not the hidden htmx failure notice
    expect(notice.get_by_role("heading")).to_have_text("A moderator asked for changes")
    expect(notice).to_contain_text(REASON)
    assert_no_axe_violations(seller_page, "editor of a rejected kwork")
