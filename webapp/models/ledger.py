"""Double-entry ledger. A posting is a set of entries that sums to zero; balances are sums of entries.

`LedgerAccount.balance` caches that sum so a balance check is one row read; only the ledger service changes it,
in the same transaction as the entries, and tests rebuild it from the entries to prove it right.
"""
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"
    # The backstop behind the service's conditional update: no overdraft on accounts that don't allow one.
    __table_args__ = (CheckConstraint("allow_negative OR balance >= 0", name="no_overdraft"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # "wallet:12", "escrow:34", "platform:commission"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units
    # Only the outside world may go below zero: external:topup is where money comes from.
    allow_negative: Mapped[bool] = mapped_column(default=False)


class Posting(db.Model):
    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(String(200), default="")
    # Fingerprint of the movements: replaying a key with different movements is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    entries: Mapped[list["Entry"]] = relationship(back_populates="posting", order_by="Entry.id")


class Entry(db.Model):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("ledger_postings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # positive raises the account's balance

    posting: Mapped[Posting] = relationship(back_populates="entries")
    account: Mapped[LedgerAccount] = relationship()
