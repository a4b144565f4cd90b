"""Payment providers for balance top-ups: Stripe Checkout in production, the sandbox page in the demo and tests.

A provider sends the buyer to its own payment page, tells us later (a signed webhook) whether the payment went
through, and refunds to the card. The sandbox's "payment page" is a page of this site that says clearly no real
money moves, so a demo can be completed end to end; it can't be chosen in production (webapp/sandboxes.py).

Stripe is driven through its official library (`stripe.StripeClient`), so the library itself builds every request;
tests inject an HTTP client that records those requests and answers canned JSON (tests/stripe_fake.py), as the
Twilio adapter is tested. The library is imported when Stripe is first used (it weighs about 10 MB in every web
worker otherwise), and its errors are turned into this module's, so services never handle an SDK's exceptions.
"""
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app, url_for
from flask_babel import force_locale

from .. import sandboxes
from ..config import ConfigurationError
from ..models import TopUp
from ..texts import gettext as _

# Stripe Checkout's interface languages for the ones Gigsmith speaks (anything else: Stripe's "auto").
CHECKOUT_LOCALES = {"en": "en", "ru": "ru", "pt": "pt-BR", "fr": "fr"}


class ProviderUnavailable(Exception):
    """The provider could not be reached or did not answer: what was asked may or may not have happened."""


class ProviderRefused(Exception):
    """The provider answered and refused for good (a refund of a disputed charge, say)."""


class InvalidSignature(Exception):
    """A webhook whose signature, or timestamp, does not check out."""


@dataclass(frozen=True)
class Checkout:
    """Where the buyer pays, and the provider's id for that payment page (None for the sandbox)."""

    url: str
    checkout_id: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A webhook event whose signature was verified: its id (to act once), type and the object it is about."""

    provider: str
    id: str
    kind: str
    data: dict[str, Any]


class PaymentProvider(Protocol):
    name: str

    def checkout(self, topup: TopUp, *, email: str, locale: str, return_to: str | None) -> Checkout:
        """Open the provider's payment page for `topup` (its amount in minor units)."""

    def refund(self, topup: TopUp, amount: int) -> str:
        """Send `amount` (minor units) of `topup`'s payment back to the card; returns the provider's refund id."""


def _public_url(endpoint: str, **values) -> str:
    """An address of this site as the buyer's browser reaches it (PUBLIC_BASE_URL), for the provider's redirects."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


class SandboxPayments:
    name = "sandbox"

    def checkout(self, topup: TopUp, *, email: str, locale: str, return_to: str | None) -> Checkout:
        return Checkout(url_for("wallet.sandbox_payment", reference=topup.reference, next=return_to))

    def refund(self, topup: TopUp, amount: int) -> str:
        return f"sandbox-refund-{secrets.token_hex(8)}"  # nothing to send back: no card was charged


class StripePayments:
    """Stripe Checkout (hosted payment page) for top-ups; refunds against the top-up's PaymentIntent."""

    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, *, tolerance: int = 300, currency: str = "RUB",
                 http_client=None):  # fmt: skip
        import stripe

        # Network retries reuse the library's idempotency key, so a retried create never makes two sessions.
        self.client = stripe.StripeClient(secret_key, http_client=http_client, max_network_retries=2)
        self.webhook_secret, self.tolerance, self.currency = webhook_secret, tolerance, currency.lower()

    def checkout(self, topup: TopUp, *, email: str, locale: str, return_to: str | None) -> Checkout:
        import stripe

        with force_locale(locale):
            product = _("Gigsmith balance top-up")
        try:
            session = self._create_session(topup, product, email, locale, return_to)
        except stripe.StripeError as error:
            raise ProviderUnavailable(str(error)) from error
        return Checkout(session.url, session.id)

    def _create_session(self, topup: TopUp, product: str, email: str, locale: str, return_to: str | None):
        return self.client.v1.checkout.sessions.create(
            {
                "mode": "payment",
                "line_items": [{"quantity": 1, "price_data": {"currency": self.currency, "unit_amount": topup.amount,
                                                              "product_data": {"name": product}}}],
                # Both name the top-up: the webhook finds it by client_reference_id and checks the metadata.
                "client_reference_id": topup.reference,
                "metadata": {"topup_reference": topup.reference},
                "payment_intent_data": {"metadata": {"topup_reference": topup.reference}},
                "customer_email": email,
                "locale": CHECKOUT_LOCALES.get(locale, "auto"),
                "success_url": _public_url("wallet.returned", reference=topup.reference, outcome="paid", next=return_to),
                "cancel_url": _public_url("wallet.returned", reference=topup.reference, outcome="cancelled", next=return_to),
            },  # fmt: skip
            {"idempotency_key": f"topup-checkout-{topup.reference}"},
        )

    def refund(self, topup: TopUp, amount: int) -> str:
        """Raises ProviderRefused when Stripe refuses for good, ProviderUnavailable when the answer is unknown."""
        import stripe

        try:
            refund = self.client.v1.refunds.create(
                {"payment_intent": topup.payment_intent, "amount": amount, "reason": "requested_by_customer",
                 "metadata": {"topup_reference": topup.reference}},  # fmt: skip
                # One refund per top-up: a retry after a lost answer gets the first refund back, not a second one.
                {"idempotency_key": f"topup-refund-{topup.reference}"},
            )
        except stripe.InvalidRequestError as error:
            raise ProviderRefused(str(error)) from error
        except stripe.StripeError as error:  # unreachable, busy, or the same refund asked twice at once
            raise ProviderUnavailable(str(error)) from error
        return refund.id

    def verified_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """The event in `payload` if `signature` (the Stripe-Signature header) is the endpoint secret's HMAC of it
        and its timestamp is within the tolerance; raises InvalidSignature otherwise."""
        import stripe

        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret, tolerance=self.tolerance)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignature(type(error).__name__) from error
        return ProviderEvent(self.name, event.id, event.type, event.data.object.to_dict())


def stripe_configured() -> bool:
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def stripe_payments() -> StripePayments:
    config = current_app.config
    if not (config["STRIPE_SECRET_KEY"] and config["STRIPE_WEBHOOK_SECRET"]):
        raise ConfigurationError("Stripe is not configured: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
    # Tests put a recording client here (the way voice.SandboxHttpClient stands in for Twilio's network).
    http_client = current_app.extensions.get("stripe_http_client")
    return StripePayments(config["STRIPE_SECRET_KEY"], config["STRIPE_WEBHOOK_SECRET"], tolerance=config["STRIPE_WEBHOOK_TOLERANCE"],
                          currency=config["CURRENCY"], http_client=http_client)  # fmt: skip


def provider(name: str | None = None) -> PaymentProvider:
    """The provider named (the one a top-up was started with), else the one configured: Stripe when its keys are
    set, else the sandbox where sandboxes are allowed. Production never gets the sandbox."""
    name = name or ("stripe" if stripe_configured() else "sandbox")
    if name == "stripe":
        return stripe_payments()
    if name == "sandbox" and sandboxes.allowed():
        return SandboxPayments()
    raise ConfigurationError(f"The {name} payment provider is not available here")
