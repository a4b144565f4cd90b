"""Payment providers for balance top-ups.

A provider sends the buyer to its own payment page and later tells us whether the payment went through.
The sandbox provider's "payment page" is a page of this site that says clearly no real money moves, so a demo
can be completed end to end; a real provider plugs in by implementing the same two calls.
"""
from typing import Protocol

from flask import current_app, url_for


class PaymentProvider(Protocol):
    name: str

    def payment_page_url(self, reference: str, amount: int) -> str:
        """Where to send the buyer to pay `amount` (minor units) for top-up `reference`."""


class SandboxPayments:
    name = "sandbox"

    def payment_page_url(self, reference: str, amount: int) -> str:
        return url_for("wallet.sandbox_payment", reference=reference)


def provider() -> PaymentProvider:
    # Only the sandbox exists today; a real provider is chosen here by configuration.
    return current_app.extensions.setdefault("payments", SandboxPayments())
