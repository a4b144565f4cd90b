"""Hostile input on every route: no value in a path, a query string or a form ever gives a 5xx.

The sweep walks `app.url_map` as an anonymous visitor, a buyer, a seller and an admin. For each rule and method it
first sends a request with real ids (so the view gets as far as it can) and records which query and form
parameters the view read; then it sends each of those parameters (and a standard set) with hostile values,
one at a time on top of a valid submission where the form needs one, and each path argument with hostile values.
Every answer must be below 500 and say something: a 4xx page in the site's layout, a 422 with a field error,
or a page or redirect. On PostgreSQL ids are `integer`, so 2**31 is where an unbounded id would overflow.
"""
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from flask import g

from webapp.bounds import BoundedArgs
from webapp.extensions import db
from webapp.models import Attachment, Notification, PayoutDetail, Review, User
from webapp.services import cancellations, conversations, disputes, kworks, offers, orders, pictures, reviews, wallet, work_disputes

from .conftest import category_id, signed_in_id
from .images import image_bytes
from .pages import check_page, text_of

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
LONG = "x" * 10_000
# Values for a path argument: past int32 (PostgreSQL `integer`), int64 and uint64, below and at the bottom of the
# id range, not a number, and a string long enough to break naive parsing (Python refuses int() past 4,300 digits).
PATH_VALUES = [str(2**31), str(2**63), str(2**64), "-1", "0", "abc", LONG, "9" * 10_000]
# Values for a query or form parameter.
FIELD_VALUES = [str(2**31), str(2**63 + 1), "-1", "abc", LONG, "9" * 30]
# Read by some view, or commonly tried by hand: sent together with each hostile value on every GET.
STANDARD_QUERY = ["page", "q", "price_min", "price_max", "sort", "category", "role", "state", "tier", "repeat", "next",
                  "amount", "count", "version", "seen", "target_type", "target_id", "before", "after", "kwork"]  # fmt: skip
# Pairs where the first must not be above the second.
RANGES = [("price_min", "price_max")]
USERS = ["anonymous", "buyer", "seller", "admin"]


# --- recording what a view reads ------------------------------------------------------------------------------

_read: set[str] = set()


class RecordingArgs(BoundedArgs):
    """request.args and request.form that remember which keys the view asked for."""

    def __getitem__(self, key):
        _read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's own signature
        _read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        _read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _read.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording(app, monkeypatch):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", RecordingArgs)


# --- a world where every path argument names a real row ---------------------------------------------------------


@pytest.fixture
def world(make_user, make_kwork, make_order):
    """One row of every kind a route names, owned by the buyer, seller and admin the sweep logs in as."""
    seller = make_user("Sam Seller", role="seller")
    buyer = make_user("Bea Buyer")
    admin = make_user("Ada Admin", admin=True)
    kwork = make_kwork(seller)
    pending = make_kwork(seller, status="pending", title="I will write your landing page")
    delivered = make_order("delivered", buyer=buyer, kwork=kwork)
    message = orders.post_message(buyer, delivered, "The file", [orders.Upload("brief.txt", b"brief")], NOW)
    attachment = db.session.query(Attachment).filter_by(message_id=message.id).one()
    completed = make_order("completed", buyer=buyer, kwork=kwork)
    review = reviews.save_review(buyer, completed, positive=False, text="Late and rude, would not order again.", now=NOW)
    reviews.report(seller, review, "It insults me rather than reviewing the work", NOW)
    disputed = make_order("in_work", buyer=buyer, kwork=kwork)
    request = cancellations.request(seller, disputed, "no_information", "The buyer never sent the brief at all.", NOW)
    cancellations.answer(buyer, request, accept=True, reason_correct=False, now=NOW)
    dispute = disputes.escalate(seller, disputed, "I asked three times for the brief in messages.", NOW)
    judged = make_order("delivered", buyer=buyer, kwork=kwork)
    work_dispute = work_disputes.open_dispute(buyer, judged, "The delivered site has no contact form at all.", [], NOW)
    item = kworks.add_portfolio_item(seller, title="A shop", link_url="https://example.com/shop")
    picture = pictures.add_picture(seller, kwork.id, image_bytes(size=(400, 300)), "A server rack with blue lights")
    seller.phone, seller.phone_verified_at = "+79161234567", NOW
    detail = PayoutDetail(user_id=seller.id, kind="card", brand="Visa", last4="1111", status="active", created_at=NOW)
    db.session.add(detail)
    db.session.commit()
    topup = wallet.start_topup(buyer, 1000)
    conversation_message = conversations.start(seller, buyer, kwork, "Thanks for the order!", [orders.Upload("a.txt", b"a")], NOW)
    offer = offers.make(seller, conversation_message.conversation, offers.Terms("A second page", 1500, 3, 1, 7), NOW)
    notification = db.session.query(Notification).filter_by(user_id=seller.id).first()
    assert db.session.get(Review, review.id) is not None and notification is not None
    values = {
        "users": {"buyer": buyer.id, "seller": seller.id, "admin": admin.id},
        "args": {
            "kwork_id": kwork.id,
            "order_id": delivered.id,
            "attachment_id": attachment.id,
            "user_id": seller.id,
            "buyer_id": buyer.id,
            "review_id": review.id,
            "dispute_id": dispute.id,
            "work_dispute_id": work_dispute.id,
            "notification_id": notification.id,
            "item_id": item.id,
            "detail_id": detail.id,
            "purpose": "payout",
            "outcome": "paid",
            "topup_id": topup.id,
            "session_id": 1,
            "picture_id": picture.id,
            "reference": topup.reference,
            "token": "not-a-token",
            "code": "ru",
            "name": "missing.png",
            "filename": "css/app.css",
            "conversation_id": conversation_message.conversation_id,
            "message_id": conversation_message.id,
            "offer_id": offer.id,
        },
        # A rule whose argument should name another row than the default one.
        "overrides": {"moderation.approve": {"kwork_id": pending.id}, "moderation.reject": {"kwork_id": pending.id},
                      "orders.checkout": {"kwork_id": kwork.id}},  # fmt: skip
        "forms": _valid_forms(kwork, detail, delivered) | {
            "kworks.kwork_pictures": {"alt": "A server rack with blue lights", "cover": "y"},
            "catalog.favourite": {"favourite": "1", "where": "card", "next": "/catalog/"},
            "kworks.picture_alt": {f"p{picture.id}-alt": "A server rack, front view"},
        },
    }
    db.session.commit()
    return values


def _editor_form(**changes: str) -> dict[str, str]:
    """The kwork editor filled in as a seller would."""
    tiers = {}
    for level, price, days in (("economy", 1000, 1), ("standard", 2000, 2), ("business", 4000, 3)):
        tiers |= {f"{level}-price": str(price), f"{level}-delivery_days": str(days), f"{level}-revisions": "1",
                  f"{level}-description": level.title()}  # fmt: skip
    return {"title": "I will set up a mail server", "category_id": str(category_id()), "is_packaged": "yes",
            "description": "Mail server setup from scratch, with a report.", "buyer_instructions": "Domain access.",
            "options-0-name": "Spam filter", "options-0-economy": "y", "action": "save", **tiers, **changes}  # fmt: skip


def _valid_forms(kwork, detail, order) -> dict[str, dict[str, str]]:
    """A submission each form would accept: a hostile value then replaces one field at a time, so a value the
    parser lets through reaches the service and the database (a 30-digit price is only a problem when saved)."""
    editor = _editor_form()
    return {
        "kworks.new": editor,
        "kworks.edit": editor,
        "catalog.index": {"q": "server", "price_min": "100", "price_max": "5000", "sort": "price_asc", "page": "1"},
        "orders.checkout": {"tier": "economy", "quantity": "1", "requirements": "Domain example.com", "checkout_token": "t0k"},
        "wallet.index": {"amount": "1000"},
        "account.withdraw": {"detail_id": str(detail.id), "amount": "500"},
        "kworks.portfolio": {"title": "Another shop", "kwork_id": str(kwork.id), "link_url": "https://example.com/2"},
        "orders.post_message": {"message": "Any news?"},
        "inbox.post_message": {"message": "Any news?"},
        "inbox.contact": {"message": "A question before ordering"},
        "inbox.report": {"reason": "Rude"},
        "inbox.index": {"q": "Sam"},
        "moderation.conversation": {"note": "Looked at it"},
        "inbox.new_offer": {"description": "A third page", "price": "2000", "delivery_days": "2", "revisions": "1",
                            "expires_in_days": "3", "kwork_id": str(kwork.id)},
        "inbox.decline_offer": {"reason": "Too dear"},
        "kworks.set_agreement_only": {"value": "on"},
        "orders.request_extension": {"days": "3", "extension_reason": "The server provider is slow to answer."},
        "orders.request_revision": {"revision": "Please change the colours of the header."},
        "account.add_card": {"card_number": "4111 1111 1111 1111"},
        "moderation.dispute": {"decision": "uphold", "reason": "The messages show the brief was sent."},
        "moderation.users": {"q": "Sam"},
        "moderation.audit_log": {"target_type": "kwork", "target_id": str(kwork.id)},
        "orders.index": {"role": "buyer", "state": "delivered"},
        "notifications.badge": {"count": "1"},
        "orders.offer_partial_refund": {"refund": "500", "refund_comment": "Part of the logo work is missing."},
        "orders.tip": {"tip": "100"},
        "orders.open_work_dispute": {"work_statement": "The delivered site has no contact form at all."},
        "orders.answer_work_dispute": {"work_answer": "The contact form is on the second page of the site."},
        "moderation.work_dispute": {"decision": "split", "amount": "500", "reason": "Half of the work is missing."},
    }


# --- the sweep -------------------------------------------------------------------------------------------------


def _url(rule, args: dict[str, str]) -> str:
    def value(match):
        return quote(str(args[match.group(1)]), safe="/" if match.group(0).startswith("<path:") else "")

    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", value, rule.rule)


class Sweep:
    def __init__(self, app, client, who: str, world: dict):
        self.app, self.client, self.who, self.world = app, client, who, world
        self.problems: dict[tuple[str, str], list[str]] = {}  # (endpoint, what went wrong) -> the requests
        self.sent = 0

    def log_in(self):
        if self.who == "anonymous":
            return
        alternative_id = signed_in_id(db.session.get(User, self.world["users"][self.who]))
        with self.client.session_transaction() as session:
            session["_user_id"] = alternative_id
            session["_fresh"] = True
        g.pop("_login_user", None)  # requests share the test's app context, where Flask-Login caches the user

    @contextmanager
    def reading(self):
        _read.clear()
        yield _read

    def send(self, rule, method: str, url: str, data: dict[str, str] | None, htmx: bool, what: str):
        headers = {"HX-Request": "true"} if htmx else {}
        label = f"{self.who} {method} {rule.endpoint} {what}{' (htmx)' if htmx else ''}"
        self.sent += 1
        try:
            if method == "GET":
                response = self.client.get(url, query_string=data or {}, headers=headers)
            else:
                response = self.client.post(url, data=data or {}, headers=headers)
        except Exception as error:  # noqa: BLE001 - every escape is a 500 in production
            db.session.rollback()
            self.problems.setdefault((f"{method} {rule.endpoint}", f"{type(error).__name__}: {str(error)[:160]}"), []).append(label)
            return None
        finally:
            if rule.endpoint == "auth.logout":
                self.log_in()
        problem = _unclear(response)
        if problem:
            self.problems.setdefault((f"{method} {rule.endpoint}", f"{response.status_code}, {problem}"), []).append(label)
        return response

    def report(self) -> str:
        lines = [f"{sum(map(len, self.problems.values()))} of {self.sent} requests went wrong:"]
        for (where, what), labels in self.problems.items():
            lines.append(f"- {where}: {what} ({len(labels)}×, e.g. {labels[0]})")
        return "\n".join(lines)

    def run(self):
        self.log_in()
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
            args = {**self.world["args"], **self.world["overrides"].get(rule.endpoint, {})}
            url = _url(rule, args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                valid = self.world["forms"].get(rule.endpoint, {})
                with self.reading() as read:
                    response = self.send(rule, method, url, valid, htmx=False, what="valid")
                if not _refused(response):  # a view that turns this user away reads nothing more from a bad value
                    self.sweep_fields(rule, method, url, valid, sorted(set(read) | set(valid)))
                for arg in rule.arguments:
                    for number, value in enumerate(PATH_VALUES):
                        self.send(rule, method, _url(rule, {**args, arg: value}), valid, number % 2 == 1, f"<{arg}>={value[:20]!r}")

    def sweep_fields(self, rule, method: str, url: str, valid: dict[str, str], keys: list[str]):
        """Each parameter the view read, one at a time with every hostile value on top of a valid submission;
        on a GET also the standard set all at once; and every known range the wrong way round."""
        for number, value in enumerate(FIELD_VALUES):
            htmx = number % 2 == 1
            for key in keys:
                self.send(rule, method, url, {**valid, key: value}, htmx, f"{key}={value[:20]!r}")
            if method == "GET":
                self.send(rule, method, url, dict.fromkeys(STANDARD_QUERY, value), htmx, f"all={value[:20]!r}")
        for low, high in RANGES:
            if low in keys and high in keys:
                self.send(rule, method, url, {**valid, low: "9000", high: "100"}, False, f"{low} > {high}")


def _refused(response) -> bool:
    if response is None:
        return False
    return response.status_code in (401, 403, 404) or "/auth/login" in response.headers.get("Location", "")


def _unclear(response) -> str | None:
    """Why the answer would leave its reader guessing, or None when it says what happened."""
    status = response.status_code
    body = response.get_data(as_text=True) if status >= 300 else ""  # a 200 may be an image (icons, pictures)
    if status >= 500:
        return "server error"
    if status in (301, 302, 303, 307, 308):
        return None if response.headers.get("Location") else "a redirect to nowhere"
    if status == 422:
        return None if "error-message" in body or "error-summary" in body else "a 422 without a field error"
    if status >= 400:
        return None if re.search(r"<h1[^>]*>\s*\S", body) and 'id="main"' in body else "an error without the site's error page"
    return None


@pytest.mark.parametrize("who", USERS)
def test_no_route_answers_hostile_input_with_a_server_error(app, client, world, recording, who):
    sweep = Sweep(app, client, who, world)
    sweep.run()
    assert sweep.sent > 500
    assert not sweep.problems, sweep.report()


# --- what the sweep found, each with the answer a person gets ----------------------------------------------------


def test_a_price_range_the_wrong_way_round_is_a_field_error_that_keeps_both_prices(client):
    response = client.get("/catalog/?price_min=9000&price_max=100")
    assert response.status_code == 422
    document = check_page(response)
    message = "The minimum price must not be above the maximum price"
    assert text_of(document.find(".//p[@id='price_min-error']")) == f"Error: {message}"
    assert document.find(".//p[@id='price_max-error']") is None
    assert [text_of(link) for link in document.findall(".//div[@class='error-summary']//a[@href='#price_min']")] == [message]
    assert (document.find(".//input[@id='price_min']").get("value"), document.find(".//input[@id='price_max']").get("value")) == ("9000", "100")
    assert text_of(document.find(".//title")).startswith("Error: ")


def test_a_thirty_digit_price_filter_is_a_field_error_that_keeps_what_was_typed(client):
    response = client.get("/catalog/", query_string={"price_max": "9" * 30})
    assert response.status_code == 422
    document = check_page(response)
    assert text_of(document.find(".//p[@id='price_max-error']")) == "Error: Enter the maximum price as a whole number up to 1,000,000"
    assert document.find(".//input[@id='price_max']").get("value") == "9" * 30


def test_a_thirty_digit_kwork_price_is_a_field_error_that_keeps_what_was_typed(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=_editor_form(**{"business-price": "9" * 30}))
    assert response.status_code == 422
    document = check_page(response)
    assert text_of(document.find(".//p[@id='business-price-error']")) == "Error: Enter the Business price as a whole number up to 1,000,000"
    assert document.find(".//input[@id='business-price']").get("value") == "9" * 30


@pytest.mark.parametrize("path", ["/orders/2147483648", "/orders/9223372036854775808", "/catalog/kworks/18446744073709551616",
                                  "/catalog/sellers/0", "/kworks/2147483648/edit", "/orders/" + "9" * 5000])  # fmt: skip
def test_an_id_no_integer_column_can_hold_is_page_not_found(client, login_as, make_user, path):
    login_as(make_user())
    response = client.get(path)
    assert response.status_code == 404
    assert text_of(check_page(response).find(".//h1")) == "Page not found"


def test_a_query_id_no_column_can_hold_reads_as_absent(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    login_as(make_user(admin=True))
    assert client.get(f"/orders/checkout/{kwork.id}?repeat=2147483648").status_code == 200  # an ordinary checkout
    assert client.get("/moderation/audit?target_type=kwork&target_id=9223372036854775808").status_code == 200
    assert client.get("/wallet/?amount=99999999999999999999").status_code == 200


@pytest.mark.parametrize("action", ["remove_option-abc", "remove_option-", "remove_option-7", "remove_option--1", "delete_everything"])
def test_the_kwork_editor_refuses_an_action_its_page_never_sends(client, login_as, make_user, action):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=_editor_form(action=action))
    assert response.status_code == 400
    assert text_of(check_page(response).find(".//h1")) == "Sorry, there is a problem with this request"


def test_a_select_value_that_is_no_id_is_a_field_error(client, login_as, make_user):
    login_as(make_user(role="seller"))
    response = client.post("/kworks/new", data=_editor_form(category_id=str(2**63)))
    assert response.status_code == 422
    assert text_of(check_page(response).find(".//p[@id='category_id-error']")) == "Error: Select a category from the list"


def test_an_admin_reads_an_order_but_has_no_message_form_and_cannot_post(client, login_as, make_user, make_order):
    from webapp.models import OrderMessage

    order = make_order("in_work")
    login_as(make_user(admin=True))
    document = check_page(client.get(f"/orders/{order.id}"))
    assert document.find(".//form[@id='message-form']") is None
    assert "Only the buyer and the seller can send messages on this order." in text_of(document)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(f"/orders/{order.id}/messages", data={"message": "Hello from support"}, headers=headers)
        assert response.status_code == 403
        assert text_of(check_page(response).find(".//h1")) == "You can’t do that"
    assert db.session.query(OrderMessage).filter_by(body="Hello from support").count() == 0


@pytest.mark.parametrize(("purpose", "page"), [("payout", "/account/payouts"), ("phone", "/account/phone")])
def test_the_call_status_opened_as_an_address_goes_to_its_page(client, login_as, make_user, purpose, page):
    login_as(make_user(role="seller"))
    response = client.get(f"/account/calls/{purpose}/status")
    assert response.status_code == 302 and response.headers["Location"] == page


def test_unticking_every_email_kind_saves_the_choice(client, login_as, make_user):
    from webapp.services import notifications

    user = make_user()
    login_as(user)
    response = client.post("/notifications/settings", data={})
    assert response.status_code == 302
    assert notifications.emailed_kinds(user) == set()
