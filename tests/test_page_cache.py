"""The page cache for anonymous visitors: served without the database, never stale after a committed change."""
import pytest
import redis
from sqlalchemy import event, update

from webapp import page_cache
from webapp.extensions import db
from webapp.models import Kwork
from webapp.services import kworks, reviews

from .conftest import PASSWORD


@pytest.fixture
def statements(app):
    """Statements the database receives while the test runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def listed(make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    return make_kwork(seller)


def body(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/catalog/", "/catalog/?q=vps&sort=price_asc", "kwork", "seller"])
def test_a_visitor_gets_the_page_again_without_a_query(client, listed, statements, url):
    url = {"kwork": f"/catalog/kworks/{listed.id}", "seller": f"/catalog/sellers/{listed.seller_id}"}.get(url, url)
    first = body(client, url)
    statements.clear()
    assert body(client, url) == first
    assert statements == []


def test_an_edit_shows_on_the_next_visit(client, listed):
    assert "I will set up a VPS server" in body(client, "/catalog/")
    kworks.set_paused(listed.seller, listed, True)  # the kwork leaves the catalog
    assert "I will set up a VPS server" not in body(client, "/catalog/")
    assert client.get(f"/catalog/kworks/{listed.id}").status_code == 404


def test_a_bulk_update_counts_as_a_change_too(client, listed):
    body(client, f"/catalog/kworks/{listed.id}")
    db.session.execute(update(Kwork).where(Kwork.id == listed.id).values(title="I will tune your PostgreSQL"))
    db.session.commit()
    assert "I will tune your PostgreSQL" in body(client, f"/catalog/kworks/{listed.id}")


def test_a_published_review_shows_at_once(client, make_order):
    order = make_order("completed")
    url = f"/catalog/kworks/{order.kwork_id}"
    assert "Quick and careful work" not in body(client, url)
    reviews.save_review(order.buyer, order, positive=True, text="Quick and careful work, thank you very much!", now=order.completed_at)
    assert "Quick and careful work" in body(client, url)


def test_a_rolled_back_change_keeps_the_cache(client, listed, statements):
    body(client, "/catalog/")
    listed.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    statements.clear()
    assert "Never saved" not in body(client, "/catalog/")
    assert statements == []


def test_languages_and_htmx_fragments_are_kept_apart(client, listed):
    english = body(client, "/catalog/", **{"Accept-Language": "en"})
    russian = body(client, "/catalog/", **{"Accept-Language": "ru"})
    fragment = body(client, "/catalog/", **{"HX-Request": "true"})
    assert 'lang="en"' in english and 'lang="ru"' in russian
    assert "<html" not in fragment
    assert body(client, "/catalog/", **{"Accept-Language": "ru"}) == russian


def test_logged_in_users_never_get_the_visitors_page(client, login_as, listed):
    body(client, f"/catalog/kworks/{listed.id}")  # cached for visitors
    login_as(listed.seller)
    page = body(client, f"/catalog/kworks/{listed.id}")
    assert "Log out" in page and listed.seller.display_name in page


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own(client, statements, listed):
    body(client, "/catalog/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have logged out.")]
    statements.clear()
    assert "You have logged out." in body(client, "/catalog/")
    assert statements  # built for this visitor, not taken from the cache
    assert "You have logged out." not in body(client, "/catalog/")  # and not kept for the next one


def test_logging_out_leaves_a_visitor_on_the_shared_pages(client, make_user, listed, statements):
    user = make_user("Carla")
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    client.post("/auth/logout")
    client.get("/catalog/")  # shows the logout message once
    body(client, "/catalog/")
    statements.clear()
    body(client, "/catalog/")
    assert statements == []


def test_a_flushed_redis_never_brings_back_an_old_page(app, client, listed):
    body(client, "/catalog/")
    version = page_cache.current_version()
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    assert page_cache.current_version() != version


def test_pages_are_built_when_redis_is_unreachable(app, client, listed, monkeypatch):
    def unreachable():
        raise redis.ConnectionError("down")

    monkeypatch.setattr(page_cache, "_redis", unreachable)
    assert "I will set up a VPS server" in body(client, "/catalog/")
    kworks.set_paused(listed.seller, listed, True)  # the version can't move: nothing was cached either
    assert "I will set up a VPS server" not in body(client, "/catalog/")
