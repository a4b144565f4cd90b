from datetime import timedelta

import pytest

from webapp.domain.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.services import reviews

from .test_orders import NOW

NEGATIVE = "The server was left without a firewall and backups."


def test_buyer_reviews_and_edits_within_30_days(make_order):
    order = make_order("completed")
    review = reviews.save_review(order.buyer, order, positive=True, text="Great work", now=NOW + timedelta(days=29))
    assert order.kwork.rating == 100
    reviews.save_review(order.buyer, order, positive=False, text=NEGATIVE, now=NOW + timedelta(days=30))
    assert review.positive is False and order.kwork.rating == 0
    with pytest.raises(DomainError, match="review window"):
        reviews.save_review(order.buyer, order, positive=True, text="Changed my mind", now=NOW + timedelta(days=30, seconds=1))


def test_long_orders_get_60_days(make_order, make_user, make_kwork):
    from webapp.domain.tiers import TierDraft
    from webapp.services import kworks

    seller = make_user(role="seller")
    kwork = make_kwork(seller)
    draft = kworks.draft_from_kwork(kwork)
    draft.tiers["business"] = TierDraft("business", 9000, 14, 3, "Long")
    kworks.approve(make_user(admin=True), kworks.save_kwork(seller, draft, kwork=kwork, submit=True))
    order = make_order("completed", kwork=kwork, level="business")
    reviews.save_review(order.buyer, order, positive=True, text="Worth the wait", now=NOW + timedelta(days=59))
    assert reviews.review_deadline(order) == order.completed_at + timedelta(days=60)


@pytest.mark.parametrize(
    "positive, text, message",
    [
        (False, "Too short to be fair", "A negative review needs at least 30 characters: say what went wrong"),
        (True, "   ", "Enter your review"),
        (None, "Fine", "Select whether your review is positive or negative"),
    ],
)
def test_review_text_rules(make_order, positive, text, message):
    order = make_order("completed")
    with pytest.raises(ValidationFailed) as refused:
        reviews.save_review(order.buyer, order, positive=positive, text=text, now=NOW)
    assert refused.value.issues[0].message == message


def test_only_the_buyer_of_a_completed_order_reviews(make_order):
    order = make_order("delivered")
    with pytest.raises(DomainError):
        reviews.save_review(order.buyer, order, positive=True, text="Early", now=NOW)
    done = make_order("completed")
    with pytest.raises(DomainError):
        reviews.save_review(done.seller, done, positive=True, text="Self-praise", now=NOW)


def test_seller_replies_once(make_order):
    order = make_order("completed")
    review = reviews.save_review(order.buyer, order, positive=False, text=NEGATIVE, now=NOW)
    with pytest.raises(DomainError):
        reviews.reply(order.buyer, review, "Not the seller", NOW)
    with pytest.raises(ValidationFailed):
        reviews.reply(order.seller, review, " ", NOW)
    reviews.reply(order.seller, review, "Backups were outside the package.", NOW)
    with pytest.raises(DomainError, match="already replied"):
        reviews.reply(order.seller, review, "Second thoughts", NOW)
    assert review.reply == "Backups were outside the package."


def test_rating_breakdown_counts_unreviewed_orders_as_positive(make_order, make_user, make_kwork):
    kwork = make_kwork(make_user(role="seller"))
    orders_ = [make_order("completed", kwork=kwork) for _ in range(4)]
    reviews.save_review(orders_[0].buyer, orders_[0], positive=True, text="Good", now=NOW)
    reviews.save_review(orders_[1].buyer, orders_[1], positive=False, text=NEGATIVE, now=NOW)
    make_order("in_work", kwork=kwork)  # unfinished orders don't count
    breakdown = reviews.breakdown(kwork.id)
    assert (breakdown.written_positive, breakdown.unreviewed_positive, breakdown.negative) == (1, 2, 1)
    assert kwork.rating == 75


BAD = "The seller ignored my messages for a week and delivered late."


def test_a_late_positive_review_is_published_at_once(make_order):
    order = make_order("completed")
    late = NOW + timedelta(days=40)
    with pytest.raises(ValidationFailed) as failed:
        reviews.submit_via_support(order.buyer, order, "", late, positive=None)
    assert [issue.field for issue in failed.value.issues] == ["late_positive"]
    with pytest.raises(ValidationFailed) as failed:
        reviews.submit_via_support(order.buyer, order, "", late, positive=True)
    assert [issue.field for issue in failed.value.issues] == ["late_review"]
    review = reviews.submit_via_support(order.buyer, order, "Great work, sorry for the late review!", late, positive=True)
    assert (review.status, review.positive, review.via_support) == ("published", True, True)
    assert reviews.for_kwork(order.kwork_id) == [review] and reviews.awaiting_moderation() == []
    assert reviews.breakdown(order.kwork_id).written_positive == 1


def test_a_late_negative_review_error_is_on_the_late_review_field(make_order):
    order = make_order("completed")
    with pytest.raises(ValidationFailed) as failed:
        reviews.submit_via_support(order.buyer, order, "Bad", NOW + timedelta(days=40), positive=False)
    assert [issue.field for issue in failed.value.issues] == ["late_review"]


def test_late_negative_review_goes_to_support_and_counts_once_published(make_order, make_user):
    from webapp.models import AuditEntry

    order = make_order("completed")
    within = NOW + timedelta(days=29)
    assert not reviews.can_review_via_support(order, within)
    with pytest.raises(DomainError, match="still open"):
        reviews.submit_via_support(order.buyer, order, BAD, within)
    late = NOW + timedelta(days=40)
    assert not reviews.can_review(order, late) and reviews.can_review_via_support(order, late)
    review = reviews.submit_via_support(order.buyer, order, BAD, late)
    assert (review.status, review.positive, review.via_support) == ("pending", False, True)
    assert reviews.for_kwork(order.kwork_id) == [] and order.kwork.rating == 100  # not shown, not counted yet
    assert reviews.awaiting_moderation() == [review]

    admin = make_user(admin=True)
    reviews.publish(admin, review, "The delay is confirmed by the order history")
    assert reviews.for_kwork(order.kwork_id) == [review] and order.kwork.rating == 0
    assert reviews.awaiting_moderation() == []
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.before, entry.after) == (
        "review.publish", {"status": "pending", "reported": False}, {"status": "published", "reported": False})


def test_seller_reports_a_review_and_an_admin_hides_it(make_order, make_user):
    from webapp.models import AuditEntry, Notification

    order = make_order("completed")
    review = reviews.save_review(order.buyer, order, positive=False, text=BAD + " Call me at +7 999 123 45 67.", now=NOW)
    assert order.kwork.rating == 0
    with pytest.raises(DomainError, match="Only the seller"):
        reviews.report(order.buyer, review, "It contains a phone number", NOW)
    with pytest.raises(ValidationFailed, match="at least 20"):
        reviews.report(order.seller, review, "Rude", NOW)
    reviews.report(order.seller, review, "It contains the buyer's phone number", NOW)
    assert reviews.for_kwork(order.kwork_id) == [review]  # stays shown until an admin decides
    assert reviews.awaiting_moderation() == [review]
    with pytest.raises(DomainError, match="already with an administrator"):
        reviews.report(order.seller, review, "It contains the buyer's phone number", NOW)

    admin = make_user(admin=True)
    with pytest.raises(ValidationFailed, match="Enter the reason"):
        reviews.hide(admin, review, "")
    reviews.hide(admin, review, "Reviews must not contain contact details")
    assert review.status == "hidden" and review.hidden_reason == "Reviews must not contain contact details"
    assert reviews.for_kwork(order.kwork_id) == [] and order.kwork.rating == 100
    assert not reviews.can_review(order, NOW)  # the buyer can't quietly re-publish it
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.actor_id, entry.target_id, entry.reason) == (
        "review.hide", admin.id, review.id, "Reviews must not contain contact details")
    assert entry.before == {"status": "published", "reported": True} and entry.after == {"status": "hidden", "reported": False}
    kinds = sorted((n.user_id, n.kind) for n in db.session.query(Notification).filter_by(kind="moderation"))
    assert kinds == sorted([(order.buyer_id, "moderation"), (order.seller_id, "moderation")])
