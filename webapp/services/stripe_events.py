"""What a verified Stripe webhook event does to a top-up.

Stripe delivers each event at least once, in no guaranteed order, and retries until it gets a 2xx. So every event
is acted on at most once (PaymentEvent, recorded by services.wallet in the transaction that acts) and each outcome
is decided on the top-up as locked, whatever came before:

| event | top-up pending | top-up paid | top-up declined |
|---|---|---|---|
| checkout.session.completed, payment_status paid | credit | nothing | refused (logged) |
| checkout.session.completed, not yet paid (bank debit) | waits | nothing | nothing |
| checkout.session.async_payment_succeeded | credit | nothing | refused (logged) |
| checkout.session.async_payment_failed, checkout.session.expired | decline | nothing | nothing |

A session that names no top-up of ours, or a different amount or currency than the top-up asked for, credits
nothing and is kept as a security event.

`refund.failed` (a refund Stripe had accepted and the bank then sent back) returns the refunded amount to the
user's balance once (services.wallet.refund_failed), found by the refund's id, or by the top-up reference in its
metadata when the event overtook the refund call's answer. A refund event naming no refund of ours is kept as a
security event like an unmatched session. Any other event type is acknowledged and ignored.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..adapters.payments import ProviderEvent
from ..domain.errors import DomainError
from ..extensions import db
from ..models import TopUp
from ..texts import lazy_gettext as _l
from . import voice_codes, wallet

CREDIT = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
DECLINE = {"checkout.session.async_payment_failed", "checkout.session.expired"}
REFUND_FAILED = "refund.failed"


def handle(event: ProviderEvent, now: datetime) -> str:
    """Act on one verified event; returns what it did ("credited", "declined", "waiting", "ignored", "refused",
    "unmatched", "returned"). Never raises for a business reason: Stripe would only retry it."""
    if event.kind == REFUND_FAILED:
        return _refund_failed(event, now)
    if event.kind not in CREDIT | DECLINE:
        return "ignored"
    session = event.data
    topup = _topup_of(session)
    if topup is None or not _matches(topup, session):
        _suspicious(event, topup, now)
        return "unmatched"
    try:
        if event.kind in DECLINE:
            wallet.decline_topup(topup, event=event, now=now)
            return "declined"
        if session.get("payment_status") != "paid":
            wallet.note_event(topup, event, "waiting", now)  # an async payment: its own event follows
            return "waiting"
        wallet.confirm_topup(topup, event=event, payment_intent=session.get("payment_intent"), now=now)
        return "credited"
    except DomainError as refused:
        # Out of order (paid after expired, expired after paid): the first answer stands; recorded by the service.
        current_app.logger.warning("Stripe event %s (%s) for top-up %s left alone: %s", event.id, event.kind, topup.id, refused)
        return "refused"


def _refund_failed(event: ProviderEvent, now: datetime) -> str:
    refund = event.data
    topup = None
    if refund.get("id"):
        topup = db.session.scalar(select(TopUp).where(TopUp.refund_id == refund["id"], TopUp.provider == "stripe"))
    if topup is None and (reference := (refund.get("metadata") or {}).get("topup_reference")):
        topup = db.session.scalar(select(TopUp).where(TopUp.reference == reference, TopUp.provider == "stripe"))
        if topup is not None and (topup.refund_id not in (None, refund.get("id")) or refund.get("payment_intent") != topup.payment_intent):
            topup = None  # names our top-up but is not its refund
    if topup is None:
        _suspicious(event, None, now)
        return "unmatched"
    current_app.logger.warning("Stripe refund %s of top-up %s failed: %s", refund.get("id"), topup.id, refund.get("failure_reason"))
    return wallet.refund_failed(topup, event=event, now=now)


def _topup_of(session: dict) -> TopUp | None:
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("topup_reference")
    if not reference:
        return None
    return db.session.scalar(select(TopUp).where(TopUp.reference == reference, TopUp.provider == "stripe"))


def _matches(topup: TopUp, session: dict) -> bool:
    """The session is the one opened for this top-up, for its amount, in our currency."""
    if topup.checkout_id and session.get("id") != topup.checkout_id:
        return False
    if (session.get("metadata") or {}).get("topup_reference", topup.reference) != topup.reference:
        return False
    if session.get("amount_total") != topup.amount:
        return False
    return (session.get("currency") or "").lower() == current_app.config["CURRENCY"].lower()


def _suspicious(event: ProviderEvent, topup: TopUp | None, now: datetime) -> None:
    current_app.logger.warning("Stripe event %s (%s) matches no top-up of ours; nothing credited", event.id, event.kind)
    if not wallet.note_event(None, event, "unmatched", now):
        return  # a replay: reported the first time
    voice_codes.record(topup.user_id if topup else None, "payment_mismatch",
                       _l("A payment event named no matching top-up (%(event)s); nothing was credited"), now, event=event.id)  # fmt: skip
    db.session.commit()
