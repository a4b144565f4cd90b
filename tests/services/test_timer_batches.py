"""Every timer kind fires a batch with a fixed number of statements: a job firing nine due timers of a kind sends the
database as many statements as one firing three (statements counted with an engine event listener)."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.models import Timer
from webapp.services import availability, cancellations, conversations, deadlines, offers, timers

from ..conftest import assert_ledger_consistent

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
REASON = "x" * 100
# Rounds of 1, 3 and 9 due timers; the first also opens accounts met for the first time (the platform's commission).
SIZES = (1, 3, 9)


def _in_work(make_order, now):
    return make_order("in_work", now=now)


def _delivered(make_order, now):
    make_order("delivered", now=now)


def _cancellation(make_order, now):
    order = make_order("in_work", now=now)
    cancellations.request(order.seller, order, "force_majeure", REASON, now)


def _information(make_order, now):
    order = make_order("in_work", now=now)
    cancellations.request(order.seller, order, "no_information", REASON, now)


def _requirements(make_order, now):
    make_order("awaiting_requirements", now=now)


def _extension(make_order, now):
    order = make_order("in_work", now=now)
    deadlines.request_extension(order.seller, order, 3, "The hosting provider is slow to answer", now)


def _pause(make_order, now):
    order = make_order("in_work", now=now)
    deadlines.request_pause(order.seller, order, "Waiting for the buyer's logo files", now)
    deadlines.answer_pause(order.buyer, order, True, now)


def _offer(make_user, make_kwork, now):
    seller, buyer = make_user("Seller", role="seller"), make_user("Buyer")
    message = conversations.start(buyer, seller, make_kwork(seller), "Can you make me a landing page?", [], now, asks_for_offer=True)
    offers.make(seller, message.conversation,
                offers.Terms(description="A landing page", price=3000, delivery_days=4, revisions=2, expires_in_days=3), now)  # fmt: skip


def _away(make_user, now):
    seller = make_user("Seller", role="seller")
    availability.set_away(seller, now.date(), now.date() + timedelta(days=2), "On holiday", now)


ORDER_KINDS = {
    "auto_complete": _delivered, "warn_auto_complete": _delivered,
    "cancel_request_deadline": _cancellation, "warn_cancel_request_deadline": _cancellation,
    "info_deadline": _information, "warn_info_deadline": _information,
    "requirements_deadline": _requirements, "warn_requirements_deadline": _requirements,
    "extension_deadline": _extension, "pause_limit": _pause,
}  # fmt: skip


def _fire_round(kind, make_one, how_many, day, statements) -> int:
    """Make `how_many` timers of `kind`, fire them when the last is due (every other kind due by then cancelled),
    and return how many statements the firing took, INSERTs included: every kind's batch inserts set-based."""
    now = START + timedelta(days=day)
    with time_machine.travel(now, tick=False):
        first_id = (db.session.scalar(select(func.max(Timer.id))) or 0) + 1
        for _ in range(how_many):
            make_one(now)
    made = Timer.id >= first_id
    due = db.session.scalar(select(func.max(Timer.due_at)).where(made, Timer.kind == kind))
    fire_at = due + timedelta(seconds=1)
    db.session.execute(update(Timer).where(Timer.state == "scheduled", Timer.kind != kind, Timer.due_at <= fire_at).values(state="cancelled"))
    db.session.commit()
    statements.clear()
    timers.fire_due(lambda: fire_at)
    counted = list(statements)
    fired = db.session.scalar(select(func.count()).where(made, Timer.kind == kind, Timer.state == "fired"))
    assert fired == how_many
    return len(counted)


def _assert_fixed(kind, make_one, statements):
    counts = [_fire_round(kind, make_one, how_many, 40 * round_, statements) for round_, how_many in enumerate(SIZES)]
    assert counts[1] == counts[2], f"{kind}: {counts[1]} statements for {SIZES[1]} timers, {counts[2]} for {SIZES[2]}"
    assert_ledger_consistent()


@pytest.mark.parametrize("kind", list(ORDER_KINDS))
def test_an_order_timer_batch_takes_the_same_statements_for_few_or_many(kind, make_order, statements):
    _assert_fixed(kind, lambda now: ORDER_KINDS[kind](make_order, now), statements)


def test_an_offer_expiry_batch_takes_the_same_statements_for_few_or_many(make_user, make_kwork, statements):
    _assert_fixed(offers.EXPIRY_KIND, lambda now: _offer(make_user, make_kwork, now), statements)


def test_an_away_end_batch_takes_the_same_statements_for_few_or_many(make_user, statements):
    _assert_fixed(availability.rules.TIMER_KIND, lambda now: _away(make_user, now), statements)
