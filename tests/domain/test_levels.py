"""Seller levels as data: each level asks at least as much as the one below, and a seller holds the highest level
whose every threshold they meet."""
import pytest

from webapp.domain import levels
from webapp.domain.levels import LEVELS, Figures


def figures(**changes) -> Figures:
    values = dict(completed_orders=0, completion_rate=None, responsibility=None, kwork_rating=None, tenure_days=0)
    return Figures(**(values | changes))


def test_each_level_asks_at_least_as_much_as_the_one_below():
    assert [level.rank for level in LEVELS] == list(range(len(LEVELS)))
    for lower, higher in zip(LEVELS, LEVELS[1:]):
        assert all(getattr(higher, c) >= getattr(lower, c) for c in levels.CRITERIA), (lower.code, higher.code)


@pytest.mark.parametrize(("values", "expected"), [
    ({}, "new"),
    ({"completed_orders": 5, "completion_rate": 80, "responsibility": 80, "kwork_rating": 80, "tenure_days": 30}, "level_1"),
    ({"completed_orders": 5, "completion_rate": 79, "responsibility": 100, "kwork_rating": 100, "tenure_days": 400}, "new"),
    ({"completed_orders": 30, "completion_rate": 92, "responsibility": 95, "kwork_rating": 96, "tenure_days": 200}, "level_2"),
    ({"completed_orders": 100, "completion_rate": 95, "responsibility": 95, "kwork_rating": 95, "tenure_days": 365}, "top"),
    ({"completed_orders": 500, "completion_rate": 99, "responsibility": 99, "kwork_rating": None, "tenure_days": 900}, "new"),
])  # fmt: skip
def test_the_level_is_the_highest_whose_every_threshold_is_met(values, expected):
    assert levels.level_for(figures(**values)).code == expected


def test_what_is_missing_for_the_next_level():
    mine = figures(completed_orders=30, completion_rate=92, responsibility=95, kwork_rating=96, tenure_days=200)
    assert levels.next_level("level_2").code == "top" and levels.next_level("top") is None
    assert levels.missing_for(mine, levels.BY_CODE["top"]) == [
        ("completed_orders", 100, 30), ("completion_rate", 95, 92), ("tenure_days", 365, 200)]
