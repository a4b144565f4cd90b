from datetime import datetime, timedelta, timezone

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.domain.orders import IllegalTransition
from webapp.services import cancellations, ledger, orders, ratings, reviews, wallet

from ..conftest import assert_ledger_consistent

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
COMMENT = "The requirements ask for a mobile app, the kwork is a website."
LONG = "I am in hospital after an accident and can’t work for at least two weeks; I am very sorry for the delay this causes."


def test_seller_cancels_in_work_and_buyer_agrees_no_rating_drop(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "not_matching", COMMENT, NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=True, now=NOW)
    assert order.state == "cancelled" and wallet.balance(order.buyer) == order.total
    assert (request.counts_against_seller, request.buyer_may_review) == (False, False)
    metrics = ratings.for_seller(order.seller_id)
    assert (metrics.responsibility, metrics.completion) == (100, None)
    assert_ledger_consistent()


def test_buyer_disputes_the_reason_rating_drops_and_a_negative_review_opens(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "no_information", COMMENT, NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    assert (request.counts_against_seller, request.buyer_may_review) == (True, True)
    metrics = ratings.for_seller(order.seller_id)
    assert (metrics.responsibility, metrics.completion, metrics.warn) == (0, 0, True)
    assert "said the reason was not correct" in metrics.movers[0].why
    assert reviews.can_review(order, NOW + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="only get a negative review"):
        reviews.save_review(order.buyer, order, positive=True, text="Nice", now=NOW)
    reviews.save_review(order.buyer, order, positive=False, text="The seller cancelled instead of asking me.", now=NOW)
    assert order.kwork.rating == 0


def test_before_start_a_disputed_reason_still_allows_no_review(make_order):
    order = make_order("new")
    request = cancellations.request(order.seller, order, "not_matching", COMMENT, NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=False, now=NOW)
    assert request.counts_against_seller and not reviews.can_review(order, NOW)


def test_declining_keeps_the_order_going(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "seller_other", COMMENT, NOW)
    with pytest.raises(IllegalTransition, match="cancellation request is open"):
        orders.deliver(order.seller, order, "Done", [], NOW)
    cancellations.answer(order.buyer, request, accept=False, reason_correct=None, now=NOW)
    assert (request.status, order.state) == ("declined", "in_work")
    orders.deliver(order.seller, order, "Done", [], NOW)
    assert order.state == "delivered"


def test_answer_needs_both_steps_and_the_right_party(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.seller, order, "mutual", COMMENT, NOW)
    with pytest.raises(DomainError, match="other party"):
        cancellations.answer(order.seller, request, accept=True, reason_correct=True, now=NOW)
    with pytest.raises(ValidationFailed, match="Select whether you agree"):
        cancellations.answer(order.buyer, request, accept=None, reason_correct=None, now=NOW)
    with pytest.raises(ValidationFailed, match="Select whether the stated reason is correct"):
        cancellations.answer(order.buyer, request, accept=True, reason_correct=None, now=NOW)
    cancellations.answer(order.buyer, request, accept=True, reason_correct=True, now=NOW)
    with pytest.raises(DomainError, match="already been answered"):
        cancellations.answer(order.buyer, request, accept=False, reason_correct=None, now=NOW)


@pytest.mark.parametrize(
    "who, state, reason, comment, message",
    [
        ("seller", "in_work", "mistake", COMMENT, "Select one of the reasons listed"),  # a buyer's reason
        ("buyer", "in_work", "mistake", COMMENT, "Select one of the reasons listed"),  # only before start
        ("buyer", "in_work", "seller_late", COMMENT, "Select one of the reasons listed"),  # not late yet
        ("seller", "delivered", "no_information", COMMENT, "Select one of the reasons listed"),
        ("seller", "in_work", "force_majeure", COMMENT, "Explain in at least 100 characters"),
        ("seller", "in_work", "seller_other", "Too short", "Explain in at least 20 characters"),
    ],
)
def test_request_refusals(make_order, who, state, reason, comment, message):
    order = make_order(state)
    with pytest.raises(ValidationFailed, match=message):
        cancellations.request(getattr(order, who), order, reason, comment, NOW)
    assert order.state == state and order.open_cancellation is None


def test_force_majeure_with_a_long_comment_is_accepted(make_order):
    order = make_order("in_work")
    assert cancellations.request(order.seller, order, "force_majeure", LONG, NOW).status == "open"
    with pytest.raises(DomainError, match="already open"):
        cancellations.request(order.buyer, order, "buyer_other", COMMENT, NOW)


def test_ordered_by_mistake_cancels_at_once_without_impact(make_order):
    order = make_order("new")
    request = cancellations.request(order.buyer, order, "mistake", COMMENT, NOW)
    assert (order.state, request.status, request.counts_against_seller) == ("cancelled", "applied", False)
    assert wallet.balance(order.buyer) == order.total


def test_seller_is_late_cancels_at_once_and_counts(make_order):
    order = make_order("in_work")
    late = order.deadline_at + timedelta(minutes=1)
    request = cancellations.request(order.buyer, order, "seller_late", COMMENT, late)
    assert (order.state, request.counts_against_seller, request.buyer_may_review) == ("cancelled", True, True)
    assert ratings.for_seller(order.seller_id).movers[0].why == "The buyer cancelled because the deadline had passed."


def test_mutual_cancellation_is_spared_when_the_buyer_reorders_within_14_days(make_order):
    order = make_order("in_work")
    request = cancellations.request(order.buyer, order, "mutual", COMMENT, NOW)
    cancellations.answer(order.seller, request, accept=True, reason_correct=True, now=NOW)
    before = ratings.for_seller(order.seller_id)
    assert (before.responsibility, before.completion) == (100, 0)  # counts for completion until a re-order
    make_order("new", buyer=order.buyer, kwork=order.kwork, now=NOW + timedelta(days=13))
    after = ratings.for_seller(order.seller_id)
    assert after.completion is None and "ordered again within 14 days" in after.movers[0].why


def test_completed_orders_raise_the_completion_rate(make_order, make_user, make_kwork):
    kwork = make_kwork(make_user(role="seller"))
    for _ in range(9):
        make_order("completed", kwork=kwork)
    bad = make_order("in_work", kwork=kwork)
    request = cancellations.request(bad.seller, bad, "seller_other", COMMENT, NOW)
    cancellations.answer(bad.buyer, request, accept=True, reason_correct=False, now=NOW)
    metrics = ratings.for_seller(kwork.seller_id)
    assert (metrics.completed, metrics.cancelled, metrics.responsibility, metrics.completion, metrics.warn) == (9, 1, 90, 90, False)


def test_the_rates_alone_agree_with_the_rates_and_their_movers(make_order, make_user, make_kwork):
    """ratings.figures (dashboard) reads a few columns; ratings.for_seller (ratings page) whole orders: same rates."""
    kwork = make_kwork(make_user(role="seller"))
    make_order("completed", kwork=kwork)
    for reason, by_seller, correct in (("not_matching", True, True), ("no_information", True, False), ("mutual", False, True)):
        order = make_order("in_work", kwork=kwork)
        initiator, other = (order.seller, order.buyer) if by_seller else (order.buyer, order.seller)
        request = cancellations.request(initiator, order, reason, COMMENT, NOW)
        cancellations.answer(other, request, accept=True, reason_correct=correct, now=NOW)
    spared = make_order("in_work", kwork=kwork)
    request = cancellations.request(spared.buyer, spared, "mutual", COMMENT, NOW)
    cancellations.answer(spared.seller, request, accept=True, reason_correct=True, now=NOW)
    make_order("new", buyer=spared.buyer, kwork=kwork, now=NOW + timedelta(days=2))

    full, alone = ratings.for_seller(kwork.seller_id), ratings.figures(kwork.seller_id)
    assert alone == ratings.Figures(full.completed, full.cancelled, full.counted_for_responsibility, full.counted_for_completion)
    assert (alone.completed, alone.cancelled, alone.counted_for_responsibility, alone.counted_for_completion) == (1, 4, 1, 2)
    assert (alone.responsibility, alone.completion, alone.warn) == (80, 33, True)
