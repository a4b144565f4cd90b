from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.services import deadlines, orders

from .test_timers import run_worker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
REASON = "The client sent three more pages to design."


@pytest.fixture
def in_work(make_order):
    with time_machine.travel(START, tick=False):
        return make_order("in_work", now=START)  # deadline START + 2 days


def test_accepted_extension_moves_the_deadline(in_work):
    request = deadlines.request_extension(in_work.seller, in_work, 3, REASON, START)
    with pytest.raises(DomainError, match="already waiting"):
        deadlines.request_extension(in_work.seller, in_work, 1, REASON, START)
    deadlines.answer_extension(in_work.buyer, request, True, START + timedelta(hours=1))
    assert in_work.deadline_at == START + timedelta(days=5) and request.status == "accepted"


def test_declined_extension_keeps_the_deadline(in_work):
    request = deadlines.request_extension(in_work.seller, in_work, 3, REASON, START)
    deadlines.answer_extension(in_work.buyer, request, False, START)
    assert in_work.deadline_at == START + timedelta(days=2) and request.status == "declined"


def test_an_unanswered_extension_is_accepted_after_two_days(in_work):
    with time_machine.travel(START, tick=False):
        request = deadlines.request_extension(in_work.seller, in_work, 4, REASON, START)
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        run_worker()
    assert (request.status, request.auto_accepted) == ("accepted", True)
    assert in_work.deadline_at == START + timedelta(days=6)


@pytest.mark.parametrize("days, reason, message", [(0, REASON, "from 1 to 30"), (31, REASON, "from 1 to 30"), (2, "short", "at least 10")])
def test_extension_input_rules(in_work, days, reason, message):
    with pytest.raises(ValidationFailed, match=message):
        deadlines.request_extension(in_work.seller, in_work, days, reason, START)


def test_only_the_seller_asks_and_only_the_buyer_answers(in_work):
    with pytest.raises(DomainError):
        deadlines.request_extension(in_work.buyer, in_work, 2, REASON, START)
    request = deadlines.request_extension(in_work.seller, in_work, 2, REASON, START)
    with pytest.raises(DomainError):
        deadlines.answer_extension(in_work.seller, request, True, START)


def test_delivering_withdraws_an_unanswered_extension(in_work):
    request = deadlines.request_extension(in_work.seller, in_work, 2, REASON, START)
    orders.deliver(in_work.seller, in_work, "Done early", [], START + timedelta(hours=3))
    assert request.status == "withdrawn"


def test_pause_stops_the_clock_and_resume_moves_the_deadline(in_work):
    deadlines.request_pause(in_work.seller, in_work, "Waiting for the buyer's hosting access", START)
    deadlines.answer_pause(in_work.buyer, in_work, True, START + timedelta(hours=1))
    assert in_work.late(START + timedelta(days=10)) is False  # paused: never late
    deadlines.resume(in_work.buyer, in_work, START + timedelta(days=3, hours=1))
    assert in_work.deadline_at == START + timedelta(days=5)
    assert in_work.paused_at is None
    assert [e.action for e in in_work.events][-3:] == ["request_pause", "accept_pause", "resume"]


def test_a_refused_pause_clears_the_request(in_work):
    deadlines.request_pause(in_work.seller, in_work, "Waiting for the buyer's texts", START)
    deadlines.answer_pause(in_work.buyer, in_work, False, START)
    assert in_work.pause_requested_at is None and in_work.paused_at is None
    with pytest.raises(DomainError, match="not paused"):
        deadlines.resume(in_work.seller, in_work, START)


def test_a_pause_ends_by_itself_after_14_days(in_work):
    with time_machine.travel(START, tick=False):
        deadlines.request_pause(in_work.seller, in_work, "Waiting for the buyer's texts", START)
        deadlines.answer_pause(in_work.buyer, in_work, True, START)
    with time_machine.travel(START + timedelta(days=14, seconds=1), tick=False):
        run_worker()
    assert in_work.paused_at is None
    assert in_work.deadline_at == START + timedelta(days=16, seconds=1)
    assert in_work.events[-1].actor_id is None


def test_delivering_while_paused_credits_the_paused_time(in_work):
    deadlines.request_pause(in_work.seller, in_work, "Waiting for the buyer's texts", START)
    deadlines.answer_pause(in_work.buyer, in_work, True, START)
    orders.deliver(in_work.seller, in_work, "Done anyway", [], START + timedelta(days=1))
    assert in_work.paused_at is None and in_work.deadline_at == START + timedelta(days=3)


def test_cancelling_settles_pause_and_extension(in_work):
    from webapp.services import cancellations

    request = deadlines.request_extension(in_work.seller, in_work, 3, REASON, START)
    deadlines.request_pause(in_work.seller, in_work, "Waiting for the buyer's texts", START)
    cancellation = cancellations.request(in_work.seller, in_work, "mutual", "We agreed to stop here, thanks for understanding.", START)
    cancellations.answer(in_work.buyer, cancellation, accept=True, reason_correct=True, now=START)
    assert request.status == "withdrawn" and in_work.pause_requested_at is None
    with pytest.raises(DomainError):
        deadlines.answer_extension(in_work.buyer, request, True, START)
    with pytest.raises(DomainError):
        deadlines.answer_pause(in_work.buyer, in_work, True, START)
    assert timers_running(in_work) == []


def timers_running(order):
    from webapp.services import timers

    return timers.running(order)
