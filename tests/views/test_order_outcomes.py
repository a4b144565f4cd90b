"""Every order action answers back: the order page again with a message saying what happened (for the reader), the
title starting with it and the message focused on load; and the page builds only the forms its viewer can use."""
import re

from flask import template_rendered

from webapp.extensions import db
from webapp.models import WorkDispute

from ..pages import check_page, text_of

REASON = "The requirements ask for a mobile app, the kwork is a website."
STATEMENT = "The delivered site has no contact form, which the package includes."


def answered(client, login_as, user, url, data=None, **options) -> str:
    """Post an action as `user`, follow to the order page, check how it answers and return its message."""
    login_as(user)
    response = client.post(url, data=data or {}, **options)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert location.split("#")[0] == url.split("/")[0] + "/orders/" + url.split("/")[2]
    page = check_page(client.get(location.split("#")[0]))
    notice = page.find(".//div[@id='outcome']")
    assert notice is not None and notice.get("role") == "status"
    assert notice.get("tabindex") == "-1" and notice.get("autofocus") is not None
    message = text_of(notice)
    assert text_of(page.find(".//title")).startswith(f"{message} – Order #")
    return message


def test_a_whole_order_answers_each_step(client, login_as, make_order):
    order = make_order("awaiting_requirements")
    base = f"/orders/{order.id}"
    assert answered(client, login_as, order.buyer, f"{base}/requirements", {"requirements": "Domain example.com"}) \
        == "Requirements sent. The seller will read them and start work."  # fmt: skip
    assert re.fullmatch(r"Work started\. Deliver it by \d+ \w+ 20\d\d, \d\d:\d\d \(.+\)\.", answered(client, login_as, order.seller, f"{base}/start"))
    assert answered(client, login_as, order.seller, f"{base}/deliver", {"delivery": "Done"}) \
        == "Work delivered. The buyer has 3 days to accept it or ask for a revision."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/revision", {"revision": "Add backups"}) \
        == "Revision requested. The seller will deliver the work again."  # fmt: skip
    answered(client, login_as, order.seller, f"{base}/deliver", {"delivery": "Backups added"})
    assert answered(client, login_as, order.buyer, f"{base}/accept") \
        == "Work accepted. The order is completed and the payment has gone to the seller."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/review", {"positive": "yes", "text": "Fast and careful"}) \
        == "Review published. Thank you."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/review", {"positive": "yes", "text": "Fast, careful, kind"}) \
        == "Review saved. Thank you."  # fmt: skip
    assert answered(client, login_as, order.seller, f"{base}/review/reply", {"reply": "Thank you!"}) == "Reply published under the review."
    assert answered(client, login_as, order.seller, f"{base}/review/report", {"report_reason": "It names my client, which is private."}) \
        == "Review reported. An administrator will decide."  # fmt: skip


def test_deadline_requests_answer_each_side(client, login_as, make_order):
    order = make_order("in_work")
    base = f"/orders/{order.id}"
    assert answered(client, login_as, order.seller, f"{base}/extension", {"days": "3", "extension_reason": "More pages arrived"}) \
        == "More time requested. Without an answer from the buyer in two days, the extra days are granted."  # fmt: skip
    assert re.fullmatch(r"Extra days granted\. The new deadline is \d+ \w+ 20\d\d, .+\.",
                        answered(client, login_as, order.buyer, f"{base}/extension/answer", {"extension_accept": "yes"}))
    assert answered(client, login_as, order.seller, f"{base}/pause", {"pause_reason": "Waiting for the texts from the buyer"}) \
        == "Pause requested. The clock stops when the buyer agrees."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/pause/answer", {"pause_accept": "yes"}) \
        == "Order paused. The deadline clock is stopped until the order is resumed."  # fmt: skip
    assert re.fullmatch(r"Order resumed\. The new deadline is \d+ \w+ 20\d\d, .+\.", answered(client, login_as, order.seller, f"{base}/resume"))


def test_a_cancellation_answers_both_sides(client, login_as, make_order):
    order = make_order("in_work")
    base = f"/orders/{order.id}"
    assert answered(client, login_as, order.seller, f"{base}/cancel", {"reason": "not_matching", "comment": REASON}) \
        == "Cancellation requested. The other side has 48 hours to answer; without an answer it applies."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/cancel/answer", {"accept": "no"}) == "Cancellation declined. The order goes on."
    answered(client, login_as, order.seller, f"{base}/cancel", {"reason": "not_matching", "comment": REASON})
    assert answered(client, login_as, order.buyer, f"{base}/cancel/answer", {"accept": "yes", "reason_correct": "yes"}) \
        == "Order cancelled. The payment is back on the buyer’s balance."  # fmt: skip


def test_a_partial_refund_and_a_tip_answer(client, login_as, make_order, fund):
    order = make_order("delivered")
    base = f"/orders/{order.id}"
    assert answered(client, login_as, order.seller, f"{base}/partial-refund", {"refund": "500", "refund_comment": "Sorry"}) \
        == "Partial refund offered. If the buyer accepts, the order is completed."  # fmt: skip
    assert answered(client, login_as, order.buyer, f"{base}/partial-refund/answer", {"refund_accept": "yes"}) \
        == "Partial refund accepted. The order is completed and the refund is on your balance."  # fmt: skip
    fund(order.buyer, 300)
    assert answered(client, login_as, order.buyer, f"{base}/tip", {"tip": "300"}) == "Tip sent. The seller will be glad of it."


def test_arbitration_of_the_work_answers_both_sides(client, login_as, make_order):
    order = make_order("delivered")
    base = f"/orders/{order.id}"
    assert answered(client, login_as, order.buyer, f"{base}/work-dispute", {"work_statement": STATEMENT}) \
        == "The work is taken to arbitration. An administrator will judge it, and you will get a notification."  # fmt: skip
    assert db.session.query(WorkDispute).count() == 1
    assert answered(client, login_as, order.seller, f"{base}/work-dispute/answer", {"work_answer": "The form is on page two."}) \
        == "Your side is sent. The administrator reads it before deciding."  # fmt: skip


def test_a_message_without_javascript_answers_and_keeps_its_anchor(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.buyer)
    response = client.post(f"/orders/{order.id}/messages", data={"message": "Any news?"})
    assert response.headers["Location"] == f"/orders/{order.id}#message-{order.messages[-1].id}"
    page = check_page(client.get(f"/orders/{order.id}"))
    assert text_of(page.find(".//div[@id='outcome']")) == "Message sent."


def test_a_plain_visit_has_no_outcome_and_its_usual_title(client, login_as, make_order):
    order = make_order("in_work")
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    assert page.find(".//div[@id='outcome']") is None
    assert text_of(page.find(".//title")) == f"Order #{order.id} – Gigsmith"


def built_forms(app, client, url) -> set[str]:
    seen = []

    def record(sender, template, context, **extra):
        if template.name == "orders/show.html":
            seen.append({name for name in context if name.endswith("_form")})

    with template_rendered.connected_to(record, app):
        check_page(client.get(url))
    return seen[0]


def test_the_page_builds_only_the_forms_its_viewer_can_use_now(app, client, login_as, make_order, make_user):
    order = make_order("delivered")
    login_as(order.buyer)
    assert built_forms(app, client, f"/orders/{order.id}") == {"revision_form", "message_form", "cancel_form", "work_dispute_form"}
    login_as(order.seller)
    assert built_forms(app, client, f"/orders/{order.id}") == {"message_form", "cancel_form", "partial_refund_form", "work_dispute_form"}
    login_as(make_user("Ada Admin", admin=True))
    assert built_forms(app, client, f"/orders/{order.id}") == set()  # an admin reads; the parties act
    working = make_order("in_work")
    login_as(working.seller)
    assert built_forms(app, client, f"/orders/{working.id}") == {"delivery_form", "message_form", "cancel_form", "extension_form", "pause_form", "upgrade_form"}
