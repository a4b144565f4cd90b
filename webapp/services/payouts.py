"""Payout details (cards, e-wallets) changed only after a voice-code call, and withdrawals to them.

A card number is checked (Luhn) and then kept only as brand + last four digits + a token placeholder: the full
number never reaches the database or the logs. Adding or removing a detail is a pending change until the code
spoken to the seller's confirmed phone is entered; after any confirmed change withdrawals wait 24 hours.
"""
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import format_number
from sqlalchemy import select

from .. import links
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import PayoutChange, PayoutDetail, User, VoiceCode, Withdrawal
from ..queue import after_commit
from ..texts import gettext as _
from ..texts import lazy_gettext as _l
from . import email_verification, ledger, locking, notifications, voice_codes

HOLD_AFTER_CHANGE = timedelta(hours=24)
MIN_WITHDRAWAL = 100  # whole units

# provider code → (name, account id pattern, example)
E_WALLETS = {
    "yoomoney": ("YooMoney", re.compile(r"^4100\d{8,12}$"), "410011234567890"),
    "webmoney": ("WebMoney", re.compile(r"^[ZE]\d{12}$"), "Z123456789012"),
    "paypal": ("PayPal", re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I), "name@example.com"),
}


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits.startswith("4"):
        return "Visa"
    if 2200 <= int(digits[:4]) <= 2204:
        return "Mir"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "Mastercard"
    if digits[:2] in ("34", "37"):
        return "American Express"
    return "Card"


def detail_label(detail: PayoutDetail):
    """The detail's name as people read it ("Visa card ending 1111"), in the language of wherever it is shown:
    a lazy string, so a notification or a memo renders it in its reader's language."""
    if detail.kind == "card":
        return _l("%(brand)s card ending %(last4)s", brand=detail.brand, last4=detail.last4)
    return detail.label


def _needs_confirmed_phone(user: User) -> None:
    if user.phone_verified_at is None or not user.phone:
        raise DomainError(_("Confirm your phone number first: payout changes are confirmed by a call to it"))


def _locked_seller(user: User) -> User:
    """Begin a unit of work holding the user's row lock: one payout change, code or withdrawal of theirs at a time,
    each decided on what the lock read (the phone, the pending change, the hold)."""
    user = locking.lock(User, user.id)
    email_verification.require_verified_email(user)
    _needs_confirmed_phone(user)
    return user


def _start_change(user: User, action: str, detail: PayoutDetail, now: datetime) -> PayoutChange:
    """With the user locked: the change waits for a code; an older pending change and its code stop working. The
    call is queued in the same transaction; if a limit refuses it, the change is kept and CallLimited raised, and
    the user asks for the call later (`request_code_call`)."""
    db.session.execute(
        PayoutChange.__table__.update()
        .where(PayoutChange.user_id == user.id, PayoutChange.status == "pending")
        .values(status="cancelled")
    )
    voice_codes.cancel_codes(user, "payout")
    change = PayoutChange(user_id=user.id, action=action, detail=detail, created_at=now)
    db.session.add(change)
    db.session.flush()
    asked = _l("Asked to add %(detail)s") if action == "add" else _l("Asked to remove %(detail)s")
    voice_codes.record(user.id, "payout_change_requested", asked, now, detail=detail_label(detail))
    try:
        voice_codes.queue_call(user, user.phone, "payout", voice_codes.page_language(), now, payout_change_id=change.id)
    finally:
        db.session.commit()
    return change


def request_code_call(user: User, now: datetime) -> VoiceCode:
    """Another code call for the pending payout change, to the confirmed phone (CallLimited inside the limits)."""
    user = _locked_seller(user)
    change = pending_change(user)
    if change is None:
        raise DomainError(_("There is no payout change waiting for a code"))
    try:
        code = voice_codes.queue_call(user, user.phone, "payout", voice_codes.page_language(), now, payout_change_id=change.id)
    finally:
        db.session.commit()
    return code


def add_card(user: User, number: str, now: datetime) -> PayoutChange:
    user = _locked_seller(user)
    digits = re.sub(r"[\s-]", "", number or "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        raise ValidationFailed([FieldIssue("card_number", _("Enter a valid card number, like %(example)s", example="4111 1111 1111 1111"))])
    detail = PayoutDetail(user_id=user.id, kind="card", brand=card_brand(digits), last4=digits[-4:],
                          token=f"tok_sandbox_{secrets.token_hex(8)}", status="pending", created_at=now)  # fmt: skip
    db.session.add(detail)
    return _start_change(user, "add", detail, now)


def add_ewallet(user: User, provider: str, account_id: str, now: datetime) -> PayoutChange:
    user = _locked_seller(user)
    if provider not in E_WALLETS:
        raise ValidationFailed([FieldIssue("provider", _("Select an e-wallet provider"))])
    name, pattern, example = E_WALLETS[provider]
    account_id = (account_id or "").strip()
    if not pattern.match(account_id):
        raise ValidationFailed([FieldIssue("account_id", _("Enter a %(provider)s account like %(example)s", provider=name, example=example))])
    detail = PayoutDetail(user_id=user.id, kind="ewallet", brand=name, account_id=account_id, status="pending", created_at=now)
    db.session.add(detail)
    return _start_change(user, "add", detail, now)


def remove(user: User, detail_id: int, now: datetime) -> PayoutChange:
    user = _locked_seller(user)
    detail = db.session.get(PayoutDetail, detail_id)
    if detail is None or detail.user_id != user.id or detail.status != "active":
        raise DomainError(_("Payout detail not found"))
    return _start_change(user, "remove", detail, now)


def pending_change(user: User) -> PayoutChange | None:
    return db.session.scalar(
        select(PayoutChange).where(PayoutChange.user_id == user.id, PayoutChange.status == "pending").order_by(PayoutChange.id.desc())
    )


def active_details(user: User) -> list[PayoutDetail]:
    return list(db.session.scalars(select(PayoutDetail).where(PayoutDetail.user_id == user.id, PayoutDetail.status == "active")))


def confirm(user: User, code: str, now: datetime) -> PayoutChange:
    """Enter the spoken code: the pending change takes effect and withdrawals are held for 24 hours.

    Guards: the code was issued for this very change (a newer change cancelled older codes); 10 minutes; 5
    attempts in all, counted atomically. Too many wrong codes cancel the pending change as well as the code.
    """
    user = locking.lock(User, user.id)
    change = pending_change(user)
    if change is None:
        raise ValidationFailed([FieldIssue("code", _("There is no payout change waiting for a code"))])
    try:
        voice_codes.check_code(user, "payout", code, now, payout_change_id=change.id)
    except voice_codes.CodeLocked:
        change.status = "cancelled"
        voice_codes.record(user.id, "payout_change_cancelled", _l("Too many wrong codes: %(detail)s was not changed"), now,
                           detail=detail_label(change.detail))
        db.session.commit()
        raise
    except ValidationFailed:
        db.session.commit()  # the attempt counts
        raise
    change.status, change.confirmed_at = "confirmed", now
    if change.action == "add":
        change.detail.status, change.detail.activated_at = "active", now
    else:
        change.detail.status = "removed"
    user.payouts_held_until = now + HOLD_AFTER_CHANGE
    added = change.action == "add"
    voice_codes.record(user.id, "payout_change_confirmed",
                       _l("Payout change confirmed: add %(detail)s") if added else _l("Payout change confirmed: remove %(detail)s"),
                       now, detail=detail_label(change.detail))  # fmt: skip
    notifications.notify(user.id, "payout_change",
                         _l("Your payout details changed: added %(detail)s.") if added else _l("Your payout details changed: removed %(detail)s."),
                         links.path("account.payout_details"), detail=detail_label(change.detail))  # fmt: skip
    db.session.commit()
    return change


def withdraw(user: User, detail_id: int | None, amount_units: int | None, now: datetime) -> Withdrawal:
    """Move available money from the wallet to a confirmed payout detail (paid out by an RQ job).

    Guards, read under the user's lock (two withdrawals at once are decided one after the other): the detail is
    the user's and active; no hold after a payout change; the amount is at least MIN_WITHDRAWAL and within the
    balance (the ledger refuses an overdraft whatever else moves the wallet meanwhile).
    """
    user = locking.lock(User, user.id)
    email_verification.require_verified_email(user)
    detail = db.session.get(PayoutDetail, detail_id) if detail_id else None
    if detail is None or detail.user_id != user.id or detail.status != "active":
        raise ValidationFailed([FieldIssue("detail_id", _("Select where to send the money"))])
    if user.payouts_held_until is not None and now < user.payouts_held_until:
        raise HeldUntil(user.payouts_held_until)
    available = ledger.balance(ledger.wallet_code(user.id))

    def out_of_range():
        return ValidationFailed([FieldIssue("amount", _("Enter an amount from %(min)s to your available balance, %(max)s",
                                                        min=MIN_WITHDRAWAL, max=format_number(available // 100)))])  # fmt: skip

    if amount_units is None or amount_units < MIN_WITHDRAWAL or amount_units * 100 > available:
        raise out_of_range()
    withdrawal = Withdrawal(user_id=user.id, detail=detail, amount=amount_units * 100, created_at=now)
    db.session.add(withdrawal)
    db.session.flush()
    try:
        ledger.post(
            f"withdrawal-{withdrawal.id}",
            "withdrawal",
            [ledger.Movement(ledger.wallet_code(user.id), -withdrawal.amount), ledger.Movement(ledger.EXTERNAL_PAYOUT, withdrawal.amount)],
            memo=_l("Withdrawal to %(detail)s"),
            detail=detail_label(detail),
        )
    except ledger.InsufficientFunds:
        raise out_of_range() from None  # an order paid from the wallet in the same instant took the money first
    after_commit(db.session(), "jobs.payouts.settle_withdrawal", withdrawal.id)
    db.session.commit()
    return withdrawal


class HeldUntil(DomainError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(_("Withdrawals are on hold for 24 hours after a change to your payout details"))


def settle_withdrawal(withdrawal_id: int, now: datetime) -> Withdrawal | None:
    """The sandbox payout provider's answer: paid, except accounts ending in 0000, which it refuses (then the
    money goes back to the wallet)."""
    withdrawal = locking.lock(Withdrawal, withdrawal_id)
    if withdrawal is None or withdrawal.status != "requested":
        db.session.rollback()
        return None
    detail = withdrawal.detail
    refused = (detail.last4 or detail.account_id).endswith("0000")
    withdrawal.status, withdrawal.settled_at = ("failed" if refused else "paid"), now
    if refused:
        ledger.post(
            f"withdrawal-{withdrawal.id}-refund",
            "withdrawal_refund",
            [ledger.Movement(ledger.EXTERNAL_PAYOUT, -withdrawal.amount), ledger.Movement(ledger.wallet_code(withdrawal.user_id), withdrawal.amount)],
            memo=_l("Withdrawal to %(detail)s failed: returned"),
            detail=detail_label(detail),
        )
    db.session.commit()
    return withdrawal


def withdrawals(user: User) -> list[Withdrawal]:
    return list(db.session.scalars(select(Withdrawal).where(Withdrawal.user_id == user.id).order_by(Withdrawal.id.desc())))
