"""Templates' `url_for` (webapp/template_urls.py) builds each route once per process (per script root) and fills in whole numbers:
every call must give exactly what Flask's `url_for` gives."""
import secrets
from pathlib import Path

import pytest
from flask import url_for

from webapp.template_urls import template_url_for

CALLS = [
    ("catalog.index", {}),
    ("catalog.index", {"page": 3}),
    ("catalog.index", {"page": 2, "category": "design", "sort": "price_asc"}),
    ("catalog.index", {"q": "logo & café", "page": 0}),
    ("catalog.kwork", {"kwork_id": 7}),
    ("catalog.kwork", {"kwork_id": 1234567}),
    ("catalog.kwork", {"kwork_id": 7, "_external": True}),
    ("catalog.kwork", {"kwork_id": 7, "_anchor": "packages"}),
    ("catalog.favourite", {"kwork_id": 42}),
    ("catalog.seller", {"user_id": 5}),
    ("catalog.picture", {"name": "abc-320.webp"}),
    ("static", {"filename": "css/app.css"}),
    ("auth.login", {"next": "/catalog/kworks/7"}),
    ("catalog.index", {"page": True}),
]


@pytest.mark.parametrize(("endpoint", "values"), CALLS)
def test_the_same_url_as_flask_builds(app, endpoint, values):
    with app.test_request_context("/catalog/", base_url="https://gigsmith.example"):
        first = template_url_for(endpoint, **values)
        again = template_url_for(endpoint, **values)  # from what this request remembered
        assert first == again == url_for(endpoint, **values)


def test_numbers_are_filled_into_the_route_built_once(app):
    with app.test_request_context("/catalog/"):
        urls = [template_url_for("catalog.kwork", kwork_id=n) for n in (1, 22, 333)]
        urls += [template_url_for("catalog.index", page=n, per=m) for n, m in ((1, 2), (30, 40))]
        assert urls == [url_for("catalog.kwork", kwork_id=n) for n in (1, 22, 333)] + [
            url_for("catalog.index", page=n, per=m) for n, m in ((1, 2), (30, 40))]


def test_values_equal_to_python_but_not_in_a_url_are_told_apart(app):
    with app.test_request_context("/catalog/"):
        calls = [{"page": 1, "q": "a"}, {"page": True, "q": "a"}, {"page": 1.0, "q": "a"}]
        assert [template_url_for("catalog.index", **values) for values in calls] == [url_for("catalog.index", **values) for values in calls]


def test_nothing_is_remembered_from_one_request_to_the_next(app):
    with app.test_request_context("/", base_url="http://one.example"):
        assert template_url_for("catalog.kwork", kwork_id=1, _external=True) == "http://one.example/catalog/kworks/1"
    with app.test_request_context("/", base_url="https://two.example"):
        assert template_url_for("catalog.kwork", kwork_id=1, _external=True) == "https://two.example/catalog/kworks/1"


def test_outside_a_request_it_is_flask_url_for(app):
    with app.app_context():
        with pytest.raises(RuntimeError):
            template_url_for("catalog.kwork", kwork_id=1)  # no SERVER_NAME: Flask's own error, unchanged


def test_a_route_is_built_once_per_process_and_script_root(app):
    """The pattern outlives the request; a deployment under a path prefix (SCRIPT_NAME) gets its own."""
    with app.test_request_context("/catalog/"):
        assert template_url_for("catalog.kwork", kwork_id=5) == "/catalog/kworks/5"
    with app.test_request_context("/catalog/", base_url="http://localhost/market/"):
        assert template_url_for("catalog.kwork", kwork_id=6) == url_for("catalog.kwork", kwork_id=6) == "/market/catalog/kworks/6"
    with app.test_request_context("/catalog/"):
        assert template_url_for("catalog.kwork", kwork_id=7) == "/catalog/kworks/7"
        assert template_url_for("catalog.index") == url_for("catalog.index")
    patterns = app.extensions["template_urls"].patterns
    assert patterns[("", "catalog.kwork", ("kwork_id",))] and patterns[("/market", "catalog.kwork", ("kwork_id",))]


def test_urls_with_strings_are_kept_per_process_and_script_root(app):
    with app.test_request_context("/catalog/"):
        assert template_url_for("orders.index", role="buyer", state="active") == url_for("orders.index", role="buyer", state="active")
    with app.test_request_context("/catalog/", base_url="http://localhost/market/"):
        shown = template_url_for("orders.index", role="buyer", state="active")
        assert shown == url_for("orders.index", role="buyer", state="active") and shown.startswith("/market/orders")
    urls = app.extensions["template_urls"].urls
    assert {key[0] for key in urls if key[1] == "orders.index"} == {"", "/market"}


def test_the_shared_table_is_emptied_when_full(app, monkeypatch):
    monkeypatch.setattr("webapp.template_urls.MAX_SHARED_URLS", 3)
    with app.test_request_context("/catalog/"):
        paths = [f"/catalog/kworks/{n}" for n in range(10)]
        assert [template_url_for("language.choose", code="fr", next=path) for path in paths] == [
            url_for("language.choose", code="fr", next=path) for path in paths]
        assert len(app.extensions["template_urls"].urls) <= 3


def test_while_debugging_a_static_url_follows_the_file(app, monkeypatch):
    """The content hash in a static URL (webapp/assets.py) is read again on each request while debugging."""
    path = Path(app.static_folder) / f"template-url-test-{secrets.token_hex(4)}.css"
    monkeypatch.setattr(app, "debug", True)
    try:
        path.write_text("a { color: red; }")
        with app.test_request_context("/"):
            before = template_url_for("static", filename=path.name)
        path.write_text("a { color: blue; text-decoration: none; }")
        with app.test_request_context("/"):
            after = template_url_for("static", filename=path.name)
    finally:
        path.unlink()
    assert before != after


def test_a_relative_endpoint_is_never_shared_between_blueprints(app):
    with app.test_request_context("/catalog/"):
        assert template_url_for(".index") == url_for("catalog.index")
    with app.test_request_context("/orders/"):
        assert template_url_for(".index") == url_for("orders.index")


def test_a_long_string_is_built_per_request_only(app):
    """A visitor's long path in the language links' `next` would make the shared table large: built, not kept."""
    path = "/catalog/?q=" + "x" * 500
    with app.test_request_context("/catalog/"):
        assert template_url_for("language.choose", code="ru", next=path) == url_for("language.choose", code="ru", next=path)
    assert not [key for key in app.extensions["template_urls"].urls if key[1] == "language.choose" and path in str(key)]


def test_an_endpoint_with_several_rules_is_never_shared(app):
    """Werkzeug builds such an endpoint from the rule that suits the current request, so its URL may differ."""
    with app.test_request_context("/catalog/"):
        template_url_for("catalog.index")
        shared = app.extensions["template_urls"]
        assert "catalog.index" in shared.endpoints and "static" in shared.endpoints
        several = {rule.endpoint for rule in app.url_map.iter_rules() if sum(1 for _ in app.url_map.iter_rules(rule.endpoint)) > 1}
        assert not several & shared.endpoints


def test_no_url_default_reads_the_request(app):
    """Shared URLs assume that a path depends only on the URL map and the script root. A url_defaults function that
    reads the request (a language prefix, say) would break that: add one only with webapp/template_urls.py changed."""
    functions = [function.__qualname__ for functions in app.url_default_functions.values() for function in functions]
    assert functions == ["register.<locals>.add_version"]  # webapp/assets.py: the static file's content hash
