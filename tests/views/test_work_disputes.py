"""Arbitration of delivered work over HTTP: a party opens it with files, the other answers, an admin splits."""
import io
from datetime import datetime, timezone

from webapp.extensions import db
from webapp.models import AuditEntry, WorkDispute

from ..pages import check_page, text_of

STATEMENT = "The delivered site has no contact form, which the package includes."
ANSWER = "The contact form is on the second page; see the attached screenshot."


def test_buyer_opens_seller_answers_admin_splits(client, login_as, make_order, make_user):
    order = make_order("delivered")
    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    assert page.find(".//details[@id='work-dispute-box']") is not None
    short = client.post(f"/orders/{order.id}/work-dispute", data={"work_statement": "Bad"})
    assert short.status_code == 422
    assert "at least 20 characters" in text_of(check_page(short).find(".//p[@id='work_statement-error']"))
    response = client.post(f"/orders/{order.id}/work-dispute", content_type="multipart/form-data",
                           data={"work_statement": STATEMENT, "work_files": (io.BytesIO(b"png"), "shot.png")})  # fmt: skip
    assert response.status_code == 302
    dispute = db.session.query(WorkDispute).one()
    assert [a.original_name for a in dispute.statement.attachments] == ["shot.png"]

    login_as(order.seller)
    page = check_page(client.get(f"/orders/{order.id}"))
    panel = text_of(page.find(f".//div[@id='work-dispute-{dispute.id}']"))
    assert "took the work to arbitration" in panel and STATEMENT in panel
    assert client.post(f"/orders/{order.id}/work-dispute/answer", data={"work_answer": ANSWER}).status_code == 302
    assert client.post(f"/orders/{order.id}/accept").status_code == 302 and order.state == "delivered"

    admin = make_user("Ada Admin", admin=True)
    login_as(admin)
    queue = check_page(client.get("/moderation/disputes"))
    assert f"#{order.id}" in text_of(queue.find(".//div[@aria-labelledby='open-work-disputes-caption']"))
    page = check_page(client.get(f"/moderation/work-disputes/{dispute.id}"))
    assert ANSWER in text_of(page.find(".//main"))
    empty = client.post(f"/moderation/work-disputes/{dispute.id}", data={})
    assert empty.status_code == 422
    document = check_page(empty)
    assert document.find(".//p[@id='decision-error']") is not None and document.find(".//p[@id='reason-error']") is not None
    no_amount = client.post(f"/moderation/work-disputes/{dispute.id}", data={"decision": "split", "reason": "Half is missing"})
    assert no_amount.status_code == 422 and check_page(no_amount).find(".//p[@id='amount-error']") is not None
    done = client.post(f"/moderation/work-disputes/{dispute.id}", data={"decision": "split", "amount": "800", "reason": "Half is missing"})
    assert done.status_code == 302
    db.session.expire_all()
    assert order.state == "completed"
    assert db.session.query(AuditEntry).filter_by(action="work_dispute.split").count() == 1
    assert "split the payment after judging the work" in client.get("/moderation/audit").get_data(as_text=True)

    login_as(order.buyer)
    page = check_page(client.get(f"/orders/{order.id}"))
    panel = text_of(page.find(f".//div[@id='work-dispute-{dispute.id}']"))
    assert "Split" in panel and "Half is missing" in panel and "back to the buyer" in panel
