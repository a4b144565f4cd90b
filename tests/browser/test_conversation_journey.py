"""From "Contact the seller" to an order from an accepted individual offer, in a real browser: by keyboard only with
JavaScript (htmx sends messages, the log announces them politely, focus is never lost), and without JavaScript (every
step a full form post and redirect)."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_focus_not_lost, assert_no_axe_violations, done_seeding, log_in
from .test_order_journey import activate, keyboard_log_in, press_and_load, type_into

pytestmark = pytest.mark.browser

SELLER_EMAIL = "sam@example.com"
BUYER_EMAIL = "bea@example.com"
QUESTION = "Can you set up a mail server on the same VPS?"
ANSWER = "Yes: I will send you an individual offer."
OFFER = "VPS and a mail server with SPF, DKIM and DMARC"


@pytest.fixture
def parties(make_user, make_kwork, fund):
    seller = make_user("Sam Seller", email=SELLER_EMAIL, role="seller")
    kwork = make_kwork(seller)
    buyer = make_user("Bea Buyer", email=BUYER_EMAIL)
    fund(buyer, 5000)
    values = {"kwork_id": kwork.id}
    done_seeding()
    return values


def test_contact_to_order_keyboard_only(page, new_context, parties):
    keyboard_log_in(page, BUYER_EMAIL)
    page.goto(f"/catalog/kworks/{parties['kwork_id']}")
    activate(page, page.get_by_role("link", name="Contact the seller"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write to Sam Seller")
    assert_no_axe_violations(page, "contact form")
    type_into(page, page.get_by_label("Message", exact=True), QUESTION)
    activate(page, page.get_by_role("button", name="Send message"))
    expect(page.get_by_role("status").filter(has_text="Message sent to Sam Seller")).to_be_visible()
    log = page.get_by_role("log", name="Messages")
    expect(log).to_contain_text(QUESTION)
    thread = page.url.split("#")[0]
    assert_no_axe_violations(page, "thread, buyer")

    # The seller, in another browser, answers over htmx and makes an offer.
    seller = new_context(viewport={"width": 1280, "height": 900}).new_page()
    keyboard_log_in(seller, SELLER_EMAIL)
    expect(seller.get_by_role("link", name=re.compile(r"^Inbox 1 unread"))).to_be_visible()
    seller.goto(thread)
    type_into(seller, seller.get_by_label("Message", exact=True), ANSWER)
    activate_htmx = seller.get_by_role("button", name="Send message")
    from .conftest import tab_to

    tab_to(seller, activate_htmx)
    with seller.expect_response(lambda r: r.request.method == "POST" and r.request.headers.get("hx-request") == "true"):
        seller.keyboard.press("Enter")
    expect(seller.get_by_role("log", name="Messages")).to_contain_text(ANSWER)
    expect(seller.locator("#sr-status")).to_have_text("Message sent")
    # htmx swaps the form in (the status region comes with that swap), then focuses its emptied field when the swap
    # settles: wait for the focus rather than read it between the two (under load it is on <body> for a moment).
    expect(seller.get_by_label("Message", exact=True)).to_be_focused()
    assert_focus_not_lost(seller)
    activate(seller, seller.get_by_role("link", name="Make an individual offer"))
    assert_no_axe_violations(seller, "offer form")
    type_into(seller, seller.get_by_label("What you will do"), OFFER)
    type_into(seller, seller.get_by_label("Price"), "3000")
    type_into(seller, seller.get_by_label("Delivery time in days"), "4")
    type_into(seller, seller.get_by_label("Revisions included"), "2")
    activate(seller, seller.get_by_role("button", name="Send the offer"))
    expect(seller.get_by_role("status").filter(has_text="Offer sent to Bea Buyer")).to_be_visible()

    # The buyer's page receives both by polling, announced politely, focus untouched.
    page.get_by_label("Message", exact=True).focus()
    expect(page.get_by_role("log", name="Messages")).to_contain_text(OFFER, timeout=25_000)
    expect(page.locator("#sr-status")).to_contain_text("new messages from Sam Seller")
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.goto(thread)
    assert_no_axe_violations(page, "thread with an offer, buyer")
    activate(page, page.get_by_role("button", name="Accept and pay RUB 3,000"))
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.get_by_role("status").filter(has_text="Offer accepted")).to_be_visible()
    expect(page.locator(".order-summary")).to_contain_text("RUB 3,000")
    expect(page.locator("#messages")).to_contain_text(QUESTION)


def test_contact_to_order_without_javascript(new_context, parties):
    buyer = new_context(java_script_enabled=False).new_page()
    log_in(buyer, BUYER_EMAIL)
    buyer.goto(f"/catalog/kworks/{parties['kwork_id']}")
    buyer.get_by_role("link", name="Ask for an individual offer").click()
    buyer.get_by_label("Message", exact=True).fill(QUESTION)
    buyer.get_by_role("button", name="Send message").click()
    expect(buyer.get_by_role("log", name="Messages")).to_contain_text(QUESTION)
    thread = buyer.url.split("#")[0]

    seller = new_context(java_script_enabled=False).new_page()
    log_in(seller, SELLER_EMAIL)
    seller.get_by_role("link", name=re.compile(r"^Inbox")).click()
    seller.get_by_role("link", name="Bea Buyer").click()
    expect(seller.get_by_role("log", name="Messages")).to_contain_text("Asks for an individual offer")
    seller.get_by_label("Message", exact=True).fill(ANSWER)
    seller.get_by_role("button", name="Send message").click()
    expect(seller.get_by_role("log", name="Messages")).to_contain_text(ANSWER)
    seller.get_by_role("link", name="Make an individual offer").click()
    seller.get_by_label("What you will do").fill(OFFER)
    seller.get_by_label("Price").fill("3000")
    seller.get_by_label("Delivery time in days").fill("4")
    seller.get_by_label("Revisions included").fill("2")
    seller.get_by_role("button", name="Send the offer").click()
    expect(seller.get_by_role("status").filter(has_text="Offer sent")).to_be_visible()

    buyer.get_by_role("link", name="Refresh messages").click()
    expect(buyer.get_by_role("log", name="Messages")).to_contain_text(OFFER)
    buyer.get_by_role("button", name="Accept and pay RUB 3,000").click()
    expect(buyer).to_have_url(re.compile(r"/orders/\d+$"))
    expect(buyer.locator(".order-summary")).to_contain_text("RUB 3,000")
    assert thread
