"""Template filters and globals shared by every page."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup

from .domain import cancellations, orders
from .domain.tiers import TIER_NAMES
from .services.disputes import DECISION_LABELS as DISPUTE_DECISION_LABELS
from .forms import error_items


def money(amount: int | None) -> str:
    """Whole currency units as a price: "RUB 1,500". Per-locale formatting arrives with translations."""
    if amount is None:
        return ""
    return format_currency(amount, current_app.config["CURRENCY"], locale="en", format="¤\u00a0#,##0", currency_digits=False)


def money_minor(amount: int | None) -> str:
    """Ledger amounts (minor units): "RUB 1,200", or "RUB 1,200.50" when there are kopecks."""
    if amount is None:
        return ""
    pattern = "¤\u00a0#,##0" if amount % 100 == 0 else "¤\u00a0#,##0.00"
    return format_currency(amount / 100, current_app.config["CURRENCY"], locale="en", format=pattern, currency_digits=False)


def _zone() -> ZoneInfo:
    name = current_user.timezone if current_user and current_user.is_authenticated else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment) -> Markup:
    """A moment in the viewer's time zone, in a <time> element carrying the exact UTC instant."""
    if moment is None:
        return Markup("")
    zone = _zone()
    shown = format_datetime(moment, "d MMM y, HH:mm", tzinfo=zone, locale="en")
    label = moment.astimezone(zone).tzname()
    return Markup('<time datetime="{}">{} {}</time>').format(moment.isoformat(), shown, label)


def time_left(deadline, now) -> str:
    """ "2 days 3 hours left" or "5 hours overdue", to the hour."""
    if deadline is None:
        return ""
    seconds = (deadline - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    d, h = divmod(hours, 24)
    parts = ([f"{d} day{'s' if d != 1 else ''}"] if d else []) + ([f"{h} hour{'s' if h != 1 else ''}"] if h or not d else [])
    if seconds >= 0 and hours == 0:
        return "less than an hour left"
    return " ".join(parts) + (" left" if seconds >= 0 else " overdue")


def days(count: int | None) -> str:
    if count is None:
        return ""
    return f"{format_decimal(count, locale='en')} day{'s' if count != 1 else ''}"


# What a running timer will do, as the order page says it ("{left}" is the time left).
TIMER_LABELS = {
    "auto_complete": "Completes automatically in {left} unless the buyer accepts the work or asks for a revision",
    "cancel_request_deadline": "Cancels automatically in {left} if the cancellation request is not answered",
    "info_deadline": "Cancels automatically in {left} if the buyer does not send the information asked for",
    "extension_deadline": "The extra days are granted automatically in {left} if the buyer does not answer",
    "pause_limit": "The pause ends automatically in {left}",
}

# How an order event reads in the history: "Anna: started work".
EVENT_LABELS = {
    "place": "placed the order",
    "send_requirements": "sent the requirements",
    "start": "started work",
    "deliver": "delivered the work",
    "accept": "accepted the work",
    "request_revision": "asked for a revision",
    "decline_revision": "declined the revision",
    "cancel": "cancelled the order",
    "auto_complete": "completed the order automatically",
    "decline_cancellation": "declined the cancellation request",
    "provide_information": "sent the information asked for",
    "request_extension": "asked for more time",
    "accept_extension": "accepted the extension",
    "decline_extension": "declined the extension",
    "request_pause": "asked to pause the order",
    "accept_pause": "paused the order",
    "decline_pause": "declined the pause",
    "resume": "resumed the order",
    "escalate": "took the cancellation to arbitration",
}

# The moderation area's words for admin actions, review states, request outcomes and dispute decisions.
AUDIT_ACTIONS = {
    "kwork.approve": "approved the kwork",
    "kwork.reject": "rejected the kwork",
    "review.publish": "published or kept the review",
    "review.hide": "hid the review",
    "dispute.uphold": "upheld the cancellation",
    "dispute.reverse": "reversed the rating impact",
    "dispute.exempt": "exempted the cancellation from the seller's metrics",
    "dispute.force_cancel": "cancelled the order with a refund",
    "user.suspend": "suspended the user",
    "user.unsuspend": "lifted the suspension",
    "user.grant_admin": "granted admin rights",
    "user.revoke_admin": "revoked admin rights",
}
REVIEW_STATUSES = {"published": "Published", "pending": "Waiting for an administrator", "hidden": "Hidden by an administrator"}
REQUEST_OUTCOMES = {"open": "Waiting for an answer", "declined": "Declined – the order went on", "applied": "Applied – the order was cancelled",
                    "resolved": "Resolved – the information was sent"}  # fmt: skip

# A voice-code call as the page shows it, and as the live region announces a change.
CALL_STATUS = {
    "queued": ("Calling you now…", "Calling you now."),
    "calling": ("Calling you now… answer and listen for the code.", "Calling you now."),
    "answered": ("Call placed: enter the code you heard.", "Call placed. Enter the code you heard."),
    "failed": ("The call did not get through. Check the number and request a new call.", "The call did not get through."),
    "expired": ("The code has expired. Request a new call.", "The code has expired."),
    "cancelled": ("This code was cancelled. Request a new call.", "The code was cancelled."),
    "confirmed": ("Confirmed.", "Confirmed."),
}

KWORK_STATUS_LABELS = {
    "draft": "Draft",
    "pending": "Waiting for moderation",
    "active": "Active",
    "paused": "Paused",
    "rejected": "Rejected",
}


def paragraphs(text: str | None) -> Markup:
    """Plain text as escaped <p> paragraphs, one per non-empty line."""
    lines = [line for line in (text or "").split("\n") if line.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(line) for line in lines)


def dict_without(args, *keys) -> dict:
    """Query arguments minus some keys, for links that change one of them (pagination)."""
    return {key: value for key, value in args.items() if key not in keys}


def field_attrs(field, hint, **attrs) -> dict:
    """Attributes for an input: aria-describedby pointing at its hint and error; None values left out."""
    described = ([f"{field.id}-hint"] if hint else []) + ([f"{field.id}-error"] if field.errors else [])
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {key: value for key, value in attrs.items() if value is not None}


def register(app: Flask) -> None:
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.filters["dict_without"] = dict_without
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.globals["KWORK_STATUS_LABELS"] = KWORK_STATUS_LABELS
    app.jinja_env.globals["STATE_LABELS"] = orders.STATE_LABELS
    app.jinja_env.globals["CANCEL_REASONS"] = cancellations.REASONS
    app.jinja_env.globals["TIMER_LABELS"] = TIMER_LABELS
    app.jinja_env.globals["EVENT_LABELS"] = EVENT_LABELS
    app.jinja_env.globals["AUDIT_ACTIONS"] = AUDIT_ACTIONS
    app.jinja_env.globals["REVIEW_STATUSES"] = REVIEW_STATUSES
    app.jinja_env.globals["REQUEST_OUTCOMES"] = REQUEST_OUTCOMES
    app.jinja_env.globals["DISPUTE_DECISIONS"] = DISPUTE_DECISION_LABELS
    app.jinja_env.globals["CALL_STATUS"] = CALL_STATUS
    from .services.blocking import REASONS as BLOCK_REASONS

    app.jinja_env.globals["BLOCK_REASONS"] = BLOCK_REASONS
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["days"] = days
    app.jinja_env.filters["money_minor"] = money_minor
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["time_left"] = time_left
    app.jinja_env.globals["error_items"] = error_items
    app.jinja_env.globals["TIER_NAMES"] = TIER_NAMES
    app.jinja_env.globals["CURRENCY"] = app.config["CURRENCY"]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
