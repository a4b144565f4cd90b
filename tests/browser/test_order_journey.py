"""The whole order journey in a real browser, buyer and seller side by side.

With JavaScript, by keyboard only: top up from a failed checkout, order the Standard package, message over htmx,
start, deliver, a revision, accept, review and reply; axe on every page state either party sees. Without
JavaScript: the same journey compressed, every step a full form post and redirect.
"""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from .conftest import (
    VPS,
    active_element_id,
    assert_focus_not_lost,
    assert_no_axe_violations,
    done_seeding,
    log_in,
    tab_to,
)

pytestmark = pytest.mark.browser

SELLER_EMAIL = "sam@example.com"
BUYER_EMAIL = "bea@example.com"
REQUIREMENTS = "Ubuntu 24.04 on Hetzner; the domain is example.com. Root password by message."
DELIVERY_1 = "The server is ready: nginx, firewall and automatic updates. Report attached below."
REVISION = "Please also close port 8080, it is still open."
DELIVERY_2 = "Port 8080 is closed now; the firewall rules are in the report."
REVIEW = "Fast, careful work and a clear report. Thank you!"
REPLY = "Thank you, it was a pleasure to work on your server."
MESSAGE = "Hello! Which SSH port should I use?"


@pytest.fixture
def parties(make_user, make_kwork):
    seller = make_user("Sam Seller", email=SELLER_EMAIL, role="seller")
    kwork = make_kwork(seller, title=VPS)
    make_user("Bea Buyer", email=BUYER_EMAIL)
    values = {"kwork_id": kwork.id}
    done_seeding()
    return values


# --- keyboard helpers -------------------------------------------------------------------------------------------


def keyboard_log_in(page, email: str):
    page.goto("/auth/login")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from the last text field
    expect(page).to_have_url(re.compile(r"/account/$"))


def press_and_load(page, key: str = "Enter"):
    """Press a key that submits a form or follows a link, and wait for the new page to load."""
    with page.expect_navigation():
        page.keyboard.press(key)


def activate(page, locator, key: str = "Enter"):
    """Tab to a link or button and press Enter (or Space), waiting for the page it leads to."""
    tab_to(page, locator)
    press_and_load(page, key)


def type_into(page, locator, text: str, *, replace: bool = False):
    tab_to(page, locator)
    if replace:
        page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    expect(locator).to_have_value(text)


class Findings:
    """Problems collected along a journey, so one run reports every page's axe violations (and soft checks)
    instead of stopping at the first; the test fails at the end listing them all."""

    def __init__(self):
        self.problems: list[str] = []

    def axe(self, page, what: str):
        try:
            assert_no_axe_violations(page, what)
        except pytest.fail.Exception as failure:
            self.problems.append(str(failure))

    def check(self, ok: bool, problem: str):
        """A check that should not stop the journey: noted when it fails, reported at the end."""
        if not ok:
            self.problems.append(problem)

    def assert_none(self):
        if self.problems:
            pytest.fail("\n".join(self.problems), pytrace=False)


def answered(page, message: str):
    """An order action answered back: its message, focused, in a status region, and the title starting with it."""
    outcome = page.locator("#outcome")
    expect(outcome).to_be_focused()
    expect(outcome).to_have_attribute("role", "status")
    expect(outcome).to_have_text(re.compile("^" + re.escape(message)))
    expect(page).to_have_title(re.compile("^" + re.escape(message) + r".* – Order #\d+"))


def order_state(page):
    return page.locator(".order-summary .order-state").first


def actions(page):
    return page.get_by_role("region", name=re.compile(r"^(What happens next|Status)$"))


# --- with JavaScript, keyboard only ---------------------------------------------------------------------------------


def test_order_journey_keyboard_only(page, new_context, parties):
    kwork_id = parties["kwork_id"]
    findings = Findings()
    axe = findings.axe
    keyboard = page.keyboard

    # Buyer: log in, open the kwork and follow "Order Standard" from the comparison table.
    keyboard_log_in(page, BUYER_EMAIL)
    page.goto(f"/catalog/kworks/{kwork_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(VPS)
    axe(page, "kwork page (buyer)")
    order_standard = page.get_by_role("link", name="Order Standard for RUB 2,000")
    expect(order_standard).to_have_count(1)
    activate(page, order_standard)
    expect(page).to_have_url(re.compile(rf"/orders/checkout/{kwork_id}\?tier=standard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order “{VPS}”")
    expect(page.get_by_role("radio", name=re.compile(r"^Standard"))).to_be_checked()
    axe(page, "checkout")

    # With nothing on the balance, paying fails: 422, nothing charged, the focused summary says why.
    type_into(page, page.get_by_label("Your requirements"), REQUIREMENTS)
    pay = page.get_by_role("button", name="Pay RUB 2,000")  # the button names the total
    tab_to(page, pay)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        press_and_load(page)
    assert posted.value.status == 422
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("Your balance is too low for this order. Nothing has been charged.")
    expect(page.get_by_label("Your requirements")).to_have_value(REQUIREMENTS)
    expect(page.get_by_role("radio", name=re.compile(r"^Standard"))).to_be_checked()
    axe(page, "checkout with too low a balance (422)")

    # The next stop after the summary is the "Top up" link for exactly the missing amount.
    keyboard.press("Tab")
    top_up = page.get_by_role("link", name="Top up RUB 2,000")
    expect(top_up).to_be_focused()
    press_and_load(page)
    expect(page).to_have_url(re.compile(r"/wallet/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Balance")
    amount = page.get_by_label("Amount (RUB)")
    expect(amount).to_have_value("2000")
    axe(page, "wallet, top-up prefilled from checkout")
    tab_to(page, amount)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue to payment")).to_be_focused()
    press_and_load(page)

    # The sandbox provider's page; paying brings the buyer back to the checkout.
    expect(page).to_have_url(re.compile(r"/wallet/sandbox/[^/?]+\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay RUB 2,000")
    axe(page, "sandbox payment page")
    activate(page, page.get_by_role("button", name="Pay RUB 2,000"))
    expect(page).to_have_url(re.compile(rf"/orders/checkout/{kwork_id}\?tier=standard$"))
    expect(page.get_by_role("status").filter(has_text="Payment received")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your balance: RUB 2,000")
    expect(page.get_by_role("radio", name=re.compile(r"^Standard"))).to_be_checked()
    axe(page, "checkout after topping up")

    # (The requirements typed before the top-up are not kept across it: type them again, replacing any text.)
    type_into(page, page.get_by_label("Your requirements"), REQUIREMENTS, replace=True)
    activate(page, page.get_by_role("button", name="Pay RUB 2,000"))
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    order_id = int(re.search(r"/orders/(\d+)$", page.url).group(1))
    order_url = f"/orders/{order_id}"
    expect(page.get_by_role("status").filter(has_text="Order placed")).to_be_visible()
    expect(order_state(page)).to_have_text("Not started yet")
    expect(page.locator(".order-summary")).to_contain_text("Standard")
    expect(page.locator(".order-summary")).to_contain_text("RUB 2,000")
    expect(page.locator("#messages")).to_contain_text(REQUIREMENTS)
    axe(page, "order page, buyer, not started")

    # One message over htmx: it joins the log, the form comes back empty with focus in it, and it is announced.
    log = page.get_by_role("log", name="Messages")
    expect(log.get_by_role("listitem")).to_have_count(1)  # the requirements
    type_into(page, page.get_by_label("Message", exact=True), MESSAGE)
    tab_to(page, page.get_by_role("button", name="Send message"))
    is_htmx_post = lambda r: r.request.method == "POST" and r.request.headers.get("hx-request") == "true"  # noqa: E731
    with page.expect_response(is_htmx_post) as sent:
        keyboard.press("Enter")  # htmx posts it; no page load
    assert sent.value.status == 200
    expect(log.get_by_role("listitem")).to_have_count(2)
    expect(log.get_by_role("listitem").last).to_contain_text(MESSAGE)
    expect(page.locator("#sr-status")).to_have_text("Message sent")
    expect(page).to_have_title(re.compile(r"^Message sent\. – Order #\d+"))
    expect(page.locator("#message")).to_be_focused()
    expect(page.locator("#message")).to_have_value("")
    assert active_element_id(page) == "message"
    assert_focus_not_lost(page)
    expect(page).to_have_url(re.compile(rf"{order_url}$"))  # only the form was swapped
    axe(page, "order page, buyer, after an htmx message")

    # Seller, in a second browser: from the dashboard to the order by the Orders link.
    seller_page = new_context().new_page()
    keyboard_log_in(seller_page, SELLER_EMAIL)
    activate(seller_page, seller_page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders"))
    expect(seller_page.get_by_role("heading", level=1)).to_have_text("Orders from buyers")
    axe(seller_page, "seller's order list")
    activate(seller_page, seller_page.get_by_role("link", name=f"#{order_id} {VPS}"))
    expect(seller_page).to_have_url(re.compile(rf"{order_url}$"))
    expect(order_state(seller_page)).to_have_text("Not started yet")
    expect(seller_page.get_by_role("log", name="Messages")).to_contain_text(MESSAGE)
    expect(seller_page.get_by_role("region", name="Requirements")).to_contain_text(REQUIREMENTS)
    axe(seller_page, "order page, seller, not started")

    activate(seller_page, seller_page.get_by_role("button", name="Start work"))
    answered(seller_page, "Work started. Deliver it by ")
    expect(order_state(seller_page)).to_have_text("In work")
    expect(seller_page.locator(".order-summary")).to_contain_text("left")  # the deadline runs from now
    axe(seller_page, "order page, seller, in work")

    type_into(seller_page, seller_page.get_by_label("Delivery message"), DELIVERY_1)
    activate(seller_page, seller_page.get_by_role("button", name="Deliver the work"))
    answered(seller_page, "Work delivered. The buyer has 3 days to accept it or ask for a revision.")
    expect(order_state(seller_page)).to_have_text("Delivered")
    expect(actions(seller_page)).to_contain_text("Waiting for the buyer to accept the work or ask for a revision")
    axe(seller_page, "order page, seller, delivered")

    # Buyer: the delivery is there; ask for a revision.
    page.reload()
    expect(order_state(page)).to_have_text("Delivered")
    expect(log.get_by_role("listitem").last).to_contain_text(DELIVERY_1)
    expect(actions(page).get_by_role("button", name="Accept the work")).to_be_visible()
    expect(actions(page)).to_contain_text("Revisions left: 2 of 2.")
    axe(page, "order page, buyer, delivered")
    type_into(page, page.get_by_label("What needs to change?"), REVISION)
    activate(page, page.get_by_role("button", name="Ask for a revision"))
    answered(page, "Revision requested. The seller will deliver the work again.")
    expect(order_state(page)).to_have_text("Revision requested")
    expect(page.locator(".order-summary")).to_contain_text("1 of 2 used")
    expect(log.get_by_role("listitem").last).to_contain_text(REVISION)
    axe(page, "order page, buyer, revision requested")

    # Seller: delivers again.
    seller_page.reload()
    expect(order_state(seller_page)).to_have_text("Revision requested")
    expect(seller_page.get_by_role("log", name="Messages").get_by_role("listitem").last).to_contain_text(REVISION)
    axe(seller_page, "order page, seller, revision requested")
    type_into(seller_page, seller_page.get_by_label("Delivery message"), DELIVERY_2)
    activate(seller_page, seller_page.get_by_role("button", name="Deliver the work"))
    expect(order_state(seller_page)).to_have_text("Delivered")

    # Buyer: accepts, then publishes a positive review.
    page.reload()
    expect(order_state(page)).to_have_text("Delivered")
    expect(log.get_by_role("listitem").last).to_contain_text(DELIVERY_2)
    expect(actions(page)).to_contain_text("Revisions left: 1 of 2.")
    axe(page, "order page, buyer, delivered again")
    activate(page, page.get_by_role("button", name="Accept the work"))
    answered(page, "Work accepted. The order is completed and the payment has gone to the seller.")
    expect(order_state(page)).to_have_text("Completed")
    expect(actions(page)).to_contain_text("The payment has gone to the seller.")
    expect(page.get_by_role("heading", name="Leave a review")).to_be_visible()
    axe(page, "order page, buyer, completed, review form")

    positive = page.get_by_role("radio", name=re.compile(r"^Positive"))
    tab_to(page, positive)  # an unticked radio group is one tab stop: its first option
    keyboard.press("Space")
    expect(positive).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_label("Your review")).to_be_focused()
    keyboard.type(REVIEW)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Publish review")).to_be_focused()
    press_and_load(page)
    answered(page, "Review published. Thank you.")
    expect(actions(page).locator(".review")).to_contain_text("Positive review by Bea Buyer")
    expect(actions(page).locator(".review")).to_contain_text(REVIEW)
    expect(page.get_by_role("heading", name="Edit your review")).to_be_visible()
    expect(page.get_by_role("button", name="Save review")).to_be_visible()
    axe(page, "order page, buyer, reviewed")

    # Seller: replies to the review, once.
    seller_page.reload()
    expect(order_state(seller_page)).to_have_text("Completed")
    expect(actions(seller_page).locator(".review")).to_contain_text(REVIEW)
    axe(seller_page, "order page, seller, completed with a review to answer")
    type_into(seller_page, seller_page.get_by_label("Your reply"), REPLY)
    activate(seller_page, seller_page.get_by_role("button", name="Reply to the review"))
    answered(seller_page, "Reply published under the review.")
    expect(actions(seller_page).locator(".review__reply")).to_contain_text(REPLY)
    expect(seller_page.get_by_role("button", name="Reply to the review")).to_have_count(0)
    axe(seller_page, "order page, seller, replied")

    # The seller's balance shows the payment less the 20% commission.
    activate(seller_page, seller_page.get_by_role("navigation", name="Main").get_by_role("link", name="Balance"))
    expect(seller_page.get_by_role("heading", level=1)).to_have_text("Balance")
    expect(seller_page.locator(".balance")).to_contain_text("RUB 1,600")
    release = seller_page.get_by_role("row").filter(has_text=f"Order #{order_id} completed")
    expect(release).to_contain_text("+RUB 1,600")
    axe(seller_page, "seller's balance after the release")

    # The kwork page shows the review with the seller's reply.
    page.goto(f"/catalog/kworks/{kwork_id}")
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("listitem")).to_have_count(1)
    expect(reviews).to_contain_text("Positive")
    expect(reviews).to_contain_text(REVIEW)
    expect(reviews).to_contain_text(f"Seller’s reply: {REPLY}")
    expect(page.locator(".seller-box")).to_contain_text("100% positive")
    axe(page, "kwork page with the review")

    findings.assert_none()


# --- without JavaScript -------------------------------------------------------------------------------------------


def post_and_load(page, button_name: str):
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


def test_order_journey_without_javascript(new_context, parties):
    kwork_id = parties["kwork_id"]
    findings = Findings()
    axe = findings.axe
    buyer = new_context(java_script_enabled=False).new_page()
    seller = new_context(java_script_enabled=False).new_page()
    log_in(buyer, BUYER_EMAIL)
    log_in(seller, SELLER_EMAIL)

    # Top up through the wallet and the sandbox page.
    buyer.goto("/wallet/")
    axe(buyer, "wallet, empty, without JavaScript")
    buyer.get_by_label("Amount (RUB)").fill("2000")
    post_and_load(buyer, "Continue to payment")
    expect(buyer).to_have_url(re.compile(r"/wallet/sandbox/"))
    axe(buyer, "sandbox payment page without JavaScript")
    post_and_load(buyer, "Pay RUB 2,000")
    expect(buyer).to_have_url(re.compile(r"/wallet/$"))
    expect(buyer.get_by_role("status").filter(has_text="Payment received")).to_be_visible()
    expect(buyer.locator(".balance")).to_contain_text("RUB 2,000")
    expect(buyer.get_by_role("row").filter(has_text="Balance top-up")).to_contain_text("+RUB 2,000")
    axe(buyer, "wallet with a top-up in its history, without JavaScript")

    # Order Standard with the requirements to follow.
    buyer.goto(f"/catalog/kworks/{kwork_id}")
    with buyer.expect_navigation():
        buyer.get_by_role("link", name="Order Standard for RUB 2,000").click()
    expect(buyer.get_by_role("radio", name=re.compile(r"^Standard"))).to_be_checked()
    axe(buyer, "checkout without JavaScript")
    buyer.get_by_label("I’ll send the requirements later").check()
    post_and_load(buyer, "Pay RUB 2,000")
    expect(buyer).to_have_url(re.compile(r"/orders/\d+$"))
    order_url = re.search(r"/orders/\d+$", buyer.url).group(0)
    expect(buyer.get_by_role("status").filter(has_text="Order placed")).to_be_visible()
    expect(order_state(buyer)).to_have_text("Waiting for requirements")
    expect(buyer.locator("#no-messages")).to_have_text("No messages yet.")
    axe(buyer, "order page, buyer, awaiting requirements, without JavaScript")

    seller.goto(order_url)
    expect(order_state(seller)).to_have_text("Waiting for requirements")
    expect(actions(seller)).to_contain_text("Waiting for the buyer to send the requirements.")
    expect(seller.get_by_role("button", name="Start work")).to_have_count(0)
    axe(seller, "order page, seller, awaiting requirements, without JavaScript")

    # Sending empty requirements: the page again with a 422, an error summary and an "Error:" title.
    with buyer.expect_response(lambda r: r.request.method == "POST") as posted:
        post_and_load(buyer, "Send requirements")
    assert posted.value.status == 422
    summary = buyer.locator(".error-summary")
    expect(summary.get_by_role("link")).to_have_text(["Enter what the seller needs to start"])
    expect(buyer.locator("#requirements-error")).to_contain_text("Enter what the seller needs to start")
    expect(order_state(buyer)).to_have_text("Waiting for requirements")
    title = buyer.title()
    findings.check(title.startswith("Error: "), f"order page with a form error: <title> {title!r} lacks 'Error: '")
    axe(buyer, "order page, buyer, requirements error (422), without JavaScript")

    # Buyer sends the requirements, then a message: each a POST and a redirect.
    buyer.get_by_role("textbox", name="Your requirements").fill(REQUIREMENTS)
    post_and_load(buyer, "Send requirements")
    expect(buyer).to_have_url(re.compile(rf"{order_url}$"))
    expect(order_state(buyer)).to_have_text("Not started yet")
    expect(buyer.get_by_role("region", name="Requirements")).to_contain_text(REQUIREMENTS)
    buyer.get_by_label("Message", exact=True).fill(MESSAGE)
    post_and_load(buyer, "Send message")
    expect(buyer).to_have_url(re.compile(rf"{order_url}#message-\d+$"))
    expect(buyer.locator("li:target")).to_contain_text(MESSAGE)  # the redirect lands on the new message
    expect(buyer.get_by_role("log", name="Messages").get_by_role("listitem")).to_have_count(2)
    expect(buyer.get_by_label("Message", exact=True)).to_have_value("")
    buyer.goto(order_url)  # without the #fragment: the no-JavaScript axe check re-serves the page at its exact URL
    axe(buyer, "order page, buyer, not started, without JavaScript")

    # Seller starts and delivers.
    seller.reload()
    expect(order_state(seller)).to_have_text("Not started yet")
    expect(seller.get_by_role("log", name="Messages")).to_contain_text(MESSAGE)
    axe(seller, "order page, seller, not started, without JavaScript")
    post_and_load(seller, "Start work")
    answered(seller, "Work started. Deliver it by ")
    expect(order_state(seller)).to_have_text("In work")
    axe(seller, "order page, seller, in work, without JavaScript")
    seller.get_by_label("Delivery message").fill(DELIVERY_1)
    post_and_load(seller, "Deliver the work")
    expect(order_state(seller)).to_have_text("Delivered")

    # Buyer accepts and reviews.
    buyer.reload()
    expect(order_state(buyer)).to_have_text("Delivered")
    expect(buyer.get_by_role("log", name="Messages").get_by_role("listitem").last).to_contain_text(DELIVERY_1)
    axe(buyer, "order page, buyer, delivered, without JavaScript")
    post_and_load(buyer, "Accept the work")
    answered(buyer, "Work accepted. The order is completed and the payment has gone to the seller.")
    expect(order_state(buyer)).to_have_text("Completed")
    axe(buyer, "order page, buyer, completed, review form, without JavaScript")
    buyer.get_by_role("radio", name=re.compile(r"^Positive")).check()
    buyer.get_by_label("Your review").fill(REVIEW)
    post_and_load(buyer, "Publish review")
    expect(actions(buyer).locator(".review")).to_contain_text(REVIEW)
    axe(buyer, "order page, buyer, reviewed, without JavaScript")

    seller.reload()
    expect(order_state(seller)).to_have_text("Completed")
    expect(actions(seller).locator(".review")).to_contain_text(REVIEW)
    axe(seller, "order page, seller, completed, without JavaScript")

    seller.goto("/wallet/")
    expect(seller.get_by_role("row").filter(has_text="completed")).to_contain_text("+RUB 1,600")

    buyer.goto(f"/catalog/kworks/{kwork_id}")
    expect(buyer.get_by_role("region", name="Reviews")).to_contain_text(REVIEW)

    findings.assert_none()
