from datetime import datetime, timedelta, timezone

import time_machine

from webapp.extensions import db

from ..pages import check_page, parse, text_of

COMMENT = "The requirements ask for a mobile app, the kwork is a website."


def test_only_the_reasons_that_fit_are_offered(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    document = check_page(client.get(f"/orders/{order.id}"))
    labels = [text_of(label) for label in document.findall(".//details[@id='cancel-box']//fieldset//label")]
    assert labels == [
        "The buyer did not provide the information needed",
        "The buyer’s requirements don’t match the kwork description",
        "Force majeure – illness, family emergency",
        "Other, not the seller’s fault",
        "Mutual agreement",
    ]


def test_request_with_a_short_comment_keeps_input_and_opens_the_box(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    response = client.post(f"/orders/{order.id}/cancel", data={"reason": "not_matching", "comment": "Too short"})
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//details[@id='cancel-box']").get("open") is not None
    assert document.find(".//textarea[@id='comment']").text.strip() == "Too short"
    checked = [i.get("value") for i in document.iter("input") if i.get("name") == "reason" and i.get("checked") is not None]
    assert checked == ["not_matching"]
    assert "Explain in at least 20 characters" in text_of(document.find(".//div[@class='error-summary']"))


def test_seller_requests_buyer_disputes_and_the_order_shows_the_impact(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    with time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=timezone.utc), tick=False):
        client.post(f"/orders/{order.id}/cancel", data={"reason": "no_information", "comment": COMMENT})
        seller_view = check_page(client.get(f"/orders/{order.id}"))
    timers = text_of(seller_view.find(".//ul[@class='timers']"))
    assert timers.startswith("Cancels automatically in 2 days if the buyer does not send the information asked for")
    assert "Waiting for an answer" in text_of(seller_view.find(".//main"))

    login_as(order.buyer)
    buyer_view = check_page(client.get(f"/orders/{order.id}"))
    legends = [text_of(legend) for legend in buyer_view.findall(".//div[@class='panel cancellation']//legend")]
    assert legends == ["Do you agree to cancel the order?", "If you agree: is the stated reason correct?"]
    missing = client.post(f"/orders/{order.id}/cancel/answer", data={"accept": "yes"})
    assert missing.status_code == 422
    assert "Select whether the stated reason is correct" in missing.get_data(as_text=True)
    client.post(f"/orders/{order.id}/cancel/answer", data={"accept": "yes", "reason_correct": "no"})
    assert order.state == "cancelled"
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "This cancellation affected the seller’s rating." in text_of(page.find(".//main"))
    assert [i.get("value") for i in page.iter("input") if i.get("name") == "positive"] == ["no"]  # negative review only

    login_as(order.seller)
    ratings = check_page(client.get("/account/ratings"))
    row = text_of(ratings.find(".//tbody/tr"))
    assert f"#{order.id}" in row and "said the reason was not correct" in row and "Counts" in row
    dashboard = text_of(check_page(client.get("/account/")).find(".//main"))
    assert "Your order completion rate is 0%, below 90%" in dashboard


def test_buyer_sends_the_missing_information(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.seller)
    client.post(f"/orders/{order.id}/cancel", data={"reason": "no_information", "comment": COMMENT})
    login_as(order.buyer)
    client.post(f"/orders/{order.id}/cancel/information", data={"information": "Here is the server password"})
    assert order.state == "in_work" and order.cancellation_requests[0].status == "resolved"
    assert "Here is the server password" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_buyer_cancels_a_late_order_at_once(client, login_as, make_order):
    order = make_order("in_work")
    order.deadline_at -= timedelta(days=10)
    db.session.commit()
    login_as(order.buyer)
    page = parse(client.get(f"/orders/{order.id}"))
    assert "The seller is late" in [text_of(label) for label in page.findall(".//details[@id='cancel-box']//fieldset//label")]
    client.post(f"/orders/{order.id}/cancel", data={"reason": "seller_late", "comment": COMMENT})
    assert order.state == "cancelled"


def test_auto_completion_is_announced_on_the_order_page(client, login_as, make_order):
    order = make_order("delivered")
    login_as(order.buyer)
    timers = check_page(client.get(f"/orders/{order.id}")).find(".//ul[@class='timers']")
    assert "Completes automatically in" in text_of(timers)
    assert timers.find(".//time").get("datetime") == (order.delivered_at + timedelta(days=3)).isoformat()


def test_strangers_cannot_cancel(client, login_as, make_order, make_user):
    order = make_order("in_work")
    login_as(make_user("Stranger"))
    assert client.post(f"/orders/{order.id}/cancel", data={"reason": "mutual", "comment": COMMENT}).status_code == 404
    assert order.state == "in_work"


def test_extension_and_pause_through_the_order_page(client, login_as, make_order):
    order = make_order("in_work")
    deadline = order.deadline_at
    login_as(order.seller)
    refused = client.post(f"/orders/{order.id}/extension", data={"days": "forty", "extension_reason": "More pages arrived"})
    assert refused.status_code == 422
    document = check_page(refused)
    assert document.find(".//details[@id='time-box']").get("open") is not None
    assert document.find(".//input[@id='days']").get("value") == "forty"
    client.post(f"/orders/{order.id}/extension", data={"days": "3", "extension_reason": "More pages arrived"})
    client.post(f"/orders/{order.id}/pause", data={"pause_reason": "Waiting for the texts from the buyer"})
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    legends = [text_of(legend) for legend in page.findall(".//legend")]
    assert "Do you agree to the extra days?" in legends and "Do you agree to pause the order?" in legends
    client.post(f"/orders/{order.id}/extension/answer", data={"extension_accept": "yes"})
    assert order.deadline_at == deadline + timedelta(days=3)
    client.post(f"/orders/{order.id}/pause/answer", data={"pause_accept": "yes"})
    assert order.paused_at is not None
    assert "The order is paused" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    client.post(f"/orders/{order.id}/resume")
    assert order.paused_at is None and order.deadline_at > deadline + timedelta(days=3)


def test_timers_read_naturally_in_russian_down_to_the_last_hour(client, login_as, make_order):
    """"Через {left}" cannot hold "меньше часа": the whole "in …" phrase is one message ("менее чем через час")."""
    order = make_order("in_work")
    order.seller.language = "ru"
    db.session.commit()
    login_as(order.seller)
    asked = datetime(2026, 11, 25, 9, tzinfo=timezone.utc)
    with time_machine.travel(asked, tick=False):
        client.post(f"/orders/{order.id}/cancel", data={"reason": "no_information", "comment": COMMENT})
        early = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//ul[@class='timers']"))
    with time_machine.travel(asked + timedelta(hours=47, minutes=30), tick=False):
        late = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//ul[@class='timers']"))
    assert early.startswith("Заказ отменится автоматически через 2 дня, если покупатель не пришлёт запрошенную информацию: 27 нояб.")
    assert late.startswith("Заказ отменится автоматически менее чем через час, если покупатель не пришлёт запрошенную информацию")
    assert early.endswith("(Москва)")  # the seller's zone (Moscow by default), named in Russian


def test_seller_cancels_an_order_never_given_requirements_in_one_step(client, login_as, make_order):
    order = make_order("awaiting_requirements")
    login_as(order.seller)
    page = check_page(client.get(f"/orders/{order.id}"))
    labels = [text_of(label) for label in page.findall(".//details[@id='cancel-box']//fieldset//label")]
    assert labels[0] == "The buyer gave no information"
    assert "with a full refund if the buyer does not send the requirements" in text_of(page.find(".//ul[@class='timers']"))
    response = client.post(f"/orders/{order.id}/cancel", data={"reason": "no_requirements", "comment": ""})
    assert response.status_code == 302
    assert order.state == "cancelled"
    page = check_page(client.get(f"/orders/{order.id}"))
    main = text_of(page.find(".//main"))
    assert "the buyer never sent the requirements, so the reason can’t be disputed" in main
    assert "This cancellation did not affect the seller’s rating." in main
    history = text_of(page.find(".//ol[@class='history']"))
    assert "asked to cancel the order (Waiting for requirements): “The buyer gave no information”" in history
