"""Every (side, reason, state, agreement) combination and its consequences."""
import itertools

import pytest

from webapp.domain import cancellations as c
from webapp.domain.orders import OPEN_STATES


def test_reasons_are_offered_only_to_their_side_and_states():
    seller_new = [r.code for r in c.reasons_for("seller", "new", late=False)]
    assert seller_new == ["no_information", "not_matching", "force_majeure", "seller_other", "mutual"]
    assert [r.code for r in c.reasons_for("seller", "delivered", late=False)] == ["seller_other", "mutual"]
    assert [r.code for r in c.reasons_for("buyer", "new", late=False)] == ["mistake", "misunderstanding", "buyer_other", "mutual"]
    assert "mistake" not in [r.code for r in c.reasons_for("buyer", "in_work", late=False)]
    assert "seller_late" not in [r.code for r in c.reasons_for("buyer", "in_work", late=False)]
    assert "seller_late" in [r.code for r in c.reasons_for("buyer", "in_work", late=True)]
    assert [r.code for r in c.reasons_for("buyer", "completed", late=True)] == []
    # "The buyer gave no information": only while requirements were never sent.
    assert [r.code for r in c.reasons_for("seller", "awaiting_requirements", late=False, requirements_sent=False)] == [
        "no_requirements", "seller_other", "mutual"]
    assert "no_requirements" not in [r.code for r in c.reasons_for("seller", "awaiting_requirements", late=False)]


def test_comment_lengths_and_immediate_reasons():
    assert c.REASONS["force_majeure"].min_comment == 100
    assert c.REASONS["no_requirements"].min_comment == 0  # the system knows the fact; nothing to explain
    assert all(r.min_comment == 20 for code, r in c.REASONS.items() if code not in ("force_majeure", "no_requirements", "work_refunded"))
    assert {code for code, r in c.REASONS.items() if r.applies_at_once} == {"mistake", "seller_late", "no_requirements"}
    assert {code for code, r in c.REASONS.items() if r.verified} == {"seller_late", "no_requirements", "work_refunded"}
    assert not c.REASONS["work_refunded"].sides  # only arbitration of the work applies it


def expected(side, reason, state, agreed):
    """The rules, written out independently of the implementation (DESIGN.md's table)."""
    if reason == "seller_late":
        return (True, True, False)
    if reason == "no_requirements":  # verified: whatever the answer, nothing against the seller
        return (False, False, False)
    if reason == "mutual":
        return (side == "seller" and not agreed, False, agreed)
    if side == "seller":
        if agreed:
            return (False, False, False)
        return (True, state == "in_work" and reason in ("no_information", "not_matching"), False)
    return (False, False, False)


CASES = [
    (side, reason.code, state, agreed)
    for side, reason, state, agreed in itertools.product(["buyer", "seller"], c.REASONS.values(), OPEN_STATES, [True, False])
    if side in reason.sides and state in reason.states
]


@pytest.mark.parametrize("side, reason, state, agreed", CASES)
def test_every_combination(side, reason, state, agreed):
    result = c.consequence(side, reason, state, agreed)
    assert (result.counts_against_seller, result.buyer_may_review, result.spared_if_reordered) == expected(side, reason, state, agreed)


@pytest.mark.parametrize(
    "side, reason, state, agreed, counts, review",
    [
        ("seller", "no_information", "in_work", True, False, False),  # in work, buyer agrees: no drop
        ("seller", "no_information", "in_work", False, True, True),  # buyer disputes: drop and a review
        ("seller", "not_matching", "new", False, True, False),  # before start: no review possible
        ("seller", "force_majeure", "in_work", False, True, False),
        ("buyer", "mistake", "new", True, False, False),
        ("buyer", "seller_late", "in_work", True, True, True),
    ],
)
def test_the_rules_from_the_issue(side, reason, state, agreed, counts, review):
    result = c.consequence(side, reason, state, agreed)
    assert (result.counts_against_seller, result.buyer_may_review) == (counts, review)
    assert result.summary.startswith("This cancellation did" if not counts else "This cancellation affected")
