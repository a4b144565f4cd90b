from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import Order
from webapp.services import wallet

from ..pages import check_page, parse, text_of


def checkout_data(**changes):
    data = {"tier": "standard", "quantity": "1", "requirements": "example.com, root access", "checkout_token": "tok-1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_kwork_page_offers_an_order_button_per_package(client, make_user, make_kwork):
    kwork = make_kwork(make_user("Anna"))
    document = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    buttons = [(text_of(a), a.get("href")) for a in document.findall(".//tfoot//a")]
    assert buttons == [
        ("Order Economy for RUB 1,000", f"/orders/checkout/{kwork.id}?tier=economy"),
        ("Order Standard for RUB 2,000", f"/orders/checkout/{kwork.id}?tier=standard"),
        ("Order Business for RUB 4,000", f"/orders/checkout/{kwork.id}?tier=business"),
    ]


def test_checkout_shows_what_the_seller_needs_and_preselects_the_tier(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user())
    login_as(make_user())
    document = check_page(client.get(f"/orders/checkout/{kwork.id}?tier=business"))
    assert "Hosting access and the domain name." in text_of(document.find(".//main"))
    checked = [i.get("value") for i in document.iter("input") if i.get("name") == "tier" and i.get("checked") is not None]
    assert checked == ["business"]


def test_checkout_with_too_little_money_offers_a_top_up_and_keeps_input(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user())
    buyer = make_user()
    fund(buyer, 500)
    login_as(buyer)
    response = client.post(f"/orders/checkout/{kwork.id}?tier=standard", data=checkout_data())
    assert response.status_code == 422
    document = check_page(response)
    main = text_of(document.find(".//main"))
    assert "Your balance is too low for this order. Nothing has been charged." in main
    assert "You need RUB 1,500 more" in main
    top_up = document.find(".//a[@class='button']")
    assert top_up.get("href").startswith("/wallet/?amount=1500&next=")
    assert document.find(".//textarea[@id='requirements']").text.strip() == "example.com, root access"
    assert db.session.query(Order).count() == 0 and wallet.balance(buyer) == 50000
    # Back from the top-up page, the checkout still holds what was typed.
    returned = parse(client.get(f"/orders/checkout/{kwork.id}?tier=standard"))
    assert returned.find(".//textarea[@id='requirements']").text.strip() == "example.com, root access"


def test_checkout_places_the_order_and_a_repeat_submit_pays_once(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user())
    buyer = make_user()
    fund(buyer, 5000)
    login_as(buyer)
    first = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data())
    second = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data())
    order = db.session.query(Order).one()
    assert first.headers["Location"] == second.headers["Location"] == f"/orders/{order.id}"
    assert wallet.balance(buyer) == 300000


def test_checkout_requires_requirements_or_send_later(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user())
    buyer = make_user()
    fund(buyer, 5000)
    login_as(buyer)
    refused = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(requirements="  "))
    assert refused.status_code == 422
    assert "Enter what the seller needs, or choose to send it later" in text_of(parse(refused).find(".//p[@id='requirements-error']"))
    later = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(requirements="", send_later="y", checkout_token="t2"))
    assert later.status_code == 302
    assert db.session.query(Order).one().state == "awaiting_requirements"


def test_an_unknown_package_is_a_field_error(client, login_as, make_user, make_kwork, fund):
    kwork = make_kwork(make_user())
    buyer = make_user()
    fund(buyer, 5000)
    login_as(buyer)
    response = client.post(f"/orders/checkout/{kwork.id}", data=checkout_data(tier="platinum"))
    assert response.status_code == 422
    assert "Choose one of the kwork’s packages" in text_of(parse(response).find(".//p[@id='tier-error']"))
    assert db.session.query(Order).count() == 0


def test_sellers_cannot_buy_their_own_kwork(client, login_as, make_user, make_kwork):
    seller = make_user()
    kwork = make_kwork(seller)
    login_as(seller)
    assert "You can’t order your own kwork" in client.get(f"/orders/checkout/{kwork.id}").get_data(as_text=True)


def test_order_page_is_private_to_its_parties(client, login_as, make_order, make_user):
    order = make_order("new")
    login_as(make_user("Stranger"))
    assert client.get(f"/orders/{order.id}").status_code == 404
    login_as(make_user("Admin", admin=True))
    assert client.get(f"/orders/{order.id}").status_code == 200


def button_labels(response) -> list[str]:
    document = check_page(response)
    section = document.find(".//section[@aria-labelledby='actions-heading']")
    return [text_of(b) for b in section.iter("button")]


def test_each_side_sees_only_its_own_actions(client, login_as, make_order):
    order = make_order("delivered")
    login_as(order.buyer)
    assert button_labels(client.get(f"/orders/{order.id}")) == [
        "Accept the work", "Ask for a revision", "Take the work to arbitration", "Ask to cancel"]  # primary actions first
    login_as(order.seller)
    assert button_labels(client.get(f"/orders/{order.id}")) == [
        "Send the offer", "Take the work to arbitration", "Ask to cancel"]  # a partial refund, arbitration of the work
    # Pressing the other side's button changes nothing.
    response = client.post(f"/orders/{order.id}/accept")
    assert response.status_code == 302 and order.state == "delivered"
    assert "Only the buyer can do this" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_seller_starts_and_sees_the_deadline_in_their_time_zone(client, login_as, make_order):
    order = make_order("new")
    order.seller.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(order.seller)
    assert button_labels(client.get(f"/orders/{order.id}")) == ["Start work", "Ask to cancel"]
    client.post(f"/orders/{order.id}/start")
    assert order.state == "in_work"
    document = check_page(client.get(f"/orders/{order.id}"))
    deadline = document.find(".//dl[@class='facts']//time")
    assert deadline.get("datetime") == order.deadline_at.isoformat()
    assert text_of(deadline).endswith(":00 (Japan Time)")  # the zone as people name it, not "JST"


def test_delivery_with_a_file_then_download_permissions(client, login_as, make_order, make_user):
    import io

    order = make_order("in_work")
    login_as(order.seller)
    response = client.post(
        f"/orders/{order.id}/deliver",
        data={"delivery": "Server is ready", "delivery_files": [(io.BytesIO(b"report"), "report.txt")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and order.state == "delivered"
    attachment = order.messages[-1].attachments[0]
    url = f"/orders/{order.id}/attachments/{attachment.id}"
    download = client.get(url)
    assert download.data == b"report" and "attachment" in download.headers["Content-Disposition"]
    login_as(make_user("Stranger"))
    assert client.get(url).status_code == 404


def test_empty_delivery_is_a_field_error(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    response = client.post(f"/orders/{order.id}/deliver", data={"delivery": " "})
    assert response.status_code == 422
    document = check_page(response)
    assert text_of(document.find(".//p[@id='delivery-error']")) == "Error: Describe what you are delivering"
    assert order.state == "in_work"


def test_messages_with_and_without_htmx(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.buyer)
    plain = client.post(f"/orders/{order.id}/messages", data={"message": "Any news?"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith("#message-%d" % order.messages[-1].id)

    swapped = client.post(f"/orders/{order.id}/messages", data={"message": "Second"}, headers={"HX-Request": "true"})
    body = swapped.get_data(as_text=True)
    assert swapped.status_code == 200 and "<html" not in body
    fragment = parse(swapped)
    assert fragment.find(".//textarea[@id='message']").get("autofocus") is not None
    assert (fragment.find(".//textarea[@id='message']").text or "").strip() == ""
    appended = fragment.find(".//div[@hx-swap-oob='beforeend:#messages']/li")
    assert "Second" in text_of(appended)
    assert text_of(fragment.find(".//div[@hx-swap-oob='innerHTML:#sr-status']")) == "Message sent"
    assert text_of(fragment.find(".//title")) == f"Message sent. – Order #{order.id} – Gigsmith"  # htmx sets the page's title

    empty = client.post(f"/orders/{order.id}/messages", data={"message": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 422
    assert "Enter a message" in empty.get_data(as_text=True)
    assert text_of(parse(empty).find(".//title")) == f"Error: Order #{order.id} – Gigsmith"


def test_revision_then_accept_then_review_and_reply(client, login_as, make_order):
    order = make_order("delivered")
    login_as(order.buyer)
    client.post(f"/orders/{order.id}/revision", data={"revision": "Please add backups"})
    assert order.state == "revision" and order.revisions_used == 1
    login_as(order.seller)
    client.post(f"/orders/{order.id}/deliver", data={"delivery": "Backups added"})
    login_as(order.buyer)
    client.post(f"/orders/{order.id}/accept")
    assert order.state == "completed"
    refused = client.post(f"/orders/{order.id}/review", data={"positive": "no", "text": "Meh"})
    assert refused.status_code == 422
    assert parse(refused).find(".//textarea[@id='text']").text.strip() == "Meh"
    client.post(f"/orders/{order.id}/review", data={"positive": "yes", "text": "Fast and careful"})
    assert order.review.positive and order.kwork.rating == 100
    login_as(order.seller)
    client.post(f"/orders/{order.id}/review/reply", data={"reply": "Thank you!"})
    page = client.get(f"/catalog/kworks/{order.kwork_id}").get_data(as_text=True)
    assert "Fast and careful" in page and "Thank you!" in page


def test_completed_order_offers_order_again(client, login_as, make_order):
    order = make_order("completed")
    login_as(order.buyer)
    document = check_page(client.get(f"/orders/{order.id}"))
    again = [a for a in document.iter("a") if text_of(a) == "Order again"][0]
    assert again.get("href") == f"/orders/checkout/{order.kwork_id}?tier=standard&repeat={order.id}"


def test_order_lists_with_state_filters_and_late_marks(client, login_as, make_order, make_user):
    buyer = make_user("Buyer")
    late = make_order("in_work", buyer=buyer)
    late.deadline_at = late.deadline_at - timedelta(days=30)
    db.session.commit()
    make_order("completed", buyer=buyer)
    login_as(buyer)
    document = check_page(client.get("/orders/?role=buyer"))
    tabs = {text_of(a) for a in document.findall(".//nav[@class='tabs']//a")}
    assert {"All 2", "In work 1", "Completed 1", "Cancelled 0"} <= tabs
    rows = [text_of(r) for r in document.findall(".//tbody/tr")]
    assert len(rows) == 2 and any("Late" in row and "overdue" in row for row in rows)
    only_completed = check_page(client.get("/orders/?role=buyer&state=completed"))
    assert len(only_completed.findall(".//tbody/tr")) == 1


def test_wallet_top_up_through_the_sandbox_page(client, login_as, make_user):
    buyer = make_user()
    login_as(buyer)
    refused = client.post("/wallet/", data={"amount": "ten"})
    assert refused.status_code == 422
    assert "Enter the amount as a whole number" in refused.get_data(as_text=True)
    started = client.post("/wallet/?next=/orders/", data={"amount": "2 500"})
    sandbox_url = started.headers["Location"]
    assert sandbox_url.startswith("/wallet/sandbox/")
    page = check_page(client.get(sandbox_url))
    assert "No real money moves" in text_of(page.find(".//main"))
    done = client.post(sandbox_url, data={"outcome": "pay"})
    assert done.headers["Location"] == "/orders/"
    assert wallet.balance(buyer) == 250000
    history = check_page(client.get("/wallet/"))
    assert "+RUB 2,500" in text_of(history.find(".//tbody"))


def test_too_many_files_change_nothing_and_keep_the_text(client, login_as, make_order, app):
    import io

    order = make_order("in_work")
    login_as(order.seller)
    attachments = app.config["UPLOAD_DIR"] / "attachments"
    stored_before = len(list(attachments.iterdir())) if attachments.exists() else 0
    files = [(io.BytesIO(b"x"), f"f{n}.txt") for n in range(6)]
    response = client.post(f"/orders/{order.id}/deliver", data={"delivery": "MY DELIVERY TEXT", "delivery_files": files},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    document = check_page(response)
    assert "Attach at most 5 files" in text_of(document.find(".//div[@class='error-summary']"))
    assert document.find(".//textarea[@id='delivery']").text.strip() == "MY DELIVERY TEXT"
    assert order.state == "in_work" and [m.kind for m in order.messages] == ["requirements"]
    assert (len(list(attachments.iterdir())) if attachments.exists() else 0) == stored_before


def test_paying_a_declined_sandbox_payment_is_a_message_not_a_crash(client, login_as, make_user):
    login_as(make_user())
    sandbox_url = client.post("/wallet/", data={"amount": "1000"}).headers["Location"]
    client.post(sandbox_url, data={"outcome": "decline"})
    again = client.post(sandbox_url, data={"outcome": "pay"}, follow_redirects=True)
    assert again.status_code == 200 and "This payment was declined" in again.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\\\evil.example", "https://evil.example"])
def test_wallet_never_redirects_off_site(client, login_as, make_user, target):
    login_as(make_user())
    sandbox_url = client.post(f"/wallet/?next={target}", data={"amount": "1000"}).headers["Location"]
    done = client.post(sandbox_url, data={"outcome": "pay"})
    assert done.headers["Location"] == "/wallet/"
