"""The order page from the reader's point of view: bugs found in the browser (issue 18, item 6), each pinned."""
from datetime import datetime, timedelta, timezone

import re

from webapp.extensions import db
from webapp.services import cancellations, deadlines, disputes

from ..pages import check_page, text_of

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
COMMENT = "The buyer never sent the brief at all, despite three questions."
COUNTDOWN = re.compile(r"\b(hour|hours|day|days) (left|overdue)")
APPEAL = "I asked three times for the brief in the messages."


def _seller_cancels_buyer_disputes(order):
    request = cancellations.request(order.seller, order, "no_information", COMMENT, NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    return request


def _answer(page) -> str:
    facts = page.find(".//div[@class='panel cancellation']//dl")
    return text_of(facts)


def test_each_party_reads_the_answer_from_their_own_side(client, login_as, make_order):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes(order)
    login_as(order.buyer)
    assert "You said the reason was not correct." in _answer(check_page(client.get(f"/orders/{order.id}")))
    login_as(order.seller)
    seller_page = check_page(client.get(f"/orders/{order.id}"))
    assert "The buyer said the reason was not correct." in _answer(seller_page)
    assert "other party" not in _answer(seller_page)


def test_after_a_reversal_the_answer_is_still_shown_as_given(client, login_as, make_order, make_user):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes(order)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    disputes.decide(make_user("Ada", admin=True), dispute, "reverse", "The messages show no brief was sent", NOW)
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    assert "You said the reason was not correct." in _answer(page)
    assert "This cancellation did not affect the seller’s rating." in text_of(page.find(".//main"))


def test_the_history_lists_the_sellers_cancellation_request(client, login_as, make_order):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes(order)
    login_as(order.buyer)
    history = text_of(check_page(client.get(f"/orders/{order.id}")).find(".//ol[@class='history']"))
    assert "Seller: asked to cancel the order (In work): “The buyer did not provide the information needed”" in history
    assert "Buyer: cancelled the order" in history


def test_a_paused_order_says_paused_without_a_countdown(client, login_as, make_order):
    order = make_order("in_work")
    deadlines.request_pause(order.seller, order, "Waiting for the buyer to send the hosting login.", NOW + timedelta(hours=1))
    deadlines.answer_pause(order.buyer, order, True, NOW + timedelta(hours=2))
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    summary = text_of(page.find(".//section[@id='order-summary']"))
    assert "Paused" in summary and "In work" not in summary and not COUNTDOWN.search(summary)
    assert "The seller is working on your order." not in text_of(page.find(".//main"))
    listing = text_of(check_page(client.get("/orders/?role=buyer")).find(".//main"))
    assert "Paused" in listing and not COUNTDOWN.search(listing)


def test_dispute_form_errors_are_on_the_comment_field(client, login_as, make_order):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes(order)
    login_as(order.seller)
    response = client.post(f"/orders/{order.id}/dispute", data={"dispute_comment": "Unfair"})
    assert response.status_code == 422
    error = check_page(response).find(".//p[@id='dispute_comment-error']")
    assert error is not None and "at least 20 characters" in text_of(error)


def test_late_review_errors_are_on_the_late_review_fields(app, client, login_as, make_order):
    import time_machine

    order = make_order("completed")
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=timezone.utc)):
        login_as(order.buyer)
        response = client.post(f"/orders/{order.id}/review/late", data={"late_positive": "no", "late_review": "Bad"})
        assert response.status_code == 422
        page = check_page(response)
        assert "at least 30 characters" in text_of(page.find(".//p[@id='late_review-error']"))
        response = client.post(f"/orders/{order.id}/review/late", data={"late_review": "Lovely work"})
        assert page is not None and response.status_code == 422
        assert check_page(response).find(".//p[@id='late_positive-error']") is not None
        response = client.post(f"/orders/{order.id}/review/late", data={"late_positive": "yes", "late_review": "Lovely work"})
        assert response.status_code == 302
    assert order.review.status == "published" and order.review.positive


def test_an_empty_admin_decision_reports_every_missing_field(client, login_as, make_order, make_user):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes(order)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    login_as(make_user("Ada", admin=True))
    response = client.post(f"/moderation/disputes/{dispute.id}", data={"reason": ""})
    assert response.status_code == 422
    page = check_page(response)
    assert page.find(".//p[@id='decision-error']") is not None and page.find(".//p[@id='reason-error']") is not None
