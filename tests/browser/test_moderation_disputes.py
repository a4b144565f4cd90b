"""Arbitration in a real browser, by keyboard: the seller takes a disputed cancellation to arbitration, an admin
exempts it, and the seller's completion rate changes. Every moderation page passes axe on the way."""
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in, tab_to

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
APPEAL = "I asked three times for the hosting login in the messages; the buyer never answered."
DECISION = "The messages show the buyer never sent the login: the cancellation should not count."


def test_admin_exempts_a_disputed_cancellation_and_the_completion_rate_changes(page, new_context, make_user, make_kwork,
                                                                               make_order):  # fmt: skip
    from webapp.services import cancellations, kworks, reviews

    admin = make_user("Ada Admin", email="ada@example.com", admin=True)
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    buyer = make_user("Bea Buyer", email="bea@example.com")
    kwork = make_kwork(seller)
    make_order("completed", kwork=kwork)
    order = make_order("in_work", kwork=kwork, buyer=buyer)
    request = cancellations.request(seller, order, "no_information", "The buyer never sent the hosting login at all.", NOW)
    cancellations.answer(buyer, request, accept=True, reason_correct=False, now=NOW)
    # Something in every other queue, so their pages are checked with content.
    draft = kworks.draft_from_kwork(kwork)
    draft.description = "Server setup from scratch, with a security report."
    kworks.save_kwork(seller, draft, kwork=kwork, submit=True)
    reviewed = make_order("completed")
    review = reviews.save_review(reviewed.buyer, reviewed, positive=False, text="Rude seller, call me on +7 999 123 45 67.", now=NOW)
    reviews.report(reviewed.seller, review, "It contains a phone number and an insult", NOW)
    order_id, seller_id, review_id = order.id, seller.id, review.id
    done_seeding()

    # The seller sees 50 % and asks for arbitration from the order page.
    log_in(page, "sam@example.com")
    page.goto("/account/ratings")
    expect(page.locator(".stat").filter(has_text="Order completion")).to_contain_text("50%")
    page.goto(f"/orders/{order_id}")
    keys = page.keyboard
    tab_to(page, page.get_by_text("Disagree with the cancellation decision? Ask an administrator"))
    keys.press("Enter")
    tab_to(page, page.get_by_role("textbox", name="What do you disagree with?"))
    keys.type(APPEAL)
    tab_to(page, page.get_by_role("button", name="Take it to arbitration"))
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Arbitration in progress")).to_be_visible()
    assert_no_axe_violations(page, "order with a dispute in progress")

    # The admin reads the case and exempts the cancellation, by keyboard.
    admin_page = new_context().new_page()
    log_in(admin_page, "ada@example.com")
    admin_keys = admin_page.keyboard
    admin_page.goto("/moderation/kworks")
    admin_page.get_by_text("What changed since the last approval").click()
    expect(admin_page.locator(".diff ins")).to_contain_text("security")
    assert_no_axe_violations(admin_page, "kwork queue with a diff open")
    tab_to(admin_page, admin_page.get_by_role("navigation", name="Moderation").get_by_role("link", name=re.compile("^Disputes")))
    admin_keys.press("Enter")
    expect(admin_page).to_have_url(re.compile(r"/moderation/disputes$"))
    assert_no_axe_violations(admin_page, "dispute queue")
    tab_to(admin_page, admin_page.get_by_role("link", name=re.compile(rf"^#{order_id} ")))
    admin_keys.press("Enter")
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text(f"Dispute on order #{order_id}")
    expect(admin_page.get_by_role("region", name="Sam Seller (seller) disagrees")).to_contain_text(APPEAL)
    assert_no_axe_violations(admin_page, "dispute page")

    # Without a reason the form refuses, keeping the chosen decision; the summary takes focus.
    exempt = admin_page.get_by_role("radio", name=re.compile("^Exempt the cancellation"))
    tab_to(admin_page, admin_page.get_by_role("radio", name=re.compile("^Uphold")))
    admin_keys.press("ArrowDown")
    admin_keys.press("ArrowDown")
    expect(exempt).to_be_checked()
    tab_to(admin_page, admin_page.get_by_role("button", name="Decide the dispute"))
    admin_keys.press("Enter")
    summary = admin_page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Enter the reason both parties will see"])
    expect(exempt).to_be_checked()
    assert_no_axe_violations(admin_page, "dispute decision with an error")
    admin_keys.press("Tab")
    admin_keys.press("Enter")
    expect(admin_page.get_by_role("textbox", name="Reason")).to_be_focused()
    admin_keys.type(DECISION)
    tab_to(admin_page, admin_page.get_by_role("button", name="Decide the dispute"))
    admin_keys.press("Enter")
    expect(admin_page.get_by_role("status").filter(has_text=f"Dispute on order #{order_id} decided.")).to_be_visible()
    expect(admin_page.get_by_text("No disputes are waiting.")).to_be_visible()

    # The other moderation pages, each checked once with content.
    for url, name in [("/moderation/reviews", "review queue"), (f"/moderation/reviews/{review_id}", "review page"),
                      ("/moderation/users?q=sam", "user search"), (f"/moderation/users/{seller_id}", "user page"),
                      ("/moderation/audit", "audit log")]:  # fmt: skip
        admin_page.goto(url)
        assert_no_axe_violations(admin_page, name)
    expect(admin_page.get_by_role("row").filter(has_text="exempted the cancellation")).to_contain_text(DECISION)

    # The seller's completion rate no longer counts the cancellation, and the order says why.
    page.goto("/account/ratings")
    expect(page.locator(".stat").filter(has_text="Order completion")).to_contain_text("100%")
    expect(page.get_by_text(f"exempted by an administrator: {DECISION}")).to_be_visible()
    page.goto(f"/orders/{order_id}")
    expect(page.get_by_role("heading", name="Arbitration decided")).to_be_visible()
