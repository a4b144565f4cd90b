"""Arbitration of delivered work: opening with a statement and files, the answer, and each decision's money,
rating, audit and notifications (domain.arbitration)."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.domain.orders import IllegalTransition
from webapp.extensions import db
from webapp.models import AuditEntry, Notification, Posting
from webapp.services import cancellations, ledger, orders, ratings, resolutions, reviews, timers, work_disputes

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
STATEMENT = "The delivered site has no contact form, which the package includes."
ANSWER = "The contact form is on the second page; see the attached screenshot."
REASON = "The contact form exists but does not send mail; half the work is missing."


@pytest.fixture
def admin(make_user):
    return make_user("Ada Admin", admin=True)


def _opened(make_order, state="delivered"):
    order = make_order(state, now=NOW)
    dispute = work_disputes.open_dispute(order.buyer, order, STATEMENT, [orders.Upload("shot.png", b"png")], NOW)
    return order, dispute


def test_opening_freezes_the_order_and_tells_the_other_party(make_order):
    order, dispute = _opened(make_order)
    assert dispute.statement.body == STATEMENT and [a.original_name for a in dispute.statement.attachments] == ["shot.png"]
    assert timers.running(order) == []  # no auto-completion while an administrator decides
    with pytest.raises(IllegalTransition, match="arbitration"):
        orders.accept(order.buyer, order, NOW)
    with pytest.raises(DomainError, match="arbitration"):
        resolutions.offer(order.seller, order, 100, "", NOW)
    with pytest.raises(DomainError, match="arbitration"):
        cancellations.request(order.buyer, order, "misunderstanding", STATEMENT, NOW)
    with pytest.raises(DomainError, match="can’t be taken to arbitration"):
        work_disputes.open_dispute(order.seller, order, STATEMENT, [], NOW)
    told = db.session.query(Notification).filter_by(user_id=order.seller_id, kind="work_dispute").one()
    assert "took the work on order" in told.text


def test_the_other_party_answers_once(make_order):
    order, dispute = _opened(make_order)
    with pytest.raises(DomainError, match="no dispute about the work for you"):
        work_disputes.answer(order.buyer, order, ANSWER, [], NOW)
    with pytest.raises(ValidationFailed) as failed:
        work_disputes.answer(order.seller, order, "Short", [], NOW)
    assert [i.field for i in failed.value.issues] == ["work_answer"]
    work_disputes.answer(order.seller, order, ANSWER, [orders.Upload("form.png", b"png")], NOW + timedelta(hours=1))
    assert dispute.answer.body == ANSWER and dispute.answered_at == NOW + timedelta(hours=1)
    with pytest.raises(DomainError, match="already answered"):
        work_disputes.answer(order.seller, order, ANSWER, [], NOW)


def test_only_a_delivered_order_can_be_disputed(make_order):
    order = make_order("in_work", now=NOW)
    assert not work_disputes.can_open(order, order.buyer)
    with pytest.raises(DomainError):
        work_disputes.open_dispute(order.buyer, order, STATEMENT, [], NOW)
    with pytest.raises(ValidationFailed) as failed:
        work_disputes.open_dispute(order.buyer, order, "Too short", [], NOW)
    assert [i.field for i in failed.value.issues] == ["work_statement"]


def test_a_split_completes_the_order_with_both_shares(make_order, admin):
    order, dispute = _opened(make_order, "revision")
    work_disputes.decide(admin, dispute, "split", 800, REASON, NOW + timedelta(days=1))
    assert (order.state, dispute.decision, dispute.refund_amount) == ("completed", "split", 80000)
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == 80000
    assert ledger.balance(ledger.wallet_code(order.seller_id)) == 96000  # 1,200 less 20 %
    assert db.session.query(Posting).filter_by(idempotency_key=f"order-{order.id}-release", kind="split").count() == 1
    assert ratings.figures(order.seller_id).completion == 100
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.target_type, entry.reason) == ("work_dispute.split", "workdispute", REASON)
    assert (entry.before["order_state"], entry.after["order_state"]) == ("revision", "completed")
    for user_id in (order.buyer_id, order.seller_id):
        [note] = db.session.query(Notification).filter_by(user_id=user_id, kind="dispute_decision").all()
        assert REASON in note.text and "Split" in note.text
    assert_ledger_consistent()


def test_a_release_pays_the_seller_as_an_acceptance_would(make_order, admin):
    order, dispute = _opened(make_order)
    work_disputes.decide(admin, dispute, "release", None, "The work matches the package description.", NOW)
    assert order.state == "completed" and ledger.balance(ledger.wallet_code(order.seller_id)) == 160000
    assert db.session.query(Posting).filter_by(idempotency_key=f"order-{order.id}-release", kind="release").count() == 1
    assert_ledger_consistent()


def test_a_full_refund_cancels_counts_against_the_seller_and_allows_a_negative_review(make_order, admin):
    order, dispute = _opened(make_order)
    work_disputes.decide(admin, dispute, "refund", None, REASON, NOW)
    assert order.state == "cancelled" and ledger.balance(ledger.wallet_code(order.buyer_id)) == order.total
    request = order.applied_cancellation
    assert (request.reason, request.counts_against_seller, request.buyer_may_review) == ("work_refunded", True, True)
    metrics = ratings.for_seller(order.seller_id)
    assert (metrics.responsibility, metrics.completion) == (0, 0)
    assert "Arbitration judged the delivered work" in metrics.movers[0].why
    assert reviews.can_review(order, NOW + timedelta(days=1))
    from webapp.services import disputes

    assert disputes.escalatable(order, order.seller, NOW) is None  # arbitration's word is final
    assert_ledger_consistent()


def test_an_empty_decision_names_every_missing_field_and_a_split_needs_an_amount(make_order, admin):
    order, dispute = _opened(make_order)
    with pytest.raises(ValidationFailed) as failed:
        work_disputes.decide(admin, dispute, None, None, "", NOW)
    assert [i.field for i in failed.value.issues] == ["decision", "reason"]
    with pytest.raises(ValidationFailed) as failed:
        work_disputes.decide(admin, dispute, "split", 2000, REASON, NOW)
    assert [i.field for i in failed.value.issues] == ["amount"]
    work_disputes.decide(admin, dispute, "release", None, REASON, NOW)
    with pytest.raises(DomainError, match="already been decided"):
        work_disputes.decide(admin, dispute, "refund", None, REASON, NOW)
