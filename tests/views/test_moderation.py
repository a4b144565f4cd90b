"""The moderation area over HTTP: every page renders for an admin, decisions go through forms, errors keep input."""
import re
from datetime import datetime, timezone

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, Dispute, Review
from webapp.services import cancellations, disputes, kworks, reviews

from ..pages import check_page

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
APPEAL = "I asked three times for the brief in the messages."


@pytest.fixture
def admin(make_user, login_as):
    user = make_user("Ada Admin", email="ada@example.com", admin=True)
    login_as(user)
    return user


def _disputed(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "no_information", "The buyer never sent the brief at all.", NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    return order, disputes.escalate(order.seller, order, APPEAL, NOW)


def test_queue_shows_what_changed_since_the_last_approval(client, admin, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller", role="seller"))
    draft = kworks.draft_from_kwork(kwork)
    draft.description = "Server setup from scratch, with a security report."
    kworks.save_kwork(kwork.seller, draft, kwork=kwork, submit=True)
    document = check_page(client.get("/moderation/kworks"))
    diff = document.find(".//details[@class='diff']")
    assert "What changed since the last approval (1 field)" in "".join(diff.find("summary").itertext())
    assert "".join(diff.find(".//ins").itertext()) == "[added: security ]"


def test_every_moderation_page_renders(client, admin, make_order, make_user):
    order, dispute = _disputed(make_order)
    for url in ["/moderation/kworks", "/moderation/reviews", "/moderation/disputes", f"/moderation/disputes/{dispute.id}",
                "/moderation/users", "/moderation/users?q=buyer", f"/moderation/users/{order.buyer_id}", "/moderation/audit"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response)


def test_dispute_decision_form_errors_then_exempts(client, admin, make_order):
    order, dispute = _disputed(make_order)
    page = client.get(f"/moderation/disputes/{dispute.id}").get_data(as_text=True)
    assert APPEAL in page and "The buyer never sent the brief at all." in page
    assert "Exempt the cancellation" in page and "Cancel the order with a full refund" not in page  # only what applies

    response = client.post(f"/moderation/disputes/{dispute.id}", data={"decision": "exempt", "reason": ""})
    assert response.status_code == 422
    document = check_page(response)
    assert document.find(".//div[@class='error-summary']") is not None
    assert document.find(".//input[@value='exempt']").get("checked") is not None  # the choice is kept

    response = client.post(f"/moderation/disputes/{dispute.id}", data={"decision": "exempt", "reason": "Fraudulent buyer"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).decision == "exempt"
    assert dispute.cancellation.exempt_reason == "Fraudulent buyer"
    audit_page = client.get("/moderation/audit").get_data(as_text=True)
    assert "exempted the cancellation" in audit_page and "Fraudulent buyer" in audit_page


def test_review_moderation_hides_a_reported_review(client, admin, make_order):
    order = make_order("completed")
    review = reviews.save_review(order.buyer, order, positive=False, text="Terrible. Call me on +7 999 123 45 67 to hear more.", now=NOW)
    reviews.report(order.seller, review, "It contains the buyer's phone number", NOW)
    page = client.get("/moderation/reviews").get_data(as_text=True)
    assert "Negative review of order" in page
    assert re.search(r'Reviews <span class="count">1<span class="visually-hidden"> waiting', page)  # the tab's count
    response = client.post(f"/moderation/reviews/{review.id}", data={"decision": "hide", "reason": ""})
    assert response.status_code == 422
    client.post(f"/moderation/reviews/{review.id}", data={"decision": "hide", "reason": "Contact details are not allowed"})
    db.session.expire_all()
    assert db.session.get(Review, review.id).status == "hidden"
    assert "No reviews are waiting." in client.get("/moderation/reviews").get_data(as_text=True)
    assert "Call me" not in client.get(f"/catalog/kworks/{order.kwork_id}").get_data(as_text=True)


def test_users_suspend_and_admin_rights_with_reason(client, admin, make_user):
    other = make_user("Boris Buyer", email="boris@example.com")
    assert "boris@example.com" in client.get("/moderation/users?q=BORIS").get_data(as_text=True)
    response = client.post(f"/moderation/users/{other.id}/suspension", data={"suspension-reason": ""})
    assert response.status_code == 422
    check_page(response)
    client.post(f"/moderation/users/{other.id}/suspension", data={"suspension-reason": "Spam in messages"})
    client.post(f"/moderation/users/{other.id}/admin", data={"admin-reason": "Joins the moderation team"})
    db.session.expire_all()
    assert other.is_suspended and other.is_admin
    assert [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)] == ["user.suspend", "user.grant_admin"]
    # The last admin can't be revoked: the refusal is shown, nothing changes.
    client.post(f"/moderation/users/{other.id}/admin", data={"admin-reason": "Suspended users can't moderate"})
    response = client.post(f"/moderation/users/{admin.id}/admin", data={"admin-reason": "Stepping down"}, follow_redirects=True)
    assert "At least one administrator must remain" in response.get_data(as_text=True)


def test_suspended_user_cannot_log_in_and_loses_their_session(app, client, make_user, login_as):
    from ..conftest import PASSWORD

    user = make_user("Sid", email="sid@example.com")
    login_as(user)
    assert client.get("/orders/").status_code == 200
    user.suspended_at, user.suspension_reason = NOW, "Fraud"
    db.session.commit()
    assert client.get("/orders/").status_code == 302  # the existing session ends
    response = client.post("/auth/login", data={"email": "sid@example.com", "password": PASSWORD})
    assert response.status_code == 422 and "This account is suspended" in response.get_data(as_text=True)
    response = client.post("/auth/login", data={"email": "sid@example.com", "password": "wrong password!"})
    assert "This account is suspended" not in response.get_data(as_text=True)  # nothing revealed without the password


def test_party_escalates_from_the_order_page(client, make_order, login_as):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "no_information", "The buyer never sent the brief at all.", NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    login_as(order.seller)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Take it to arbitration" in page
    response = client.post(f"/orders/{order.id}/dispute", data={"dispute_comment": "Unfair"})
    assert response.status_code == 422 and "at least 20 characters" in response.get_data(as_text=True)
    assert "Unfair" in response.get_data(as_text=True)  # what was typed is kept
    client.post(f"/orders/{order.id}/dispute", data={"dispute_comment": APPEAL})
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Arbitration in progress" in page and "Take it to arbitration" not in page


def test_buyer_sends_a_late_review_and_seller_reports_one_from_the_order_page(app, client, make_order, login_as):
    import time_machine

    order = make_order("completed")
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=timezone.utc)):
        login_as(order.buyer)  # a session from before the trip would have expired
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert "you can still send a late review" in page
        client.post(f"/orders/{order.id}/review/late",
                    data={"late_positive": "no", "late_review": "The work never matched what was promised at all."})
        assert "An administrator checks it" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    review = db.session.query(Review).one()
    assert review.status == "pending" and review.via_support

    other = make_order("completed")
    reviews.save_review(other.buyer, other, positive=False, text="The seller is a fraud, call +7 999 123 45 67.", now=NOW)
    login_as(other.seller)
    response = client.post(f"/orders/{other.id}/review/report", data={"report_reason": "Rude"})
    assert response.status_code == 422 and "at least 20 characters" in response.get_data(as_text=True)
    client.post(f"/orders/{other.id}/review/report", data={"report_reason": "It contains a phone number and an insult"})
    assert "You reported this review" in client.get(f"/orders/{other.id}").get_data(as_text=True)
    assert sorted(r.order_id for r in reviews.awaiting_moderation()) == [order.id, other.id]
