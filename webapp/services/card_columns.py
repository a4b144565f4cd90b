"""The columns every catalog card reads from its kwork row instead of joining tiers and counting reviews:
`price_from` and `delivery_days_from` (the Economy tier's price and delivery days) and `review_count` (published
reviews). Migration 0037 added and filled them.

Who keeps them right, in the transaction that changes their source:
- services.kworks.save_kwork (the only writer of tiers) calls `refresh_prices` under the kwork's lock;
- services.reviews.refresh_kwork_ratings, which every change of a review's published status already calls (writing,
  late reviews, moderation, disputes, the batch completion of orders), calls `refresh_review_counts` after locking
  the kworks.

Each refresh is one UPDATE that recomputes the value from its source rows (no read-modify-write in Python).
`recompute_card_columns` does the same for every kwork at once and `mismatches` lists the rows it would change
(`flask card-columns --check / --fix`; tests/services/test_card_columns.py compares after every step).
"""
from collections.abc import Iterable

from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..models import Kwork, Review, Tier


def economy_price():
    return select(Tier.price).where(Tier.kwork_id == Kwork.id, Tier.level == "economy").correlate(Kwork).scalar_subquery()


def economy_delivery_days():
    return select(Tier.delivery_days).where(Tier.kwork_id == Kwork.id, Tier.level == "economy").correlate(Kwork).scalar_subquery()


def published_reviews():
    return (
        select(func.count(Review.id)).where(Review.kwork_id == Kwork.id, Review.status == "published")
        .correlate(Kwork).scalar_subquery()
    )  # fmt: skip


def _update(kwork_ids: Iterable[int] | None, values: dict) -> int:
    """UPDATE kworks SET `values` (SQL expressions), for these kworks or (None) every kwork whose stored values
    differ. `updated_at` is kept: a derived column changing is no edit of the kwork (the sitemap's last change)."""
    statement = update(Kwork).values(**values, updated_at=Kwork.updated_at)
    if kwork_ids is None:
        statement = statement.where(or_(*(getattr(Kwork, name).is_distinct_from(value) for name, value in values.items())))
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


def _all_values() -> dict:
    return {"price_from": economy_price(), "delivery_days_from": economy_delivery_days(), "review_count": published_reviews()}


def mismatches() -> list[tuple[int, dict, dict]]:
    """(kwork id, stored, recomputed) for every kwork whose stored card columns differ from their sources."""
    values = _all_values()
    rows = db.session.execute(
        select(Kwork.id, Kwork.price_from, Kwork.delivery_days_from, Kwork.review_count, *(v.label(f"fresh_{k}") for k, v in values.items()))
        .where(or_(*(getattr(Kwork, name).is_distinct_from(value) for name, value in values.items())))
        .order_by(Kwork.id)
    ).all()
    names = list(values)
    return [(row.id, {n: getattr(row, n) for n in names}, {n: getattr(row, f"fresh_{n}") for n in names}) for row in rows]


def recompute_card_columns() -> int:
    """Recompute all three columns of every kwork from tiers and reviews, in one UPDATE that writes only the rows
    that differ; returns how many it changed. The caller commits."""
    return _update(None, _all_values())
