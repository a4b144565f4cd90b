"""Moving money: every movement is one balanced posting; nothing else touches a balance.

Concurrency: each account's balance changes by a conditional UPDATE (`balance + amount >= 0` unless the account
may go negative), issued in account-id order. The database evaluates the condition under the row's write lock,
so two postings racing for one wallet can't both pass (PostgreSQL re-checks the row after the first commits;
SQLite serialises writers). A CHECK constraint is the backstop.
"""
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import bindparam, func, select, update

from ..domain.errors import DomainError
from ..extensions import db
from ..models.accounts import User
from ..models.ledger import Entry, LedgerAccount, Posting
from ..texts import gettext as _
from . import bulk
from .locking import expire_loaded

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


def _fingerprints(transfers: list["Transfer"]) -> dict[str, str]:
    """Each transfer's fingerprint by key, after checking it balanced and with no zero amount (ValueError);
    a key asked for twice with other amounts raises IdempotencyConflict."""
    fingerprints: dict[str, str] = {}
    for transfer in transfers:
        if sum(m.amount for m in transfer.movements) != 0 or any(m.amount == 0 for m in transfer.movements):
            raise ValueError(f"unbalanced or empty movement in posting {transfer.key!r}")
        fingerprint = _fingerprint(transfer.kind, transfer.movements)
        if fingerprints.setdefault(transfer.key, fingerprint) != fingerprint:
            raise IdempotencyConflict(f"Posting {transfer.key} was asked for twice with other amounts")
    return fingerprints


def _check_made(fingerprints: dict[str, str], made: dict[str, str]) -> None:
    """Raise IdempotencyConflict when a posting already made (`made`: key → its fingerprint) moved other amounts
    than the one asked for now under its key."""
    for key, fingerprint in made.items():
        if fingerprint != fingerprints[key]:
            raise IdempotencyConflict(f"Posting {key} was already made with other amounts")


@dataclass(frozen=True)
class Transfer:
    """One posting to make: what `post` takes, for `post_many`."""

    key: str
    kind: str
    movements: list[Movement]
    memo: Any = ""
    params: dict = field(default_factory=dict)


def post(key: str, kind: str, movements: list[Movement], /, memo="", **params) -> Posting:
    """Record one balanced posting inside the caller's transaction (the caller commits).

    `memo` is shown on the wallet page: pass a message marked with lazy_gettext (`_l("Order #%(id)s cancelled")`)
    and its placeholders as keyword arguments (`id=order.id`); it is stored in the wallet owner's language.

    Guards: the amounts sum to zero and none is zero; no account without `allow_negative` drops below zero
    (InsufficientFunds); a key already used returns its first posting when the movements match and raises
    IdempotencyConflict when they don't.
    """
    return post_many([Transfer(key, kind, movements, memo, params)])[0]


def post_many(transfers: list[Transfer]) -> list[Posting]:
    """Record several postings as `post` does each, with a fixed number of statements however many there are,
    returning them as ORM objects (a timer batch, which needs none back, uses the lighter `post_all`). Either all
    are made or, on an error, none (the caller rolls back). The balance guard applies to each account's balance
    after all of them."""
    fingerprints = _fingerprints(transfers)
    made = {p.idempotency_key: p for p in db.session.scalars(select(Posting).where(Posting.idempotency_key.in_(fingerprints)))}
    _check_made(fingerprints, {key: posting.fingerprint for key, posting in made.items()})
    new = [t for t in {t.key: t for t in transfers}.values() if t.key not in made]  # a key twice: made once
    if not new:
        return [made[t.key] for t in transfers]

    accounts = _accounts(sorted({m.account_code for t in new for m in t.movements}))
    owners = {_user_of(m.account_code) for t in new for m in t.movements} - {None}
    if owners:
        db.session.scalars(select(User).where(User.id.in_(owners))).all()  # the memos' languages, in one query
    for transfer in new:
        made[transfer.key] = Posting(idempotency_key=transfer.key, kind=transfer.kind, fingerprint=fingerprints[transfer.key],
                                     memo=_memo_text(transfer.memo, transfer.movements, transfer.params))  # fmt: skip
    db.session.add_all(made[t.key] for t in new)
    db.session.flush()

    change = defaultdict(int)
    for movement in (m for t in new for m in t.movements):
        change[accounts[movement.account_code]] += movement.amount
    moved = sorted((target for target, amount in change.items() if amount), key=lambda target: target.id)  # one lock order
    if moved:
        updated = db.session.execute(
            update(LedgerAccount.__table__)
            .where(LedgerAccount.id == bindparam("account_id"))
            .where(LedgerAccount.allow_negative | (LedgerAccount.balance + bindparam("amount") >= 0))
            .values(balance=LedgerAccount.balance + bindparam("amount")),
            [{"account_id": target.id, "amount": change[target]} for target in moved],
        ).rowcount
        if updated != len(moved):
            raise InsufficientFunds(_("There is not enough money in the balance"))
    # Added after the updates so that one flush writes them together.
    db.session.add_all(
        Entry(posting_id=made[t.key].id, account_id=accounts[m.account_code].id, amount=m.amount)
        for t in new
        for m in sorted(t.movements, key=lambda m: accounts[m.account_code].id)
    )
    db.session.flush()
    for target in accounts.values():
        db.session.expire(target, ["balance"])
    return [made[t.key] for t in transfers]


def post_all(transfers: list[Transfer]) -> None:
    """`post_many` for a timer batch: the same guards and the same rows, written as set-based statements (no ORM
    object per posting or entry), a fixed number however many transfers: the postings already made, the accounts,
    the memo owners' languages, one INSERT of the postings, one conditional UPDATE of the balances (executemany,
    in account-id order), one INSERT of the entries. Every transfer is checked balanced in Python before anything
    is written; a key already made is skipped when its movements match (so a timer fired again posts nothing) and
    raises IdempotencyConflict when they don't. Returns nothing: the caller rolls back on any error."""
    fingerprints = _fingerprints(transfers)
    if not fingerprints:
        return
    made = dict(db.session.execute(select(Posting.idempotency_key, Posting.fingerprint).where(bulk.among(Posting.idempotency_key, fingerprints))).all())
    _check_made(fingerprints, made)
    new = [t for t in {t.key: t for t in transfers}.values() if t.key not in made]  # a key twice: made once
    if not new:
        return
    codes = sorted({m.account_code for t in new for m in t.movements})
    accounts = dict(db.session.execute(select(LedgerAccount.code, LedgerAccount.id).where(bulk.among(LedgerAccount.code, codes))).all())
    for code in codes:
        if code not in accounts:  # first use (the platform's commission on a fresh database)
            accounts[code] = account(code, user_id=_user_of(code)).id
    owner_of = {t.key: next((u for u in map(_user_of, (m.account_code for m in t.movements)) if u is not None), None) for t in new}
    owners = set(owner_of.values()) - {None}
    languages = dict(db.session.execute(select(User.id, User.language).where(bulk.among(User.id, owners))).all()) if owners else {}
    by_language: dict[str, list[Transfer]] = defaultdict(list)
    for transfer in new:
        by_language[languages.get(owner_of[transfer.key]) or "en"].append(transfer)
    memos = {}
    for language, of_language in by_language.items():  # one locale switch per language, not per posting
        with force_locale(language):
            # A memo object shared by many transfers (a batch's one lazy string) is translated once per language.
            texts: dict[int, str] = {}
            for transfer in of_language:
                if (text := texts.get(id(transfer.memo))) is None:
                    text = texts[id(transfer.memo)] = str(transfer.memo)
                memos[transfer.key] = (text % transfer.params if transfer.params else text)[:200]
    postings = Posting.__table__
    ids = dict(bulk.insert_rows(
        postings, [{"idempotency_key": t.key, "kind": t.kind, "fingerprint": fingerprints[t.key], "memo": memos[t.key]} for t in new],
        returning=(postings.c.idempotency_key, postings.c.id),
    ).all())  # fmt: skip

    change = defaultdict(int)
    for movement in (m for t in new for m in t.movements):
        change[accounts[movement.account_code]] += movement.amount
    moved = sorted(account_id for account_id, amount in change.items() if amount)  # one lock order
    if moved:
        updated = db.session.execute(
            update(LedgerAccount.__table__)
            .where(LedgerAccount.id == bindparam("account_id"))
            .where(LedgerAccount.allow_negative | (LedgerAccount.balance + bindparam("amount") >= 0))
            .values(balance=LedgerAccount.balance + bindparam("amount")),
            [{"account_id": account_id, "amount": change[account_id]} for account_id in moved],
        ).rowcount
        if updated != len(moved):
            raise InsufficientFunds(_("There is not enough money in the balance"))
    bulk.insert_rows(Entry.__table__, [
        {"posting_id": ids[t.key], "account_id": accounts[m.account_code], "amount": m.amount}
        for t in new for m in sorted(t.movements, key=lambda m: accounts[m.account_code])
    ])  # fmt: skip
    expire_loaded(LedgerAccount, change, ["balance"])  # an account loaded before (a wallet page's user) reads its new balance again


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
