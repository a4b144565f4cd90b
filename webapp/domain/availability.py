"""Availability: a seller's away period (from, until, optional message).

While away, the seller's kworks say when they are back and cannot be ordered. The period ends by itself: a timer
row clears it when `until` passes, and `is_away` compares with now, so pages are right before the timer fires.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..texts import gettext as _
from .errors import FieldIssue, ValidationFailed

MESSAGE_MAX = 300
LONGEST = timedelta(days=366)  # an away period of more than a year is a closed shop, not a holiday
TIMER_KIND = "away_end"
AWAY = "away"  # the timer's for_state


def is_away(away_from: datetime | None, away_until: datetime | None, now: datetime) -> bool:
    """Whether a period [away_from, away_until) covers now (no period: never away)."""
    return away_from is not None and away_until is not None and away_from <= now < away_until


def period(first_day: date | None, back_on: date | None, zone: str, now: datetime) -> tuple[datetime, datetime]:
    """The away period as UTC instants: from the start of `first_day` to the start of `back_on`, both in the
    seller's time zone. Raises ValidationFailed when the dates make no sense."""
    issues = []
    if first_day is None:
        issues.append(FieldIssue("away_from", _("Enter the first day you are away")))
    if back_on is None:
        issues.append(FieldIssue("away_until", _("Enter the day you are back")))
    if issues:
        raise ValidationFailed(issues)
    tz = ZoneInfo(zone)
    start = datetime.combine(first_day, time(), tzinfo=tz)
    end = datetime.combine(back_on, time(), tzinfo=tz)
    if end <= start:
        issues.append(FieldIssue("away_until", _("The day you are back must be after the first day you are away")))
    elif end <= now:
        issues.append(FieldIssue("away_until", _("The day you are back must be in the future")))
    elif end - max(start, now) > LONGEST:
        issues.append(FieldIssue("away_until", _("An away period can last at most a year")))
    if issues:
        raise ValidationFailed(issues)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

