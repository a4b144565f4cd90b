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


def test_visible_kwork_hides_unapproved_kworks_from_others(make_user, make_kwork):
    seller, stranger, admin = make_user(), make_user(), make_user(admin=True)
    pending = make_kwork(seller, status="pending")
    assert catalog.visible_kwork(pending.id, None) is None
    assert catalog.visible_kwork(pending.id, stranger) is None
    assert catalog.visible_kwork(pending.id, seller) == pending
    assert catalog.visible_kwork(pending.id, admin) == pending
