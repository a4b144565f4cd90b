"""Away periods: the rules on the dates, ordering refused while away, the timer that ends the period (a real worker)."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from webapp.domain import availability as rules
from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.models import Timer, User
from webapp.services import availability, conversations, offers, orders, timers

from .test_timers import run_worker

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)  # the controlled clock's start


@pytest.fixture
def seller(make_user):
    user = make_user("Seller", role="seller")
    user.timezone = "Europe/Moscow"  # UTC+3
    db.session.commit()
    return user


@pytest.mark.parametrize(("first", "back", "field"), [
    (None, date(2026, 12, 12), "away_from"),
    (date(2026, 12, 1), None, "away_until"),
    (date(2026, 12, 12), date(2026, 12, 12), "away_until"),
    (date(2026, 11, 1), date(2026, 11, 20), "away_until"),  # already over
    (date(2026, 12, 1), date(2028, 1, 1), "away_until"),  # longer than a year
])  # fmt: skip
def test_dates_that_make_no_sense_are_field_errors(ctx, first, back, field):
    with pytest.raises(ValidationFailed) as error:
        rules.period(first, back, "Europe/Moscow", NOW)
    assert [issue.field for issue in error.value.issues] == [field]


def test_the_period_runs_from_midnight_to_midnight_in_the_sellers_zone(ctx):
    start, end = rules.period(date(2026, 12, 1), date(2026, 12, 12), "Europe/Moscow", NOW)
    assert (start, end) == (datetime(2026, 11, 30, 21, tzinfo=timezone.utc), datetime(2026, 12, 11, 21, tzinfo=timezone.utc))
    assert not rules.is_away(start, end, start - timedelta(seconds=1))
    assert rules.is_away(start, end, start) and rules.is_away(start, end, end - timedelta(seconds=1))
    assert not rules.is_away(start, end, end) and not rules.is_away(None, None, NOW)


def test_while_away_checkout_refuses_and_the_timer_ends_the_period(seller, make_user, make_kwork, fund):
    buyer, kwork = make_user("Buyer"), make_kwork(seller)
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 27), " On holiday ", NOW)
    user = db.session.get(User, seller.id)
    assert (user.away_message, user.away_until) == ("On holiday", datetime(2026, 11, 26, 21, tzinfo=timezone.utc))
    assert "away" in orders.checkout_problem(buyer, kwork, NOW)
    timer = db.session.query(Timer).filter_by(kind="away_end", ref_id=seller.id).one()
    assert (timer.state, timer.order_id, timer.due_at) == ("scheduled", None, user.away_until)

    # After the period, ordering works even before the timer fires: the check compares with now.
    assert orders.checkout_problem(buyer, kwork, user.away_until) is None

    with time_machine.travel(user.away_until - timedelta(minutes=1), tick=False):
        run_worker()
    assert db.session.get(User, seller.id).away_until is not None
    with time_machine.travel(user.away_until + timedelta(seconds=1), tick=False):
        run_worker()
    user = db.session.get(User, seller.id)
    assert (user.away_from, user.away_until, user.away_message) == (None, None, "")
    assert db.session.get(Timer, timer.id).state == "fired"


def test_a_replaced_period_outlives_the_old_timer(seller):
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 26), "", NOW)
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 30), "", NOW)
    assert timers.sweep(datetime(2026, 11, 27, tzinfo=timezone.utc)) == 0  # the first timer fires and changes nothing
    assert availability.is_away(db.session.get(User, seller.id), datetime(2026, 11, 27, tzinfo=timezone.utc))
    assert timers.sweep(datetime(2026, 11, 30, tzinfo=timezone.utc)) == 1
    assert db.session.get(User, seller.id).away_until is None


def test_ending_the_period_early_takes_orders_again(seller, make_user, make_kwork):
    buyer, kwork = make_user("Buyer"), make_kwork(seller)
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 30), "", NOW)
    availability.end_away(seller)
    assert orders.checkout_problem(buyer, kwork, NOW) is None
    assert timers.sweep(datetime(2026, 12, 1, tzinfo=timezone.utc)) == 0


def test_place_order_refuses_while_away(seller, make_user, make_kwork, fund):
    buyer, kwork = make_user("Buyer"), make_kwork(seller)
    fund(buyer, 100_000)
    availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 30), "", NOW)
    with pytest.raises(DomainError, match="away"):
        orders.place_order(buyer, kwork, "economy", quantity=1, requirements="Set up nginx please", checkout_token="t1", now=NOW)


def test_a_long_message_is_refused(seller):
    with pytest.raises(ValidationFailed) as error:
        availability.set_away(seller, date(2026, 11, 24), date(2026, 11, 30), "x" * 301, NOW)
    assert error.value.issues[0].field == "away_message"
