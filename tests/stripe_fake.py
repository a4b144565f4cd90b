"""Stripe without the network: an HTTP client for the official library that records each request the library built
and answers canned JSON, and webhook payloads signed here with an independently written HMAC-SHA256.

The library is used for real (`stripe.StripeClient(..., http_client=RecordingStripeClient())`), so the tests see
the exact method, URL, headers and form fields it would send to api.stripe.com, as the Twilio adapter is tested.
"""
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

import stripe

SECRET_KEY = "sk_test_gigsmith0000000000000000"
WEBHOOK_SECRET = "whsec_gigsmith_test_0000000000000000"


@dataclass
class RecordedRequest:
    method: str
    url: str
    headers: dict
    params: dict  # the form-encoded body, flattened the way Stripe encodes it ("metadata[topup_reference]")


class RecordingStripeClient(stripe.HTTPClient):
    """Records every request; answers the next queued (status, body), else a plausible success for the URL."""

    name = "recording"

    def __init__(self):
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self.queued: list[tuple[int, dict]] = []
        self._ids = itertools.count(1)

    def answer(self, status: int, body: dict | None = None) -> None:
        """Answer the next request with `status` and `body`; status 0 is a connection that failed."""
        self.queued.append((status, body or {}))

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        params = dict(parse_qsl(post_data or "", keep_blank_values=True))
        self.requests.append(RecordedRequest(method, url, dict(headers or {}), params))
        status, body = self.queued.pop(0) if self.queued else (200, self._default(url, params))
        if status == 0:  # the network failed: what the library's own clients raise
            raise stripe.APIConnectionError("connection reset", should_retry=False)
        return json.dumps(body), status, {"Request-Id": f"req_{next(self._ids)}"}

    def close(self):
        pass

    def _default(self, url: str, params: dict) -> dict:
        number = next(self._ids)
        if url.endswith("/v1/checkout/sessions"):
            session_id = f"cs_test_{number:04d}"
            return {"id": session_id, "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "client_reference_id": params.get("client_reference_id"), "payment_status": "unpaid", "status": "open"}  # fmt: skip
        if url.endswith("/v1/refunds"):
            return {"id": f"re_test_{number:04d}", "object": "refund", "status": "succeeded", "amount": int(params.get("amount", 0)),
                    "payment_intent": params.get("payment_intent")}  # fmt: skip
        return {"error": {"type": "invalid_request_error", "message": f"no canned answer for {url}"}}


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


_event_ids = itertools.count(1)


def session_event(kind: str, topup, *, event_id: str | None = None, payment_status: str = "paid", amount: int | None = None,
                  currency: str = "rub", session_id: str | None = None, payment_intent: str = "pi_test_0001") -> str:  # fmt: skip
    """A webhook body as Stripe sends it for a Checkout Session event about `topup`."""
    session = {
        "id": session_id or topup.checkout_id, "object": "checkout.session", "client_reference_id": topup.reference,
        "metadata": {"topup_reference": topup.reference}, "amount_total": topup.amount if amount is None else amount,
        "currency": currency, "payment_status": payment_status, "payment_intent": payment_intent, "mode": "payment",
    }  # fmt: skip
    event = {"id": event_id or f"evt_test_{next(_event_ids):06d}", "object": "event", "api_version": "2025-01-01",
             "created": int(time.time()), "type": kind, "data": {"object": session}, "livemode": False}  # fmt: skip
    return json.dumps(event)


def refund_event(kind: str, refund_id: str, *, event_id: str | None = None, amount: int = 0, reference: str | None = None,
                 payment_intent: str = "pi_refund_me", failure_reason: str = "expired_or_canceled_card") -> str:  # fmt: skip
    """A webhook body as Stripe sends it for a Refund event (`refund.failed`, `refund.updated`)."""
    refund = {"id": refund_id, "object": "refund", "amount": amount, "currency": "rub", "status": "failed",
              "payment_intent": payment_intent, "failure_reason": failure_reason,
              "metadata": {"topup_reference": reference} if reference else {}}  # fmt: skip
    event = {"id": event_id or f"evt_test_{next(_event_ids):06d}", "object": "event", "api_version": "2025-01-01",
             "created": int(time.time()), "type": kind, "data": {"object": refund}, "livemode": False}  # fmt: skip
    return json.dumps(event)
