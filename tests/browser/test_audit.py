"""Accessibility audit of every page: the route list comes from the app's URL map, each page is opened as the user
who sees it, in every state that changes what it shows, and checked with axe-core (WCAG 2.2 A/AA + best practice),
by keyboard (no positive tabindex, focus order = document order, a visible focus indicator on every stop, no
trap) and at 320 px (no sideways scrolling). Every language covers every page with axe-core and the reflow check
(translations change lengths); the keyboard walk, which no translation changes, runs on every page in English and
Russian and on the buyer's pages in Portuguese and French.

Run it alone with: .venv/bin/python -m pytest tests/browser/test_audit.py
"""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, done_seeding, log_in

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
COMMENT = "The requirements ask for a mobile app, and this kwork is a website."

# GET endpoints that are not pages, each with the reason it is not audited on its own.
NOT_PAGES = {
    "static": "files, not pages",
    "catalog.image": "an image file",
    "pages.favicon": "an icon", "pages.touch_icon": "an icon", "pages.icon_192": "an icon", "pages.icon_512": "an icon",
    "pages.manifest": "the web-app manifest (JSON)", "pages.sitemap": "the sitemap (XML)", "pages.robots": "robots.txt",
    "catalog.picture": "an image file (a kwork picture's rendition)",
    "catalog.avatar": "an image file (a profile picture's rendition)",
    "orders.attachment": "a file download",
    "home": "redirects to the catalog",
    "moderation.index": "redirects to the kwork queue",
    "language.choose": "redirects back after saving the choice",
    "notifications.badge": "a fragment swapped into the header, audited inside every page",
    "notifications.order_summary": "a fragment swapped into the order page, audited there",
    "account.call_status": "a fragment swapped into the phone and payout pages, audited there",
    "wallet.returned": "redirects to the balance after the payment provider's page",
    "inbox.poll": "a fragment appended to the conversation page, audited there",
    "inbox.unread_count": "a fragment of the header's Inbox link (204 while unchanged), audited on every page",
    "inbox.attachment": "a file download",
}


@dataclass(frozen=True)
class Visit:
    endpoint: str
    who: str  # "anonymous", "buyer", "seller" or "admin"
    path: str
    buyer_facing: bool


def _world(make_user, make_kwork, make_order, fund) -> dict:
    """One marketplace with every state a page can show: each order state, open requests, a dispute, reviews."""
    from webapp.extensions import db
    from webapp.services import blocking, cancellations, deadlines, disputes, kworks, reviews, wallet

    admin = make_user("Ada Admin", email="ada@example.com", admin=True)
    seller = make_user("Sam Seller", email="sam@example.com", role="seller")
    buyer = make_user("Bea Buyer", email="bea@example.com")
    blocked = make_user("Bob Blocked", email="bob@example.com")
    from webapp.domain.extras import ExtraDraft

    # Paid extras: the checkout shows their fieldset and the order summary, the editor one fieldset per extra.
    kwork = make_kwork(seller, extras=[ExtraDraft("Express delivery", 500, 0), ExtraDraft("Extra page", 300, 1, True, 5)])
    from tests.images import image_bytes
    from webapp.services import pictures

    pictures.add_picture(seller, kwork.id, image_bytes(size=(800, 600)), "A server rack with blue lights")
    pictures.add_picture(seller, kwork.id, image_bytes(size=(800, 600), colour=(200, 60, 60)), "The setup report, first page")
    pictures.set_avatar(seller, image_bytes(size=(200, 200), colour=(14, 116, 144)))
    states = {state: make_order(state, kwork=kwork, buyer=buyer) for state in
              ("awaiting_requirements", "new", "in_work", "delivered", "revision", "completed", "cancelled")}  # fmt: skip
    reviews.save_review(buyer, states["completed"], positive=False, text="The logo came late and in the wrong colours.", now=NOW)
    reviews.report(seller, states["completed"].review, "It names a competitor instead of reviewing the work", NOW)
    asking = make_order("in_work", kwork=kwork, buyer=buyer)
    cancellations.request(seller, asking, "not_matching", COMMENT, NOW)
    extending = make_order("in_work", kwork=kwork, buyer=buyer)
    deadlines.request_extension(seller, extending, 3, "The hosting provider needs two days to verify the account.", NOW)
    disputed = make_order("in_work", kwork=kwork, buyer=buyer)
    request = cancellations.request(seller, disputed, "no_information", COMMENT, NOW)
    cancellations.answer(buyer, request, accept=True, reason_correct=False, now=NOW)
    dispute = disputes.escalate(seller, disputed, "I asked three times for the brief in the messages.", NOW)
    from webapp.services import resolutions, tips, work_disputes

    offered = make_order("delivered", kwork=kwork, buyer=buyer)
    resolutions.offer(seller, offered, 500, "Sorry, the favicon is missing; here is part of the payment back.", NOW)
    judged = make_order("delivered", kwork=kwork, buyer=buyer)
    work_dispute = work_disputes.open_dispute(buyer, judged, "The delivered site has no contact form, which the package includes.", [], NOW)
    work_disputes.answer(seller, judged, "The contact form is on the second page; see the screenshot attached.", [], NOW)
    from webapp.services import upgrades

    # An upgrade waiting for the buyer's answer (the seller sees it with the withdrawal, the buyer with the answer).
    upgrading = make_order("in_work", kwork=kwork, buyer=buyer)
    upgrades.propose(seller, upgrading, f"extra-{kwork.extras[1].id}", quantity=2, title="", price_units=None, days=None,
                     comment="The About page needs the same layout.", now=NOW)  # fmt: skip
    tipped = make_order("completed", kwork=kwork, buyer=buyer)
    fund(buyer, 300)
    tips.tip(buyer, tipped, 300, NOW)
    pending = make_kwork(seller, title="I will migrate your site to a new server")
    draft = kworks.draft_from_kwork(pending)
    draft.description = "Migration with zero downtime and a rollback plan."
    kworks.save_kwork(seller, draft, kwork=pending, submit=True)
    rejected = make_kwork(seller, status="pending", title="I will write your privacy policy")
    kworks.reject(admin, rejected, "Say which countries' laws the policy covers.")
    make_order("completed", kwork=kwork, buyer=blocked)
    blocking.block(seller, blocked, "abusive", NOW)
    from webapp.services import favourites

    favourites.set_favourite(buyer, kwork.id, True, now=NOW)
    fund(buyer, 5000)
    topup = wallet.start_topup(buyer, 1000)
    from webapp.services import conversations, offers, tokens

    contact = conversations.start(buyer, seller, kwork, "Can you also set up mail? Write me at bea@example.com", [], NOW, asks_for_offer=True)
    conversations.post(seller, contact.conversation, "Yes, I can.", [], NOW)
    offers.make(seller, contact.conversation, offers.Terms("VPS and mail server", 3000, 4, 2, 3), NOW)
    declined = offers.make(seller, contact.conversation, offers.Terms("VPS only", 1500, 2, 1, 3), NOW)
    offers.decline(buyer, declined.id, "I need the mail server too", NOW)
    conversations.report(buyer, contact.conversation, contact.id + 1, "Rude", NOW)

    # Links as the account e-mails carry them: a password reset (for the blocked buyer, whose password stays) and an
    # address confirmation (the buyer's, already confirmed: opening it again shows the same page).
    links = {"reset": tokens.reset_token(blocked), "verify": tokens.verification_token(buyer)}
    world = {
        "kwork": kwork.id, "pending": pending.id, "rejected": rejected.id, "seller": seller.id, "buyer": buyer.id,
        "blocked": blocked.id, "dispute": dispute.id, "work_dispute": work_dispute.id, "conversation": contact.conversation_id, "message": contact.id + 1,
        "offer": declined.id - 1, "review": states["completed"].review.id, "topup": topup.reference,
        "links": links,
        "orders": {state: order.id for state, order in states.items()} | {"cancellation_asked": asking.id,
                   "extension_asked": extending.id, "disputed": disputed.id, "refund_offered": offered.id,
                   "work_disputed": judged.id, "tipped": tipped.id, "upgrade_proposed": upgrading.id},
    }  # fmt: skip
    db.session.commit()
    done_seeding()
    return world


def _visits(world: dict) -> list[Visit]:
    kwork, seller, buyer = world["kwork"], world["seller"], world["buyer"]
    visits = [
        Visit("catalog.index", "anonymous", "/catalog/", True),
        Visit("catalog.index", "anonymous", "/catalog/?q=nothing-matches-this", True),
        Visit("catalog.index", "anonymous", "/catalog/?price_min=abc", True),
        Visit("catalog.kwork", "anonymous", f"/catalog/kworks/{kwork}", True),
        Visit("catalog.seller", "anonymous", f"/catalog/sellers/{seller}", True),
        Visit("auth.login", "anonymous", "/auth/login", True),
        Visit("auth.register", "anonymous", "/auth/register", True),
        Visit("pages.accessibility", "anonymous", "/accessibility", True),
        Visit("pages.levels", "anonymous", "/levels", True),
        Visit("auth.forgot_password", "anonymous", "/auth/forgot-password", True),
        Visit("auth.check_email", "anonymous", "/auth/check-email?about=account", True),
        Visit("auth.check_email", "anonymous", "/auth/check-email?about=password", True),
        Visit("auth.reset_password", "anonymous", f"/auth/reset-password/{world['links']['reset']}", True),
        Visit("auth.reset_password", "anonymous", "/auth/reset-password/not-a-token", True),
        Visit("auth.verify_email", "anonymous", f"/auth/verify-email/{world['links']['verify']}", True),
        Visit("auth.verify_email", "anonymous", "/auth/verify-email/not-a-token", True),
        Visit("account.dashboard", "buyer", "/account/", True),
        Visit("account.profile", "buyer", "/account/profile", True),
        Visit("account.security", "buyer", "/account/security", True),
        Visit("account.phone", "buyer", "/account/phone", True),
        Visit("account.email", "buyer", "/account/email", True),
        Visit("account.password", "buyer", "/account/password", True),
        Visit("account.devices", "buyer", "/account/devices", True),
        Visit("notifications.index", "buyer", "/notifications/", True),
        Visit("notifications.settings", "buyer", "/notifications/settings", True),
        Visit("orders.index", "buyer", "/orders/", True),
        Visit("catalog.favourites_page", "buyer", "/catalog/favourites", True),
        Visit("orders.checkout", "buyer", f"/orders/checkout/{kwork}", True),
        Visit("wallet.index", "buyer", "/wallet/", True),
        Visit("wallet.sandbox_payment", "buyer", f"/wallet/sandbox/{world['topup']}", True),
        Visit("sandbox.phone", "buyer", "/sandbox/phone", True),
        Visit("sandbox.mailbox", "buyer", "/sandbox/mail", True),
        Visit("account.dashboard", "seller", "/account/", False),
        Visit("account.payout_details", "seller", "/account/payouts", False),
        Visit("account.seller_ratings", "seller", "/account/ratings", False),
        Visit("account.blocks", "seller", "/account/blocks", False),
        Visit("account.away", "seller", "/account/away", False),
        Visit("account.block_buyer", "seller", f"/account/blocks/{buyer}", False),
        Visit("kworks.index", "seller", "/kworks/", False),
        Visit("kworks.new", "seller", "/kworks/new", False),
        Visit("kworks.edit", "seller", f"/kworks/{kwork}/edit", False),
        Visit("kworks.edit", "seller", f"/kworks/{world['rejected']}/edit", False),
        Visit("kworks.delete", "seller", f"/kworks/{kwork}/delete", False),
        Visit("kworks.kwork_pictures", "seller", f"/kworks/{kwork}/pictures", False),
        Visit("kworks.kwork_pictures", "seller", f"/kworks/{world['rejected']}/pictures", False),
        Visit("kworks.portfolio", "seller", "/kworks/portfolio", False),
        Visit("orders.index", "seller", "/orders/?role=seller", False),
        Visit("moderation.queue", "admin", "/moderation/kworks", False),
        Visit("moderation.reject", "admin", f"/moderation/kworks/{world['pending']}/reject", False),
        Visit("moderation.review_queue", "admin", "/moderation/reviews", False),
        Visit("moderation.review", "admin", f"/moderation/reviews/{world['review']}", False),
        Visit("moderation.dispute_queue", "admin", "/moderation/disputes", False),
        Visit("moderation.dispute", "admin", f"/moderation/disputes/{world['dispute']}", False),
        Visit("moderation.work_dispute", "admin", f"/moderation/work-disputes/{world['work_dispute']}", False),
        Visit("moderation.users", "admin", "/moderation/users?q=sam", False),
        Visit("moderation.user", "admin", f"/moderation/users/{seller}", False),
        Visit("moderation.audit_log", "admin", "/moderation/audit", False),
        Visit("inbox.index", "buyer", "/inbox/", True),
        Visit("inbox.index", "buyer", "/inbox/?q=nobody", True),
        Visit("inbox.show", "buyer", f"/inbox/{world['conversation']}", True),
        Visit("inbox.show", "seller", f"/inbox/{world['conversation']}", False),
        Visit("inbox.contact", "buyer", f"/inbox/with/{seller}?kwork={kwork}&ask=1", True),
        Visit("inbox.report", "buyer", f"/inbox/{world['conversation']}/messages/{world['message']}/report", True),
        Visit("inbox.new_offer", "seller", f"/inbox/{world['conversation']}/offers/new", False),
        Visit("inbox.decline_offer", "buyer", f"/inbox/{world['conversation']}/offers/{world['offer']}/decline", True),
        Visit("moderation.conversation_reports", "admin", "/moderation/conversations", False),
        Visit("moderation.conversation", "admin", f"/moderation/conversations/{world['conversation']}", False),
    ]
    for name, order_id in world["orders"].items():
        visits.append(Visit("orders.show", "buyer", f"/orders/{order_id}", True))
        visits.append(Visit("orders.show", "seller", f"/orders/{order_id}", False))
    return visits


def test_the_audit_covers_every_page_route(app):
    """A new page route fails here until it is added to the audit (or to NOT_PAGES with a reason)."""
    world = {"kwork": 1, "pending": 2, "rejected": 3, "seller": 1, "buyer": 2, "dispute": 1, "work_dispute": 1, "review": 1, "topup": "x",
             "conversation": 1, "message": 2, "offer": 1,
             "orders": {"new": 1}, "links": {"reset": "x", "verify": "x"}}  # fmt: skip
    audited = {visit.endpoint for visit in _visits(world)}
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - set(NOT_PAGES)
    assert pages - audited == set(), "pages missing from the audit"
    assert audited - pages == set(), "audited endpoints that no longer exist"


KEYBOARD_WALK = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const rect = el.getBoundingClientRect();
  window.__audit = window.__audit || [];
  const previous = window.__audit[window.__audit.length - 1];
  const inOrder = !previous || previous === el || !!(previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  const again = previous === el;  // Tab moved inside one control: a date field's day, month and year segments
  const seen = !again && window.__audit.includes(el);
  window.__audit.push(el);
  return {name: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + (el.textContent || el.value || "").trim().slice(0, 30),
          visible: outline || shadow, inOrder, seen, again, size: [rect.width, rect.height]};
}"""


def _assert_keyboard(page, where: str) -> None:
    assert page.evaluate("() => [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length") == 0, (
        f"{where}: a positive tabindex reorders the keyboard path"
    )
    # Every visible focusable element is one Tab stop, except radios: a group is one stop (arrows move inside it).
    stops = page.evaluate(
        """() => {
          const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
            .filter(e => !e.disabled && e.tabIndex >= 0 && e.checkVisibility());
          const groups = new Set(all.filter(e => e.type === 'radio').map(e => e.form ? e.form.id + '/' + e.name : e.name));
          return all.filter(e => e.type !== 'radio').length + groups.size;
        }"""
    )
    # Start the walk at the top of the page, wherever the page put focus (an error summary takes it on load).
    page.evaluate("""() => { window.__audit = []; const top = document.createElement('span'); top.tabIndex = -1;
                             document.body.prepend(top); top.focus(); }""")
    visited = 0
    for _ in range(stops * 3 + 3):  # a date field takes three Tabs (its segments)
        page.keyboard.press("Tab")
        stop = page.evaluate(KEYBOARD_WALK)
        if stop is None or stop["seen"]:
            break  # focus left the page or came round again: the walk is over, nothing trapped it
        if stop["again"]:
            continue  # the next segment of the same field, not a new stop
        visited += 1
        assert stop["visible"], f"{where}: no visible focus indicator on {stop['name']}"
        assert stop["inOrder"], f"{where}: focus jumped backwards to {stop['name']}"
    else:
        pytest.fail(f"{where}: Tab kept focus inside the page after every stop – a keyboard trap")
    if visited != stops:
        missed = page.evaluate(
            """() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
              .filter(e => !e.disabled && e.tabIndex >= 0 && e.checkVisibility() && e.type !== 'radio' && !window.__audit.includes(e))
              .map(e => e.outerHTML.slice(0, 120))"""
        )
        pytest.fail(f"{where}: Tab reached {visited} of the page's {stops} focusable stops; never reached: {missed}")


def _assert_reflows(page, where: str) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{where}: scrolls sideways by {overflow}px at 320px wide"


def _contexts(new_context, language: str) -> dict:
    """One browser context per kind of user, logged in and switched to the language through its link."""
    emails = {"buyer": "bea@example.com", "seller": "sam@example.com", "admin": "ada@example.com"}
    pages = {}
    for who in ("anonymous", "buyer", "seller", "admin"):
        page = new_context(viewport={"width": 1280, "height": 900}).new_page()
        if who != "anonymous":
            log_in(page, emails[who])  # the seller's account starts in selling mode
        page.goto(f"/language/{language}?next=/accessibility")
        expect(page.locator("html")).to_have_attribute("lang", language)
        pages[who] = page
    return pages


@pytest.mark.parametrize("language", ["en", "ru", "pt", "fr"])
def test_every_page_passes_axe_keyboard_and_reflow(new_context, make_user, make_kwork, make_order, fund, language):
    world = _world(make_user, make_kwork, make_order, fund)
    pages = _contexts(new_context, language)
    full = language in ("en", "ru")
    checked = 0
    for visit in _visits(world):
        page = pages[visit.who]
        response = page.goto(visit.path)
        where = f"{language} {visit.who} {visit.path}"
        assert response.status in (200, 422), f"{where}: HTTP {response.status}"
        assert page.locator("html").get_attribute("lang") == language, f"{where}: page not in {language}"
        assert_no_axe_violations(page, where)
        if full or visit.buyer_facing:
            _assert_keyboard(page, where)
        _assert_reflows(page, where)
        checked += 1
    assert checked >= 40


def test_motion_stops_when_the_system_asks(new_context, make_user, make_kwork):
    seller = make_user("Sam Seller", role="seller")
    make_kwork(seller)
    done_seeding()
    page = new_context(reduced_motion="reduce").new_page()
    page.goto("/catalog/")
    durations = page.evaluate(
        "() => [...document.querySelectorAll('a, button, .button')].map(e => getComputedStyle(e).transitionDuration)"
    )
    assert durations and all(re.fullmatch(r"0s(, 0s)*", d) for d in durations), durations


@pytest.mark.parametrize("language", ["en", "ru", "pt", "fr"])
def test_empty_pages_pass_axe_and_keyboard(new_context, make_user, language):
    """The same pages for people who have nothing yet: no orders, kworks, notifications or moderation work."""
    make_user("Ada Admin", email="ada@example.com", admin=True)
    make_user("Sam Seller", email="sam@example.com", role="seller")
    make_user("Bea Buyer", email="bea@example.com")
    done_seeding()
    pages = _contexts(new_context, language)
    empty = [
        ("anonymous", "/catalog/"), ("buyer", "/catalog/favourites"), ("buyer", "/account/"), ("buyer", "/account/devices"), ("buyer", "/orders/"), ("buyer", "/inbox/"), ("buyer", "/notifications/"),
        ("buyer", "/wallet/"), ("buyer", "/account/security"), ("buyer", "/sandbox/phone"), ("buyer", "/sandbox/mail"),
        ("seller", "/account/"), ("seller", "/kworks/"), ("seller", "/kworks/portfolio"), ("seller", "/account/ratings"),
        ("seller", "/account/blocks"), ("seller", "/account/payouts"), ("admin", "/moderation/kworks"),
        ("admin", "/moderation/reviews"), ("admin", "/moderation/disputes"), ("admin", "/moderation/audit"),
    ]  # fmt: skip
    for who, path in empty:
        page = pages[who]
        assert page.goto(path).status == 200, path
        where = f"{language} {who} {path} (empty)"
        assert_no_axe_violations(page, where)
        _assert_keyboard(page, where)


@pytest.mark.parametrize("language", ["en", "ru", "pt", "fr"])
def test_form_errors_focus_the_summary_keep_input_and_pass_axe(new_context, make_user, make_kwork, make_order, fund, language):
    """Each kind of form sent with a mistake: the summary takes focus, links to the field, and nothing typed is lost."""
    world = _world(make_user, make_kwork, make_order, fund)
    pages = _contexts(new_context, language)
    cases = [  # who, page, the form's action, fields to fill first (what was typed must survive)
        ("anonymous", "/auth/login", "/auth/login", {"email": "bea@example.com"}),
        ("anonymous", "/auth/register", "/auth/register", {"email": "new@example.com", "password": "short"}),
        ("anonymous", "/auth/forgot-password", "/auth/forgot-password", {"email": "not an address"}),
        ("anonymous", f"/auth/reset-password/{world['links']['reset']}", "/auth/reset-password/", {"password": "aaaaaaaaaa"}),
        ("buyer", "/account/password", "/account/password", {"current_password": "wrong", "password": "aaaaaaaaaa"}),
        ("buyer", "/wallet/", "/wallet/", {"amount": "12abc"}),
        ("buyer", "/account/phone", "/account/phone", {"phone": "12"}),
        ("buyer", "/account/profile", "/account/profile", {"display_name": ""}),
        ("seller", "/account/away", "/account/away", {"away_message": "Hiking"}),
        ("buyer", f"/orders/checkout/{world['kwork']}", f"/orders/checkout/{world['kwork']}", {"quantity": "0"}),
        ("seller", "/kworks/new", "/kworks/new", {"title": "I will set up"}),
        ("seller", f"/kworks/{world['kwork']}/pictures", f"/kworks/{world['kwork']}/pictures", {"alt": "A rack"}),
        ("admin", f"/moderation/kworks/{world['pending']}/reject", f"/moderation/kworks/{world['pending']}/reject", {}),
        ("admin", f"/moderation/disputes/{world['dispute']}", f"/moderation/disputes/{world['dispute']}", {}),
        ("buyer", f"/inbox/with/{world['seller']}?kwork={world['kwork']}&ask=1", "/inbox/with/", {}),
        ("seller", f"/inbox/{world['conversation']}/offers/new", f"/inbox/{world['conversation']}/offers/new", {"description": "Mail too"}),
        ("buyer", f"/inbox/{world['conversation']}/offers/{world['offer']}/decline", f"/inbox/{world['conversation']}/offers/", {}),
    ]
    for who, path, action, typed in cases:
        page = pages[who]
        page.goto(path)
        form = page.locator(f"form[action^='{action}']").first
        for name, value in typed.items():
            form.locator(f"[name='{name}']").fill(value)
        form.locator("button[type=submit]:not([tabindex='-1']):not([hx-post])").first.click()  # the form's own submit
        where = f"{language} {who} {path} (error)"
        summary = page.locator(".error-summary")
        expect(summary, where).to_be_focused()
        for link in summary.get_by_role("link").all():
            target = link.get_attribute("href")
            assert page.locator(target).count() == 1, f"{where}: the summary links to {target}, which is not on the page"
        for name, value in typed.items():
            if "password" not in name:  # a password is never sent back
                expect(page.locator(f"form[action^='{action}'] [name='{name}']").first, where).to_have_value(value)
        assert_no_axe_violations(page, where)
