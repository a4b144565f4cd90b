"""Reviews of completed orders, the seller's one reply, and the kwork rating they feed."""
from datetime import datetime

from sqlalchemy import func, or_, select

from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Kwork, Order, Review, User
from . import begin_write

MAX_REVIEW = 3000


def _negative_only(order: Order) -> bool:
    """A cancelled order can be reviewed only when its cancellation allows it, and only negatively."""
    cancellation = order.applied_cancellation if order.state == rules.CANCELLED else None
    return cancellation is not None and cancellation.buyer_may_review


def review_deadline(order: Order) -> datetime | None:
    if order.state == rules.COMPLETED and order.completed_at is not None:
        return order.completed_at + rules.review_window(order.delivery_days)
    if _negative_only(order):
        return order.cancelled_at + rules.review_window(order.delivery_days)
    return None


def can_review(order: Order, now: datetime) -> bool:
    deadline = review_deadline(order)
    return deadline is not None and now <= deadline


def _checked_text(positive: bool, text: str) -> str:
    text = (text or "").strip()
    if not positive and len(text) < rules.MIN_NEGATIVE_REVIEW:
        raise ValidationFailed(
            [FieldIssue("text", f"A negative review needs at least {rules.MIN_NEGATIVE_REVIEW} characters: say what went wrong")]
        )
    if not text:
        raise ValidationFailed([FieldIssue("text", "Enter your review")])
    if len(text) > MAX_REVIEW:
        raise ValidationFailed([FieldIssue("text", f"Enter {MAX_REVIEW:,} characters or fewer")])
    return text


def _lock(order: Order) -> None:
    begin_write()
    db.session.execute(select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True))
    db.session.refresh(order, ["review"])


def save_review(buyer: User, order: Order, *, positive: bool | None, text: str, now: datetime) -> Review:
    """Write or edit the buyer's review of a completed order, within the review window (30 or 60 days)."""
    _lock(order)  # one review per order, and the kwork's cached rating is recomputed from all its orders
    if order.buyer_id != buyer.id:
        raise DomainError("Only the buyer can review this order")
    if not can_review(order, now):
        raise DomainError("This order can’t be reviewed: reviews are written within the review window after completion")
    if positive is None:
        raise ValidationFailed([FieldIssue("positive", "Select whether your review is positive or negative")])
    if positive and _negative_only(order):
        raise ValidationFailed([FieldIssue("positive", "A cancelled order can only get a negative review")])
    text = _checked_text(positive, text)
    review = order.review
    if review is None:
        review = Review(order=order, kwork_id=order.kwork_id, seller_id=order.seller_id, buyer_id=buyer.id, created_at=now)
        db.session.add(review)
    review.positive, review.text, review.updated_at = positive, text, now
    db.session.flush()
    refresh_kwork_rating(order.kwork_id)
    db.session.commit()
    return review


def reply(seller: User, review: Review, text: str, now: datetime) -> Review:
    """The seller answers a review once; the answer can't be changed afterwards."""
    _lock(review.order)
    db.session.refresh(review)
    if review.seller_id != seller.id:
        raise DomainError("Only the seller can reply to this review")
    if review.reply is not None:
        raise DomainError("You have already replied to this review")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed([FieldIssue("reply", "Enter your reply")])
    if len(text) > MAX_REVIEW:
        raise ValidationFailed([FieldIssue("reply", f"Enter {MAX_REVIEW:,} characters or fewer")])
    review.reply, review.replied_at = text, now
    db.session.commit()
    return review


def breakdown(kwork_id: int) -> rules.RatingBreakdown:
    """The kwork's rating over its last 80 finished orders: completed ones (without a review: positive) and
    cancelled ones the buyer reviewed negatively."""
    outcomes = db.session.execute(
        select(Review.positive)
        .select_from(Order)
        .outerjoin(Review, Review.order_id == Order.id)
        .where(Order.kwork_id == kwork_id, or_(Order.state == rules.COMPLETED, Review.id.is_not(None)))
        .order_by(func.coalesce(Order.completed_at, Order.cancelled_at).desc(), Order.id.desc())
        .limit(rules.RATING_WINDOW)
    ).scalars()
    return rules.rating(list(outcomes))


def refresh_kwork_rating(kwork_id: int) -> None:
    """Recompute the cached rating the catalog sorts by; called whenever an outcome changes."""
    kwork = db.session.get(Kwork, kwork_id)
    kwork.rating = breakdown(kwork_id).percent


def for_kwork(kwork_id: int, limit: int = 20) -> list[Review]:
    return list(
        db.session.scalars(select(Review).where(Review.kwork_id == kwork_id).order_by(Review.created_at.desc()).limit(limit))
    )


def for_seller(seller_id: int, limit: int = 20) -> list[Review]:
    return list(
        db.session.scalars(select(Review).where(Review.seller_id == seller_id).order_by(Review.created_at.desc()).limit(limit))
    )
