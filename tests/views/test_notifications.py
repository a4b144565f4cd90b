"""The bell, the list, mark read (full page and htmx), e-mail settings, the sandbox mailbox and the polled fragments."""
from datetime import datetime, timezone

import pytest

from webapp.domain.notifications import KINDS
from webapp.extensions import db
from webapp.models import EmailOptOut, Notification
from webapp.services import cancellations, notifications, orders

from ..pages import check_page, parse, text_of
from ..services.test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
HTMX = {"HX-Request": "true"}


def bell(document):
    return document.find(".//a[@id='notification-bell']")


def bell_name(document) -> str:
    """What a screen reader calls the bell (the visible count beside it is hidden from them)."""
    return text_of(bell(document).find("span[@class='visually-hidden']"))


def announced(document) -> str:
    region = document.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")
    return text_of(region) if region is not None else ""


@pytest.fixture
def anna(make_user, login_as):
    user = make_user("Anna")
    login_as(user)
    return user


def add(user, text: str, url: str = "/orders/") -> Notification:
    notification = notifications.notify(user.id, "moderation", text, url)
    db.session.commit()
    return notification


def test_the_bell_names_the_unread_count_and_links_to_the_list(client, anna):
    page = check_page(client.get("/catalog/"))
    assert bell_name(page) == "Notifications" and bell(page).get("href") == "/notifications/"
    add(anna, "One")
    add(anna, "Two")
    page = check_page(client.get("/catalog/"))
    icon = bell(page)
    assert bell_name(page) == "Notifications, 2 unread" and text_of(icon.find("span[@aria-hidden='true']")) == "2"
    assert (icon.get("hx-get"), icon.get("hx-trigger")) == ("/notifications/badge?count=2", "every 30s")


def test_no_bell_for_visitors(client):
    assert bell(check_page(client.get("/catalog/"))) is None


def test_the_list_shows_newest_first_with_links_and_mark_read_buttons(client, anna, make_user):
    add(anna, "Older", "/orders/7")
    newer = add(anna, "Newer", "/orders/8")
    add(make_user("Bob"), "Not Anna's")
    page = check_page(client.get("/notifications/"))
    main = text_of(page.find(".//main"))
    assert "Not Anna's" not in main and main.index("Newer") < main.index("Older")
    assert text_of(page.find(".//h2[@id='notifications-heading']")) == "2 unread"
    link = page.find(f".//a[@id='notification-{newer.id}-link']")
    assert (link.get("href"), text_of(link)) == ("/orders/8", "Newer")
    button = page.find(f".//button[@id='notification-{newer.id}-read']")
    assert text_of(button) == "Mark as read: Newer"
    form = page.find(f".//form[@action='/notifications/{newer.id}/read']")
    assert form.get("method") == "post" and form.get("hx-post") == f"/notifications/{newer.id}/read"


def test_mark_read_without_javascript_redirects_to_the_list(client, anna):
    first, second = add(anna, "One"), add(anna, "Two")
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"
    assert first.read_at is not None and second.read_at is None
    page = check_page(client.get("/notifications/"))
    assert page.find(f".//button[@id='notification-{first.id}-read']") is None
    assert bell_name(page) == "Notifications, 1 unread"


def test_mark_read_with_htmx_returns_the_list_the_bell_and_an_announcement(client, anna):
    first = add(anna, "One")
    add(anna, "Two")
    response = client.post(f"/notifications/{first.id}/read", headers=HTMX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    fragment = parse(response)
    assert fragment.find(".//h1") is None  # one block, not the page
    assert fragment.find(f".//a[@id='notification-{first.id}-link']").get("autofocus") is not None
    assert bell(fragment).get("hx-swap-oob") == "true" and bell_name(fragment) == "Notifications, 1 unread"
    assert announced(fragment) == "Marked as read"


def test_someone_elses_notification_is_not_found(client, anna, make_user):
    other = add(make_user("Bob"), "Bob's")
    assert client.post(f"/notifications/{other.id}/read").status_code == 404
    assert other.read_at is None


def test_mark_all_read(client, anna):
    add(anna, "One")
    add(anna, "Two")
    response = client.post("/notifications/read-all", headers=HTMX)
    fragment = parse(response)
    assert announced(fragment) == "All notifications marked as read"
    assert fragment.find(".//h2[@id='notifications-heading']").get("autofocus") is not None
    assert notifications.unread_count(anna.id) == 0
    redirected = client.post("/notifications/read-all", follow_redirects=True)
    assert "No unread notifications" in text_of(check_page(redirected).find(".//main"))


def test_the_badge_answers_204_until_the_count_changes_and_announces_a_rise(client, anna):
    assert client.get("/notifications/badge?count=0", headers=HTMX).status_code == 204
    add(anna, "One")
    fragment = parse(client.get("/notifications/badge?count=0", headers=HTMX))
    assert bell_name(fragment) == "Notifications, 1 unread"
    assert bell(fragment).get("hx-get") == "/notifications/badge?count=1"
    assert announced(fragment) == "1 unread notification. Newest: One"
    notifications.mark_all_read(anna, START)
    fragment = parse(client.get("/notifications/badge?count=1", headers=HTMX))
    assert bell_name(fragment) == "Notifications" and announced(fragment) == ""  # a fall is not news
    assert client.get("/notifications/badge").headers["Location"] == "/notifications/"  # no JavaScript: the list


def test_csrf_protects_the_actions(app, client, anna):
    first = add(anna, "One")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/notifications/{first.id}/read").status_code == 400
        assert client.post("/notifications/read-all").status_code == 400
        assert client.post("/notifications/settings", data={"kinds": ["new_order"]}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert first.read_at is None and db.session.query(EmailOptOut).count() == 0


def test_e_mail_settings_are_a_fieldset_of_checkboxes_all_ticked_by_default(client, anna):
    page = check_page(client.get("/notifications/settings"))
    fieldset = page.find(".//fieldset")
    assert text_of(fieldset.find("legend")) == "Send me an e-mail when"
    boxes = fieldset.findall(".//input[@type='checkbox']")
    assert len(boxes) == len(KINDS) and all(box.get("checked") is not None for box in boxes)
    labels = [text_of(label) for label in fieldset.findall(".//label")]
    assert labels == list(KINDS.values())
    assert boxes[0].get("id") == "kinds"  # the error summary's link target


def test_saving_e_mail_settings_opts_out_of_unticked_kinds(client, anna):
    keep = [kind for kind in KINDS if kind not in ("new_order", "voice_code_call")]
    response = client.post("/notifications/settings", data={"kinds": keep})
    assert response.status_code == 302
    assert {row.kind for row in db.session.query(EmailOptOut).filter_by(user_id=anna.id)} == {"new_order", "voice_code_call"}
    page = check_page(client.get("/notifications/settings"))
    assert "Your e-mail choices are saved" in text_of(page.find(".//main"))
    assert page.find(".//input[@value='new_order']").get("checked") is None
    assert page.find(".//input[@value='delivered']").get("checked") is not None


def test_a_tampered_kind_is_an_error_on_the_fieldset(client, anna):
    response = client.post("/notifications/settings", data={"kinds": ["gossip"]})
    assert response.status_code == 422
    page = check_page(response)
    assert page.find(".//title").text.startswith("Error: ")
    assert page.find(".//div[@class='error-summary']//a").get("href") == "#kinds"
    assert "kinds-error" in page.find(".//fieldset").get("aria-describedby")


def test_the_sandbox_mailbox_lists_what_the_job_sent_to_the_viewer_only(app, client, anna, login_as, make_order):
    order = make_order("new", now=START)
    run_worker()
    page = check_page(client.get("/sandbox/mail"))
    assert page.find(".//ol[@class='messages']/li") is None  # Anna sees none of the seller's mail
    login_as(order.seller)
    page = check_page(client.get("/sandbox/mail"))
    item = text_of(page.find(".//ol[@class='messages']/li"))
    assert f"To {order.seller.email}" in item and f"/orders/{order.id}" in item
    assert order.buyer.email not in text_of(page.find(".//main"))
    app.testing = False
    try:
        assert client.get("/sandbox/mail").status_code == 404  # demo and tests only, like the sandbox phone
    finally:
        app.testing = True


# --- the live order page ------------------------------------------------------------------------------------------


@pytest.fixture
def order_as_seller(make_order, login_as):
    order = make_order("in_work", now=START)
    login_as(order.seller)
    return order


def test_the_order_summary_polls_with_its_version(client, order_as_seller):
    order = order_as_seller
    page = check_page(client.get(f"/orders/{order.id}"))
    summary = page.find(".//section[@id='order-summary']")
    version = notifications.order_version(order)
    assert summary.get("hx-get") == f"/notifications/orders/{order.id}/summary?version={version}&state=in_work"
    assert summary.get("hx-trigger") == "every 20s"
    assert page.find(".//div[@id='sr-status']") is not None  # the live region is there from the first load


def test_the_summary_fragment_is_204_until_something_changes_then_announced_once(client, order_as_seller):
    order = order_as_seller
    url = f"/notifications/orders/{order.id}/summary?version={notifications.order_version(order)}&state=in_work"
    assert client.get(url, headers=HTMX).status_code == 204
    orders.deliver(order.seller, order, "Done", [], START)
    fragment = parse(client.get(url, headers=HTMX))
    summary = fragment.find(".//section[@id='order-summary']")
    assert "Delivered" in text_of(summary) and "Reload the page" in text_of(summary)
    new_version = notifications.order_version(order)
    assert summary.get("hx-get") == f"/notifications/orders/{order.id}/summary?version={new_version}&state=delivered"
    assert announced(fragment) == "Order status changed to Delivered."
    # The next poll carries the new version: nothing more to say.
    assert client.get(summary.get("hx-get"), headers=HTMX).status_code == 204


def test_a_change_without_a_new_state_is_announced_as_an_update(client, order_as_seller):
    order = order_as_seller
    url = f"/notifications/orders/{order.id}/summary?version={notifications.order_version(order)}&state=in_work"
    cancellations.request(order.buyer, order, "misunderstanding", "We misunderstood each other about the scope.", START)
    assert announced(parse(client.get(url, headers=HTMX))) == f"Order #{order.id} was updated."


def test_the_summary_fragment_is_private_and_a_full_page_without_htmx(client, order_as_seller, make_order, login_as):
    order = order_as_seller
    assert client.get(f"/notifications/orders/{order.id}/summary").headers["Location"] == f"/orders/{order.id}"
    stranger_order = make_order("new", now=START)
    assert client.get(f"/notifications/orders/{stranger_order.id}/summary?version=x", headers=HTMX).status_code == 404
