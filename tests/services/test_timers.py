"""Timers fire once, through a real RQ worker (burst mode, real Redis) on a controlled clock."""
from datetime import datetime, timedelta, timezone

import pytest
import redis
import time_machine

from webapp.extensions import db
from webapp.models import Notification, OutboxJob, Posting, Timer
from webapp.queue import MAIL_QUEUE, QUEUE_NAMES, get_queue
from webapp.services import cancellations, ledger, orders, timers

from ..conftest import assert_ledger_consistent
from ..mail import BurstWorker

START = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
INFO = "I still have no access to the hosting account, so nothing can be set up."


def run_worker():
    """One burst of a real worker with its scheduler: moves due scheduled jobs to the queues and runs them."""
    queues = [get_queue(name) for name in QUEUE_NAMES]
    BurstWorker(queues, connection=queues[0].connection).work(burst=True, with_scheduler=True)
    db.session.expire_all()


def postings_for(order):
    return db.session.query(Posting).filter(Posting.idempotency_key.like(f"order-{order.id}-%")).count()


@pytest.fixture
def delivered(make_order):
    with time_machine.travel(START, tick=False):
        return make_order("delivered", now=START)


def test_delivery_schedules_auto_completion_that_a_worker_fires(delivered):
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    assert (timer.state, timer.due_at) == ("scheduled", START + timedelta(days=3))
    assert f"timers-due-{int(timer.due_at.timestamp())}" in get_queue().scheduled_job_registry.get_job_ids()

    with time_machine.travel(START + timedelta(days=2, hours=23), tick=False):
        run_worker()
    assert delivered.state == "delivered"  # not due yet: nothing happens

    with time_machine.travel(START + timedelta(days=3, seconds=1), tick=False):
        run_worker()
    assert (delivered.state, delivered.auto_completed) == ("completed", True)
    assert timer.state == "fired" and timer.fired_at == START + timedelta(days=3, seconds=1)
    assert ledger.balance(ledger.escrow_code(delivered.id)) == 0
    assert delivered.events[-1].action == "auto_complete" and delivered.events[-1].actor_id is None
    assert_ledger_consistent()


def test_an_auto_completion_counts_in_the_kwork_rating_at_once(delivered):
    # An order completed without a review counts as a positive outcome: the kwork's rating and its card say so in
    # the transaction that completes it, as after a buyer's acceptance.
    assert delivered.kwork.rating is None
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    assert timers.fire(timer.id, START + timedelta(days=4)) is True
    db.session.expire_all()
    assert delivered.state == "completed" and delivered.kwork.rating == 100


def test_firing_twice_changes_nothing_the_second_time(delivered):
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    later = START + timedelta(days=4)
    assert timers.fire(timer.id, later) is True
    assert timers.fire(timer.id, later) is False
    assert postings_for(delivered) == 2  # payment and one release


def test_a_timer_does_nothing_once_the_order_moved_on(delivered):
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    orders.accept(delivered.buyer, delivered, START + timedelta(days=1))
    assert timer.state == "cancelled"
    with time_machine.travel(START + timedelta(days=5), tick=False):
        run_worker()
        assert timers.fire(timer.id, START + timedelta(days=5)) is False
    assert delivered.auto_completed is False and postings_for(delivered) == 2


def test_a_revision_cancels_auto_completion_and_a_new_delivery_restarts_it(delivered):
    orders.request_revision(delivered.buyer, delivered, "Change the port", START + timedelta(days=1))
    assert timers.running(delivered) == []
    orders.deliver(delivered.seller, delivered, "Changed", [], START + timedelta(days=2))
    [running] = timers.running(delivered)
    assert running.due_at == START + timedelta(days=5)


def test_a_lost_job_is_fired_by_the_sweep_exactly_once(app, delivered):
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()  # Redis lost every scheduled job
    with time_machine.travel(START + timedelta(days=3, minutes=2), tick=False):
        run_worker()
        assert delivered.state == "delivered"  # no job, so the worker alone can't know
        result = app.test_cli_runner().invoke(args=["sweep"])
        assert "Fired 1 timer" in result.output
        db.session.expire_all()
        assert delivered.state == "completed"
        assert app.test_cli_runner().invoke(args=["sweep"]).output.startswith("Fired 0 timers")
    assert postings_for(delivered) == 2


def test_the_sweep_leaves_timers_alone_in_their_first_twenty_seconds(delivered):
    assert timers.sweep(START + timedelta(days=3, seconds=15)) == 0
    assert timers.sweep(START + timedelta(days=3, minutes=1)) == 1


def test_accept_racing_auto_completion_gives_one_transition_and_one_posting(delivered):
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    late = START + timedelta(days=3, hours=1)
    orders.accept(delivered.buyer, delivered, late)
    assert timers.fire(timer.id, late) is False
    with pytest.raises(orders.rules.IllegalTransition):
        orders.accept(delivered.buyer, delivered, late)
    assert [e.action for e in delivered.events].count("accept") == 1 and postings_for(delivered) == 2


def test_unanswered_cancellation_applies_after_48_hours_as_agreed(make_order):
    with time_machine.travel(START, tick=False):
        order = make_order("in_work", now=START)
        request = cancellations.request(order.seller, order, "force_majeure", "x" * 100, START)
    assert order.state == "in_work" and request.status == "open"
    with time_machine.travel(START + timedelta(hours=47, minutes=59), tick=False):
        run_worker()
    assert request.status == "open"
    with time_machine.travel(START + timedelta(hours=48, seconds=1), tick=False):
        run_worker()
    assert (order.state, request.status, request.auto_applied, request.reason_agreed) == ("cancelled", "applied", True, True)
    assert request.counts_against_seller is False
    assert ledger.balance(ledger.wallet_code(order.buyer_id)) == order.total
    assert_ledger_consistent()


def test_buyer_sending_the_information_stops_the_48_hour_auto_cancel(make_order):
    with time_machine.travel(START, tick=False):
        order = make_order("in_work", now=START)
        request = cancellations.request(order.seller, order, "no_information", INFO, START)
    cancellations.provide_information(order.buyer, request, "Login: admin, password in the attached note", START + timedelta(hours=5))
    assert request.status == "resolved" and order.state == "in_work"
    with time_machine.travel(START + timedelta(days=3), tick=False):
        run_worker()
        assert timers.sweep(START + timedelta(days=3)) == 0
    assert order.state == "in_work"


def test_missing_information_cancels_and_refunds_after_48_hours(make_order):
    with time_machine.travel(START, tick=False):
        order = make_order("in_work", now=START)
        cancellations.request(order.seller, order, "no_information", INFO, START)
    with time_machine.travel(START + timedelta(hours=49), tick=False):
        run_worker()
    assert order.state == "cancelled"
    assert order.applied_cancellation.counts_against_seller is False


def test_no_auto_completion_while_a_cancellation_request_waits(delivered):
    """A delivery can't be auto-accepted (paying the seller) while the buyer's cancellation request is open."""
    request = cancellations.request(delivered.buyer, delivered, "misunderstanding", INFO, START + timedelta(days=2))
    assert [t.kind for t in timers.running(delivered)] == ["cancel_request_deadline"]
    assert timers.sweep(START + timedelta(days=3, minutes=5)) == 0
    assert delivered.state == "delivered"
    cancellations.answer(delivered.seller, request, accept=False, reason_correct=None, now=START + timedelta(days=2, hours=1))
    [restarted] = timers.running(delivered)
    assert (restarted.kind, restarted.due_at) == ("auto_complete", START + timedelta(days=5, hours=1))


def test_a_stale_job_of_a_frozen_order_is_refused(delivered):
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    timer_id = timer.id
    cancellations.request(delivered.buyer, delivered, "misunderstanding", INFO, START + timedelta(days=1))
    assert timers.fire(timer_id, START + timedelta(days=4)) is False
    assert delivered.state == "delivered" and postings_for(delivered) == 1


def test_timers_due_in_the_same_second_share_one_job_that_fires_each_once(make_order):
    with time_machine.travel(START, tick=False):
        batch = [make_order("delivered", now=START) for _ in range(3)]
    due = {t.due_at for t in db.session.query(Timer).filter_by(kind="auto_complete")}
    assert due == {START + timedelta(days=3)}
    scheduled = [j for j in get_queue().scheduled_job_registry.get_job_ids() if j.startswith("timers-due-")]
    assert len(scheduled) == 2  # one for the three auto-completions, one for their three warnings a day earlier

    with time_machine.travel(START + timedelta(days=3, seconds=1), tick=False):
        run_worker()
        run_worker()  # a second pass (or a second worker) finds nothing left to fire
    assert [o.state for o in batch] == ["completed"] * 3
    assert all(postings_for(order) == 2 for order in batch)
    assert db.session.query(Timer).filter_by(kind="auto_complete", state="fired").count() == 3
    assert_ledger_consistent()


def test_a_job_fires_timers_at_the_moment_each_one_fires(delivered):
    """fired_at is the clock's time when that timer fired, not when the job started."""
    ticks = iter([START + timedelta(days=3, seconds=s) for s in (1, 2, 3)])
    assert timers.fire_due(lambda: next(ticks)) == 1
    timer = db.session.query(Timer).filter_by(order_id=delivered.id, kind="auto_complete").one()
    assert timer.fired_at == START + timedelta(days=3, seconds=2)  # the first tick set the cut-off


def test_a_timer_that_fails_does_not_hold_back_the_others(make_order, monkeypatch):
    with time_machine.travel(START, tick=False):
        first, second = make_order("delivered", now=START), make_order("delivered", now=START)
    broken = db.session.query(Timer).filter_by(order_id=first.id, kind="auto_complete").one().id
    original = timers.HANDLERS["auto_complete"]

    def fails_for_the_first(fired, now):
        if any(timer.id == broken for timer, _order in fired):
            raise RuntimeError("handler bug")
        original(fired, now)

    monkeypatch.setitem(timers.HANDLERS, "auto_complete", fails_for_the_first)
    assert timers.fire_due(lambda: START + timedelta(days=3, seconds=1)) == 1
    db.session.expire_all()
    assert (first.state, second.state) == ("delivered", "completed")
    assert db.session.get(Timer, broken).state == "scheduled"  # left for the sweep
    assert_ledger_consistent()


def test_a_burst_of_auto_completions_fires_together_each_once(make_order, make_user):
    """Orders delivered together complete together, each once: released once, its seller told once, and one e-mail
    job for the batch's five notifications (enqueued after the commit)."""
    seller = make_user("Seller", role="seller")
    with time_machine.travel(START, tick=False):
        burst = [make_order("delivered", seller=seller, now=START) for _ in range(5)]
    get_queue(MAIL_QUEUE).empty()
    assert timers.fire_due(lambda: START + timedelta(days=3, seconds=1)) == 5
    db.session.expire_all()
    assert [o.state for o in burst] == ["completed"] * 5
    assert all(postings_for(order) == 2 for order in burst)
    assert [e.action for o in burst for e in o.events].count("auto_complete") == 5
    assert db.session.query(Notification).filter_by(user_id=seller.id, kind="order_completed").count() == 5
    assert get_queue(MAIL_QUEUE).count == 1
    [job] = db.session.query(OutboxJob).filter_by(func="jobs.mail.send_notification_emails").all()
    told = db.session.query(Notification.id).filter_by(user_id=seller.id, kind="order_completed").order_by(Notification.id)
    assert job.args == [[n for (n,) in told]]
    run_worker()  # the one job e-mails each of them once
    assert db.session.query(Notification).filter_by(user_id=seller.id, kind="order_completed", emailed_at=None).count() == 0
    assert db.session.query(Timer).filter_by(kind="warn_auto_complete", state="cancelled").count() == 5  # too late to warn
    assert_ledger_consistent()


def test_a_burst_costs_the_same_reads_and_updates_for_few_or_many_orders(make_order, make_user, statements):
    """Statements other than INSERTs while one job fires a burst. (A flush inserts a table's new rows in one
    statement on PostgreSQL; SQLite's driver takes them one by one, in process.)"""
    seller = make_user("Seller", role="seller")
    counts = []
    # The first burst also opens the platform's commission account (on first use, in a fresh test database).
    for how_many, day in ((1, 0), (2, 10), (9, 20)):
        with time_machine.travel(START + timedelta(days=day), tick=False):
            [make_order("delivered", seller=seller, now=START + timedelta(days=day)) for _ in range(how_many)]
        # Only the completions: their warnings fire one per transaction (timers.batch_handler says why).
        db.session.query(Timer).filter_by(kind="warn_auto_complete").update({"state": "cancelled"})
        db.session.commit()
        statements.clear()
        timers.fire_due(lambda: START + timedelta(days=day + 3, seconds=1))
        counts.append(sum(1 for statement in statements if not statement.lstrip().upper().startswith("INSERT")))
    assert counts[1] == counts[2]


def test_two_due_timers_of_one_order_fire_in_turn_the_second_seeing_the_first(delivered):
    """Both the 24-hour warning and the completion are overdue (the workers were down): one batch takes the first
    only; the next round finds the order completed and drops the warning instead of warning about a done deal."""
    by_kind = {t.kind: t for t in db.session.query(Timer).filter_by(order_id=delivered.id)}
    warning, completion = by_kind["warn_auto_complete"], by_kind["auto_complete"]
    later = START + timedelta(days=4)
    assert timers.fire_many([warning.id, completion.id], later) == 1
    db.session.expire_all()
    assert (completion.state, warning.state) == ("fired", "scheduled")
    assert timers.fire_due(lambda: later) == 0
    assert warning.state == "cancelled" and delivered.state == "completed"
