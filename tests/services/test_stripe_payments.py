"""Stripe top-ups end to end: the Checkout Session the library builds, webhooks signed here with our own HMAC
(replays, out-of-order delivery, wrong signatures, stale timestamps, duplicate event ids), and refunds of what is
left of a top-up."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from webapp.adapters import payments
from webapp.config import ConfigurationError
from webapp.extensions import db
from webapp.models import PaymentEvent, Posting, SecurityEvent, TopUp
from webapp.services import ledger, orders, wallet

from ..conftest import assert_ledger_consistent
from ..races import needs_postgres, race
from ..stripe_fake import SECRET_KEY, WEBHOOK_SECRET, RecordingStripeClient, session_event, signature

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
WEBHOOK = "/webhooks/stripe"


@pytest.fixture
def stripe_http(app):
    """Stripe configured, with the recording HTTP client in place of the network."""
    recorder = RecordingStripeClient()
    saved = {key: app.config[key] for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    app.extensions["stripe_http_client"] = recorder
    yield recorder
    app.config.update(saved)
    app.extensions.pop("stripe_http_client", None)


@pytest.fixture
def buyer(make_user, login_as):
    user = make_user("Bea Buyer", email="bea@example.com")
    login_as(user)
    return user


def top_up_through_checkout(client, stripe_http, units: int = 1500) -> TopUp:
    response = client.post("/wallet/", data={"amount": str(units)})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    return db.session.query(TopUp).order_by(TopUp.id.desc()).first()


def deliver(client, payload: str, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET, header: str | None = None):
    headers = {"Stripe-Signature": header if header is not None else signature(payload, secret=secret, timestamp=timestamp)}
    return client.post(WEBHOOK, data=payload, headers=headers, content_type="application/json")


def credited(topup: TopUp) -> int:
    return db.session.query(Posting).filter_by(idempotency_key=f"topup-{topup.reference}").count()


# --- checkout --------------------------------------------------------------------------------------------------


def test_the_library_builds_the_checkout_session_and_the_redirect_credits_nothing(app, client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http, 1500)
    [request] = stripe_http.requests
    assert (request.method, request.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert request.headers["Idempotency-Key"] == f"topup-checkout-{topup.reference}"
    params = request.params
    assert params["mode"] == "payment" and params["line_items[0][quantity]"] == "1"
    assert params["line_items[0][price_data][unit_amount]"] == "150000"  # minor units
    assert params["line_items[0][price_data][currency]"] == "rub"
    assert params["line_items[0][price_data][product_data][name]"] == "Gigsmith balance top-up"
    assert params["client_reference_id"] == params["metadata[topup_reference]"] == topup.reference
    assert params["payment_intent_data[metadata][topup_reference]"] == topup.reference
    assert params["customer_email"] == "bea@example.com"
    base = app.config["PUBLIC_BASE_URL"]
    assert params["success_url"] == f"{base}/wallet/return/{topup.reference}/paid"
    assert params["cancel_url"] == f"{base}/wallet/return/{topup.reference}/cancelled"
    assert (topup.provider, topup.checkout_id, topup.status, topup.amount) == ("stripe", "cs_test_0001", "pending", 150_000)
    # Coming back to the success URL says the payment is on its way; only the webhook credits.
    page = client.get(f"/wallet/return/{topup.reference}/paid", follow_redirects=True).get_data(as_text=True)
    assert "as soon as the payment service confirms it" in page
    assert wallet.balance(buyer) == 0 and credited(topup) == 0


def test_the_sandbox_page_does_not_answer_a_stripe_top_up(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    assert client.post(f"/wallet/sandbox/{topup.reference}", data={"outcome": "pay"}).status_code == 404
    assert wallet.balance(buyer) == 0


def test_an_unreachable_stripe_is_a_message_and_nothing_is_charged(client, buyer, stripe_http):
    stripe_http.answer(500, {"error": {"type": "api_error", "message": "down"}})
    stripe_http.answer(500, {"error": {"type": "api_error", "message": "down"}})
    stripe_http.answer(500, {"error": {"type": "api_error", "message": "down"}})
    response = client.post("/wallet/", data={"amount": "1500"}, follow_redirects=True)
    assert response.status_code == 200
    assert "The payment service could not be reached. Nothing was charged." in response.get_data(as_text=True)
    assert wallet.balance(buyer) == 0


# --- webhooks ----------------------------------------------------------------------------------------------------


def test_a_paid_session_credits_once_however_often_it_is_delivered(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    payload = session_event("checkout.session.completed", topup, event_id="evt_paid_1", payment_intent="pi_123")
    first = deliver(client, payload)
    assert (first.status_code, first.get_data(as_text=True)) == (200, "credited")
    assert deliver(client, payload).status_code == 200  # the same delivery replayed
    assert deliver(client, payload, timestamp=int(time.time()) + 5).status_code == 200  # Stripe's retry, newly signed
    db.session.refresh(topup)
    assert (topup.status, topup.payment_intent, wallet.balance(buyer), credited(topup)) == ("paid", "pi_123", 150_000, 1)
    assert db.session.query(PaymentEvent).filter_by(event_id="evt_paid_1").one().outcome == "credited"
    # A different event about the same payment (async success after completed) credits nothing more.
    again = deliver(client, session_event("checkout.session.async_payment_succeeded", topup, event_id="evt_paid_2"))
    assert again.status_code == 200 and wallet.balance(buyer) == 150_000
    assert_ledger_consistent()


def test_a_bank_debit_waits_for_its_own_event(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    waiting = deliver(client, session_event("checkout.session.completed", topup, payment_status="unpaid"))
    assert waiting.get_data(as_text=True) == "waiting" and wallet.balance(buyer) == 0
    assert deliver(client, session_event("checkout.session.async_payment_succeeded", topup)).get_data(as_text=True) == "credited"
    assert wallet.balance(buyer) == 150_000


def test_a_failed_bank_debit_declines_and_a_late_success_never_credits(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    deliver(client, session_event("checkout.session.completed", topup, payment_status="unpaid"))
    assert deliver(client, session_event("checkout.session.async_payment_failed", topup)).get_data(as_text=True) == "declined"
    late = deliver(client, session_event("checkout.session.async_payment_succeeded", topup, event_id="evt_late"))
    assert (late.status_code, late.get_data(as_text=True)) == (200, "refused")
    db.session.refresh(topup)
    assert (topup.status, wallet.balance(buyer), credited(topup)) == ("declined", 0, 0)
    assert db.session.query(PaymentEvent).filter_by(event_id="evt_late").one().outcome == "refused"


def test_out_of_order_expired_then_completed_credits_nothing(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    assert deliver(client, session_event("checkout.session.expired", topup, payment_status="unpaid")).get_data(as_text=True) == "declined"
    assert deliver(client, session_event("checkout.session.completed", topup)).get_data(as_text=True) == "refused"
    assert wallet.balance(buyer) == 0 and credited(topup) == 0


def test_out_of_order_completed_then_expired_keeps_the_payment(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    deliver(client, session_event("checkout.session.completed", topup))
    assert deliver(client, session_event("checkout.session.expired", topup)).get_data(as_text=True) == "refused"
    db.session.refresh(topup)
    assert (topup.status, wallet.balance(buyer)) == ("paid", 150_000)


def test_a_wrong_signature_is_refused_and_recorded(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    payload = session_event("checkout.session.completed", topup)
    forged = deliver(client, payload, secret="whsec_someone_else")
    assert forged.status_code == 400
    assert deliver(client, payload, header="").status_code == 400  # no signature at all
    assert deliver(client, payload, header="t=abc,v1=nothex").status_code == 400  # unparseable
    tampered = payload.replace('"amount_total": 150000', '"amount_total": 15000000')
    assert deliver(client, tampered, header=signature(payload)).status_code == 400  # signed body changed on the way
    assert wallet.balance(buyer) == 0 and db.session.query(PaymentEvent).count() == 0
    rejected = db.session.query(SecurityEvent).filter_by(kind="webhook_rejected").all()
    assert len(rejected) == 4 and "Rejected a Stripe webhook" in rejected[0].detail


def test_an_old_signature_is_refused_as_a_replay(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    payload = session_event("checkout.session.completed", topup)
    assert deliver(client, payload, timestamp=int(time.time()) - 301).status_code == 400  # beyond the 300 s tolerance
    assert wallet.balance(buyer) == 0
    assert deliver(client, payload, timestamp=int(time.time()) - 290).status_code == 200  # within it
    assert wallet.balance(buyer) == 150_000


def test_a_duplicate_event_id_acts_once_even_with_a_different_body(client, buyer, stripe_http):
    """An event id is acted on once: a second body under the same id (a replay someone altered and re-signed with a
    leaked secret, or a bug upstream) is not a new instruction."""
    topup = top_up_through_checkout(client, stripe_http)
    deliver(client, session_event("checkout.session.completed", topup, event_id="evt_dup", payment_status="unpaid"))
    deliver(client, session_event("checkout.session.completed", topup, event_id="evt_dup", payment_status="paid"))
    assert wallet.balance(buyer) == 0 and db.session.query(PaymentEvent).filter_by(event_id="evt_dup").count() == 1


def test_a_session_for_another_amount_or_no_top_up_credits_nothing(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    wrong_amount = deliver(client, session_event("checkout.session.completed", topup, amount=99_999_00))
    wrong_currency = deliver(client, session_event("checkout.session.completed", topup, currency="usd"))
    other_session = deliver(client, session_event("checkout.session.completed", topup, session_id="cs_test_other"))
    assert {r.get_data(as_text=True) for r in (wrong_amount, wrong_currency, other_session)} == {"unmatched"}
    stranger = TopUp(id=topup.id, reference="not-ours", amount=100, checkout_id=None)
    assert deliver(client, session_event("checkout.session.completed", stranger, session_id="cs_x")).get_data(as_text=True) == "unmatched"
    assert wallet.balance(buyer) == 0
    assert db.session.query(SecurityEvent).filter_by(kind="payment_mismatch").count() == 4


def test_other_event_types_are_acknowledged_and_ignored(client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    response = deliver(client, session_event("customer.created", topup))
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ignored")


def test_the_webhook_is_exempt_from_csrf_and_nothing_else_is(app, client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert deliver(client, session_event("checkout.session.completed", topup)).status_code == 200
        assert client.post("/wallet/", data={"amount": "1500"}).status_code == 400  # no token: refused
        assert client.post(f"/wallet/topups/{topup.id}/refund").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    exempt = {name for name, view in app.view_functions.items() if f"{view.__module__}.{view.__name__}" in app.extensions["csrf"]._exempt_views}
    assert exempt == {"webhooks.stripe_event", "webhooks.voice_status", "webhooks.voice_repeat"}


def test_without_stripe_the_webhook_does_not_exist(client):
    assert client.post(WEBHOOK, data="{}", headers={"Stripe-Signature": "t=1,v1=0"}).status_code == 404


@needs_postgres
def test_one_event_delivered_twice_at_once_credits_once(app, client, buyer, stripe_http):
    topup = top_up_through_checkout(client, stripe_http)
    payload = session_event("checkout.session.completed", topup, event_id="evt_race")
    header = signature(payload)

    def contender():
        def prepare():
            with app.test_client() as own:
                return lambda: own.post(WEBHOOK, data=payload, headers={"Stripe-Signature": header}, content_type="application/json").status_code

        return prepare()

    outcomes = race(app, lambda: contender(), lambda: contender())
    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes]
    assert credited(topup) == 1 and wallet.balance(buyer) == 150_000
    assert db.session.query(PaymentEvent).filter_by(event_id="evt_race").count() == 1


# --- refunds -----------------------------------------------------------------------------------------------------


def paid_topup(client, stripe_http, units: int = 1500) -> TopUp:
    topup = top_up_through_checkout(client, stripe_http, units)
    deliver(client, session_event("checkout.session.completed", topup, payment_intent="pi_refund_me"))
    db.session.refresh(topup)
    return topup


def test_refund_of_an_unspent_top_up_goes_through_stripe_once(client, buyer, stripe_http):
    topup = paid_topup(client, stripe_http)
    page = client.get("/wallet/").get_data(as_text=True)
    assert "Refund to your card" in page and "Yes, refund RUB\xa01,500" in page
    response = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True)
    assert "RUB\xa01,500 is on its way back to your card" in response.get_data(as_text=True)
    request = stripe_http.requests[-1]
    assert (request.method, request.url) == ("post", "https://api.stripe.com/v1/refunds")
    assert request.params == {"payment_intent": "pi_refund_me", "amount": "150000", "reason": "requested_by_customer",
                              "metadata[topup_reference]": topup.reference}  # fmt: skip
    assert request.headers["Idempotency-Key"] == f"topup-refund-{topup.reference}"
    db.session.refresh(topup)
    assert (topup.refunded_amount, topup.refund_id.startswith("re_test_"), wallet.balance(buyer)) == (150_000, True, 0)
    posting = db.session.query(Posting).filter_by(idempotency_key=f"topup-{topup.reference}-refund").one()
    assert sorted((e.account.code, e.amount) for e in posting.entries) == sorted([(ledger.wallet_code(buyer.id), -150_000), (ledger.EXTERNAL_TOPUP, 150_000)])
    calls = len(stripe_http.requests)
    again = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True).get_data(as_text=True)
    assert "This top-up has already been refunded" in again and len(stripe_http.requests) == calls
    assert "Refund to your card" not in client.get("/wallet/").get_data(as_text=True)
    assert_ledger_consistent()


def test_only_what_is_left_of_the_top_up_is_refunded(client, buyer, stripe_http, make_user, make_kwork):
    import secrets

    topup = paid_topup(client, stripe_http, 1500)
    kwork = make_kwork(make_user("Seller", role="seller"))  # Standard package: 2,000; Economy: 1,000
    orders.place_order(buyer, kwork, "economy", quantity=1, checkout_token=secrets.token_hex(8), now=NOW, requirements="x")
    assert wallet.unspent(topup) == 50_000
    client.post(f"/wallet/topups/{topup.id}/refund")
    assert stripe_http.requests[-1].params["amount"] == "50000" and wallet.balance(buyer) == 0


def test_earnings_are_not_refunded_to_the_card(client, buyer, stripe_http, make_user, make_kwork, make_order):
    """Money spent from the top-up and then earned back by selling is earnings: it leaves by a withdrawal."""
    import secrets

    topup = paid_topup(client, stripe_http, 1000)
    kwork = make_kwork(make_user("Seller", role="seller"))
    orders.place_order(buyer, kwork, "economy", quantity=1, checkout_token=secrets.token_hex(8), now=NOW, requirements="x")
    assert wallet.balance(buyer) == 0
    make_order("completed", kwork=make_kwork(buyer, title="I will proofread your texts"), level="economy")
    assert wallet.balance(buyer) == 80_000  # 1,000 less the commission, earned as a seller
    assert wallet.unspent(topup) == 0 and wallet.refundable_topups(buyer) == []
    response = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True)
    assert "Nothing of this top-up is left in your balance to refund" in response.get_data(as_text=True)
    assert wallet.balance(buyer) == 80_000 and stripe_http.requests[-1].url.endswith("/checkout/sessions")


def test_a_cancelled_order_gives_the_top_up_back_to_refund(client, buyer, stripe_http, make_user, make_kwork):
    import secrets

    from ..conftest import cancel_by_agreement

    topup = paid_topup(client, stripe_http, 1000)
    kwork = make_kwork(make_user("Seller", role="seller"))
    order = orders.place_order(buyer, kwork, "economy", quantity=1, checkout_token=secrets.token_hex(8), now=NOW, requirements="x")
    assert wallet.unspent(topup) == 0
    cancel_by_agreement(order, NOW)
    assert wallet.unspent(topup) == 100_000


def test_someone_elses_top_up_is_not_refunded(client, buyer, stripe_http, make_user, login_as):
    topup = paid_topup(client, stripe_http)
    login_as(make_user("Mallory"))
    response = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True)
    assert "Payment not found" in response.get_data(as_text=True)
    assert wallet.balance(buyer) == 150_000 and stripe_http.requests[-1].url.endswith("/checkout/sessions")


def test_a_refund_stripe_refuses_comes_back_to_the_balance_and_closes_the_top_up(client, buyer, stripe_http):
    topup = paid_topup(client, stripe_http)
    stripe_http.answer(400, {"error": {"type": "invalid_request_error", "code": "charge_disputed", "message": "Charge is disputed"}})
    response = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True)
    assert "The payment service refused the refund, so the money is back in your balance" in response.get_data(as_text=True)
    db.session.refresh(topup)
    assert (topup.refund_id, topup.refunded_amount, wallet.balance(buyer)) == (None, 0, 150_000)
    assert db.session.query(Posting).filter(Posting.idempotency_key.like(f"topup-{topup.reference}-refund%")).count() == 2
    assert wallet.refundable_topups(buyer) == []
    calls = len(stripe_http.requests)
    again = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True).get_data(as_text=True)
    assert "This top-up has already been refunded" in again and len(stripe_http.requests) == calls
    assert_ledger_consistent()


def test_a_refund_whose_call_fails_is_kept_and_retried_with_the_same_key(client, buyer, stripe_http):
    """No lock is held while Stripe is called: the money leaves the balance first, and a second press sends the same
    refund again (one idempotency key), so it reaches the card once whatever happened to the first answer."""
    topup = paid_topup(client, stripe_http)
    stripe_http.answer(0)
    response = client.post(f"/wallet/topups/{topup.id}/refund", follow_redirects=True)
    assert "Your refund is kept: press the button again" in response.get_data(as_text=True)
    db.session.refresh(topup)
    assert (topup.refund_id, topup.refunded_amount, wallet.balance(buyer)) == (None, 150_000, 0)
    assert wallet.refundable_topups(buyer) == [(topup, 150_000)]  # offered again
    client.post(f"/wallet/topups/{topup.id}/refund")
    first, second = stripe_http.requests[-2:]
    assert first.params == second.params and first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    db.session.refresh(topup)
    assert topup.refund_id.startswith("re_test_") and wallet.balance(buyer) == 0
    assert db.session.query(Posting).filter(Posting.idempotency_key.like(f"topup-{topup.reference}-refund%")).count() == 1
    assert_ledger_consistent()


@needs_postgres
def test_two_refund_presses_at_once_take_the_money_once(app, client, buyer, stripe_http):
    topup = paid_topup(client, stripe_http)
    topup_id, user_id = topup.id, buyer.id

    def contender():
        from webapp.models import User

        user = db.session.get(User, user_id)
        return lambda: wallet.refund_topup(user, topup_id, NOW)

    race(app, contender, contender)
    assert wallet.balance(buyer) == 0
    assert db.session.query(Posting).filter(Posting.idempotency_key.like(f"topup-{topup.reference}-refund%")).count() == 1
    keys = {r.headers["Idempotency-Key"] for r in stripe_http.requests if r.url.endswith("/v1/refunds")}
    assert keys == {f"topup-refund-{topup.reference}"}
    assert_ledger_consistent()


def test_sandbox_top_ups_refund_in_the_demo(client, buyer, fund):
    topup = fund(buyer, 1000)
    client.post(f"/wallet/topups/{topup.id}/refund")
    db.session.refresh(topup)
    assert topup.refund_id.startswith("sandbox-refund-") and wallet.balance(buyer) == 0


# --- production ---------------------------------------------------------------------------------------------------


def test_the_sandbox_provider_cannot_be_chosen_in_production(app, ctx):
    app.config["ENVIRONMENT"] = "production"
    try:
        with pytest.raises(ConfigurationError):
            payments.provider()
        with pytest.raises(ConfigurationError):
            payments.provider("sandbox")
    finally:
        app.config["ENVIRONMENT"] = "test"


def test_with_stripe_keys_stripe_is_chosen(ctx, stripe_http):
    chosen = payments.provider()
    assert isinstance(chosen, payments.StripePayments) and chosen.name == "stripe"


def test_a_refund_that_fails_later_returns_to_the_balance_once_and_tells_the_user(client, buyer, stripe_http):
    from webapp.models import Notification

    from ..stripe_fake import refund_event

    topup = paid_topup(client, stripe_http)
    client.post(f"/wallet/topups/{topup.id}/refund")
    db.session.refresh(topup)
    assert wallet.balance(buyer) == 0 and topup.refund_id
    body = refund_event("refund.failed", topup.refund_id, event_id="evt_refund_failed_1", amount=150_000, reference=topup.reference)
    response = deliver(client, body)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "returned")
    db.session.expire_all()
    assert wallet.balance(buyer) == 150_000 and db.session.get(TopUp, topup.id).refunded_amount == 0
    returned = db.session.query(Posting).filter_by(idempotency_key=f"topup-{topup.reference}-refund-returned").one()
    assert sorted((e.account.code, e.amount) for e in returned.entries) == sorted([(ledger.wallet_code(buyer.id), 150_000), (ledger.EXTERNAL_TOPUP, -150_000)])
    notification = db.session.query(Notification).filter_by(user_id=buyer.id, kind="refund_failed").one()
    assert "money is back in your balance" in notification.text and notification.url == "/wallet/"
    # The same event again, and another event about the same refund: nothing moves twice.
    assert deliver(client, body).get_data(as_text=True) == "ignored"
    other = refund_event("refund.failed", topup.refund_id, event_id="evt_refund_failed_2", amount=150_000)
    assert deliver(client, other).get_data(as_text=True) == "ignored"
    db.session.expire_all()
    assert wallet.balance(buyer) == 150_000 and db.session.query(Notification).filter_by(kind="refund_failed").count() == 1
    assert db.session.query(PaymentEvent).filter_by(event_id="evt_refund_failed_1").one().outcome == "refund_returned"
    assert wallet.refundable_topups(buyer) == []  # closed for refunds, as after a refusal
    assert_ledger_consistent()


@needs_postgres
@pytest.mark.parametrize("same_event", [True, False], ids=["one-event-delivered-twice", "two-events-about-one-refund"])
def test_refund_failures_arriving_together_return_the_money_once(app, client, buyer, stripe_http, same_event):
    """Stripe retries, and sends `refund.failed` and a later duplicate, on parallel connections: the top-up's row
    lock decides, so exactly one returns the money and the other is ignored."""
    from webapp.models import Notification

    topup = paid_topup(client, stripe_http)
    client.post(f"/wallet/topups/{topup.id}/refund")
    db.session.refresh(topup)
    topup_id, refund_id = topup.id, topup.refund_id
    assert wallet.balance(buyer) == 0 and refund_id

    def failure(event_id: str):
        def contender():
            event = payments.ProviderEvent("stripe", event_id, "refund.failed", {"id": refund_id, "object": "refund"})
            return lambda: wallet.refund_failed(db.session.get(TopUp, topup_id), event=event, now=NOW)
        return contender

    ids = ("evt_refund_failed_race", "evt_refund_failed_race") if same_event else ("evt_refund_failed_a", "evt_refund_failed_b")
    outcomes = race(app, failure(ids[0]), failure(ids[1]))
    values = sorted(str(o.value) for o in outcomes if o.ok)
    assert values.count("returned") == 1, [(o.value, o.error) for o in outcomes]
    assert all(o.ok or "payment_events" in str(o.error) for o in outcomes)  # the same event twice: its unique key
    db.session.expire_all()
    assert wallet.balance(buyer) == 150_000
    assert db.session.query(Posting).filter_by(idempotency_key=f"topup-{topup.reference}-refund-returned").count() == 1
    assert db.session.query(Notification).filter_by(user_id=buyer.id, kind="refund_failed").count() == 1
    assert_ledger_consistent()


def test_a_refund_failure_naming_no_refund_of_ours_moves_nothing(client, buyer, stripe_http):
    from ..stripe_fake import refund_event

    topup = paid_topup(client, stripe_http)
    assert deliver(client, refund_event("refund.failed", "re_someone_else")).get_data(as_text=True) == "unmatched"
    # It names our top-up in its metadata but the top-up was never refunded: nothing to return.
    named = refund_event("refund.failed", "re_unknown", reference=topup.reference)
    assert deliver(client, named).get_data(as_text=True) == "ignored"
    assert wallet.balance(buyer) == 150_000
    assert db.session.query(SecurityEvent).filter_by(kind="payment_mismatch").count() == 1
    assert_ledger_consistent()
