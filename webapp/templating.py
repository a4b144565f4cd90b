"""Template filters and globals shared by every page."""
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app

from .domain.tiers import TIER_NAMES
from .forms import error_items


def money(amount: int | None) -> str:
    """Whole currency units as a price: "RUB 1,500". Per-locale formatting arrives with translations."""
    if amount is None:
        return ""
    return format_currency(amount, current_app.config["CURRENCY"], locale="en", format="¤\u00a0#,##0", currency_digits=False)


def days(count: int | None) -> str:
    if count is None:
        return ""
    return f"{format_decimal(count, locale='en')} day{'s' if count != 1 else ''}"


KWORK_STATUS_LABELS = {
    "draft": "Draft",
    "pending": "Waiting for moderation",
    "active": "Active",
    "paused": "Paused",
    "rejected": "Rejected",
}


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
    app.jinja_env.globals["KWORK_STATUS_LABELS"] = KWORK_STATUS_LABELS
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["days"] = days
    app.jinja_env.globals["error_items"] = error_items
    app.jinja_env.globals["TIER_NAMES"] = TIER_NAMES
    app.jinja_env.globals["CURRENCY"] = app.config["CURRENCY"]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
