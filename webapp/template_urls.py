"""`url_for` for templates, each URL built once per process rather than once per call.

A page of cards links every card's kwork, seller, favourite form and level page, and the layout links its
navigation: 60-80 `url_for` calls per page, each tens of microseconds in Werkzeug's URL map (a tenth of a catalog
page's CPU). The URL map and its defaults are fixed once the app is built, and a path (no host) depends on nothing
else of the request but its script root. So, kept on the app per script root:
- a call whose arguments are all whole numbers (ids, page numbers) builds its route once per set of argument names,
  with placeholder numbers, and fills in the numbers with a string replace;
- a call with strings among its arguments (filters, a static file's name, the language links' `next`) is built
  once per set of values (strings of up to MAX_SHARED_TEXT characters), in a table emptied when it reaches
  MAX_SHARED_URLS.
The layout alone links 20-30 routes, so building them on every request cost about half a millisecond per page.
What depends on the request – `_external` and the other underscore options, a relative endpoint (".kwork") – is
built by Flask's `url_for` and reused only within the request; a list or dict among the arguments is never reused.
"""
from collections import Counter

from flask import current_app, has_request_context, request, url_for

# Placeholder values: long, distinct digit runs that appear in no route, host or other argument.
_PLACEHOLDERS = tuple(7301928460000 + n for n in range(8))


# Built URLs with string arguments kept per process, at most this many, each from strings of at most
# MAX_SHARED_TEXT characters: the language links' `next` is any path a visitor asks for, so the table is emptied
# when full rather than grown without end, and a long path (up to the server's request-line limit) is built per
# request instead. At most about 2,048 URLs of a kilobyte or two per worker.
MAX_SHARED_URLS, MAX_SHARED_TEXT = 2048, 200


class _Shared:
    """What the app's templates share across requests (on app.extensions["template_urls"]):
    - patterns: (script root, endpoint, argument names) → URL with placeholders ("" if none fits);
    - urls: (script root, endpoint, arguments with their types) → URL;
    - endpoints: the endpoints shared at all – those with one rule. Werkzeug builds an endpoint with several rules
      (by method, say) from the one that suits the current request first, so its URL may depend on the request.

    What else would make a path depend on the request, and so must not be added without changing this module: a
    `url_defaults` function reading the request or `g` (tests/test_template_urls.py lists the app's), subdomain or
    host matching. Static URLs carry the file's content hash as it was when first built: static files change with a
    deployment, which restarts the workers.
    """

    def __init__(self, app):
        self.patterns: dict = {}
        self.urls: dict = {}
        rules = Counter(rule.endpoint for rule in app.url_map.iter_rules())
        self.endpoints = frozenset(endpoint for endpoint, count in rules.items() if count == 1)


def _shared(app) -> _Shared:
    # Routes are all registered before the first request (Flask refuses any later), so the first request's view of
    # the URL map is final.
    found = app.extensions.get("template_urls")
    if found is None:
        found = app.extensions["template_urls"] = _Shared(app)
    return found


def template_url_for(endpoint: str, **values) -> str:
    """`flask.url_for(endpoint, **values)`, remembered (see the module's docstring)."""
    if not has_request_context():
        return url_for(endpoint, **values)
    current = request._get_current_object()
    app = current_app._get_current_object()
    found = _shared(app)
    patterns, urls = found.patterns, found.urls
    # Shared only under a full endpoint name with one rule: a relative one (".kwork") names a route of the request's
    # blueprint, so only this request may reuse it.
    shared = endpoint in found.endpoints
    names = tuple(values)
    if shared and len(names) <= len(_PLACEHOLDERS) and all(type(value) is int and value >= 0 for value in values.values()):
        key = (current.script_root, endpoint, names)
        pattern = patterns.get(key)
        if pattern is None:
            pattern = url_for(endpoint, **dict(zip(names, _PLACEHOLDERS)))
            # Each number must land in the URL once, as written; a route that drops or reformats one is built
            # in full every time instead.
            if any(pattern.count(str(placeholder)) != 1 for placeholder in _PLACEHOLDERS[: len(names)]):
                pattern = ""
            patterns[key] = pattern  # bounded by the app's routes and the argument names templates use
        if pattern:
            for placeholder, value in zip(_PLACEHOLDERS, values.values()):
                pattern = pattern.replace(str(placeholder), str(value))
            return pattern
    try:
        # With each value's type: True, 1 and 1.0 are equal keys to Python but give three different URLs.
        arguments = tuple((name, type(value), value) for name, value in values.items())
        hash(arguments)
    except TypeError:  # a list or dict among the arguments: not worth remembering
        return url_for(endpoint, **values)
    # A path alone (no `_external`, `_anchor` or other option) depends on nothing else of the request. Static files
    # get their content hash added (webapp/assets.py): while debugging, an edited file must get its new URL at once.
    if shared and all(name[0] != "_" and (type(value) is int or (type(value) is str and len(value) <= MAX_SHARED_TEXT))
                      for name, _type, value in arguments) and not (endpoint == "static" and app.debug):  # fmt: skip
        key = (current.script_root, endpoint, arguments)
        url = urls.get(key)
        if url is None:
            url = url_for(endpoint, **values)
            if len(urls) >= MAX_SHARED_URLS:
                urls.clear()
            urls[key] = url
        return url
    # Anything else is kept on the request itself, not on `g`: an app context (and its `g`) may outlive one request
    # (tests, CLI), and the scheme and the host belong to the request.
    cache = getattr(current, "_template_urls", None)
    if cache is None:
        cache = current._template_urls = {}
    key = (endpoint, arguments)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url
