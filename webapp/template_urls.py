"""`url_for` for templates, built once per request for each route and set of arguments.

A page of cards links every card's kwork, seller, favourite form and level page, and the layout links its
navigation: 60-80 `url_for` calls per page, each tens of microseconds in Werkzeug's URL map (a tenth of a catalog
page's CPU). Within one request every call with the same arguments gives the same URL, and a call whose arguments
are all whole numbers (ids, page numbers) gives the URL built for placeholder numbers with those numbers put in.
So a route's URL is built once per set of argument names and the numbers are filled in with a string replace.
That pattern is kept for the life of the process (on the app, per script root): the URL map and its defaults are
fixed once the app is built, and a path without a host depends on nothing else of the request. The layout alone
links 20-30 routes this way, so building them once per request was half a millisecond of every page.
Anything else – strings (which may need quoting), flags, `_external` and the other underscore options – goes
through Flask's `url_for` every time, as before (only repeats of the same call are reused).
"""
from flask import current_app, has_request_context, request, url_for

# Placeholder values: long, distinct digit runs that appear in no route, host or other argument.
_PLACEHOLDERS = tuple(7301928460000 + n for n in range(8))


def _patterns(app) -> dict:
    """The app's URL patterns: (script root, endpoint, argument names) → URL with placeholders ("" if none fits)."""
    found = app.extensions.get("template_url_patterns")
    if found is None:
        found = app.extensions["template_url_patterns"] = {}
    return found


def template_url_for(endpoint: str, **values) -> str:
    """`flask.url_for(endpoint, **values)`, remembered for the rest of the request (see the module's docstring)."""
    if not has_request_context():
        return url_for(endpoint, **values)
    # Kept on the request itself, not on `g`: an app context (and its `g`) may outlive one request (tests, CLI),
    # and a relative endpoint, the scheme and the host all belong to the request.
    current = request._get_current_object()
    cache = getattr(current, "_template_urls", None)
    if cache is None:
        cache = current._template_urls = {}
    names = tuple(values)
    if len(names) <= len(_PLACEHOLDERS) and all(type(value) is int and value >= 0 for value in values.values()):
        patterns = _patterns(current_app._get_current_object())
        key = (current.script_root, endpoint, names)
        pattern = patterns.get(key)
        if pattern is None:
            pattern = url_for(endpoint, **dict(zip(names, _PLACEHOLDERS)))
            # Each number must land in the URL once, as written; a route that drops or reformats one is built
            # in full every time instead.
            if any(pattern.count(str(placeholder)) != 1 for placeholder in _PLACEHOLDERS[: len(names)]):
                pattern = ""
            # Bounded by the app's routes and the argument names templates use (an unknown endpoint raises above).
            patterns[key] = pattern
        if pattern:
            for placeholder, value in zip(_PLACEHOLDERS, values.values()):
                pattern = pattern.replace(str(placeholder), str(value))
            return pattern
    try:
        # With each value's type: True, 1 and 1.0 are equal keys to Python but give three different URLs.
        key = (endpoint, tuple((name, type(value), value) for name, value in values.items()))
        hash(key)
    except TypeError:  # a list or dict among the arguments: not worth remembering
        return url_for(endpoint, **values)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url
