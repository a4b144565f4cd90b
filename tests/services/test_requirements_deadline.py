"""Requirements can't strand anyone: a deadline for the buyer, and a reason the seller can give that facts decide."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import Notification, Timer
from webapp.services import cancellations, disputes, ledger, orders, ratings, reviews, timers

from ..conftest import assert_ledger_consistent
from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
COMMENT = "The buyer has not answered any of my questions for days."


@pytest.fixture
def waiting(make_order):
    with time_machine.travel(START, tick=False):
        return make_order("awaiting_requirements", now=START)


def test_an_order_without_requirements_gets_a_three_day_deadline_and_a_warning(waiting):
    kinds = {t.kind: t.due_at for t in db.session.query(Timer).filter_by(order_id=waiting.id, state="scheduled")}
    assert kinds == {"requirements_deadline": START + timedelta(days=3), "warn_requirements_deadline": START + timedelta(days=2)}
    assert [t.kind for t in timers.running(waiting)] == ["requirements_deadline"]


def test_the_deadline_is_configurable(app, make_order, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIREMENTS_DEADLINE_DAYS", 5)
    order = make_order("awaiting_requirements", now=START)
    [timer] = timers.running(order)
    assert timer.due_at == START + timedelta(days=5)


def test_warning_then_cancellation_and_refund_without_rating_impact(waiting):
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        run_worker()
    assert waiting.state == "awaiting_requirements"
    warned = db.session.query(Notification).filter_by(user_id=waiting.buyer_id, kind="timer_warning").one()
    assert "within 24 hours unless you send the requirements" in warned.text
    with time_machine.travel(START + timedelta(days=3, seconds=1), tick=False):
        run_worker()
    assert waiting.state == "cancelled"
    assert ledger.balance(ledger.wallet_code(waiting.buyer_id)) == waiting.total
    assert ledger.balance(ledger.escrow_code(waiting.id)) == 0
    figures = ratings.figures(waiting.seller_id)
    assert (figures.responsibility, figures.completion, figures.counted_for_completion) == (None, None, 0)
    assert not reviews.can_review(waiting, START + timedelta(days=4))
    [event] = [e for e in waiting.events if e.action == "cancel"]
    assert event.actor_id is None and event.comment == "The buyer did not send the requirements in time"
    told = {n.user_id for n in db.session.query(Notification).filter_by(kind="cancellation_answered")}
    assert told == {waiting.buyer_id, waiting.seller_id}
    assert_ledger_consistent()


def test_sending_requirements_stops_the_deadline(waiting):
    orders.send_requirements(waiting.buyer, waiting, "Domain example.com, root access", [], START + timedelta(days=1))
    with time_machine.travel(START + timedelta(days=4), tick=False):
        run_worker()
        assert timers.sweep(START + timedelta(days=4)) == 0
    assert waiting.state == "new"
    assert db.session.query(Notification).filter_by(kind="timer_warning").count() == 0


def test_a_declined_cancellation_request_restarts_the_deadline(waiting):
    request = cancellations.request(waiting.buyer, waiting, "buyer_other", COMMENT, START + timedelta(hours=1))
    assert [t.kind for t in timers.running(waiting)] == ["cancel_request_deadline"]
    cancellations.answer(waiting.seller, request, accept=False, reason_correct=None, now=START + timedelta(days=2, hours=12))
    [timer] = timers.running(waiting)
    assert (timer.kind, timer.due_at) == ("requirements_deadline", START + timedelta(days=3, hours=12))


def test_seller_cancels_with_no_information_at_once_and_it_cannot_be_disputed(waiting):
    offered = [r.code for r in cancellations.reasons(waiting, waiting.seller, START)]
    assert offered[0] == "no_requirements"
    request = cancellations.request(waiting.seller, waiting, "no_requirements", "", START + timedelta(hours=2))
    assert (waiting.state, request.status, request.reason_agreed) == ("cancelled", "applied", True)
    assert (request.counts_against_seller, request.buyer_may_review) == (False, False)
    assert ledger.balance(ledger.wallet_code(waiting.buyer_id)) == waiting.total
    with pytest.raises(DomainError):  # nothing left to answer
        cancellations.answer(waiting.buyer, request, accept=True, reason_correct=False, now=START + timedelta(hours=3))
    assert request.counts_against_seller is False
    assert disputes.escalatable(waiting, waiting.buyer, START + timedelta(hours=3)) is None
    assert ratings.figures(waiting.seller_id).responsibility == 100
    assert_ledger_consistent()


def test_the_reason_is_not_offered_once_requirements_were_sent(make_order):
    order = make_order("new", now=START)
    assert "no_requirements" not in [r.code for r in cancellations.reasons(order, order.seller, START)]
    with pytest.raises(ValidationFailed, match="Select one of the reasons"):
        cancellations.request(order.seller, order, "no_requirements", COMMENT, START)


def test_the_seller_request_is_in_the_history(waiting):
    cancellations.request(waiting.seller, waiting, "no_requirements", "", START)
    assert [e.action for e in waiting.events] == ["place", "request_cancellation", "cancel"]
