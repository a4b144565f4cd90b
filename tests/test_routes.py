"""Meta-tests over the URL map: every private endpoint is guarded, and moderation hides itself from non-admins."""
import re

import pytest

from webapp.extensions import db


PUBLIC = {"static", "home", "auth.login", "auth.register", "catalog.index", "catalog.kwork", "catalog.seller", "catalog.image"}
# Called by Twilio, not a browser: guarded by the request signature instead of a login.
SIGNED = {"webhooks.voice_status", "webhooks.voice_repeat"}


def endpoints(app, prefix: str = ""):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(prefix):
            url = re.sub(r"<any\((\w+)[^>]*>", r"\1", rule.rule)  # the first allowed value
            url = re.sub(r"<int:\w+>", "1", re.sub(r"<(string:)?\w+>", "x", url))
            yield rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_non_public_endpoint_requires_login(app, client):
    checked = 0
    for endpoint, url, methods in endpoints(app):
        if endpoint in PUBLIC or endpoint.startswith("moderation."):
            continue
        if endpoint in SIGNED:
            assert client.post(url).status_code == 403, endpoint
            continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], (endpoint, method)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("who", ["anonymous", "buyer", "seller", "admin"])
def test_moderation_endpoints_exist_only_for_admins(app, client, login_as, make_user, make_kwork, who):
    kwork = make_kwork(make_user("Seller"), status="pending")
    if who != "anonymous":
        login_as(make_user(role="seller" if who == "seller" else "buyer", admin=who == "admin"))
    checked = 0
    for endpoint, url, methods in endpoints(app, "moderation."):
        url = url.replace("/1/", f"/{kwork.id}/")
        for method in methods:
            status = client.open(url, method=method).status_code
            assert (status != 404) if who == "admin" else (status == 404), (who, endpoint, method, status)
            checked += 1
    assert checked >= 4


def test_admin_sees_the_queue_with_pre_check_flags_and_approves(client, login_as, make_user, make_kwork):
    kwork = make_kwork(make_user("Seller"), status="pending")
    flagged = make_kwork(make_user("Other"), status="pending", title="I will set up your shop")
    flagged.description = "Перед заказом напишите мне в телеграм @shop_master"
    db.session.commit()
    login_as(make_user(admin=True))
    page = client.get("/moderation/kworks").get_data(as_text=True)
    assert kwork.title in page and "Pre-check: nothing flagged." in page
    assert "A messenger handle or link" in page and "Asks buyers to write before ordering" in page
    client.post(f"/moderation/kworks/{kwork.id}/approve")
    assert kwork.status == "active"
    assert client.get(f"/catalog/kworks/{kwork.id}").status_code == 200
