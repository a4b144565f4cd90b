"""Numbers from the outside world (paths, query strings, select values), bounded to what the database can hold.

The id columns are `integer` on PostgreSQL: an id past 2**31 - 1 (or past 2**63 on SQLite) does not just find
nothing, it makes the driver raise, which was a 500. Every number a request carries into a query passes through
here first, so an impossible one is a 404 or a field error before it reaches the database.
"""
from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

# The largest value an `integer` column holds (PostgreSQL's int4): ids, prices, amounts and counts stay within it.
MAX_INT = 2**31 - 1


def install(app: Flask) -> None:
    """Bound `<int:…>` in every route and `type=int` in every query or form read. Call before adding routes."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = BoundedRequest


class IdConverter(IntegerConverter):
    """`<int:…>` for the whole app, in place of Werkzeug's own: 1 to MAX_INT.

    Anything else (0, 2**31, a hundred digits) does not match the rule, so it is the ordinary "Page not found".
    """

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_INT, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(text: str) -> int:
    """int(text) within ±MAX_INT; a ValueError otherwise, as for text that is not a number."""
    value = int(text)
    if not -MAX_INT <= value <= MAX_INT:
        raise ValueError(f"{text[:20]!r}… is out of range")
    return value


class BoundedArgs(ImmutableMultiDict):
    """request.args and request.form where `.get(key, type=int)` refuses a number no column could hold, so the
    read falls back to its default exactly as it does for letters (`?repeat=99999999999` is no repeat at all)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's own signature
        return super().get(key, default, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


def optional_id(value) -> int | None:
    """`coerce=` for a select whose options are row ids: no choice is None, anything else must be an id a row could
    have (1 to MAX_INT), else a ValueError, which the form shows as the field's error."""
    if value in (None, "", "None"):
        return None
    number = value if isinstance(value, int) else int(value)
    if not 1 <= number <= MAX_INT:
        raise ValueError(f"{str(value)[:20]!r} is not an id")
    return number
