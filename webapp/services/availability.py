"""Availability: a seller's away period (rules in webapp.domain.availability).

While away the seller's kworks can't be ordered (orders.checkout_problem, offers.accept). The period ends by itself:
a timer row (kind `away_end`, no order, ref_id the user) clears it when it falls due; pages never wait for it,
because `is_away` compares the period with now.
"""
from datetime import date, datetime

from ..domain import availability as rules
from ..domain.errors import FieldIssue, ValidationFailed
from ..extensions import db
from ..models import User
from ..texts import gettext as _
from . import locking, timers


def is_away(user: User, now: datetime) -> bool:
    """Whether the user's away period covers now."""
    return rules.is_away(user.away_from, user.away_until, now)


def set_away(user: User, first_day: date | None, back_on: date | None, message: str, now: datetime) -> User:
    """Set (or replace) the seller's away period: from the start of `first_day` until the start of `back_on`, in
    the seller's own time zone.

    Guards: both days given, `back_on` after `first_day` and in the future, at most a year (ValidationFailed, on the
    field); the message at most rules.MESSAGE_MAX characters.
    Effects: the period on the user (locked) and a timer row that ends it at `back_on`. A replaced period's timer
    is left to fire: it finds the period no longer due and does nothing.
    """
    message = (message or "").strip()
    if len(message) > rules.MESSAGE_MAX:
        raise ValidationFailed([FieldIssue("away_message", _("Keep the message to %(count)s characters or fewer", count=rules.MESSAGE_MAX))])
    start, end = rules.period(first_day, back_on, user.timezone, now)
    user = locking.lock(User, user.id)
    user.away_from, user.away_until, user.away_message = start, end, message
    timers.schedule_row(rules.TIMER_KIND, user.id, end, for_state=rules.AWAY)
    db.session.commit()
    return user


def end_away(user: User) -> User:
    """The seller is back now: the period is cleared (its timer, when it fires, finds nothing to do)."""
    user = locking.lock(User, user.id)
    user.away_from = user.away_until = None
    user.away_message = ""
    db.session.commit()
    return user


@timers.row_handler(rules.TIMER_KIND)
def _end(due: list, now: datetime) -> int:
    """The away periods are over: cleared (locked in one ordered statement), unless replaced by one that ends later
    or ended already. Returns how many ended."""
    ending = [user for user in locking.lock_all(User, [timer.ref_id for timer in due])
              if user.away_until is not None and user.away_until <= now]  # fmt: skip
    for user in ending:
        user.away_from = user.away_until = None
        user.away_message = ""
    return len(ending)
