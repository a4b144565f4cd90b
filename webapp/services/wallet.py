"""A user's wallet: top-ups through the payment provider, balance and history."""
import secrets

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import TopUp, User
from . import begin_write, ledger, locking

MIN_TOPUP, MAX_TOPUP = 100, 500_000  # whole currency units


def _lock(topup: TopUp) -> TopUp:
    """Pay and Decline pressed at once (two tabs) are answered one after the other, each on what its lock read."""
    locked = locking.lock(TopUp, topup.id)
    if locked is None:
        raise DomainError(_("Payment not found"))
    return locked


def start_topup(user: User, amount_units: int | None) -> TopUp:
    """A pending top-up of `amount_units` whole units; the provider's page confirms or declines it."""
    begin_write()
    if amount_units is None or not MIN_TOPUP <= amount_units <= MAX_TOPUP:
        raise ValidationFailed([FieldIssue("amount", _("Enter an amount between %(min)s and %(max)s", min=format_number(MIN_TOPUP), max=format_number(MAX_TOPUP)))])
    topup = TopUp(user_id=user.id, amount=amount_units * 100, reference=secrets.token_urlsafe(24), status="pending")
    db.session.add(topup)
    db.session.commit()
    return topup


def pending_topup(user: User, reference: str) -> TopUp:
    topup = db.session.scalar(select(TopUp).where(TopUp.reference == reference, TopUp.user_id == user.id))
    if topup is None:
        raise DomainError("Payment not found")
    return topup


def confirm_topup(topup: TopUp) -> TopUp:
    """The provider says the money arrived: credit the wallet once, however often this is called.

    Guards: a declined top-up is never credited. Effects: one `topup-<reference>` posting; status `paid`.
    """
    topup = _lock(topup)
    if topup.status == "declined":
        raise DomainError(_("This payment was declined"))
    if topup.status == "paid":
        db.session.rollback()
        return topup
    ledger.post(
        f"topup-{topup.reference}",
        "topup",
        [ledger.Movement(ledger.EXTERNAL_TOPUP, -topup.amount), ledger.Movement(ledger.wallet_code(topup.user_id), topup.amount)],
        memo=_l("Balance top-up"),
    )
    topup.status = "paid"
    db.session.commit()
    return topup


def decline_topup(topup: TopUp) -> TopUp:
    """The provider says the payment failed. Guards: a paid top-up is never declined afterwards."""
    topup = _lock(topup)
    if topup.status == "paid":
        raise DomainError(_("This payment has already gone through"))
    topup.status = "declined"
    db.session.commit()
    return topup


def balance(user: User) -> int:
    return ledger.balance(ledger.wallet_code(user.id))
