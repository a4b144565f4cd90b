import pytest

from webapp.domain.tiers import TierDraft
from webapp.extensions import db
from webapp.services import catalog, kworks

from ..conftest import category_id, full_draft


@pytest.fixture
def listed(make_user, make_kwork):
    """Three active kworks at different prices, plus kworks the catalog must never show."""
    anna, boris = make_user("Anna", role="seller"), make_user("Boris", role="seller")
    admin = make_user("Ada Admin", admin=True)

    def priced(seller, title, price, slug="programming"):
        draft = full_draft(title)
        draft.category_id = category_id(slug)
        draft.tiers["economy"] = TierDraft("economy", price, 2, 1, "Basic")
        draft.tiers["standard"].price, draft.tiers["business"].price = price + 1000, price + 2000
        kwork = kworks.save_kwork(seller, draft, submit=True)
        return kworks.approve(admin, kwork)

    found = {
        "vps": priced(anna, "I will set up a VPS server", 1500),
        "logo": priced(boris, "I will design a 100% unique logo", 3000, slug="design"),
        "bug": priced(anna, "I will fix a Django bug", 800),
    }
    make_kwork(anna, status="pending", title="Pending VPS kwork")
    make_kwork(anna, status="paused", title="Paused VPS kwork")
    make_kwork(anna, status="draft", title="Draft VPS kwork")
    deleted = make_kwork(anna, title="Deleted VPS kwork")
    kworks.delete_kwork(anna, deleted, keep_portfolio=True, now=deleted.created_at)
    return found


def titles(page):
    return [card.kwork.title for card in page.cards]


def search(**query):
    return catalog.search(catalog.CatalogQuery(**query), per_page=10)


def test_only_active_kworks_newest_first(listed):
    page = search()
    assert titles(page) == [k.title for k in (listed["bug"], listed["logo"], listed["vps"])]
    assert page.total == 3
    assert page.cards[0].price_from == 800 and page.cards[0].delivery_days == 2


def test_text_search_matches_title_and_description_and_escapes_wildcards(listed):
    assert titles(search(text="vps")) == [listed["vps"].title]
    assert titles(search(text="100%")) == [listed["logo"].title]
    assert titles(search(text="with a report")) != []  # description match
    assert search(text="_").total == 0


def test_category_and_price_filters(listed):
    assert titles(search(category="design")) == [listed["logo"].title]
    assert titles(search(price_min=1000, price_max=2000)) == [listed["vps"].title]
    assert search(category="no-such-category").total == 0


@pytest.mark.parametrize(
    "sort, expected", [("price_asc", ["bug", "vps", "logo"]), ("price_desc", ["logo", "vps", "bug"])]
)
def test_sorting_by_price(listed, sort, expected):
    assert titles(search(sort=sort)) == [listed[key].title for key in expected]


def test_sorting_by_rating_puts_unrated_last(listed):
    listed["vps"].rating, listed["logo"].rating = 90, 98
    db.session.commit()
    assert titles(search(sort="rating")) == [listed[k].title for k in ("logo", "vps", "bug")]


def test_pagination(listed):
    first = catalog.search(catalog.CatalogQuery(), per_page=2)
    second = catalog.search(catalog.CatalogQuery(page=2), per_page=2)
    beyond = catalog.search(catalog.CatalogQuery(page=99), per_page=2)
    assert (first.pages, len(first.cards), len(second.cards)) == (2, 2, 1)
    assert titles(beyond) == titles(second) and beyond.page == 2


def test_text_search_pages_sorts_and_caps_like_the_catalog(listed, monkeypatch):
    """PostgreSQL answers a text search's total and its page's ids in one statement: the same pages, order and
    cap as any other search, a page past the last answering the last."""
    def page(number, per_page=2):
        return catalog.search(catalog.CatalogQuery(text="will", sort="price_asc", page=number), per_page=per_page)

    first, second, beyond, far_beyond = page(1), page(2), page(99), page(10**30)
    assert (first.total, first.pages, second.page) == (3, 2, 2)
    assert titles(first) + titles(second) == [listed[key].title for key in ("bug", "vps", "logo")]
    assert titles(beyond) == titles(far_beyond) == titles(second) and beyond.page == far_beyond.page == 2
    monkeypatch.setattr(catalog, "COUNT_CAP", 2)
    capped = page(1, per_page=10)
    assert (capped.total, capped.capped, capped.pages, len(capped.cards)) == (3, True, 1, 3)


def test_visible_kwork_hides_unapproved_kworks_from_others(make_user, make_kwork):
    seller, stranger, admin = make_user(), make_user(), make_user(admin=True)
    pending = make_kwork(seller, status="pending")
    assert catalog.visible_kwork(pending.id, None) is None
    assert catalog.visible_kwork(pending.id, stranger) is None
    assert catalog.visible_kwork(pending.id, seller) == pending
    assert catalog.visible_kwork(pending.id, admin) == pending


def test_search_finds_word_beginnings_in_any_order_and_ranks_the_title_first(listed, make_user, make_kwork):
    seller = make_user("Vera", role="seller")
    described = make_kwork(seller, title="I will write product copy")
    described.description = "Copy for a shop built with Django, and its newsletter."
    db.session.commit()
    assert titles(search(text="djan", sort="relevance")) == [listed["bug"].title, described.title]  # title first
    assert titles(search(text="django bug")) == titles(search(text="BUG DJANGO")) == [listed["bug"].title]
    assert titles(search(text="djan", sort="newest")) == [described.title, listed["bug"].title]
    assert search(text="%%%").total == 0 and search(text="___").total == 0  # nothing to search for


def test_search_follows_edits_and_deletions(listed, make_user):
    anna = listed["vps"].seller
    kwork = listed["vps"]
    kwork.title = "I will set up a mail server"
    db.session.commit()
    assert titles(search(text="mail")) == [kwork.title] and search(text="vps").total == 0
    kworks.delete_kwork(anna, kwork, keep_portfolio=True, now=kwork.created_at)
    assert search(text="mail").total == 0


def test_search_understands_russian_word_forms_and_typos_on_postgresql(app, make_user, make_kwork):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("stemming and typo tolerance are PostgreSQL's (tsvector, pg_trgm); SQLite matches word beginnings")
    seller = make_user("Ivan", role="seller")
    kwork = make_kwork(seller, title="Настрою сервер для вашего сайта")
    assert titles(search(text="серверов")) == [kwork.title]  # another form of the word
    typo = make_kwork(seller, title="I will set up a VPS server")
    assert typo.title in titles(search(text="servr"))  # a letter missed, caught by trigram similarity
    assert typo.title in titles(search(text="vpss serverr"))  # letters doubled


def test_the_count_stops_at_the_cap(listed, monkeypatch):
    monkeypatch.setattr(catalog, "COUNT_CAP", 2)
    page = search()
    assert (page.total, page.capped, page.pages) == (3, True, 1)
    page = search(text="vps")
    assert (page.total, page.capped) == (1, False)


def test_a_typo_search_reads_only_the_nearest_titles_on_postgresql(app, make_user, make_kwork, monkeypatch):
    """Past COUNT_CAP typo matches, the search keeps the COUNT_CAP + 1 titles nearest to the text (GiST, by
    distance), so its cost stops growing with the catalog: the best match is unchanged, and another sort lists
    those nearest titles in its order, not every title that looks a little like the text."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("typo matching is PostgreSQL's (pg_trgm)")
    seller = make_user("Ivan", role="seller")
    # Word similarity to "servr vps": 0.8, 0.6, 0.67; none has both words, so all three are typo matches.
    nearest = make_kwork(seller, title="I will set up a servr vpn")
    farthest = make_kwork(seller, title="I will set up a servr")
    nearer = make_kwork(seller, title="I will set up a servo vps")
    assert titles(search(text="servr vps", sort="newest")) == [nearer.title, farthest.title, nearest.title]
    monkeypatch.setattr(catalog, "COUNT_CAP", 1)
    capped = search(text="servr vps", sort="newest")
    assert titles(capped) == [nearer.title, nearest.title] and (capped.total, capped.capped) == (2, True)
    assert titles(search(text="servr vps", sort="relevance")) == [nearest.title, nearer.title]


def test_a_broad_word_search_ranks_only_the_first_matches_in_the_order_asked_on_postgresql(app, make_user, make_kwork, monkeypatch):
    """Past COUNT_CAP word matches, the search keeps the COUNT_CAP + 1 first in the order asked for (the best match:
    reputation, newest first among equals) and ranks only those: exactly the pages a buyer can reach when sorted
    by date, price or rating, and a bounded cost for a word a tenth of the catalog contains."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL ranks word matches (ts_rank_cd); SQLite's FTS5 ranks with bm25")
    seller = make_user("Ivan", role="seller")
    oldest = make_kwork(seller, title="I will write a landing page")
    middle = make_kwork(seller, title="I will draw a landing page")
    newest = make_kwork(seller, title="I will code a landing page")
    assert titles(search(text="landing", sort="newest")) == [newest.title, middle.title, oldest.title]
    monkeypatch.setattr(catalog, "COUNT_CAP", 1)
    kept = search(text="landing", sort="newest")
    assert titles(kept) == [newest.title, middle.title] and (kept.total, kept.capped) == (2, True)
    assert sorted(titles(search(text="landing", sort="relevance"))) == sorted([newest.title, middle.title])


def test_typos_are_looked_for_only_when_the_words_match_few_kworks_on_postgresql(app, make_user, make_kwork, monkeypatch):
    """More than COUNT_CAP kworks with every word fill every page a buyer can reach: the typo matches are not
    looked for then (finding them meant testing every title near the text, word matches included)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("typo matching is PostgreSQL's (pg_trgm)")
    seller = make_user("Ivan", role="seller")
    make_kwork(seller, title="I will write a landing page")
    typo = make_kwork(seller, title="I will draw a lnding page")  # "landing" misspelt: a typo match only
    monkeypatch.setattr(catalog, "COUNT_CAP", 1)
    assert typo.title in titles(search(text="landing"))  # one word match: typos are looked for
    make_kwork(seller, title="I will code a landing page")
    assert typo.title not in titles(search(text="landing"))  # two, more than the cap: they are not
