"""Templates' `url_for` (webapp/template_urls.py) builds each route once per process (per script root) and fills in whole numbers:
every call must give exactly what Flask's `url_for` gives."""
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
    remembered = app.extensions["template_url_patterns"]
    assert remembered[("", "catalog.kwork", ("kwork_id",))] and remembered[("/market", "catalog.kwork", ("kwork_id",))]
