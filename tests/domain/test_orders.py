"""The order state machine, every (state, action, role) combination, and the small rules beside it."""
from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain import orders as rules

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
ALLOWED = {
    ("awaiting_requirements", "send_requirements", "buyer"): "new",
    ("new", "start", "seller"): "in_work",
    ("in_work", "deliver", "seller"): "delivered",
    ("revision", "deliver", "seller"): "delivered",
    ("delivered", "accept", "buyer"): "completed",
    ("delivered", "request_revision", "buyer"): "revision",
    ("revision", "decline_revision", "seller"): "delivered",
}


@pytest.mark.parametrize("state", rules.STATES)
@pytest.mark.parametrize("action", rules.TRANSITIONS)
@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_every_state_action_and_role(state, action, role):
    expected = ALLOWED.get((state, action, role))
    if expected:
        assert rules.target_state(action, state, role) == expected
    else:
        with pytest.raises(rules.IllegalTransition):
            rules.target_state(action, state, role)


@pytest.mark.parametrize("state", rules.STATES)
@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_available_actions_match_the_table(state, role):
    offered = rules.available_actions(state, role, revision_is_extra=True)
    assert sorted(offered) == sorted(a for (s, a, r) in ALLOWED if s == state and r == role)


def test_an_included_revision_cannot_be_declined():
    assert rules.available_actions("revision", "seller", revision_is_extra=False) == ["deliver"]


def test_terminal_states_offer_nothing():
    for state in (rules.COMPLETED, rules.CANCELLED):
        assert rules.available_actions(state, "buyer") == rules.available_actions(state, "seller") == []


def test_revision_keeps_at_least_24_hours():
    assert rules.deadline_after_revision(NOW + timedelta(days=3), NOW) == NOW + timedelta(days=3)
    assert rules.deadline_after_revision(NOW + timedelta(hours=2), NOW) == NOW + timedelta(hours=24)
    assert rules.deadline_after_revision(NOW - timedelta(days=1), NOW) == NOW + timedelta(hours=24)


def test_lateness_counts_only_while_the_seller_owes_work():
    past = NOW - timedelta(minutes=1)
    assert rules.is_late("in_work", past, NOW) and rules.is_late("revision", past, NOW)
    assert not rules.is_late("delivered", past, NOW)
    assert not rules.is_late("in_work", NOW, NOW)


@pytest.mark.parametrize("total, percent, fee", [(150000, 20, 30000), (123456, 20, 24691), (100, 0, 0), (99, 20, 19)])
def test_commission_rounds_down(total, percent, fee):
    assert rules.commission(total, percent) == fee


@pytest.mark.parametrize("days, window", [(1, 30), (10, 30), (11, 60), (30, 60)])
def test_review_window(days, window):
    assert rules.review_window(days) == timedelta(days=window)


def test_rating_counts_unreviewed_as_positive_over_the_last_80():
    breakdown = rules.rating([True, None, False, None])
    assert (breakdown.written_positive, breakdown.unreviewed_positive, breakdown.negative) == (1, 2, 1)
    assert breakdown.percent == 75
    assert rules.rating([]).percent is None
    old_negatives = [True] * 80 + [False] * 20
    assert rules.rating(old_negatives).percent == 100
