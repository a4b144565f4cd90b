"""The page cache: pages served again without the database, never stale after a committed change."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import redis
import time_machine
from flask import g
from sqlalchemy import update

from webapp import page_cache
from webapp.extensions import db
from webapp.models import Kwork
from webapp.services import accounts, kworks, orders, reviews

from .conftest import PASSWORD, signed_in_id

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


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


def test_a_users_private_settings_leave_visitors_pages_kept(client, listed, statements):
    url = f"/catalog/sellers/{listed.seller_id}"
    body(client, url)
    listed.seller.language = "ru"
    db.session.commit()
    statements.clear()
    body(client, url)
    assert statements == []
    accounts.update_profile(listed.seller, display_name="Anna Studio", about="", working_hours="", accepting_orders=True)
    assert "Anna Studio" in body(client, url)


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
    version = page_cache.versions(page_cache.PUBLIC)
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    assert page_cache.versions(page_cache.PUBLIC) != version


def test_pages_are_built_when_redis_is_unreachable(app, client, listed, monkeypatch):
    def unreachable():
        raise redis.ConnectionError("down")

    monkeypatch.setattr(page_cache, "_redis", unreachable)
    assert "I will set up a VPS server" in body(client, "/catalog/")
    kworks.set_paused(listed.seller, listed, True)  # the version can't move: nothing was cached either
    assert "I will set up a VPS server" not in body(client, "/catalog/")


# --- pages kept for a logged-in user ------------------------------------------------------------------------------


@pytest.fixture
def seller_view(client, login_as, make_order):
    """A seller looking at an order in work: the page built once, so the next visit can come from the cache."""
    order = make_order("in_work")
    login_as(order.seller)
    body(client, f"/orders/{order.id}")  # the first visit sets the session's CSRF secret
    body(client, f"/orders/{order.id}")
    return order


def test_the_order_page_comes_back_without_a_query(client, seller_view, statements):
    url = f"/orders/{seller_view.id}"
    g.pop("_login_user", None)  # each request loads its user into a new session, as in production (tests
    db.session.remove()  # share one app context)
    first = body(client, url)
    statements.clear()
    g.pop("_login_user", None)
    db.session.remove()
    assert body(client, url) == first  # the viewer comes from memory too (webapp/known_users.py)
    assert statements == []


def test_someone_else_never_gets_a_kept_order_page(client, seller_view, login_as, make_user):
    login_as(make_user("Mallory"))
    assert client.get(f"/orders/{seller_view.id}").status_code == 404


def test_the_order_page_shows_a_message_from_the_other_party_at_once(client, seller_view):
    orders.post_message(seller_view.buyer, seller_view, "Here is the logo file you asked for", [], NOW)
    assert "Here is the logo file you asked for" in body(client, f"/orders/{seller_view.id}")


def test_the_order_page_shows_the_other_partys_new_name(client, seller_view):
    buyer = seller_view.buyer
    accounts.update_profile(buyer, display_name="Carla Renamed", about="", working_hours="", accepting_orders=True)
    assert "Carla Renamed" in body(client, f"/orders/{seller_view.id}")


def test_time_passing_shows_on_a_kept_page(client, login_as, make_order):
    with time_machine.travel(NOW, tick=False):
        order = make_order("in_work", now=NOW)
        login_as(order.seller)
        body(client, f"/orders/{order.id}")
        on_time = body(client, f"/orders/{order.id}")
    with time_machine.travel(order.deadline_at + timedelta(hours=2), tick=False):
        late = body(client, f"/orders/{order.id}")
    assert late != on_time and "late" in late.lower()


def test_each_session_gets_forms_with_its_own_valid_token(app, seller_view, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = f"/orders/{seller_view.id}"
    tokens = {}
    for browser in (app.test_client(), app.test_client()):  # two browsers of the same seller, nothing changing
        with browser.session_transaction() as session:
            session["_user_id"], session["_fresh"] = signed_in_id(seller_view.seller), True
        # Requests share the test's app context: forget the user and the token the last request left on `g`.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        body(browser, url)
        page = body(browser, url)  # kept for this session
        tokens[browser] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for browser, token in tokens.items():
        g.pop("_login_user", None)
        posted = browser.post(f"{url}/messages", data={"csrf_token": token, "message": "Starting on the draft today"})
        assert posted.status_code == 302, posted.status_code


def test_a_flashed_message_is_shown_once_and_never_kept(client, seller_view):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Work started.")]
    assert "Work started." in body(client, f"/orders/{seller_view.id}")
    assert "Work started." not in body(client, f"/orders/{seller_view.id}")


def test_the_dashboard_shows_a_new_order_and_a_new_balance(client, login_as, make_order, fund):
    order = make_order("new")
    login_as(order.buyer)
    body(client, "/account/")
    before = body(client, "/account/")
    fund(order.buyer, 1234)
    after = body(client, "/account/")
    assert after != before and "1,234" in after.replace("\u202f", ",").replace("\xa0", ",")


def test_a_seller_dashboard_lists_an_order_placed_by_a_buyer(client, login_as, make_order, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    login_as(seller)
    body(client, "/account/")
    order = make_order("new", seller=seller, kwork=kwork)
    assert f"/orders/{order.id}" in body(client, "/account/")
