"""Conflicting actions on one order, one top-up, one wallet, one code, started at the same instant on parallel
PostgreSQL connections (tests/races.py): each pair has one winner, and leaves one event, one posting and one
notification behind."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import CancellationRequest, Notification, Order, OrderEvent, Posting, Timer, TopUp, User, VoiceCode, Withdrawal
from webapp.services import cancellations, ledger, orders, payouts, timers, voice_codes, wallet

from ..conftest import assert_ledger_consistent
from ..races import needs_postgres, race, winners
from .test_payouts import last_spoken_code
from .test_timers import run_worker

pytestmark = needs_postgres

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
MUTUAL = "We agreed to stop the order here, thank you."


def as_view(order_id: int, user_id: int, action):
    """A contender that reads the order and the user first, as the order page's POST handler does, then acts."""

    def prepare():
        order, user = db.session.get(Order, order_id), db.session.get(User, user_id)
        assert order.state  # loaded before the start, as a view has it
        return lambda: action(user, order)

    return prepare


def events(order: Order, action: str) -> int:
    return db.session.query(OrderEvent).filter_by(order_id=order.id, action=action).count()


def postings(key: str) -> int:
    return db.session.query(Posting).filter_by(idempotency_key=key).count()


def notes(user_id: int, kind: str) -> int:
    return db.session.query(Notification).filter_by(user_id=user_id, kind=kind).count()


def test_accept_and_revision_sent_together_have_one_winner(app, make_order):
    order = make_order("delivered", now=START)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: orders.accept(buyer, o, START)),
        as_view(order.id, order.buyer_id, lambda buyer, o: orders.request_revision(buyer, o, "Please change the colours", START)),
    )
    [winner] = winners(outcomes)
    assert all(isinstance(o.error, DomainError) for o in outcomes if not o.ok)
    db.session.refresh(order)
    if order.state == "completed":
        assert (events(order, "accept"), events(order, "request_revision"), postings(f"order-{order.id}-release")) == (1, 0, 1)
        assert (notes(order.seller_id, "order_completed"), notes(order.seller_id, "revision_requested")) == (1, 0)
    else:
        assert order.state == "revision"
        assert (events(order, "accept"), events(order, "request_revision"), postings(f"order-{order.id}-release")) == (0, 1, 0)
        assert (notes(order.seller_id, "order_completed"), notes(order.seller_id, "revision_requested")) == (0, 1)
    assert_ledger_consistent()


def test_accept_and_a_cancellation_request_sent_together_have_one_winner(app, make_order):
    order = make_order("delivered", now=START)
    outcomes = race(
        app,
        as_view(order.id, order.buyer_id, lambda buyer, o: orders.accept(buyer, o, START)),
        as_view(order.id, order.seller_id, lambda seller, o: cancellations.request(seller, o, "mutual", MUTUAL, START)),
    )
    assert len(winners(outcomes)) == 1
    db.session.refresh(order)
    requests = db.session.query(CancellationRequest).filter_by(order_id=order.id).count()
    if order.state == "completed":
        assert (requests, postings(f"order-{order.id}-release")) == (0, 1)
    else:
        assert (order.state, requests, postings(f"order-{order.id}-release")) == ("delivered", 1, 0)
    assert_ledger_consistent()


def test_deliver_and_a_cancellation_request_sent_together_have_one_winner(app, make_order):
    order = make_order("in_work", now=START)
    outcomes = race(
        app,
        as_view(order.id, order.seller_id, lambda seller, o: orders.deliver(seller, o, "Here it is", [], START)),
        as_view(order.id, order.buyer_id, lambda buyer, o: cancellations.request(buyer, o, "mutual", MUTUAL, START)),
    )
    db.session.refresh(order)
    [request] = db.session.query(CancellationRequest).filter_by(order_id=order.id).all()
    if outcomes[0].ok:  # delivered first: the request was made on the delivered order, which it froze
        assert (order.state, request.state_when_requested, events(order, "deliver")) == ("delivered", "delivered", 1)
        assert [t.state for t in timers.running(order) if t.kind == "auto_complete"] == []
    else:  # asked first: the frozen order could not be delivered
        assert isinstance(outcomes[0].error, DomainError)
        assert (order.state, request.state_when_requested, events(order, "deliver")) == ("in_work", "in_work", 0)


def test_two_answers_to_one_cancellation_request_apply_it_once(app, make_order):
    order = make_order("in_work", now=START)
    request_id = cancellations.request(order.seller, order, "not_matching", "The requirements ask for a mobile app, not a site.", START).id

    def answer(buyer, o):
        return cancellations.answer(buyer, db.session.get(CancellationRequest, request_id), accept=True, reason_correct=False, now=START)

    outcomes = race(app, as_view(order.id, order.buyer_id, answer), as_view(order.id, order.buyer_id, answer))
    assert len(winners(outcomes)) == 1
    db.session.refresh(order)
    applied = db.session.query(CancellationRequest).filter_by(order_id=order.id, status="applied").count()
    assert (order.state, applied, events(order, "cancel"), postings(f"order-{order.id}-refund")) == ("cancelled", 1, 1, 1)
    assert notes(order.seller_id, "cancellation_answered") == 1
    assert_ledger_consistent()


def test_two_cancellation_requests_sent_together_leave_one(app, make_order):
    order = make_order("in_work", now=START)
    ask = lambda buyer, o: cancellations.request(buyer, o, "mutual", MUTUAL, START)  # noqa: E731
    outcomes = race(app, as_view(order.id, order.buyer_id, ask), as_view(order.id, order.buyer_id, ask))
    assert len(winners(outcomes)) == 1
    assert db.session.query(CancellationRequest).filter_by(order_id=order.id).count() == 1
    assert notes(order.seller_id, "cancellation_requested") == 1


def test_a_revision_request_and_the_auto_completion_timer_have_one_winner(app, make_order):
    order = make_order("delivered", now=START)
    [timer] = db.session.query(Timer).filter_by(order_id=order.id, kind="auto_complete").all()
    timer_id, due = timer.id, timer.due_at + timedelta(seconds=1)

    def fire():
        return lambda: timers.fire(timer_id, due)

    outcomes = race(
        app, fire, as_view(order.id, order.buyer_id, lambda buyer, o: orders.request_revision(buyer, o, "One more change, please", due))
    )
    db.session.refresh(order)
    db.session.refresh(timer)
    if order.state == "completed":
        assert outcomes[0].value is True and not outcomes[1].ok
        assert (timer.state, events(order, "auto_complete"), events(order, "request_revision")) == ("fired", 1, 0)
        assert postings(f"order-{order.id}-release") == 1
    else:
        assert order.state == "revision" and outcomes[1].ok and outcomes[0].value is False
        assert (timer.state, events(order, "auto_complete"), postings(f"order-{order.id}-release")) == ("cancelled", 0, 0)
    assert_ledger_consistent()


def test_pay_and_decline_of_one_top_up_have_one_winner(app, make_user):
    user = make_user()
    topup = wallet.start_topup(user, 1000)
    topup_id = topup.id

    def contender(action):
        def prepare():
            found = db.session.get(TopUp, topup_id)
            assert found.status == "pending"
            return lambda: action(found)

        return prepare

    outcomes = race(app, contender(wallet.confirm_topup), contender(wallet.decline_topup))
    assert len(winners(outcomes)) == 1
    db.session.refresh(topup)
    credited = postings(f"topup-{topup.reference}")
    assert (topup.status, credited, wallet.balance(user)) in (("paid", 1, 100_000), ("declined", 0, 0))
    assert_ledger_consistent()


def test_two_withdrawals_of_most_of_the_balance_pay_out_once(app, make_user, fund):
    from .test_payouts import add_card

    seller = make_user("Seller", role="seller")
    seller.phone, seller.phone_verified_at = "+442079460958", START - timedelta(days=2)
    db.session.commit()
    add_card(seller, at=START - timedelta(days=2))
    with time_machine.travel(START - timedelta(days=2), tick=False):
        payouts.confirm(seller, last_spoken_code(), START - timedelta(days=2))
    fund(seller, 1000)
    [detail] = payouts.active_details(seller)
    seller_id, detail_id = seller.id, detail.id

    def withdraw():
        user = db.session.get(User, seller_id)
        return lambda: payouts.withdraw(user, detail_id, 800, START)

    outcomes = race(app, withdraw, withdraw)
    assert len(winners(outcomes)) == 1
    assert db.session.query(Withdrawal).count() == 1
    assert wallet.balance(seller) == 20_000
    assert_ledger_consistent()


@pytest.fixture
def code_waiting(make_user):
    user = make_user()
    with time_machine.travel(START, tick=False):
        voice_codes.add_phone(user, "+44 20 7946 0958", "en", START)
        run_worker()
    return user, last_spoken_code()


def guess(user_id: int, typed: str):
    def prepare():
        user = db.session.get(User, user_id)
        return lambda: voice_codes.verify(user, "phone", typed, START + timedelta(minutes=1))

    return prepare


def test_twenty_wrong_guesses_at_once_spend_exactly_five_attempts(app, code_waiting):
    user, right = code_waiting
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    outcomes = race(app, *[guess(user.id, wrong) for _ in range(20)])
    assert not winners(outcomes)
    code = db.session.query(VoiceCode).filter_by(user_id=user.id).one()
    assert (code.attempts, code.status) == (5, "cancelled")
    with pytest.raises(DomainError):
        voice_codes.verify(db.session.get(User, user.id), "phone", right, START + timedelta(minutes=2))
    assert db.session.get(User, user.id).phone_verified_at is None


def test_the_right_code_among_nineteen_wrong_ones_is_checked_only_within_the_limit(app, code_waiting):
    user, right = code_waiting
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    outcomes = race(app, *[guess(user.id, right if n == 10 else wrong) for n in range(20)])
    code = db.session.query(VoiceCode).filter_by(user_id=user.id).one()
    assert code.attempts <= 5
    confirmed = db.session.get(User, user.id).phone_verified_at is not None
    assert confirmed == (code.status == "confirmed") == (len(winners(outcomes)) == 1)


def test_ten_call_requests_at_once_queue_one_call(app, make_user):
    user_id = make_user().id

    def ask():
        found = db.session.get(User, user_id)
        return lambda: voice_codes.add_phone(found, "+44 20 7946 0958", "en", START)

    outcomes = race(app, *[ask for _ in range(10)])
    assert len(winners(outcomes)) == 1
    assert all(isinstance(o.error, voice_codes.CallLimited) for o in outcomes if not o.ok)
    assert db.session.query(VoiceCode).filter_by(user_id=user_id).count() == 1

