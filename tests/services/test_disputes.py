"""Arbitration: who may escalate which cancellation decision, and what each admin decision changes."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import AuditEntry, Notification
from webapp.services import cancellations, disputes, ratings, reviews, wallet

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
COMMENT = "The requirements ask for a mobile app, the kwork is a website."
APPEAL = "I sent everything on the first day; see the messages on the order."


@pytest.fixture
def admin(make_user):
    return make_user("Ada Admin", admin=True)


def _seller_cancels_buyer_disputes_reason(order):
    request = cancellations.request(order.seller, order, "no_information", COMMENT, NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    return request


def test_initiator_told_the_reason_was_wrong_may_escalate_once_within_14_days(make_order):
    order = make_order("in_work")
    request = _seller_cancels_buyer_disputes_reason(order)
    assert disputes.escalatable(order, order.buyer, NOW) is None  # the buyer got their way
    assert disputes.escalatable(order, order.seller, NOW + timedelta(days=15)) is None
    assert disputes.escalatable(order, order.seller, NOW + timedelta(days=1)) == request
    with pytest.raises(ValidationFailed, match="at least 20 characters"):
        disputes.escalate(order.seller, order, "Not fair", NOW)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW + timedelta(days=1))
    assert (dispute.status, dispute.opened_role, dispute.cancellation_id) == ("open", "seller", request.id)
    assert order.events[-1].action == "escalate" and order.events[-1].actor_id == order.seller_id
    assert disputes.escalatable(order, order.seller, NOW + timedelta(days=1)) is None
    with pytest.raises(DomainError):
        disputes.escalate(order.seller, order, APPEAL, NOW + timedelta(days=1))


def test_silent_party_may_escalate_an_auto_applied_cancellation(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.buyer, order, "mutual", COMMENT, NOW)
    cancellations.apply(request, order, agreed=True, actor=None, now=NOW, auto=True)
    request.answered_at = NOW
    db.session.commit()
    assert disputes.escalatable(order, order.seller, NOW) == request
    assert disputes.escalatable(order, order.buyer, NOW) is None


def test_exempt_takes_the_cancellation_out_of_the_sellers_metrics_with_audit_and_notifications(make_order, admin):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes_reason(order)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    assert ratings.for_seller(order.seller_id).completion == 0
    assert disputes.decisions(dispute) == ["uphold", "reverse", "exempt"]
    with pytest.raises(ValidationFailed, match="Enter the reason"):
        disputes.decide(admin, dispute, "exempt", " ", NOW)
    with pytest.raises(ValidationFailed, match="does not apply"):
        disputes.decide(admin, dispute, "force_cancel", "Refund", NOW)
    disputes.decide(admin, dispute, "exempt", "The buyer account was used for fraud", NOW)

    metrics = ratings.for_seller(order.seller_id)
    assert (metrics.responsibility, metrics.completion) == (100, None)
    assert "exempted by an administrator: The buyer account was used for fraud" in metrics.movers[0].why
    entry = db.session.query(AuditEntry).one()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (admin.id, "dispute.exempt", "dispute", dispute.id)
    assert (entry.before["exempt"], entry.after["exempt"], entry.reason) == (False, True, "The buyer account was used for fraud")
    told = {n.user_id for n in db.session.query(Notification).filter_by(kind="dispute_decision")}
    assert told == {order.buyer_id, order.seller_id}
    with pytest.raises(DomainError, match="already been decided"):
        disputes.decide(admin, dispute, "uphold", "Again", NOW)


def test_reverse_flips_the_rating_impact_and_closes_the_negative_review(make_order, admin):
    order = make_order("in_work")
    request = _seller_cancels_buyer_disputes_reason(order)
    assert (request.counts_against_seller, request.buyer_may_review) == (True, True)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    disputes.decide(admin, dispute, "reverse", "The messages show the buyer never sent the brief", NOW)
    # The buyer's answer stays on record as she gave it; only its consequences are reversed.
    assert (request.counts_against_seller, request.buyer_may_review, request.reason_agreed) == (False, False, False)
    metrics = ratings.for_seller(order.seller_id)
    assert metrics.responsibility == 100
    assert "an administrator reversed the rating impact of the answer: it does not count" in metrics.movers[0].why
    assert not reviews.can_review(order, NOW)
    entry = db.session.query(AuditEntry).one()
    assert (entry.before["counts_against_seller"], entry.after["counts_against_seller"]) == (True, False)


def test_force_cancel_applies_a_declined_request_with_the_refund(make_order, admin):
    order = make_order("in_work")
    request = cancellations.request(order.buyer, order, "mutual", COMMENT, NOW)
    cancellations.answer(order.seller, request, accept=False, reason_correct=None, now=NOW)
    assert order.state == "in_work"
    dispute = disputes.escalate(order.buyer, order, APPEAL, NOW)
    assert disputes.decisions(dispute) == ["uphold", "force_cancel"]
    disputes.decide(admin, dispute, "force_cancel", "The seller stopped answering for a week", NOW)
    assert order.state == "cancelled" and request.status == "applied"
    assert wallet.balance(order.buyer) == order.total
    assert order.events[-1].actor_id == admin.id
    entry = db.session.query(AuditEntry).one()
    assert (entry.before["order_state"], entry.after["order_state"]) == ("in_work", "cancelled")
    assert_ledger_consistent()


def test_uphold_changes_nothing_but_is_logged(make_order, admin):
    order = make_order("in_work")
    request = _seller_cancels_buyer_disputes_reason(order)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    disputes.decide(admin, dispute, "uphold", "The buyer had sent the requirements", NOW)
    assert request.counts_against_seller and dispute.status == "decided" and dispute.decided_by_id == admin.id
    entry = db.session.query(AuditEntry).one()
    assert entry.before == entry.after and entry.action == "dispute.uphold"


def test_reversal_withdraws_the_negative_review_it_enabled_and_recomputes_the_rating(make_order, admin):
    kept = make_order("completed")  # one happy order of the same kwork: 50 % positive with the negative review
    order = make_order("in_work", kwork=kept.kwork)
    request = _seller_cancels_buyer_disputes_reason(order)
    review = reviews.save_review(order.buyer, order, positive=False, text="The seller cancelled instead of asking me.", now=NOW)
    assert order.kwork.rating == 50
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    disputes.decide(admin, dispute, "reverse", "The messages show the buyer never sent the brief", NOW)
    assert (review.status, review.hidden_reason) == ("hidden", "The messages show the buyer never sent the brief")
    assert order.kwork.rating == 100
    assert reviews.breakdown(order.kwork_id).negative == 0
    entry = db.session.query(AuditEntry).one()
    assert (entry.before["review"], entry.after["review"]) == ("published", "hidden")
    assert request.reason_agreed is False


def test_an_empty_decision_reports_every_missing_field(make_order, admin):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes_reason(order)
    dispute = disputes.escalate(order.seller, order, APPEAL, NOW)
    with pytest.raises(ValidationFailed) as failed:
        disputes.decide(admin, dispute, None, "  ", NOW)
    assert [issue.field for issue in failed.value.issues] == ["decision", "reason"]


def test_a_short_dispute_comment_is_an_error_on_the_dispute_comment_field(make_order):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes_reason(order)
    with pytest.raises(ValidationFailed) as failed:
        disputes.escalate(order.seller, order, "too short", NOW)
    assert [issue.field for issue in failed.value.issues] == ["dispute_comment"]


def test_the_seller_is_told_the_buyer_disputed_the_reason(make_order):
    order = make_order("in_work")
    _seller_cancels_buyer_disputes_reason(order)
    [told] = db.session.query(Notification).filter_by(user_id=order.seller_id, kind="cancellation_answered").all()
    assert "said the reason was not correct" in told.text and "arbitration within 14 days" in told.text
