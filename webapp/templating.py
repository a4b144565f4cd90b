"""Template filters and globals shared by every page."""
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import NamedTuple

from babel.core import Locale, get_global
from babel.dates import format_datetime, format_skeleton
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, url_for
from flask.globals import _cv_app
from flask_babel import force_locale
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.widgets import FileInput, Input, NumberInput, Select, TextArea
from wtforms.widgets.core import clean_key

from .domain import cancellations, orders
from .domain.tiers import TIER_NAMES
from .services.disputes import DECISION_LABELS as DISPUTE_DECISION_LABELS
from .forms import error_items
from .i18n import LANGUAGES
from .texts import current_locale
from .texts import gettext as _
from .texts import lazy_gettext as _l
from .texts import ngettext


def _currency_pattern(fraction: bool) -> str:
    """The locale's own currency layout ("1 500 ₽" in Russian); English keeps "RUB 1,500", which its buyers know."""
    locale = current_locale()
    if locale.language == "en":
        pattern = "¤\u00a0#,##0.00"
    else:
        pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    return pattern if fraction else pattern.replace(".00", "")


def money(amount: int | None) -> str:
    """Whole currency units as a price: "RUB 1,500" in English, "1 500 ₽" in Russian."""
    if amount is None:
        return ""
    return _money(amount, current_app.config["CURRENCY"], current_locale())


@lru_cache(maxsize=4096)
def _money(amount: int, currency: str, locale: Locale) -> str:
    # Remembered: Babel parses the pattern on every call (~80 µs), and a page of cards shows a few dozen prices
    # drawn from a few hundred distinct amounts.
    pattern = "¤\u00a0#,##0" if locale.language == "en" else locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(amount, currency, locale=locale, format=pattern, currency_digits=False)


def money_minor(amount: int | None) -> str:
    """Ledger amounts (minor units): "RUB 1,200", or "RUB 1,200.50" when there are kopecks."""
    if amount is None:
        return ""
    return format_currency(amount / 100, current_app.config["CURRENCY"], locale=current_locale(),
                           format=_currency_pattern(amount % 100 != 0), currency_digits=False)  # fmt: skip


def _zone() -> ZoneInfo:
    # A page formats dozens of times (one per message): the viewer is read where Flask-Login keeps it for this
    # context (g._login_user, what current_user gives once loaded), through Flask-Login only before it is loaded.
    app_context = _cv_app.get(None)
    user = app_context.g.__dict__.get("_login_user") if app_context is not None else None
    if user is None:
        user = current_user._get_current_object()
    name = user.timezone if user is not None and user.is_authenticated else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=1024)
def _zone_name(key: str, language: str) -> str | None:
    """The zone as its readers name it, from CLDR: "Moscow Time", "Москва", "Horário de Brasília", "heure d’Europe
    centrale" – never an abbreviation like "MSK", which is Latin in Russian and unknown in Portuguese.

    CLDR's generic name (the zone's own, else its metazone's), read directly: Babel's get_timezone_name falls back
    to the country when there is none, and its Russian fallback wrongly adds "летнее время". UTC is "UTC"
    everywhere; None for the few zones CLDR does not name (the caller shows the UTC offset).
    """
    if key in ("UTC", "Etc/UTC"):
        return "UTC"
    key = get_global("zone_aliases").get(key, key)
    locale = Locale.parse(language)
    own = locale.time_zones.get(key, {}).get("long", {})
    metazone = get_global("meta_zones").get(key)
    shared = locale.meta_zones.get(metazone, {}).get("long", {}) if metazone else {}
    return own.get("generic") or shared.get("generic") or shared.get("standard")


def _utc_offset(moment: datetime) -> str:
    """ "UTC+3", "UTC−3:30": the same in every language."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes >= 0 else '−'}{hours}{f':{rest:02d}' if rest else ''}"


def user_time(moment, with_date: bool = True) -> str:
    """A moment as text in the viewer's time zone and language, with the zone's name: "24 Nov 2026, 15:00 (Moscow
    Time)", "24 нояб. 2026 г., 15:00 (Москва)", "24 de nov. de 2026 15:00 (Horário de Brasília)"; or only the time.

    For messages (flashes, form errors) as well as pages, so every time a user reads is in their own zone.
    """
    zone = _zone()
    local = moment.astimezone(zone)
    language = str(current_locale())
    shown = f"{local.hour:02d}:{local.minute:02d}"  # "HH:mm": the four languages write Latin digits
    if with_date:
        day, joined = _short_date(local.date(), language)
        shown = joined.format(shown, day)
    return f"{shown} ({_zone_name(zone.key, language) or _utc_offset(local)})"


@lru_cache(maxsize=4096)
def _short_date(day: date, language: str) -> tuple[str, str]:
    """The language's own short date ("24 de nov. de 2026") and the way it joins a date and a time ("{1}, {0}").

    Remembered: Babel takes a few hundred microseconds per date, and a thread of fifty messages spans a few days.
    """
    locale = Locale.parse(language)
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # a date, formatted as the day it is
    text = format_datetime(noon, "d MMM y", tzinfo=UTC, locale=locale) if locale.language == "en" else (
        format_skeleton("yMMMd", noon, tzinfo=UTC, locale=locale))
    return text, locale.datetime_formats["medium"]


def back_on(user) -> Markup:
    """"Back on 12 December" for a seller who is away now (the date in the viewer's language and time zone), else
    an empty string: compared with the clock, so it is right before the timer ending the period fires."""
    from .clock import now
    from .domain.availability import is_away

    if not is_away(user.away_from, user.away_until, now()):
        return Markup("")
    zone = _zone()
    local = user.away_until.astimezone(zone)
    day = format_skeleton("MMMMd" if local.year == now().astimezone(zone).year else "yMMMMd", local, tzinfo=zone, locale=current_locale())
    return Markup(f'{escape(_("Back on"))} <time datetime="{escape(user.away_until.isoformat())}">{escape(day)}</time>')


def local_time(moment) -> Markup:
    """A moment in the viewer's time zone and language, in a <time> element carrying the exact UTC instant."""
    if moment is None:
        return Markup("")
    # Escaped by hand into an f-string: Markup.format goes through string.Formatter, several times slower.
    return Markup(f'<time datetime="{escape(moment.isoformat())}">{escape(user_time(moment))}</time>')


def time_left(deadline, now) -> str:
    """ "2 days 3 hours left" or "5 hours overdue", to the hour."""
    if deadline is None:
        return ""
    seconds = (deadline - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    d, h = divmod(hours, 24)
    if seconds >= 0 and hours == 0:
        return _("less than an hour left")
    parts = ([days(d)] if d else []) + ([ngettext("%(num)d hour", "%(num)d hours", h)] if h or not d else [])
    span = " ".join(parts)
    return _("%(span)s left", span=span) if seconds >= 0 else _("%(span)s overdue", span=span)


def days(count: int | None) -> str:
    """ "1 day", "5 days"; Russian has three forms ("1 день, 2 дня, 5 дней"), chosen by the catalog's plural rule."""
    if count is None:
        return ""
    return _days(count, current_locale())


@lru_cache(maxsize=1024)
def _days(count: int, locale: Locale) -> str:
    # Remembered per language (the catalogs do not change while the process runs): cards repeat a few counts.
    with force_locale(str(locale)):
        return ngettext("%(count)s day", "%(count)s days", count, count=format_decimal(count, locale=locale))


# What a running timer will do, as the order page says it ("{when}" is "in 2 days 3 hours", "in less than an hour").
TIMER_LABELS = {
    "auto_complete": _l("Completes automatically {when} unless the buyer accepts the work or asks for a revision"),
    "cancel_request_deadline": _l("Cancels automatically {when} if the cancellation request is not answered"),
    "info_deadline": _l("Cancels automatically {when} if the buyer does not send the information asked for"),
    "requirements_deadline": _l("Cancels automatically {when} with a full refund if the buyer does not send the requirements"),
    "extension_deadline": _l("The extra days are granted automatically {when} if the buyer does not answer"),
    "pause_limit": _l("The pause ends automatically {when}"),
}

# How an order event reads in the history: "Anna: started work".
EVENT_LABELS = {
    "place": _l("placed the order"),
    "send_requirements": _l("sent the requirements"),
    "start": _l("started work"),
    "deliver": _l("delivered the work"),
    "accept": _l("accepted the work"),
    "request_revision": _l("asked for a revision"),
    "decline_revision": _l("declined the revision"),
    "cancel": _l("cancelled the order"),
    "auto_complete": _l("completed the order automatically"),
    "decline_cancellation": _l("declined the cancellation request"),
    "request_cancellation": _l("asked to cancel the order"),
    "offer_partial_refund": _l("offered a partial refund"),
    "accept_partial_refund": _l("accepted the partial refund"),
    "decline_partial_refund": _l("declined the partial refund"),
    "open_work_dispute": _l("took the work to arbitration"),
    "answer_work_dispute": _l("answered the dispute about the work"),
    "work_dispute_release": _l("released the payment after arbitration"),
    "work_dispute_split": _l("split the payment after arbitration"),
    "tip": _l("left a tip"),
    "propose_upgrade": _l("proposed an upgrade"),
    "accept_upgrade": _l("accepted and paid for the upgrade"),
    "decline_upgrade": _l("declined the upgrade"),
    "withdraw_upgrade": _l("withdrew the upgrade"),
    "provide_information": _l("sent the information asked for"),
    "request_extension": _l("asked for more time"),
    "accept_extension": _l("accepted the extension"),
    "decline_extension": _l("declined the extension"),
    "request_pause": _l("asked to pause the order"),
    "accept_pause": _l("paused the order"),
    "decline_pause": _l("declined the pause"),
    "resume": _l("resumed the order"),
    "escalate": _l("took the cancellation to arbitration"),
}

# The moderation area's words for admin actions, review states, request outcomes and dispute decisions.
AUDIT_ACTIONS = {
    "kwork.approve": _l("approved the kwork"),
    "kwork.reject": _l("rejected the kwork"),
    "review.publish": _l("published or kept the review"),
    "review.hide": _l("hid the review"),
    "dispute.uphold": _l("upheld the cancellation"),
    "dispute.reverse": _l("reversed the rating impact"),
    "dispute.exempt": _l("exempted the cancellation from the seller's metrics"),
    "dispute.force_cancel": _l("cancelled the order with a refund"),
    "work_dispute.release": _l("released the payment to the seller after judging the work"),
    "work_dispute.refund": _l("refunded the buyer in full after judging the work"),
    "work_dispute.split": _l("split the payment after judging the work"),
    "user.suspend": _l("suspended the user"),
    "user.unsuspend": _l("lifted the suspension"),
    "user.grant_admin": _l("granted admin rights"),
    "user.revoke_admin": _l("revoked admin rights"),
    "conversation.close_reports": _l("closed the reports on a conversation"),
}
REVIEW_STATUSES = {
    "published": _l("Published"),
    "pending": _l("Waiting for an administrator"),
    "hidden": _l("Hidden by an administrator"),
}
REQUEST_OUTCOMES = {
    "open": _l("Waiting for an answer"),
    "declined": _l("Declined – the order went on"),
    "applied": _l("Applied – the order was cancelled"),
    "resolved": _l("Resolved – the information was sent"),
}

# A voice-code call as the page shows it, and as the live region announces a change.
CALL_STATUS = {
    "queued": (_l("Calling you now…"), _l("Calling you now.")),
    "calling": (_l("Calling you now… answer and listen for the code."), _l("Calling you now.")),
    "answered": (_l("Call placed: enter the code you heard."), _l("Call placed. Enter the code you heard.")),
    "failed": (_l("The call did not get through. Check the number and request a new call."), _l("The call did not get through.")),
    "expired": (_l("The code has expired. Request a new call."), _l("The code has expired.")),
    "cancelled": (_l("This code was cancelled. Request a new call."), _l("The code was cancelled.")),
    "confirmed": (_l("Confirmed."), _l("Confirmed.")),
}

KWORK_STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Waiting for moderation"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "rejected": _l("Rejected"),
}


def paragraphs(text: str | None) -> Markup:
    """Plain text as escaped <p> paragraphs, one per non-empty line."""
    lines = [line for line in (text or "").split("\n") if line.strip()]
    return Markup("".join(f"<p>{escape(line)}</p>" for line in lines))


def dict_without(args, *keys) -> dict:
    """Query arguments minus some keys, for links that change one of them (pagination)."""
    return {key: value for key, value in args.items() if key not in keys}


def field_attrs(field, hint, **attrs) -> dict:
    """Attributes for an input: aria-describedby pointing at its hint and error; None values left out."""
    described = ([f"{field.id}-hint"] if hint else []) + ([f"{field.id}-error"] if field.errors else [])
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {key: value for key, value in attrs.items() if value is not None}


def render_field(field, **attrs) -> Markup:
    """`field(**attrs)` as components/forms.html renders its inputs, the same markup, for the two widgets a form
    mostly has – WTForms' TextArea and plain Input types (text, email, URL…, any whose rendering is Input's) –
    written directly: WTForms formats each attribute through `Markup.format`, about 15 µs apiece, so an order
    page's six text areas and inputs cost about a millisecond in attributes alone. Number and file inputs are
    Input with a few attributes of their own (a number's step, min and max as defaults, a file's value left out
    and `multiple`), written here too: Input lists its flags with dir() besides, and the order page's four
    amounts and two file pickers cost more than all its other fields together. Selects without option groups
    are written here too (the catalog's category and sort: each option's attributes went the same way). Every
    other widget (passwords, checkboxes, radios, grouped selects) renders through WTForms itself.
    tests/test_render_field.py compares the two on every field of every form."""
    widget = field.widget
    call = type(widget).__call__
    if call is _SELECT_CALL:
        return _render_select(field, widget, attrs)
    if call is _NUMBER_CALL:
        # NumberInput sets its own step, min and max under the caller's, before Input reads the flags.
        own = {"step": widget.step, "min": widget.min, "max": widget.max}
        attrs = _widget_attrs(field, widget, attrs, call_flags=True, own={k: v for k, v in own.items() if v is not None})
        call = _INPUT_CALL
    elif call is _FILE_CALL:
        # FileInput drops any value (browsers ignore it) and adds `multiple`, over the caller's, before Input.
        attrs = _widget_attrs(field, widget, attrs, call_flags=True)
        attrs["value"] = False
        if widget.multiple:
            attrs["multiple"] = True
        call = _INPUT_CALL
    elif call is _TEXTAREA_CALL or call is _INPUT_CALL:
        attrs = _widget_attrs(field, widget, attrs, call_flags=call is _INPUT_CALL)
    else:
        return field(**attrs)
    if call is _INPUT_CALL:
        attrs.setdefault("type", widget.input_type)
        if "value" not in attrs:
            attrs["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in attrs:
            attrs["list"] = datalist if isinstance(datalist, str) else datalist.id
    params = _html_params(name=field.name, **attrs)
    if call is _INPUT_CALL:
        return Markup(f"<input {params}>")
    return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")


def _widget_attrs(field, widget, attrs: dict, *, call_flags: bool, own: dict | None = None) -> dict:
    """What every WTForms widget starts from: the field's render_kw under the caller's attributes (as WTForms'
    DefaultMeta.render_field merges them), its id, and its validation flags among the widget's validation_attrs
    that the caller did not set (a callable flag called first when `call_flags`, as Input does). The widgets' own
    attributes (type, value, multiple) are none of those, so they may be added after; `own` are a widget's
    attributes that are (a number's step, min and max), set where the caller did not, before the flags. With
    render_kw, both sides' names are cleaned first ("class_" is "class"), as WTForms does, so the caller's win."""
    if field.render_kw is not None:
        attrs = {clean_key(k): v for k, v in field.render_kw.items()} | {clean_key(k): v for k, v in attrs.items()}
    if own:
        for name, value in own.items():
            attrs.setdefault(name, value)
    attrs.setdefault("id", field.id)
    flags = vars(field.flags)
    for name in widget.validation_attrs:
        if name in flags and name not in attrs:
            value = flags[name]
            attrs[name] = value() if call_flags and callable(value) else value
    return attrs


def _render_select(field, widget, attrs: dict) -> Markup:
    """WTForms' Select widget's markup (3.x), for a field with choices and no option groups; anything else (no
    choices yet, groups, an overridden render_option) through WTForms."""
    if (type(widget).render_option.__func__ is not _SELECT_OPTION or getattr(field, "choices", None) is None
            or not hasattr(field, "_iter_choices_normalized") or field.has_groups()):  # fmt: skip
        return field(**attrs)
    attrs = _widget_attrs(field, widget, attrs, call_flags=False)
    if widget.multiple:
        attrs["multiple"] = True
    html = [f"<select {_html_params(name=field.name, **attrs)}>"]
    for choice in field._iter_choices_normalized():
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        option = {"value": value, **(choice.render_kw or {})}
        if choice.selected:
            option["selected"] = True
        html.append(f"<option {_html_params(**option)}>{escape(choice.label or choice.value)}</option>")
    html.append("</select>")
    return Markup("".join(html))


def _html_params(**attrs) -> str:
    """wtforms.widgets.html_params, with each value escaped into an f-string instead of through Markup.format (the
    same text, double quotes in a value that is already markup included)."""
    params = []
    for key, value in sorted(attrs.items()):
        key = clean_key(key)
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(params)


_TEXTAREA_CALL, _INPUT_CALL, _SELECT_CALL = TextArea.__call__, Input.__call__, Select.__call__
_NUMBER_CALL, _FILE_CALL = NumberInput.__call__, FileInput.__call__
_SELECT_OPTION = Select.render_option.__func__


class RadioChoice(NamedTuple):
    id: str
    value: str
    label: str
    checked: bool


def radio_choices(field) -> list[RadioChoice]:
    """A RadioField's options as components/forms.html's `radios` writes them: what iterating the field gives (ids
    `<field id>-<n>`, the value as text, the label or else the value, checked when selected), read from its choices
    rather than built as one WTForms field per option and rendered through its widget, which cost about a
    millisecond for a list of seven (the order page shows two)."""
    return [RadioChoice(f"{field.id}-{number}", str(choice[0]), choice[1] or choice[0], bool(choice[2]))
            for number, choice in enumerate(field.iter_choices())]  # fmt: skip


def initials(name: str) -> str:
    """Up to two letters for a drawn avatar: the first letters of the first and last words ("Anna Petrova" → "AP")."""
    words = [word for word in (name or "").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


ONLINE_WITHIN = timedelta(minutes=15)


def last_seen(moment) -> str:
    """"Online now", "Last seen 3 hours ago" or "Not seen yet", in the page's language."""
    from flask_babel import format_timedelta

    from .clock import now
    from .texts import gettext as _

    if moment is None:
        return _("Not seen yet")
    ago = now() - moment
    if ago < ONLINE_WITHIN:
        return _("Online now")
    return _("Last seen %(ago)s", ago=format_timedelta(ago, add_direction=True))


def _route_prefix(endpoint: str) -> str:
    """The URL of a route taking `<name>`, up to the name, built once per request: a page of cards links dozens
    of picture renditions, and url_for costs tens of microseconds each (names are hex tokens: nothing to quote)."""
    prefixes = g.setdefault("route_prefixes", {})
    prefix = prefixes.get(endpoint)
    if prefix is None:
        prefix = prefixes[endpoint] = url_for(endpoint, name="-")[:-1]
    return prefix


def picture_sources(picture) -> dict:
    """A kwork picture's `srcset` in WebP and in JPEG (every stored width) and the JPEG a browser without srcset
    gets (the widest up to 640 px), for components/pictures.html."""
    from .services.pictures import picture_widths

    base = _route_prefix("catalog.picture") + picture.token
    widths = picture_widths(picture)
    return {
        "webp": ", ".join(f"{base}-{w}.webp {w}w" for w in widths),
        "jpeg": ", ".join(f"{base}-{w}.jpg {w}w" for w in widths),
        "src": f"{base}-{max((w for w in widths if w <= 640), default=widths[0])}.jpg",
    }


def avatar_sources(token: str, size: int) -> dict:
    """An avatar's WebP `srcset` and the JPEG for its displayed size (64 px, or 160 px for larger ones)."""
    base = _route_prefix("catalog.avatar") + token
    return {"webp": f"{base}-64.webp 64w, {base}-160.webp 160w", "src": f"{base}-{64 if size <= 64 else 160}.jpg"}


def register(app: Flask) -> None:
    from .services.pictures import picture_widths
    from .template_runtime import ShortCallContext, ShortImportTemplate
    from .template_urls import template_url_for

    app.jinja_env.context_class = ShortCallContext
    app.jinja_env.template_class = ShortImportTemplate
    app.jinja_env.globals["url_for"] = template_url_for
    app.jinja_env.globals["last_seen"] = last_seen

    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.globals["initials"] = initials
    app.jinja_env.globals["radio_choices"] = radio_choices
    app.jinja_env.globals["render_field"] = render_field
    app.jinja_env.globals["picture_widths"] = picture_widths
    app.jinja_env.globals["picture_sources"] = picture_sources
    app.jinja_env.globals["avatar_sources"] = avatar_sources
    from . import components

    app.jinja_env.globals["components"] = components  # cards, pictures, avatars, badges, the heart (see its docstring)
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
    from .domain import levels as seller_levels

    app.jinja_env.globals["LEVELS_BY_CODE"] = seller_levels.BY_CODE
    app.jinja_env.globals["CRITERION_NAMES"] = seller_levels.CRITERION_NAMES
    app.jinja_env.globals["PERCENT"] = seller_levels.PERCENT
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["days"] = days
    app.jinja_env.filters["money_minor"] = money_minor
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["time_left"] = time_left
    app.jinja_env.globals["back_on"] = back_on
    app.jinja_env.globals["error_items"] = error_items
    app.jinja_env.globals["TIER_NAMES"] = TIER_NAMES
    app.jinja_env.globals["CURRENCY"] = app.config["CURRENCY"]
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES

    @app.context_processor
    def language():
        return {"current_language": current_locale().language}

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
