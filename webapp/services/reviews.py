"""Reviews of completed orders, the seller's one reply, and the kwork rating they feed."""
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from flask_babel import format_number
from sqlalchemy import and_, bindparam, func, or_, select

from .. import links
from ..domain import orders as rules
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Kwork, Order, Review, User
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import audit, bulk, card_columns, catalog, locking
from .notifications import notify

MAX_REVIEW = 3000
MIN_REPORT = 20


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
    if order.review is not None and order.review.status != "published":
        return False  # waiting for an admin, or hidden by one: no longer the buyer's to edit
    return deadline is not None and now <= deadline


def can_review_via_support(order: Order, now: datetime) -> bool:
    """The window has closed without a review: one can still be sent (a negative one goes to an admin first)."""
    deadline = review_deadline(order)
    return order.review is None and deadline is not None and now > deadline


def _checked_text(positive: bool, text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not positive and len(text) < rules.MIN_NEGATIVE_REVIEW:
        raise ValidationFailed(
            [FieldIssue(field, _("A negative review needs at least %(min)s characters: say what went wrong", min=rules.MIN_NEGATIVE_REVIEW))]
        )
    if not text:
        raise ValidationFailed([FieldIssue(field, _("Enter your review"))])
    if len(text) > MAX_REVIEW:
        raise ValidationFailed([FieldIssue(field, _("Enter %(max)s characters or fewer", max=format_number(MAX_REVIEW)))])
    return text


def _lock(order: Order) -> Order:
    """The order's lock guards its review: one review per order, and one rating recomputation at a time."""
    return locking.lock(Order, order.id)


def save_review(buyer: User, order: Order, *, positive: bool | None, text: str, now: datetime) -> Review:
    """Write or edit the buyer's review of a completed order, within the review window (30 or 60 days)."""
    order = _lock(order)  # one review per order, and the kwork's cached rating is recomputed from all its orders
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can review this order"))
    if not can_review(order, now):
        raise DomainError(_("This order can’t be reviewed: reviews are written within the review window after completion"))
    if positive is None:
        raise ValidationFailed([FieldIssue("positive", _("Select whether your review is positive or negative"))])
    if positive and _negative_only(order):
        raise ValidationFailed([FieldIssue("positive", _("A cancelled order can only get a negative review"))])
    text = _checked_text(positive, text)
    review = order.review
    if review is None:
        review = Review(order=order, kwork_id=order.kwork_id, seller_id=order.seller_id, buyer_id=buyer.id, created_at=now)
        db.session.add(review)
    review.positive, review.text, review.updated_at = positive, text, now
    db.session.flush()
    refresh_kwork_rating(order.kwork_id)
    text = _l("%(name)s left a positive review of order #%(order)s.") if positive else _l("%(name)s left a negative review of order #%(order)s.")
    notify(order.seller_id, "review", text, links.path("orders.show", order_id=order.id), order_id=order.id,
           name=buyer.display_name, order=order.id)  # fmt: skip
    db.session.commit()
    return review


def submit_via_support(buyer: User, order: Order, text: str, now: datetime, *, positive: bool | None = False) -> Review:
    """A review after the window closed. A positive one is published at once (as Kwork does: it harms no one) and
    counts in the kwork's rating; a negative one is kept hidden until an admin publishes or refuses it.

    Guards: the buyer's order, window closed, no review yet; positive chosen (yes/no); a cancelled order can only
    get a negative one. Errors name the late-review form's fields (`late_positive`, `late_review`)."""
    order = _lock(order)
    if order.buyer_id != buyer.id:
        raise DomainError(_("Only the buyer can review this order"))
    if not can_review_via_support(order, now):
        raise DomainError(_("This order can’t get a late review: it has a review, or its review window is still open"))
    if positive is None:
        raise ValidationFailed([FieldIssue("late_positive", _("Select whether your review is positive or negative"))])
    if positive and _negative_only(order):
        raise ValidationFailed([FieldIssue("late_positive", _("A cancelled order can only get a negative review"))])
    text = _checked_text(positive, text, "late_review")
    review = Review(order=order, kwork_id=order.kwork_id, seller_id=order.seller_id, buyer_id=buyer.id, positive=positive,
                    text=text, status="published" if positive else "pending", via_support=True, created_at=now, updated_at=now)  # fmt: skip
    db.session.add(review)
    if positive:
        db.session.flush()
        refresh_kwork_rating(order.kwork_id)
        notify(order.seller_id, "review", _l("%(name)s left a positive review of order #%(order)s."),
               links.path("orders.show", order_id=order.id), order_id=order.id, name=buyer.display_name, order=order.id)
    db.session.commit()
    return review


def report(seller: User, review: Review, reason: str, now: datetime) -> Review:
    """The seller asks an admin to check a published review; it stays shown until an admin decides."""
    _lock(review.order)
    db.session.refresh(review)
    if review.seller_id != seller.id:
        raise DomainError(_("Only the seller can report this review"))
    if review.status != "published" or review.reported_at is not None:
        raise DomainError(_("This review is already with an administrator"))
    reason = (reason or "").strip()
    if len(reason) < MIN_REPORT:
        raise ValidationFailed([FieldIssue("report_reason", _("Explain in at least %(min)s characters which rule the review breaks", min=MIN_REPORT))])
    if len(reason) > MAX_REVIEW:
        raise ValidationFailed([FieldIssue("report_reason", _("Enter %(max)s characters or fewer", max=format_number(MAX_REVIEW)))])
    review.report_reason, review.reported_at = reason, now
    db.session.commit()
    return review


def _awaiting():
    """Late reviews sent via support, and published reviews a seller reported."""
    return or_(Review.status == "pending", and_(Review.status == "published", Review.reported_at.is_not(None)))


def awaiting_moderation() -> list[Review]:
    """The reviews waiting for an admin, oldest first."""
    return list(
        db.session.scalars(select(Review).where(_awaiting()).order_by(func.coalesce(Review.reported_at, Review.created_at), Review.id))
    )


def awaiting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Review).where(_awaiting()))


def _state(review: Review) -> dict:
    return {"status": review.status, "reported": review.reported_at is not None}


def publish(admin: User, review: Review, reason: str) -> Review:
    """Admin: the review stands – a late one is published, a reported one stays (the report is closed)."""
    _lock(review.order)
    db.session.refresh(review)
    if not (review.status == "pending" or review.reported_at is not None):
        raise DomainError(_("This review is not waiting for moderation"))
    reason = _admin_reason(reason)
    before = _state(review)
    review.status, review.reported_at = "published", None
    _decided(admin, review, "review.publish", before, reason, _l("An administrator published your review of order #%(order)s: %(reason)s"),
             _l("An administrator checked the review of order #%(order)s and kept it: %(reason)s"))  # fmt: skip
    return review


def hide(admin: User, review: Review, reason: str) -> Review:
    """Admin: take down a review that breaks the rules (or refuse a late one); it no longer counts."""
    _lock(review.order)
    db.session.refresh(review)
    if review.status == "hidden":
        raise DomainError(_("This review is already hidden"))
    reason = _admin_reason(reason)
    before = _state(review)
    review.status, review.reported_at, review.hidden_reason = "hidden", None, reason
    _decided(admin, review, "review.hide", before, reason, _l("Your review of order #%(order)s was hidden: %(reason)s"),
             _l("An administrator hid the review of order #%(order)s: %(reason)s"))  # fmt: skip
    return review


def _admin_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldIssue("reason", _("Enter the reason the buyer and the seller will see"))])
    return reason


def _decided(admin: User, review: Review, action: str, before: dict, reason: str, to_buyer, to_seller) -> None:
    """`to_buyer`, `to_seller`: lazily translated messages with %(order)s and %(reason)s."""
    audit.record(admin, action, review, before=before, after=_state(review), reason=reason)
    db.session.flush()
    refresh_kwork_rating(review.kwork_id)
    link = links.path("orders.show", order_id=review.order_id)
    for user_id, text in ((review.buyer_id, to_buyer), (review.seller_id, to_seller)):
        notify(user_id, "moderation", text, link, order_id=review.order_id, order=review.order_id, reason=reason)
    db.session.commit()


def reply(seller: User, review: Review, text: str, now: datetime) -> Review:
    """The seller answers a review once; the answer can't be changed afterwards."""
    _lock(review.order)
    db.session.refresh(review)
    if review.seller_id != seller.id:
        raise DomainError(_("Only the seller can reply to this review"))
    if review.reply is not None:
        raise DomainError(_("You have already replied to this review"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed([FieldIssue("reply", _("Enter your reply"))])
    if len(text) > MAX_REVIEW:
        raise ValidationFailed([FieldIssue("reply", _("Enter %(max)s characters or fewer", max=format_number(MAX_REVIEW)))])
    review.reply, review.replied_at = text, now
    db.session.commit()
    return review


def breakdown(kwork_id: int) -> rules.RatingBreakdown:
    """The kwork's rating over its last 80 finished orders: completed ones (without a review: positive) and
    cancelled ones the buyer reviewed negatively."""
    outcomes = db.session.execute(
        select(Review.positive)
        .select_from(Order)
        .outerjoin(Review, and_(Review.order_id == Order.id, Review.status == "published"))
        .where(Order.kwork_id == kwork_id, or_(Order.state == rules.COMPLETED, Review.id.is_not(None)))
        .order_by(func.coalesce(Order.completed_at, Order.cancelled_at).desc(), Order.id.desc())
        .limit(rules.RATING_WINDOW)
    ).scalars()
    return rules.rating(list(outcomes))


def refresh_kwork_rating(kwork_id: int) -> None:
    """Recompute the cached rating the catalog sorts by, and the count of published reviews its cards show; called
    whenever an outcome or a review's status changes."""
    refresh_kwork_ratings([kwork_id])


def refresh_kwork_ratings(kwork_ids: Iterable[int]) -> None:
    """`refresh_kwork_rating` for many kworks with three queries, however many (a timer job completing hundreds of
    orders at once).

    Locks the kworks (id order) before reading their outcomes: the callers hold their orders' locks, and two
    orders of one kwork finishing at once would otherwise each count without the other's uncommitted review and
    the last to write would leave a stale rating and count. No use case locks a kwork and then an order, so this
    order-then-kwork locking can't deadlock. The lock is FOR NO KEY UPDATE (it still excludes another's): the
    caller's new review row already holds FOR KEY SHARE on its kwork through the foreign key, and two such
    writers each waiting for FOR UPDATE behind the other's key share would deadlock.

    The kworks are locked and read as (id, rating) rows, not loaded as ORM objects, and the ratings that changed
    written by one UPDATE (`bulk.update_rows`, which sets `updated_at` as the ORM's flush did): a batch of hundreds spent
    most of its time loading and flushing them. A Kwork already loaded in the session reads the new values on its
    next use."""
    ids = sorted(set(kwork_ids))
    table = Kwork.__table__
    locked = db.session.execute(
        select(table.c.id, table.c.rating).where(table.c.id.in_(ids)).order_by(table.c.id)
        .with_for_update(of=table, key_share=True)
    ).all()  # fmt: skip
    breakdowns = catalog.rating_breakdowns(ids)
    bulk.update_rows(table, [{"id": kwork_id, "rating": breakdowns[kwork_id].percent}
                             for kwork_id, rating in locked if breakdowns[kwork_id].percent != rating])  # fmt: skip
    card_columns.refresh_review_counts(ids)
    locking.expire_loaded(Kwork, [kwork_id for kwork_id, _rating in locked])


def for_kwork(kwork_id: int, limit: int = 20) -> list[Review]:
    return list(db.session.scalars(_published("kwork_id", limit), {"owner_id": kwork_id}))


def for_seller(seller_id: int, limit: int = 20) -> list[Review]:
    return list(db.session.scalars(_published("seller_id", limit), {"owner_id": seller_id}))


@cache
def _published(owner: str, limit: int):
    """The newest published reviews of a kwork or a seller (`owner`: the column naming them), built once per owner
    and limit: the kwork page and the seller's profile run it per page, and building a SELECT costs about as much
    CPU as running it."""
    column = getattr(Review, owner)
    return select(Review).where(column == bindparam("owner_id"), Review.status == "published").order_by(Review.created_at.desc()).limit(limit)
