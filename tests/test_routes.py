"""Meta-tests over the URL map: every private endpoint is guarded, and moderation hides itself from non-admins."""
import re

import pytest

from webapp.extensions import db


PUBLIC = {"static", "home", "auth.login", "auth.register", "catalog.index", "catalog.kwork", "catalog.seller", "catalog.image", "catalog.picture", "catalog.avatar", "language.choose", "pages.accessibility", "pages.levels", "pages.favicon", "pages.touch_icon", "pages.icon_192", "pages.icon_512", "pages.manifest", "pages.sitemap", "pages.robots",
          # Reached from e-mails by people who may not be logged in: guarded by signed, expiring tokens instead.
          "auth.forgot_password", "auth.check_email", "auth.reset_password", "auth.verify_email"}
# Called by Twilio or Stripe, not a browser: guarded by the request signature instead of a login. An unsigned
# request gets Twilio's 403; Stripe's webhook is 404 without Stripe configured (400 with it: test_stripe_payments).
SIGNED = {"webhooks.voice_status": 403, "webhooks.voice_repeat": 403, "webhooks.stripe_event": 404}
# Polled by htmx from the header: signed out it answers an empty 286 (htmx stops polling), never a login page.
POLLS = {"inbox.unread_count": 286}


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
            assert client.post(url).status_code == SIGNED[endpoint], endpoint
            continue
        if endpoint in POLLS:
            answer = client.get(url)
            assert answer.status_code == POLLS[endpoint] and answer.get_data() == b"", endpoint
            continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], (endpoint, method)
            checked += 1
    assert checked >= 10


@pytest.fixture
def moderation_targets(make_user, make_kwork, make_order):
    """One record of every kind a moderation route names, so each route finds something to act on."""
    from datetime import datetime, timezone

    from webapp.services import cancellations, disputes, reviews

    now = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    kwork = make_kwork(make_user("Seller", role="seller"), status="pending")
    reviewed = make_order("completed")
    review = reviews.save_review(reviewed.buyer, reviewed, positive=False, text="Late and rude, would not order again.", now=now)
    reviews.report(reviewed.seller, review, "It insults me rather than reviewing the work", now)
    disputed = make_order("in_work")
    request = cancellations.request(disputed.seller, disputed, "no_information", "The buyer never sent the brief at all.", now)
    cancellations.answer(disputed.buyer, request, accept=True, reason_correct=False, now=now)
    dispute = disputes.escalate(disputed.seller, disputed, "I asked three times for the brief in messages.", now)
    from webapp.services import conversations, work_disputes

    message = conversations.start(disputed.seller, disputed.buyer, None, "Hello", [], now)
    judged = make_order("delivered")
    work_dispute = work_disputes.open_dispute(judged.buyer, judged, "The delivered site has no contact form at all.", [], now)
    return {"kwork_id": kwork.id, "review_id": review.id, "dispute_id": dispute.id, "user_id": disputed.buyer_id,
            "conversation_id": message.conversation_id, "work_dispute_id": work_dispute.id}  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "buyer", "seller", "admin"])
def test_every_moderation_route_exists_only_for_admins(app, client, login_as, make_user, moderation_targets, who):
    from webapp.models import AuditEntry

    if who != "anonymous":
        login_as(make_user(role="seller" if who == "seller" else "buyer", admin=who == "admin"))
    checked = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("moderation."):
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, {arg: moderation_targets[arg] for arg in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method).status_code
            if who == "admin":
                assert status in (200, 302, 422), (rule.endpoint, method, status)
            else:
                assert status == 404, (who, rule.endpoint, method, status)
            checked.add(rule.endpoint)
    assert len(checked) >= 12
    if who != "admin":
        assert db.session.query(AuditEntry).count() == 0  # refused before anything happened


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
