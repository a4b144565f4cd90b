"""A user's wallet: top-ups through the payment provider, refunds of unspent top-ups, balance and history.

A top-up is credited only by its provider's word: the sandbox page's *Pay* in the demo, a verified Stripe webhook
in production (services/stripe_events.py). Every provider event that acts is recorded as a PaymentEvent in the
transaction that acts, after the top-up's row lock, so an event delivered twice (or twice at once) acts once.
"""
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import format_number
from sqlalchemy import select

from ..adapters import payments
from ..adapters.payments import ProviderEvent
from ..clock import now as clock_now
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Entry, LedgerAccount, PaymentEvent, Posting, TopUp, User
from .. import links
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import begin_write, ledger, locking

MIN_TOPUP, MAX_TOPUP = 100, 500_000  # whole currency units


class PaymentUnavailable(DomainError):
    """The provider could not be reached or refused the request; nothing was charged or moved."""


def _lock(topup: TopUp) -> TopUp:
    """Pay and Decline pressed at once (two tabs), or two webhooks at once, are answered one after the other, each
    on what its lock read."""
    locked = locking.lock(TopUp, topup.id)
    if locked is None:
        raise DomainError(_("Payment not found"))
    return locked


def start_topup(user: User, amount_units: int | None) -> TopUp:
    """A pending top-up of `amount_units` whole units with the configured provider, whose page confirms or
    declines it."""
    begin_write()
    if amount_units is None or not MIN_TOPUP <= amount_units <= MAX_TOPUP:
        raise ValidationFailed([FieldIssue("amount", _("Enter an amount between %(min)s and %(max)s", min=format_number(MIN_TOPUP), max=format_number(MAX_TOPUP)))])
    topup = TopUp(user_id=user.id, amount=amount_units * 100, reference=secrets.token_urlsafe(24), status="pending",
                  provider=payments.provider().name)  # fmt: skip
    db.session.add(topup)
    db.session.commit()
    return topup


def open_checkout(topup: TopUp, *, email: str, locale: str, return_to: str | None = None) -> str:
    """The address of the provider's payment page for a pending top-up; the provider's id for it is kept with the
    top-up. Raises PaymentUnavailable when the provider can't be reached (nothing was charged)."""
    try:
        checkout = payments.provider(topup.provider).checkout(topup, email=email, locale=locale, return_to=return_to)
    except payments.ProviderUnavailable as error:
        current_app.logger.warning("Stripe refused a checkout session for top-up %s: %s", topup.id, error)
        raise PaymentUnavailable(_("The payment service could not be reached. Nothing was charged. Try again in a few minutes.")) from None
    if checkout.checkout_id:
        locked = _lock(topup)
        locked.checkout_id = checkout.checkout_id
        db.session.commit()
    return checkout.url


def pending_topup(user: User, reference: str) -> TopUp:
    topup = db.session.scalar(select(TopUp).where(TopUp.reference == reference, TopUp.user_id == user.id))
    if topup is None:
        raise DomainError("Payment not found")
    return topup


def _seen(event: ProviderEvent | None) -> bool:
    if event is None:
        return False
    found = db.session.scalar(select(PaymentEvent.id).where(PaymentEvent.provider == event.provider, PaymentEvent.event_id == event.id))
    return found is not None


def _record(event: ProviderEvent | None, topup: TopUp | None, outcome: str, now: datetime | None) -> None:
    if event is not None:
        db.session.add(PaymentEvent(provider=event.provider, event_id=event.id, kind=event.kind, outcome=outcome,
                                    topup_id=topup.id if topup else None, received_at=now or clock_now()))  # fmt: skip


def confirm_topup(topup: TopUp, *, event: ProviderEvent | None = None, payment_intent: str | None = None,
                  now: datetime | None = None) -> TopUp:  # fmt: skip
    """The provider says the money arrived: credit the wallet once, however often and in whatever order this is
    called.

    Decided on the top-up's row as locked. Guards: an event already recorded does nothing; a declined top-up is
    never credited (DomainError; the event is recorded as refused). Effects: one `topup-<reference>` posting,
    status `paid`, the PaymentIntent kept for refunds, and the event recorded, all in one transaction.
    """
    topup = _lock(topup)
    if _seen(event):
        db.session.rollback()
        return topup
    if topup.status == "declined":
        _record(event, topup, "refused", now)
        db.session.commit()
        raise DomainError(_("This payment was declined"))
    if topup.status == "paid":
        if event is None:
            db.session.rollback()
        else:
            _record(event, topup, "ignored", now)
            db.session.commit()
        return topup
    ledger.post(
        f"topup-{topup.reference}",
        "topup",
        [ledger.Movement(ledger.EXTERNAL_TOPUP, -topup.amount), ledger.Movement(ledger.wallet_code(topup.user_id), topup.amount)],
        memo=_l("Balance top-up"),
    )
    topup.status = "paid"
    topup.payment_intent = payment_intent or topup.payment_intent
    _record(event, topup, "credited", now)
    db.session.commit()
    return topup


def decline_topup(topup: TopUp, *, event: ProviderEvent | None = None, now: datetime | None = None) -> TopUp:
    """The provider says the payment failed or can no longer be made. Decided on the locked row. Guards: an event
    already recorded does nothing; a paid top-up is never declined afterwards (DomainError; the event is recorded as
    ignored)."""
    topup = _lock(topup)
    if _seen(event):
        db.session.rollback()
        return topup
    if topup.status == "paid":
        _record(event, topup, "ignored", now)
        db.session.commit()
        raise DomainError(_("This payment has already gone through"))
    outcome = "declined" if topup.status == "pending" else "ignored"
    topup.status = "declined"
    _record(event, topup, outcome, now)
    db.session.commit()
    return topup


def note_event(topup: TopUp | None, event: ProviderEvent, outcome: str, now: datetime | None = None) -> bool:
    """Record a verified event that changes nothing (a payment still on its way, or one naming no top-up of ours),
    once; returns False when it was recorded before."""
    if topup is not None:
        topup = _lock(topup)
    else:
        begin_write()
    new = not _seen(event)
    if new:
        _record(event, topup, outcome, now)
    db.session.commit()
    return new


# Refunds -------------------------------------------------------------------------------------------------------


def _returned_pair(key: str, keys: set[str]) -> bool:
    """Whether posting `key` and its counterpart both moved the wallet: an order paid and refunded on cancellation,
    a withdrawal made and returned. Such a pair brings the same money back, so it never spent a top-up."""
    if key.startswith("order-") and key.endswith("-payment"):
        return key.removesuffix("-payment") + "-refund" in keys
    if key.startswith("order-") and key.endswith("-refund"):
        return key.removesuffix("-refund") + "-payment" in keys
    if key.startswith("withdrawal-"):
        return (key.removesuffix("-refund") if key.endswith("-refund") else key + "-refund") in keys
    return False


def unspent(topup: TopUp) -> int:
    """How much of this paid top-up is provably still in its owner's wallet (minor units); 0 once refunded.

    The wallet's lowest balance since the top-up was credited bounds what of it can be left, whatever was spent
    first: money spent and then earned back (a sale) is earnings, which leave by a withdrawal, not to the card. An
    order that was cancelled and refunded, or a withdrawal that came back, spent nothing and is left out.
    """
    if topup.status != "paid" or topup.refunded_at is not None:
        return 0  # refunded, or a refund on its way
    wallet = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == ledger.wallet_code(topup.user_id)))
    credited = db.session.scalar(select(Posting.id).where(Posting.idempotency_key == f"topup-{topup.reference}"))
    if wallet is None or credited is None:
        return 0
    since = db.session.execute(
        select(Posting.idempotency_key, Entry.amount).join(Entry, Entry.posting_id == Posting.id)
        .where(Entry.account_id == wallet.id, Posting.id > credited).order_by(Posting.id)
    ).all()  # fmt: skip
    keys = {key for key, _amount in since}
    balance = wallet.balance - sum(amount for _key, amount in since)  # right after the top-up was credited
    lowest = balance
    for key, amount in since:
        if not _returned_pair(key, keys):
            balance += amount
            lowest = min(lowest, balance)
    return max(0, min(topup.amount - topup.refunded_amount, lowest, wallet.balance))


def refundable_topups(user: User) -> list[tuple[TopUp, int]]:
    """The user's paid top-ups that can be refunded, newest first, with the amount: what is left of those not yet
    refunded, and the amount of a refund already taken from the balance whose provider call has not gone through."""
    paid = db.session.scalars(
        select(TopUp).where(TopUp.user_id == user.id, TopUp.status == "paid", TopUp.refund_id.is_(None)).order_by(TopUp.id.desc()).limit(20)
    )
    found = []
    for topup in paid:
        amount = topup.refunded_amount if _in_flight(topup) else unspent(topup)
        if amount > 0:
            found.append((topup, amount))
    return found


def _in_flight(topup: TopUp) -> bool:
    """Taken from the balance, not yet confirmed by the provider (the call failed on the way, or never returned)."""
    return topup.refunded_at is not None and topup.refund_id is None and topup.refunded_amount > 0


class RefundRefused(DomainError):
    """The provider refused the refund; the money is back in the balance."""


def refund_topup(user: User, topup_id: int, now: datetime) -> TopUp:
    """Send what is left of one of the user's top-ups back to the card it came from, once.

    Two steps, so no lock is held while the provider is called:
    1. On the top-up's row as locked: it is the user's, paid and not refunded; what is left of it (`unspent`) moves
       wallet → external:topup (`topup-<reference>-refund`, the ledger's conditional update refusing it if a
       checkout spent the money meanwhile) and is noted on the top-up; committed.
    2. The provider refunds it (one idempotency key per top-up, so a repeated call never refunds twice) and the
       refund id is noted. If the call does not get through, the refund stays taken and a second press retries it
       (PaymentUnavailable); if the provider refuses it, a reversing posting puts the money back in the balance and
       the top-up is closed for refunds (RefundRefused).
    """
    topup = locking.lock(TopUp, topup_id)
    if topup is None or topup.user_id != user.id or topup.status != "paid":
        db.session.rollback()
        raise DomainError(_("Payment not found"))
    if not _in_flight(topup):
        if topup.refunded_at is not None:
            db.session.rollback()
            raise DomainError(_("This top-up has already been refunded"))
        amount = unspent(topup)
        try:
            if amount <= 0:
                raise ledger.InsufficientFunds(_("There is not enough money in the balance"))
            ledger.post(
                f"topup-{topup.reference}-refund",
                "topup_refund",
                [ledger.Movement(ledger.wallet_code(user.id), -amount), ledger.Movement(ledger.EXTERNAL_TOPUP, amount)],
                memo=_l("Top-up refunded to your card"),
            )
        except ledger.InsufficientFunds:
            db.session.rollback()
            raise DomainError(_("Nothing of this top-up is left in your balance to refund")) from None
        topup.refunded_amount, topup.refunded_at = amount, now
        db.session.commit()
    return _send_refund(topup)


def _send_refund(topup: TopUp) -> TopUp:
    try:
        refund_id = payments.provider(topup.provider).refund(topup, topup.refunded_amount)
    except payments.ProviderRefused as error:  # refused for good: the charge was disputed, refunded elsewhere…
        current_app.logger.warning("Stripe refused the refund of top-up %s: %s", topup.id, error)
        topup = _lock(topup)
        if not _in_flight(topup):  # a press at the same moment settled it already
            db.session.rollback()
            return topup
        ledger.post(
            f"topup-{topup.reference}-refund-returned",
            "refund_returned",
            [ledger.Movement(ledger.EXTERNAL_TOPUP, -topup.refunded_amount), ledger.Movement(ledger.wallet_code(topup.user_id), topup.refunded_amount)],
            memo=_l("Refund to your card refused: returned to your balance"),
        )
        topup.refunded_amount = 0  # closed for refunds: refunded_at stays
        db.session.commit()
        raise RefundRefused(_("The payment service refused the refund, so the money is back in your balance. Contact support to have it sent another way.")) from None
    except payments.ProviderUnavailable as error:  # unreachable, busy, or asked twice at once: it may have gone through
        current_app.logger.warning("Stripe did not answer the refund of top-up %s: %s", topup.id, error)
        raise PaymentUnavailable(_("The payment service could not be reached. Your refund is kept: press the button again in a few minutes.")) from None
    topup = _lock(topup)
    topup.refund_id = refund_id
    db.session.commit()
    return topup


def refund_failed(topup: TopUp, *, event: ProviderEvent, now: datetime) -> str:
    """The provider says a refund it had accepted failed afterwards (Stripe's `refund.failed`: the card was closed,
    the bank sent it back): the money returns to the user's balance.

    Decided on the top-up's row as locked. Guards: an event already recorded does nothing ("ignored"); a refund
    already returned (by an earlier event or a refusal at the call) returns nothing again ("ignored", recorded).
    Effects, in one transaction: one balanced posting `topup-<reference>-refund-returned` (external:topup → wallet,
    the refunded amount; the key also makes a second return impossible), the top-up closed for refunds
    (`refunded_amount` 0, as after a refusal), the event recorded, and a notification to the user. Returns
    "returned" or "ignored"."""
    from . import notifications

    topup = _lock(topup)
    if _seen(event):
        db.session.rollback()
        return "ignored"
    amount = topup.refunded_amount
    if topup.refunded_at is None or amount <= 0:
        _record(event, topup, "ignored", now)
        db.session.commit()
        return "ignored"
    ledger.post(
        f"topup-{topup.reference}-refund-returned",
        "refund_returned",
        [ledger.Movement(ledger.EXTERNAL_TOPUP, -amount), ledger.Movement(ledger.wallet_code(topup.user_id), amount)],
        memo=_l("Refund to your card failed: returned to your balance"),
    )
    topup.refunded_amount = 0  # closed for refunds: refunded_at stays
    _record(event, topup, "refund_returned", now)
    notifications.notify(topup.user_id, "refund_failed",
                         _l("A refund to your card failed at the payment service, so the money is back in your balance. "
                            "Contact support to have it sent another way."), links.path("wallet.index"))  # fmt: skip
    db.session.commit()
    return "returned"


def balance(user: User) -> int:
    return ledger.balance(ledger.wallet_code(user.id))
