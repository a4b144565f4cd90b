"""What buyers browse: the catalog of active kworks, a kwork's page and a seller's public profile."""
import math
from dataclasses import dataclass

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..domain import orders as rules
from ..extensions import db
from ..models import Category, Kwork, KworkOption, Order, PortfolioItem, Review, Tier, User
from . import contains_pattern
from .kworks import seller_portfolio

SORTS = {
    "newest": _l("Newest first"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "rating": _l("Best rated"),
}


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    category: str = ""  # category slug, empty for all
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "newest"
    page: int = 1


@dataclass(frozen=True)
class CatalogCard:
    kwork: Kwork
    price_from: int  # the Economy tier is always the cheapest and fastest
    delivery_days: int


@dataclass(frozen=True)
class CatalogPage:
    cards: list[CatalogCard]
    total: int
    page: int
    pages: int

    def page_links(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and `around` either side of this one; None marks a gap.

        Linking every page would grow the HTML with the catalog (800+ links at 10,000 kworks).
        """
        shown = sorted({1, self.pages} | set(range(max(1, self.page - around), min(self.pages, self.page + around) + 1)))
        links: list[int | None] = []
        for number in shown:
            if links and number - links[-1] > 1:
                links.append(None)
            links.append(number)
        return links


def _seller_not_suspended():
    """A suspended seller's kworks leave the catalog (their status is kept for when the suspension ends)."""
    return Kwork.seller_id.not_in(select(User.id).where(User.suspended_at.is_not(None)))


def search(query: CatalogQuery, per_page: int) -> CatalogPage:
    """Active kworks matching the query, one page of them, with the total for pagination."""
    entry = Tier.__table__.alias("entry_tier")
    conditions = [Kwork.status == "active", Kwork.deleted_at.is_(None), _seller_not_suspended()]
    if query.text.strip():
        pattern = contains_pattern(query.text.strip())
        conditions.append(or_(Kwork.title.ilike(pattern, escape="\\"), Kwork.description.ilike(pattern, escape="\\")))
    if query.category:
        conditions.append(Kwork.category_id == select(Category.id).where(Category.slug == query.category).scalar_subquery())
    if query.price_min is not None:
        conditions.append(entry.c.price >= query.price_min)
    if query.price_max is not None:
        conditions.append(entry.c.price <= query.price_max)

    joined = select(Kwork).join(entry, and_(entry.c.kwork_id == Kwork.id, entry.c.level == "economy")).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(joined.subquery()))
    order = {
        "newest": [Kwork.created_at.desc()],
        "price_asc": [entry.c.price.asc()],
        "price_desc": [entry.c.price.desc()],
        "rating": [Kwork.rating.desc().nulls_last()],
    }.get(query.sort, [Kwork.created_at.desc()])
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, query.page), pages)
    rows = db.session.execute(
        joined.add_columns(entry.c.price, entry.c.delivery_days)
        .order_by(*order, Kwork.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    cards = [CatalogCard(kwork, price, days) for kwork, price, days in rows]
    return CatalogPage(cards=cards, total=total, page=page, pages=pages)


def visible_kwork(kwork_id: int, viewer: User | None) -> Kwork | None:
    """A kwork's page: anyone sees an active kwork; its seller and admins also see it in any other state."""
    kwork = db.session.scalar(
        select(Kwork)
        .where(Kwork.id == kwork_id, Kwork.deleted_at.is_(None))
        .options(
            selectinload(Kwork.tiers).selectinload(Tier.options),
            selectinload(Kwork.options).selectinload(KworkOption.tiers),
        )
    )
    if kwork is None:
        return None
    if kwork.status == "active" and not kwork.seller.is_suspended:
        return kwork
    if viewer is not None and viewer.is_authenticated and (viewer.id == kwork.seller_id or viewer.is_admin):
        return kwork
    return None


def seller_profile(user_id: int) -> tuple[User, list[Kwork], list[PortfolioItem]] | None:
    seller = db.session.get(User, user_id)
    if seller is None or seller.is_suspended:
        return None
    kworks = list(
        db.session.scalars(
            select(Kwork)
            .where(Kwork.seller_id == seller.id, Kwork.status == "active", Kwork.deleted_at.is_(None))
            .options(selectinload(Kwork.tiers))
            .order_by(Kwork.created_at.desc())
        )
    )
    return seller, kworks, seller_portfolio(seller)


def own_kworks(seller: User) -> list[Kwork]:
    """The seller's kworks for *My kworks*, newest first, tiers loaded in one more query (each row shows a price)."""
    return list(
        db.session.scalars(
            select(Kwork)
            .where(Kwork.seller_id == seller.id, Kwork.deleted_at.is_(None))
            .options(selectinload(Kwork.tiers))
            .order_by(Kwork.created_at.desc())
        )
    )


def rating_breakdowns(kwork_ids: list[int]) -> dict[int, rules.RatingBreakdown]:
    """`services.reviews.breakdown` for many kworks in one query (a seller's list would otherwise run one each).

    The same outcomes, numbered newest first within each kwork by a window function and cut at the rating window;
    tests/test_query_counts.py checks that both agree.
    """
    if not kwork_ids:
        return {}
    finished_at = func.coalesce(Order.completed_at, Order.cancelled_at)
    numbered = (
        select(
            Order.kwork_id,
            Review.positive,
            func.row_number().over(partition_by=Order.kwork_id, order_by=(finished_at.desc(), Order.id.desc())).label("n"),
        )
        .outerjoin(Review, and_(Review.order_id == Order.id, Review.status == "published"))
        .where(Order.kwork_id.in_(kwork_ids), or_(Order.state == rules.COMPLETED, Review.id.is_not(None)))
        .subquery()
    )
    outcomes = defaultdict(list)
    rows = db.session.execute(
        select(numbered.c.kwork_id, numbered.c.positive)
        .where(numbered.c.n <= rules.RATING_WINDOW)
        .order_by(numbered.c.kwork_id, numbered.c.n)
    )
    for kwork_id, positive in rows:
        outcomes[kwork_id].append(positive)
    return {kwork_id: rules.rating(outcomes[kwork_id]) for kwork_id in kwork_ids}
