"""Seller levels, computed: the figures a seller is judged on (webapp.domain.levels decides), the daily
recomputation for everyone, and the sentences that explain a shortfall (the dashboard and the notification say
the same thing).
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import bindparam, func, select, update

from .. import links
from ..domain import levels as rules
from ..domain.levels import Figures, Level
from ..extensions import db
from ..i18n import DEFAULT as DEFAULT_LANGUAGE
from ..models import Kwork, User
from ..texts import lazy_gettext as _l
from . import card_columns, locking, notifications, ratings

KIND = "level_changed"

# One sentence per criterion a seller falls short of, for the level named: what they have and what it asks for.
SHORT_OF = {
    "completed_orders": _l("Completed orders: %(current)s; %(level)s asks for at least %(needed)s."),
    "completion_rate": _l("Order completion rate: %(current)s%%; %(level)s asks for at least %(needed)s%%."),
    "responsibility": _l("Responsibility rating: %(current)s%%; %(level)s asks for at least %(needed)s%%."),
    "kwork_rating": _l("Kwork rating: %(current)s%% positive; %(level)s asks for at least %(needed)s%%."),
    "tenure_days": _l("Days on Gigsmith: %(current)s; %(level)s asks for at least %(needed)s."),
}
# ... and when the rate cannot be computed yet (nothing finished, nothing reviewed).
UNKNOWN = {
    "completion_rate": _l("Order completion rate: not known yet, no finished orders; %(level)s asks for at least %(needed)s%%."),
    "responsibility": _l("Responsibility rating: not known yet, no finished orders; %(level)s asks for at least %(needed)s%%."),
    "kwork_rating": _l("Kwork rating: not known yet, no finished orders; %(level)s asks for at least %(needed)s%%."),
}
RAISED = _l("Your seller level went up from %(old)s to %(new)s: you meet every criterion of %(new)s.")
LOWERED = _l("Your seller level went down from %(old)s to %(new)s. %(reasons)s")


def shortfall(level: Level, criterion: str, needed: int, current: int | None) -> str:
    """One criterion of `level` not met, as a sentence in the current language."""
    template = UNKNOWN[criterion] if current is None else SHORT_OF[criterion]
    return str(template) % {"level": level.name, "needed": needed, "current": current}


def missing(figures: Figures, level: Level) -> list[str]:
    """What `figures` lack for `level`, one sentence per criterion (empty: every criterion is met)."""
    return [shortfall(level, *gap) for gap in rules.missing_for(figures, level)]


def _kwork_ratings(seller_ids=None) -> dict[int, int]:
    """The seller's kwork rating: the mean of their kworks' ratings (percent positive), rounded down, over the
    kworks that have one. One GROUP BY for everyone (or for the sellers given)."""
    if seller_ids is None:
        rows = db.session.execute(_KWORK_RATINGS)
    else:
        rows = db.session.execute(_SOME_KWORK_RATINGS, {"seller_ids": list(seller_ids)})
    return {seller_id: int(total) // count for seller_id, total, count in rows if count}


# Built once: the seller dashboard runs the second per page (building a SELECT costs about as much as running it).
_KWORK_RATINGS = (
    select(Kwork.seller_id, func.sum(Kwork.rating), func.count(Kwork.rating))
    .where(Kwork.deleted_at.is_(None), Kwork.rating.is_not(None))
    .group_by(Kwork.seller_id)
)  # fmt: skip
_SOME_KWORK_RATINGS = _KWORK_RATINGS.where(Kwork.seller_id.in_(bindparam("seller_ids", expanding=True)))


def _figures(rates: ratings.Figures | None, kwork_rating: int | None, created_at: datetime, now: datetime) -> Figures:
    return Figures(
        completed_orders=rates.completed if rates else 0,
        completion_rate=rates.completion if rates else None,
        responsibility=rates.responsibility if rates else None,
        kwork_rating=kwork_rating,
        tenure_days=max(0, (now - created_at).days),
    )


_UNREAD = object()


def figures_for(user: User, now: datetime, rates: ratings.Figures | None = None, kwork_rating=_UNREAD) -> Figures:
    """One seller's figures as of `now`: a few statements, nothing written. The seller dashboard passes the `rates`
    and the `kwork_rating` (services.kworks.tally, None for none) it read already."""
    rates = rates if rates is not None else ratings.figures(user.id)
    if kwork_rating is _UNREAD:
        kwork_rating = _kwork_ratings([user.id]).get(user.id)
    return _figures(rates, kwork_rating, user.created_at, now)


@dataclass(frozen=True)
class Change:
    user_id: int
    old: str
    new: str


def recompute_all(now: datetime) -> list[Change]:
    """The daily job: every user's level and stored completion rate from their figures as of `now`.

    Set-based: the figures come from a fixed number of aggregate statements (services.ratings.figures_by_seller,
    one GROUP BY over kworks, one read of the users), whatever the number of sellers.
    Guard: the users whose level or completion rate changed are locked (one statement, id order) and compared
    again as read under the lock, so two runs at once change and notify each seller once.
    Effects, in one transaction: one bulk UPDATE of the changed levels (with `level_changed_at = now`), one of the
    changed completion rates, one of those sellers' kworks (their copies seller_rank and seller_completion, which
    the catalog's Best match orders by; services.card_columns), and a `level_changed` notification to each seller whose level changed, saying why
    (up: every criterion met; down: each criterion of the old level they now miss), in their language; their
    e-mails go out as one mail job. Returns the level changes.
    """
    locking.begin_write()
    rates = ratings.figures_by_seller()
    kwork_ratings = _kwork_ratings()
    users = db.session.execute(select(User.id, User.level, User.completion_rate, User.created_at)).all()
    decided: dict[int, tuple[Figures, Level]] = {}
    for user_id, level, completion, created_at in users:
        figures = _figures(rates.get(user_id), kwork_ratings.get(user_id), created_at, now)
        new = rules.level_for(figures)
        if new.code != level or figures.completion_rate != completion:
            decided[user_id] = (figures, new)
    if not decided:
        db.session.commit()
        return []
    locked = locking.lock_all(User, decided)
    changes, level_rows, rate_rows = [], [], []
    for user in locked:
        figures, new = decided[user.id]
        if new.code != user.level:
            changes.append((user, rules.BY_CODE.get(user.level, rules.LEVELS[0]), new, figures))
            level_rows.append({"b_id": user.id, "b_level": new.code})
        if figures.completion_rate != user.completion_rate:
            rate_rows.append({"b_id": user.id, "b_rate": figures.completion_rate})
    table = User.__table__
    if level_rows:
        db.session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(level=bindparam("b_level"), level_changed_at=now),
            level_rows,
        )
    if rate_rows:
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")).values(completion_rate=bindparam("b_rate")), rate_rows)
    if level_rows or rate_rows:
        # Best match reads the copies on their kworks: one UPDATE for the kworks of every seller changed here.
        card_columns.refresh_seller_columns(seller_ids=[row["b_id"] for row in level_rows + rate_rows])
    if changes:
        notifications.notify_many(KIND, links.path("pages.levels"), {user.id: _reason(user, old, new, figures) for user, old, new, figures in changes})
    done = [Change(user.id, old.code, new.code) for user, old, new, _figures in changes]  # read before the commit expires them
    db.session.commit()
    return done


def _reason(user: User, old: Level, new: Level, figures: Figures) -> str:
    """Why the level changed, in the seller's language."""
    with force_locale(user.language or DEFAULT_LANGUAGE):
        if new.rank > old.rank:
            return str(RAISED) % {"old": old.name, "new": new.name}
        return str(LOWERED) % {"old": old.name, "new": new.name, "reasons": " ".join(missing(figures, old))}
