"""A checkout interrupted by a top-up: what the buyer typed is kept for an hour and given back once.

The draft lives in the database, not in Redis or the session: requirements can be far longer than a session
cookie may hold, and a buyer short of money must get their checkout page back even while Redis is gone. Files
are not kept (the page says they need attaching again).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import CheckoutDraft, Kwork, User
from . import begin_write

KEPT_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class Draft:
    tier: str
    quantity: int
    requirements: str
    send_later: bool
    extras: dict[int, int] = field(default_factory=dict)  # {kwork extra id: quantity}


def keep(user: User, kwork: Kwork, draft: Draft, now: datetime) -> None:
    """Keep `draft` for `user` at `kwork`'s checkout until `now` + KEPT_FOR, replacing an earlier one.

    Guards: none (the caller only keeps what its form validated). Side effects: one upsert, so two shortfalls
    submitted at once leave one draft rather than a duplicate-key error; drafts of anyone past their time are
    deleted in the same transaction (the table only ever holds the last hour's). Commits.
    """
    begin_write()
    db.session.execute(delete(CheckoutDraft).where(CheckoutDraft.expires_at <= now))
    values = {"user_id": user.id, "kwork_id": kwork.id, "tier_level": draft.tier, "quantity": draft.quantity,
              "requirements": draft.requirements, "send_later": draft.send_later,
              "extras": {str(extra_id): quantity for extra_id, quantity in draft.extras.items()}, "expires_at": now + KEPT_FOR}  # fmt: skip
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(CheckoutDraft).values(values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[CheckoutDraft.user_id, CheckoutDraft.kwork_id],
        set_={name: statement.excluded[name] for name in values if name not in ("user_id", "kwork_id")},
    ))  # fmt: skip
    db.session.commit()


def take(user: User, kwork: Kwork, now: datetime) -> Draft | None:
    """The draft `user` left at `kwork`'s checkout, unless it is past its time; it is removed either way, so it is
    given back once (a second tab gets the empty form).

    Side effects: when there is one, a DELETE … RETURNING and a commit; otherwise a single read (most checkouts
    have no draft and need no write lock).
    """
    mine = (CheckoutDraft.user_id == user.id, CheckoutDraft.kwork_id == kwork.id)
    if db.session.scalar(select(CheckoutDraft.expires_at).where(*mine)) is None:
        return None
    begin_write()
    row = db.session.execute(
        delete(CheckoutDraft)
        .where(*mine)
        .returning(CheckoutDraft.tier_level, CheckoutDraft.quantity, CheckoutDraft.requirements,
                   CheckoutDraft.send_later, CheckoutDraft.extras, CheckoutDraft.expires_at)  # fmt: skip
    ).first()
    db.session.commit()
    if row is None or row.expires_at <= now:
        return None
    extras = {int(extra_id): quantity for extra_id, quantity in (row.extras or {}).items()}
    return Draft(row.tier_level, row.quantity, row.requirements, row.send_later, extras)
