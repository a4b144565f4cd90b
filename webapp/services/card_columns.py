"""The columns every catalog card reads from its kwork row instead of joining tiers and counting reviews:
`price_from` and `delivery_days_from` (the Economy tier's price and delivery days) and `review_count` (published
reviews), which migration 0037 added and filled; and the seller's ranking inputs Best match orders by,
`seller_rank` (the rank of the seller's level, domain/levels.py) and `seller_completion` (their completion rate),
which migration 0038 added and filled, so the catalog's default page walks one index of kworks.

Who keeps them right, in the transaction that changes their source:
- services.kworks.save_kwork (the only writer of tiers) calls `refresh_prices` under the kwork's lock, and
  `refresh_seller_columns` when it creates a kwork;
- services.reviews.refresh_kwork_ratings, which every change of a review's published status already calls (writing,
  late reviews, moderation, disputes, the batch completion of orders), calls `refresh_review_counts` after locking
  the kworks;
- services.levels.recompute_all (the only writer of users.level and users.completion_rate) calls
  `refresh_seller_columns` for the sellers it changed, with those users locked.

Each refresh is one UPDATE that recomputes the value from its source rows (no read-modify-write in Python).
`recompute_card_columns` does the same for every kwork at once and `mismatches` lists the rows it would change
(`flask card-columns --check / --fix`; tests/services/test_card_columns.py compares after every step).
"""
from collections.abc import Iterable

from sqlalchemy import and_, case, func, or_, select, update

from ..domain.levels import LEVELS
from ..extensions import db
from ..models import Kwork, Review, Tier, User


def economy_price():
    return select(Tier.price).where(Tier.kwork_id == Kwork.id, Tier.level == "economy").correlate(Kwork).scalar_subquery()


def economy_delivery_days():
    return select(Tier.delivery_days).where(Tier.kwork_id == Kwork.id, Tier.level == "economy").correlate(Kwork).scalar_subquery()


def published_reviews():
    return (
        select(func.count(Review.id)).where(Review.kwork_id == Kwork.id, Review.status == "published")
        .correlate(Kwork).scalar_subquery()
    )  # fmt: skip


def level_rank(level):
    """The rank (domain/levels.py LEVELS) of a level code given as an SQL expression; an unknown code ranks 0."""
    return case({level.code: level.rank for level in LEVELS}, value=level, else_=0)


def seller_rank():
    return select(level_rank(User.level)).where(User.id == Kwork.seller_id).correlate(Kwork).scalar_subquery()


def seller_completion():
    return select(User.completion_rate).where(User.id == Kwork.seller_id).correlate(Kwork).scalar_subquery()


def _differ(values: dict):
    return or_(*(getattr(Kwork, name).is_distinct_from(value) for name, value in values.items()))


def _update(kwork_ids: Iterable[int] | None, values: dict, *, seller_ids: Iterable[int] | None = None) -> int:
    """UPDATE kworks SET `values` (SQL expressions), for these kworks, or the kworks of these sellers whose stored
    values differ, or (both None) every kwork whose stored values differ. `updated_at` is kept: a derived column
    changing is no edit of the kwork (the sitemap's last change)."""
    statement = update(Kwork).values(**values, updated_at=Kwork.updated_at)
    if seller_ids is not None:
        ids = sorted(set(seller_ids))
        if not ids:
            return 0
        statement = statement.where(and_(Kwork.seller_id.in_(ids), _differ(values)))
    elif kwork_ids is None:
        statement = statement.where(_differ(values))
    else:
        ids = sorted(set(kwork_ids))
        if not ids:
            return 0
        statement = statement.where(Kwork.id.in_(ids))
    # "fetch": the kworks already loaded in the session get the new values on their next read.
    return db.session.execute(statement, execution_options={"synchronize_session": "fetch"}).rowcount


def refresh_prices(kwork_ids: Iterable[int]) -> None:
    """Copy the Economy tier's price and delivery days onto these kworks. Flushes pending tier changes first
    (autoflush). Call it where the tiers changed, under the kwork's lock."""
    _update(kwork_ids, {"price_from": economy_price(), "delivery_days_from": economy_delivery_days()})


def refresh_review_counts(kwork_ids: Iterable[int]) -> None:
    """Count these kworks' published reviews afresh. Call it with the kworks locked (services.reviews does): a
    count running under a lock taken before it sees every review committed by the transaction that held it."""
    _update(kwork_ids, {"review_count": published_reviews()})


def _seller_values() -> dict:
    return {"seller_rank": seller_rank(), "seller_completion": seller_completion()}


def refresh_seller_columns(kwork_ids: Iterable[int] | None = None, *, seller_ids: Iterable[int] | None = None) -> int:
    """Copy their seller's level rank and completion rate onto these kworks, or onto every kwork of these sellers
    (writing only the rows that differ). Call it in the transaction that changed the users' columns, with those
    users locked (services.levels does), or right after inserting a kwork: the insert's foreign key check waits for
    a levels run holding its seller's lock, and this statement then reads what that run committed; a run that
    locks the seller afterwards waits for this transaction and updates the new kwork with the others."""
    return _update(kwork_ids, _seller_values(), seller_ids=seller_ids)


def _all_values() -> dict:
    return {"price_from": economy_price(), "delivery_days_from": economy_delivery_days(), "review_count": published_reviews()} | _seller_values()


def mismatches() -> list[tuple[int, dict, dict]]:
    """(kwork id, stored, recomputed) for every kwork whose stored card columns differ from their sources."""
    values = _all_values()
    names = list(values)
    rows = db.session.execute(
        select(Kwork.id, *(getattr(Kwork, n) for n in names), *(v.label(f"fresh_{k}") for k, v in values.items()))
        .where(_differ(values))
        .order_by(Kwork.id)
    ).all()
    return [(row.id, {n: getattr(row, n) for n in names}, {n: getattr(row, f"fresh_{n}") for n in names}) for row in rows]


def recompute_card_columns() -> int:
    """Recompute every stored column of every kwork from tiers, reviews and its seller, in one UPDATE that writes
    only the rows that differ; returns how many it changed. The caller commits."""
    return _update(None, _all_values())
