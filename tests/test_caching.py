"""Browser caching: fingerprinted static files kept for a year, public pages revalidated with an ETag."""
import re
import secrets
from pathlib import Path

import pytest
from flask import url_for

from webapp.assets import IMMUTABLE


def static_urls(client) -> list[str]:
    page = client.get("/catalog/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_content_hash(client):
    urls = static_urls(client)
    assert {url.split("?")[0] for url in urls} >= {"/static/css/app.css", "/static/vendor/htmx.min.js", "/static/js/app.js"}
    assert all(re.search(r"\?v=[0-9a-f]{16}$", url) for url in urls), urls


def test_fingerprinted_static_file_is_cacheable_for_a_year(client):
    for url in static_urls(client):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("query", ["", "?v=0000000000000000"], ids=["no hash", "outdated hash"])
def test_static_file_without_the_current_hash_is_revalidated(client, query):
    response = client.get(f"/static/css/app.css{query}")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_changed_file_gets_a_new_url(app):
    # A file of its own, so tests running beside this one never see a real asset change.
    path = Path(app.static_folder) / f"fingerprint-test-{secrets.token_hex(4)}.css"
    try:
        with app.test_request_context():
            path.write_text("a { color: red; }")
            before = url_for("static", filename=path.name)
            path.write_text("a { color: blue; text-decoration: none; }")
            after = url_for("static", filename=path.name)
    finally:
        path.unlink()
    assert before != after


@pytest.fixture
def public_pages(make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    return ["/catalog/", "/catalog/?q=vps&sort=price_asc", f"/catalog/kworks/{kwork.id}", f"/catalog/sellers/{seller.id}"]


def test_anonymous_public_pages_answer_304_to_their_etag(client, public_pages):
    for url in public_pages:
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"], url
        # Browsers revalidate every time; a reverse proxy may keep it briefly (catalog.views.SHARED_MAX_AGE).
        assert set(first.headers["Cache-Control"].split(", ")) == {"public", "max-age=0", "s-maxage=30"}, url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", url


def test_etag_changes_with_the_content(client, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    make_kwork(seller)
    first = client.get("/catalog/")
    make_kwork(seller, title="I will write a landing page")
    again = client.get("/catalog/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "I will write a landing page" in again.get_data(as_text=True)


def test_htmx_part_and_full_page_have_different_etags(client, public_pages):
    # `public_pages` puts a kwork in the catalog.
    full = client.get("/catalog/")
    part = client.get("/catalog/", headers={"HX-Request": "true"})
    assert full.headers["ETag"] != part.headers["ETag"]
    assert "HX-Request" in part.headers["Vary"]


def test_logged_in_pages_are_not_tagged(client, login_as, make_user, public_pages):
    login_as(make_user("Carla"))
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200 and "ETag" not in response.headers, url
        assert "public" not in response.headers.get("Cache-Control", ""), url


def test_a_visitor_page_that_changes_the_session_stays_private(client, public_pages):
    """A flashed message is read (and removed) by the page: the response rewrites that visitor's cookie, so it is
    theirs alone, never a shared cache's."""
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "You are logged out.")]
    response = client.get("/catalog/")
    assert "You are logged out." in response.get_data(as_text=True)
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]



def test_form_errors_are_not_tagged(client):
    assert "ETag" not in client.get("/catalog/?price_min=cheap").headers
