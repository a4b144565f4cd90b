"""Moving money: every movement is one balanced posting; nothing else touches a balance.

Concurrency: each account's balance changes by a conditional UPDATE (`balance + amount >= 0` unless the account
may go negative), issued in account-id order. The database evaluates the condition under the row's write lock,
so two postings racing for one wallet can't both pass (PostgreSQL re-checks the row after the first commits;
SQLite serialises writers). A CHECK constraint is the backstop.
"""
import hashlib
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..domain.errors import DomainError
from ..extensions import db
from ..models.accounts import User
from ..models.ledger import Entry, LedgerAccount, Posting
from ..page_cache import ledger_account_scopes

PLATFORM_COMMISSION = "platform:commission"
EXTERNAL_TOPUP = "external:topup"
EXTERNAL_PAYOUT = "external:payout"


class InsufficientFunds(DomainError):
    pass


class IdempotencyConflict(DomainError):
    """The key was already used for different movements."""


@dataclass(frozen=True)
class Movement:
    account_code: str
    amount: int  # minor units; positive raises the balance


def wallet_code(user_id: int) -> str:
    return f"wallet:{user_id}"


def escrow_code(order_id: int) -> str:
    return f"escrow:{order_id}"


def account(code: str, *, user_id: int | None = None) -> LedgerAccount:
    """The account with this code, created on first use.

    Races on creation can't happen in practice: platform and external accounts come with the migrations,
    a wallet is opened with its user, an escrow with its order.
    """
    found = db.session.scalar(select(LedgerAccount).where(LedgerAccount.code == code))
    if found is None:
        found = LedgerAccount(code=code, user_id=user_id, balance=0, allow_negative=code.startswith("external:"))
        db.session.add(found)
        db.session.flush()
    return found


def _accounts(codes: list[str]) -> dict[str, LedgerAccount]:
    """The accounts with these codes by code, in one query, each created on first use like `account`."""
    found = {a.code: a for a in db.session.scalars(select(LedgerAccount).where(LedgerAccount.code.in_(codes)))}
    for code in codes:
        if code not in found:
            found[code] = account(code, user_id=_user_of(code))
    return found


def balance(code: str) -> int:
    return db.session.scalar(select(LedgerAccount.balance).where(LedgerAccount.code == code)) or 0


def _fingerprint(kind: str, movements: list[Movement]) -> str:
    canonical = kind + "|" + ";".join(f"{m.account_code}={m.amount}" for m in sorted(movements, key=lambda m: m.account_code))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _memo_text(memo, movements: list[Movement], params: dict) -> str:
    """The memo as its reader sees it on their wallet page: a message marked with lazy_gettext, %(name)s filled
    from `params`, written in the language of the user whose wallet the posting moves (English if none)."""
    owners = [_user_of(m.account_code) for m in movements]
    owner = next((db.session.get(User, user_id) for user_id in owners if user_id is not None), None)
    with force_locale((owner.language if owner is not None else None) or "en"):
        text = str(memo) % params if params else str(memo)
    return text[:200]


def post(key: str, kind: str, movements: list[Movement], /, memo="", **params) -> Posting:
    """Record one balanced posting inside the caller's transaction (the caller commits).

    `memo` is shown on the wallet page: pass a message marked with lazy_gettext (`_l("Order #%(id)s cancelled")`)
    and its placeholders as keyword arguments (`id=order.id`); it is stored in the wallet owner's language.

    Guards: the amounts sum to zero and none is zero; no account without `allow_negative` drops below zero
    (InsufficientFunds); a key already used returns its first posting when the movements match and raises
    IdempotencyConflict when they don't.
    """
    if sum(m.amount for m in movements) != 0 or any(m.amount == 0 for m in movements):
        raise ValueError(f"unbalanced or empty movement in posting {key!r}")
    fingerprint = _fingerprint(kind, movements)
    existing = db.session.scalar(select(Posting).where(Posting.idempotency_key == key))
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict(f"Posting {key} was already made with other amounts")
        return existing

    accounts = _accounts([m.account_code for m in movements])
    posting = Posting(idempotency_key=key, kind=kind, memo=_memo_text(memo, movements, params), fingerprint=fingerprint)
    db.session.add(posting)
    db.session.flush()
    ordered = sorted(movements, key=lambda m: accounts[m.account_code].id)  # one lock order for every posting
    for movement in ordered:
        changed = db.session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.id == accounts[movement.account_code].id)
            .where(LedgerAccount.allow_negative | (LedgerAccount.balance + movement.amount >= 0))
            .values(balance=LedgerAccount.balance + movement.amount)
            .execution_options(synchronize_session=False, changes=ledger_account_scopes(accounts[movement.account_code]))
        ).rowcount
        if changed != 1:
            raise InsufficientFunds(_("There is not enough money in the balance"))
    # Added after the updates so that one flush writes them together.
    db.session.add_all(Entry(posting_id=posting.id, account_id=accounts[m.account_code].id, amount=m.amount) for m in ordered)
    db.session.flush()
    for target in accounts.values():
        db.session.expire(target, ["balance"])
    return posting


def _user_of(code: str) -> int | None:
    prefix, _, ident = code.partition(":")
    return int(ident) if prefix == "wallet" else None


def wallet_history(user_id: int, limit: int = 50) -> list[tuple[Posting, int]]:
    """The user's postings, newest first, each with the amount it moved on their wallet."""
    rows = db.session.execute(
        select(Posting, Entry.amount)
        .join(Entry, Entry.posting_id == Posting.id)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(LedgerAccount.code == wallet_code(user_id))
        .order_by(Posting.id.desc())
        .limit(limit)
    ).all()
    return [(posting, amount) for posting, amount in rows]


def entry_sums() -> dict[int, int]:
    """Each account's balance recomputed from its entries (for invariant checks)."""
    return dict(db.session.execute(select(Entry.account_id, func.sum(Entry.amount)).group_by(Entry.account_id)).all())
