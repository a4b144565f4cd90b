"""What buyers browse: the catalog of active kworks, a kwork's page and a seller's public profile."""
import math
from functools import cache
from dataclasses import dataclass
from datetime import datetime

from collections import defaultdict

import re

from sqlalchemy import REAL, String, and_, bindparam, column, func, literal, literal_column, or_, select, table, union
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain import orders as rules
from ..extensions import db
from ..models import Category, Kwork, KworkExtra, KworkOption, KworkPicture, Order, PortfolioItem, Review, User
from ..models.kworks import tier_options
from ..texts import lazy_gettext as _l
from .kworks import seller_portfolio

SORTS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest first"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "rating": _l("Best rated"),
}


WORD = re.compile(r"[^\W_]+")  # letters and digits; punctuation and underscores are not searched for
MAX_WORDS = 8
COUNT_CAP = 1000
# SQLite's FTS5 index of kwork titles and descriptions (migration 0019), kept in step by triggers.
KWORKS_FTS = table("kworks_fts", column("rowid"))


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    category: str = ""  # category slug, empty for all
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "relevance"
    page: int = 1


@dataclass(frozen=True)
class Reputation:
    """What a buyer reads about a kwork and its seller at a glance (cards and kwork pages)."""

    rating: int | None  # the kwork's percent positive (services/reviews); None: no finished orders yet
    reviews: int  # published reviews of the kwork
    completed: int  # the seller's completed orders, all kworks
    member_since: datetime
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class CardSeller:
    """A card's seller: their avatar, name and level badge."""

    id: int
    display_name: str
    level: str
    avatar_token: str | None


@dataclass(frozen=True, slots=True)
class CardPicture:
    """A card's cover, what components/pictures.html needs of a KworkPicture."""

    token: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class CardKwork:
    """The kwork as a card shows it: read as one row with its seller and cover (see _card_columns), not as ORM
    objects, which cost a page of cards twice the CPU of its statement."""

    id: int
    title: str
    seller: CardSeller
    cover: CardPicture | None


@dataclass(frozen=True)
class CatalogCard:
    kwork: CardKwork
    price_from: int  # the Economy tier is always the cheapest and fastest
    delivery_days: int
    reputation: Reputation | None = None


def reputation_columns():
    """The review count and the seller's completed orders, added to a query of kworks, so a page of cards learns
    each card's reputation in the statement that lists them: no query per card. The review count is stored on the
    kwork (services/card_columns); the completed orders are a correlated count answered from an index."""
    reviews = Kwork.review_count.label("reviews")
    completed = (
        select(func.count(Order.id)).where(Order.seller_id == Kwork.seller_id, Order.state == rules.COMPLETED)
        .correlate(Kwork).scalar_subquery().label("completed")
    )  # fmt: skip
    return reviews, completed


def _reputation(kwork: Kwork, reviews: int, completed: int) -> Reputation:
    return Reputation(kwork.rating, reviews or 0, completed or 0, kwork.seller.created_at, kwork.seller.last_seen_at)


_CARD_SELLER = User.__table__.alias("card_seller")
_CARD_COVER = KworkPicture.__table__.alias("card_cover")


def _card_columns():
    """A SELECT of what a card shows, from kworks joined to their seller and their cover (the picture at position 0,
    if any): callers add their own joins, conditions and order. One row per kwork, no ORM object: the seller and the
    cover come in the kwork's row rather than a statement of their own. The seller is an alias, so a condition of
    the caller's on users (a suspended seller's kworks leave the catalog) stays a subquery of its own."""
    reviews, completed = reputation_columns()
    seller, cover = _CARD_SELLER, _CARD_COVER
    return (
        select(
            Kwork.id, Kwork.title, Kwork.rating, Kwork.price_from, Kwork.delivery_days_from, reviews, completed,
            seller.c.id.label("seller_id"), seller.c.display_name, seller.c.level, seller.c.avatar_token,
            seller.c.created_at.label("member_since"), seller.c.last_seen_at,
            cover.c.token.label("cover_token"), cover.c.alt.label("cover_alt"), cover.c.width.label("cover_width"),
            cover.c.height.label("cover_height"),
        )
        .join(seller, seller.c.id == Kwork.seller_id)
        .outerjoin(cover, and_(cover.c.kwork_id == Kwork.id, cover.c.position == 0))
    )  # fmt: skip


def _read_cards(statement, params: dict | None = None) -> list[CatalogCard]:
    """The cards of `statement`, a _card_columns() SELECT (an active kwork always has its stored Economy price and
    days)."""
    return _cards(db.session.execute(statement, params))


def _cards(rows) -> list[CatalogCard]:
    """Cards from _card_columns() rows."""
    cards = []
    for row in rows:
        cover = CardPicture(row.cover_token, row.cover_alt, row.cover_width, row.cover_height) if row.cover_token else None
        kwork = CardKwork(row.id, row.title, CardSeller(row.seller_id, row.display_name, row.level, row.avatar_token), cover)
        reputation = Reputation(row.rating, row.reviews or 0, row.completed or 0, row.member_since, row.last_seen_at)
        cards.append(CatalogCard(kwork, row.price_from, row.delivery_days_from, reputation))
    return cards


def kwork_reputation(kwork: Kwork) -> Reputation:
    """The reputation of one kwork's page, in one statement."""
    reviews, completed = reputation_columns()
    counts = db.session.execute(select(reviews, completed).select_from(Kwork).where(Kwork.id == kwork.id)).one()
    return _reputation(kwork, counts.reviews, counts.completed)


@dataclass(frozen=True)
class CatalogPage:
    cards: list[CatalogCard]
    total: int  # at most COUNT_CAP + 1
    page: int
    pages: int
    capped: bool = False  # more than COUNT_CAP matched: "1,000+ services"

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


def _words(text: str) -> list[str]:
    """The words of a search, lower-cased; punctuation (%, _, quotes, operators) is not searched for."""
    return WORD.findall(text.lower())[:MAX_WORDS]


def _prefixes(words: list[str]) -> str:
    """The tsquery text of a search: every word as a prefix, all of them required ("logo:* & design:*")."""
    return " & ".join(f"{word}:*" for word in words)


def _tsquery(prefixes):
    """`prefixes` (_prefixes' text, or a bound parameter for it) through the English and the Russian stemmers
    (PostgreSQL)."""
    return func.to_tsquery(literal("english", REGCONFIG), prefixes).op("||")(func.to_tsquery(literal("russian", REGCONFIG), prefixes))


def _postgres_match(prefixes, typed):
    """(by words, by typo, typo distance) on PostgreSQL, as conditions and an expression on `kworks` (see
    text_match), for the tsquery text `prefixes` and the words as typed, `typed` (bound parameters). The distance
    is one minus the typo's word similarity, written with the title on the left so that the GiST index
    ix_kworks_title_trigram_distance (migration 0041) can walk titles in its order: the planner matches an ORDER BY
    to an index only that way round."""
    by_words = literal_column("kworks.search_vector").op("@@")(_tsquery(prefixes))
    return by_words, typed.op("<%")(Kwork.title), Kwork.title.op("<->>")(typed)


def _word_relevance(prefixes, typed, title, vector):
    """A word match's relevance on PostgreSQL: its word rank plus its typo similarity, both real, over the given
    `title` and search `vector` columns (of `kworks` or of a subquery of them)."""
    return func.ts_rank_cd(vector, _tsquery(prefixes), type_=REAL) + func.word_similarity(typed, title, type_=REAL)


def text_match(text: str):
    """(condition, relevance) for kworks matching every word of `text`, or None when it has no word to search for.

    PostgreSQL: the kwork's `search_vector` (title and description through the English and Russian stemmers, the
    title weighted higher; GIN index) against each word as a prefix, so "serv" and "сервера" find "server" and
    "сервер"; or, for typos, the whole text's trigram word similarity to the title (pg_trgm's `<%`, GIN index, with the threshold extensions.TRIGRAM_WORD_SIMILARITY sets per connection).
    SQLite: the FTS5 index `kworks_fts`, each word as a prefix. Both use their index, whatever the catalog's size.
    (search() itself runs the PostgreSQL match as two branches of a UNION, see _postgres_search.)
    """
    words = _words(text)
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        vector = literal_column("kworks.search_vector")
        query = _tsquery(_prefixes(words))
        typed = " ".join(words)
        # Each way of matching reads its own GIN index, and the kworks found either way are their union: joined by
        # OR in one WHERE, PostgreSQL scanned every kwork and tested each title's trigrams (80 ms at 10,000 kworks).
        by_words, by_typo = Kwork.__table__.alias("by_words"), Kwork.__table__.alias("by_typo")
        found = union(
            select(by_words.c.id).where(literal_column("by_words.search_vector").op("@@")(query)),
            select(by_typo.c.id).where(literal(typed).op("<%")(by_typo.c.title)),
        )
        return Kwork.id.in_(found), func.ts_rank_cd(vector, query) + func.word_similarity(typed, Kwork.title)
    return _sqlite_match(_fts_match(words))


def _fts_match(words: list[str]) -> str:
    """The FTS5 query of a search on SQLite: every word as a quoted prefix, all of them required."""
    return " ".join(f'"{word}"*' for word in words)


def _sqlite_match(match):
    """(condition, relevance) on SQLite for the FTS5 query `match` (_fts_match's text, or a bound parameter)."""
    matches = literal_column("kworks_fts").op("MATCH")(match)
    found = select(KWORKS_FTS.c.rowid).where(matches)
    # bm25 (lower is better), a title match weighing ten times a description match.
    score = select(func.bm25(literal_column("kworks_fts"), 10.0, 1.0)).where(matches, KWORKS_FTS.c.rowid == Kwork.id)
    return Kwork.id.in_(found), -score.scalar_subquery()


def reputation_order(kworks=Kwork):
    """Best match after text relevance: the seller's level, then their completion rate, then the kwork's rating,
    newest first breaking ties (the caller adds the id last). All are stored on the kwork: the seller's rank and
    completion rate are copies of users.level (as its rank in domain/levels.py) and users.completion_rate kept by
    services/card_columns, the rating is kept by reviews. So ranking costs no query over orders, and without a
    text search the first page walks the index ix_kworks_best_match (migration 0038), whose columns, directions and
    NULLS placement this order follows exactly: change one, change both. `kworks`: the Kwork model, or the columns
    of a subquery of kworks with the same names."""
    return [
        kworks.seller_rank.desc(),
        kworks.seller_completion.desc().nulls_last(),
        kworks.rating.desc().nulls_last(),
        kworks.created_at.desc(),
    ]


def _order(sort: str, kworks=Kwork, relevance=None) -> list:
    """The ORDER BY of a catalog sort, the id last (every order is total, so pages neither repeat nor skip a kwork)."""
    order = {
        "newest": [kworks.created_at.desc()],
        "price_asc": [kworks.price_from.asc()],
        "price_desc": [kworks.price_from.desc()],
        "rating": [kworks.rating.desc().nulls_last()],
        "relevance": ([relevance.desc()] if relevance is not None else []) + reputation_order(kworks),
    }.get(sort, reputation_order(kworks))
    return order + [kworks.id.desc()]


def _page_number(query: CatalogQuery, total: int, per_page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(min(total, COUNT_CAP) / per_page))
    return min(max(1, query.page), pages), pages


def _page_statements(conditions: list, order: list, cap: int):
    """The count of the kworks `conditions` select (up to `cap` + 1: COUNT_CAP) and a page of their cards in
    `order`, from the bound parameters `limit` and `offset`, each card's row carrying the count as `total`. Ids
    first, then rows: the page's ids are chosen by walking the order's index over kworks alone, and only those rows
    are joined to their seller and given their reputation – a correlated count per row would otherwise also be paid
    for every row a deep page skips. The count alone is for a page that came back empty (see _run_page)."""
    matching = select(Kwork.id).where(*conditions)
    count = select(func.count()).select_from(matching.limit(cap + 1).subquery())
    chosen = matching.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset")).subquery()
    cards = _card_columns().add_columns(count.scalar_subquery().label("total")).join(chosen, chosen.c.id == Kwork.id)
    return count, cards.order_by(*order)


def _run_page(query: CatalogQuery, per_page: int, statements, params: dict) -> CatalogPage:
    """The page of `query` from _page_statements' two statements, run with `params` (the filters' values).

    The page asked for comes with the count in one statement (the count is the same uncorrelated subquery in each
    row, computed once): a statement less per page than counting first. Only a page that came back empty – nothing
    matches, or a page number past the last (a link from a longer result) – counts alone, and shows the last page."""
    count, cards = statements
    asked = min(max(1, query.page), math.ceil(COUNT_CAP / per_page))  # a page number from the query string is any integer
    rows = db.session.execute(cards, params | {"limit": per_page, "offset": (asked - 1) * per_page}).all()
    total = rows[0].total if rows else db.session.scalar(count, params)
    page, pages = _page_number(query, total, per_page)
    if page != asked and total:
        rows = db.session.execute(cards, params | {"limit": per_page, "offset": (page - 1) * per_page}).all()
    return CatalogPage(cards=_cards(rows), total=total, page=page, pages=pages, capped=total > COUNT_CAP)


def _listing_conditions(category, price_min, price_max) -> list:
    """What the catalog lists: active kworks of sellers not suspended, in the category (by slug) and the price range
    given. Each filter is a value or a bound parameter; None leaves it out."""
    conditions = [Kwork.status == "active", Kwork.deleted_at.is_(None), _seller_not_suspended()]
    if category is not None:
        conditions.append(Kwork.category_id == select(Category.id).where(Category.slug == category).scalar_subquery())
    if price_min is not None:
        conditions.append(Kwork.price_from >= price_min)
    if price_max is not None:
        conditions.append(Kwork.price_from <= price_max)
    return conditions


def search(query: CatalogQuery, per_page: int) -> CatalogPage:
    """Active kworks matching the query, one page of them, with the total for pagination (counted up to
    COUNT_CAP: "1,000+ services" needs no exact figure, and counting every match of a broad search costs the same
    as reading them all). Prices are the kworks' stored `price_from` (their Economy tier's): no join on tiers."""
    if not query.text.strip():
        return _browse(query, per_page)
    if not _words(query.text):
        return CatalogPage(cards=[], total=0, page=1, pages=1)
    if db.engine.dialect.name == "postgresql":
        return _postgres_search(query, per_page)
    params = _filter_values(query)
    statements = _sqlite_search_statements(*_shape(query, params), COUNT_CAP)
    return _run_page(query, per_page, statements, params | {"match": _fts_match(_words(query.text))})


def _filter_values(query: CatalogQuery) -> dict:
    """The query's filters that have a value, as the bound parameters of the statements built once per shape."""
    params = {"category": query.category or None, "price_min": query.price_min, "price_max": query.price_max}
    return {name: value for name, value in params.items() if value is not None}


def _shape(query: CatalogQuery, params: dict) -> tuple[bool, bool, bool, str]:
    """Which filters the query has and its sort ("" for an unknown sort, which gets the default order): what the
    statements built once are keyed by."""
    return "category" in params, "price_min" in params, "price_max" in params, query.sort if query.sort in SORTS else ""


def _filter_conditions(category: bool, price_min: bool, price_max: bool) -> list:
    """_listing_conditions with a bound parameter for each filter present."""
    given = lambda flag, name: bindparam(name) if flag else None  # noqa: E731
    return _listing_conditions(given(category, "category"), given(price_min, "price_min"), given(price_max, "price_max"))


@cache
def _sqlite_search_statements(category: bool, price_min: bool, price_max: bool, sort: str, cap: int):
    """search()'s count and page of cards on SQLite for one shape of query (at most 48), built once; the FTS5 query
    is the bound parameter `match`."""
    condition, relevance = _sqlite_match(bindparam("match", type_=String()))
    return _page_statements([*_filter_conditions(category, price_min, price_max), condition], _order(sort, Kwork, relevance), cap)


def _browse(query: CatalogQuery, per_page: int) -> CatalogPage:
    """search() without text: the statements of the query's shape, built once (_browse_statements), run with its
    values."""
    params = _filter_values(query)
    category, price_min, price_max, sort = _shape(query, params)
    return _run_page(query, per_page, _browse_statements(category, price_min, price_max, sort or "relevance", COUNT_CAP), params)


@cache
def _browse_statements(category: bool, price_min: bool, price_max: bool, sort: str, cap: int):
    """The count (up to COUNT_CAP + 1) and the page of cards of a catalog without text, for one shape of query
    (which filters it has, its sort: at most 40 of them), built once: building them cost SQLAlchemy more CPU than
    running them (`cap`: COUNT_CAP, so that a changed cap gets statements of its own). The same SQL as search()
    builds for text, with the values as parameters."""
    return _page_statements(_filter_conditions(category, price_min, price_max), _order(sort, Kwork), cap)


def _postgres_search(query: CatalogQuery, per_page: int) -> CatalogPage:
    """search() with text on PostgreSQL: the kworks found by words (GIN on search_vector) and by typo (GIN on the
    title's trigrams), each branch of a UNION with the catalog's conditions in its own WHERE. So each branch
    tests status, seller and filters on the rows its index found and the heap scan read anyway, and computes the
    relevance and the sort columns there too. Testing `kworks.id IN (union)` instead, PostgreSQL read every listed
    kwork (a hash join over a sequential scan) and recomputed each match's relevance from it.

    Ranking reads every match it keeps, so counting them is free in the same statement: one statement answers the
    total (up to COUNT_CAP + 1) and the page's ids (the union is a CTE read twice, computed once), a second loads
    those rows by primary key. A separate count would find the matches a second time (the trigram test is most of
    the cost).

    Each branch keeps at most COUNT_CAP + 1 matches, so what a search ranks stops growing with the catalog (at
    100,000 kworks the benchmark's search fell from about 125 to 31 ms of database time, "telegram bot" from 180 to
    60; what is left of the latter is reading its 9,000 word matches from the GIN index and their rows, to keep
    the first 1,001):
    - the word branch the first word matches in the order asked for (the cheapest, the newest, the best rated:
      exactly the ones a buyer can page to), or for the best match in the reputation order, and ranks only those.
      A broad word matches a tenth of the catalog, and ranking each match costs a tsvector cover and a trigram
      similarity: past COUNT_CAP word matches the best match ranks the best-reputed COUNT_CAP + 1 by relevance.
    - the typo branch the titles nearest to the text (GiST, ordered by distance), and only when the words match at
      most COUNT_CAP kworks: past that every page a buyer can reach is full of kworks with every word. A short
      misspelt word is within the threshold of about 8,600 titles at 100,000 kworks, each of which was tested and
      ranked. Past COUNT_CAP typo matches a search sorted by price lists the cheapest of the nearest, and among
      titles exactly as near as the last one kept, the index's order decides which are in.

    The statements are built once per shape of query (_postgres_search_statements) and run with the words, the
    filters' values and the page as parameters.
    """
    words = _words(query.text)
    params = _filter_values(query)
    page_statement, cards_statement = _postgres_search_statements(*_shape(query, params), COUNT_CAP)
    params |= {"prefixes": _prefixes(words), "typed": " ".join(words)}

    def page_of(number: int) -> tuple[int, list[int]]:
        """(matches up to COUNT_CAP + 1, the ids of page `number` in order)."""
        total, page_ids = db.session.execute(page_statement, params | {"limit": per_page, "offset": (number - 1) * per_page}).one()
        return min(total, COUNT_CAP + 1), page_ids

    # Asked first: the page asked for, within the most a count could allow (a page number from the query string
    # is any integer, and its offset must stay one).
    asked = min(max(1, query.page), math.ceil(COUNT_CAP / per_page))
    total, ids = page_of(asked)
    page, pages = _page_number(query, total, per_page)
    if page != asked:  # a page past the last (a link from a longer result) shows the last, as above
        total, ids = page_of(page)
    cards = _read_cards(cards_statement, params | {"ids": ids}) if ids else []
    position = {kwork_id: n for n, kwork_id in enumerate(ids)}
    cards.sort(key=lambda card: position[card.kwork.id])
    return CatalogPage(cards=cards, total=total, page=page, pages=pages, capped=total > COUNT_CAP)


@cache
def _postgres_search_statements(category: bool, price_min: bool, price_max: bool, sort: str, cap: int):
    """_postgres_search's two statements for one shape of query – which filters it has, its sort ("" for an
    unknown one, which gets the default order): at most 48 shapes – built once, as building them cost SQLAlchemy
    milliseconds per search. `cap` is COUNT_CAP, passed so that a changed cap gets statements of its own.
    Parameters: `prefixes` and `typed` (the words), the filters present, `limit` and `offset` for the page's ids;
    `ids` for the cards."""
    conditions = _filter_conditions(category, price_min, price_max)
    prefixes, typed = bindparam("prefixes", type_=String()), bindparam("typed", type_=String())
    by_words, by_typo, distance = _postgres_match(prefixes, typed)
    sort_columns = (Kwork.seller_rank, Kwork.seller_completion, Kwork.rating, Kwork.created_at, Kwork.price_from)
    # The word branch: its relevance is computed on the kept rows, outside the CTE that keeps them: in its select
    # list PostgreSQL would compute it for every match before sorting (it postpones only expressions it costs as
    # expensive).
    best_words = (
        select(Kwork.id, Kwork.title, literal_column("kworks.search_vector").label("search_vector"), *sort_columns)
        .where(by_words, *conditions).order_by(*_order(sort, Kwork)).limit(cap + 1).cte("best_words")
    )  # fmt: skip
    # Typos are looked for only when the words match at most COUNT_CAP kworks: past that the pages are full of
    # kworks with every word, and finding the typo matches meant testing every title near the text, nearly all of
    # them word matches left out one by one (155 ms for "telegram bot" at 100,000 kworks, to find none).
    # PostgreSQL tests this once, before the branch's scan (a one-time filter).
    few_words = select(func.count()).select_from(best_words).scalar_subquery() <= cap
    # The typo branch leaves out what the words found, so it never ranks by words: for a kwork the words do not
    # match, ts_rank_cd is 0 but costs as much to find that out as ranking a match does. What the words found is
    # best_words itself: the branch runs only when that holds every word match (few_words), under the same
    # conditions, so testing the ids against it replaces matching each candidate's search vector again (0.7 of
    # the 8 ms "server setup" took, with 861 typo matches and no word match). Its relevance is one
    # minus the distance it is ordered by, selected as a column so that PostgreSQL computes each title's trigram
    # similarity once for both (an expression is not shared otherwise). Among titles at the same distance the
    # index's order decides which are kept, when more than cap + 1 are as near.
    nearest = (
        # Cheap tests first (PostgreSQL keeps the written order among equally costed ones): the listing, then
        # the words, and only then the trigram similarity, the dearest, on the rows left.
        select(Kwork.id, distance.label("distance"), *sort_columns)
        .where(few_words, *conditions, Kwork.id.not_in(select(best_words.c.id)), by_typo)
        .order_by(distance).limit(cap + 1).subquery("nearest")
    )  # fmt: skip
    # Both relevances are real + real or real. UNION, not UNION ALL, though the branches never overlap:
    # PostgreSQL plans UNION ALL as a Parallel Append, and two worker processes cost more CPU than the rows they
    # share out.
    found = union(
        select(best_words.c.id, _word_relevance(prefixes, typed, best_words.c.title, best_words.c.search_vector).label("relevance"), *[best_words.c[column.key] for column in sort_columns]),
        select(nearest.c.id, (literal(1.0, REAL) - nearest.c.distance).label("relevance"), *[nearest.c[column.key] for column in sort_columns]),
    ).cte("found")
    counted = select(func.count()).select_from(found).scalar_subquery()
    ids = (
        select(found.c.id).order_by(*_order(sort, found.c, found.c.relevance))
        .limit(bindparam("limit")).offset(bindparam("offset")).scalar_subquery()
    )  # fmt: skip
    # The conditions again for the cards: a kwork paused, deleted or whose seller was suspended since the first
    # statement read its id leaves the page (a few rows by primary key: the check costs nothing).
    cards = _card_columns().where(Kwork.id.in_(bindparam("ids", expanding=True)), *conditions)
    # Planned with its words each time, never prepared (webapp/prepared_statements.py): a plan made for any words
    # cannot know how many kworks these match, and the generic one PostgreSQL kept ranked too many (11 → 16 ms).
    found = select(counted.label("total"), func.array(ids).label("ids")).execution_options(prepare_on_server=False)
    return found, cards


def visible_kwork(kwork_id: int, viewer: User | None) -> Kwork | None:
    """A kwork's page: anyone sees an active kwork; its seller and admins also see it in any other state."""
    found = kwork_page(kwork_id, viewer)
    return found[0] if found is not None else None


def kwork_page(kwork_id: int, viewer: User | None) -> tuple[Kwork, Reputation] | None:
    """`visible_kwork` with the kwork's reputation, read in the statement that loads the kwork and its packages (the
    page shows both); its options (with the packages each is in), pictures, portfolio and extras come in one
    statement each, built once (`_kwork_collections`)."""
    row = db.session.execute(_kwork_page_statement(), {"kwork_id": kwork_id}).unique().one_or_none()
    if row is None:
        return None
    kwork = row.Kwork
    visible = (kwork.status == "active" and not kwork.seller.is_suspended) or (
        viewer is not None and viewer.is_authenticated and (viewer.id == kwork.seller_id or viewer.is_admin))  # fmt: skip
    if not visible:
        return None
    _load_kwork_collections(kwork)
    return kwork, _reputation(kwork, row.reviews, row.completed)


@cache
def _kwork_page_statement():
    """kwork_page's SELECT, built once (building it cost SQLAlchemy about as much CPU as running it). Joined: three
    rows of one kwork, one statement fewer."""
    return (
        select(Kwork, *reputation_columns())
        .where(Kwork.id == bindparam("kwork_id"), Kwork.deleted_at.is_(None))
        .options(joinedload(Kwork.tiers))
    )


@cache
def _kwork_collections():
    """The kwork page's collections as statements built once, each in its relationship's order (the portfolio as
    the seller's profile lists it, newest first); the options come with the packages each is in (tier_options),
    one row per link, so the page reads them in one statement rather than two.
    Read this way rather than with selectinload: SQLAlchemy worked out each selectin load again on every request,
    at about twice the CPU of running the statement."""
    kwork_id = bindparam("kwork_id")
    return {
        # Each option once per package it is in (and once if in none), its rows together: position, then id.
        "options": select(KworkOption, tier_options.c.tier_id)
        .outerjoin(tier_options, tier_options.c.option_id == KworkOption.id)
        .where(KworkOption.kwork_id == kwork_id)
        .order_by(KworkOption.position, KworkOption.id),
        "pictures": select(KworkPicture).where(KworkPicture.kwork_id == kwork_id).order_by(KworkPicture.position),
        "portfolio_items": select(PortfolioItem)
        .where(PortfolioItem.kwork_id == kwork_id)
        .order_by(PortfolioItem.created_at.desc(), PortfolioItem.id.desc()),
        "extras": select(KworkExtra).where(KworkExtra.kwork_id == kwork_id).order_by(KworkExtra.position),
    }


def _load_kwork_collections(kwork: Kwork) -> None:
    """Fill the kwork's options (each with its packages), pictures, portfolio and extras as loaded collections: the
    page reads them and nothing lazy-loads. The grid reads each option's packages, never a package's options, which
    are left to load if ever asked for (as the selectin loads left them)."""
    statements, params = _kwork_collections(), {"kwork_id": kwork.id}
    options, option_tiers = [], defaultdict(set)
    for option, tier_id in db.session.execute(statements["options"], params):
        if not options or options[-1] is not option:
            options.append(option)
        if tier_id is not None:
            option_tiers[option.id].add(tier_id)
    set_committed_value(kwork, "options", options)
    for name in ("pictures", "portfolio_items", "extras"):
        set_committed_value(kwork, name, list(db.session.scalars(statements[name], params)))
    for option in options:  # in package order, as the grid's columns are
        set_committed_value(option, "tiers", [tier for tier in kwork.tiers if tier.id in option_tiers[option.id]])


def seller_profile(user_id: int) -> tuple[User, list[CatalogCard], list[PortfolioItem]] | None:
    """The seller, their active kworks as catalog cards (cover and reputation included), and their portfolio."""
    seller = db.session.get(User, user_id)
    if seller is None or seller.is_suspended:
        return None
    cards = _read_cards(
        _card_columns()
        .where(Kwork.seller_id == seller.id, Kwork.status == "active", Kwork.deleted_at.is_(None))
        .order_by(Kwork.created_at.desc(), Kwork.id.desc())
    )
    return seller, cards, seller_portfolio(seller)


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


def favourite_cards(user: User) -> list[CatalogCard]:
    """The user's favourites still in the catalog, the most recently saved first, as cards (cover and reputation
    read with them, in one statement)."""
    from ..models import Favourite

    return _read_cards(
        _card_columns()
        .join(Favourite, and_(Favourite.kwork_id == Kwork.id, Favourite.user_id == user.id))
        .where(Kwork.status == "active", Kwork.deleted_at.is_(None), _seller_not_suspended())
        .order_by(Favourite.created_at.desc(), Kwork.id.desc())
    )


SITEMAP_LIMIT = 50_000  # URLs one sitemap file may hold


def sitemap_entries() -> tuple[list[tuple[int, datetime]], list[int]]:
    """(kwork id, last change) of every kwork in the catalog, newest first, and the ids of their sellers."""
    listed = (Kwork.status == "active", Kwork.deleted_at.is_(None), _seller_not_suspended())
    kworks = db.session.execute(
        select(Kwork.id, Kwork.updated_at).where(*listed).order_by(Kwork.updated_at.desc()).limit(SITEMAP_LIMIT - 1)
    ).all()
    sellers = db.session.scalars(select(Kwork.seller_id).where(*listed).distinct().order_by(Kwork.seller_id)).all()
    room = SITEMAP_LIMIT - 1 - len(kworks)
    return [tuple(row) for row in kworks], list(sellers)[:room]
