"""One place decides whether a request gets a whole page or one block of the same template."""
from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    # A history restore asks for the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(template: str, block: str | None = None, status: int = 200, **context):
    """The full page, or just `block` of it when htmx asked. Varies on HX-Request so caches keep both apart, and on
    the language inputs (Accept-Language, and the session cookie that holds a chosen language)."""
    partial = block is not None and is_htmx()
    body = render_block(template, block, htmx=True, **context) if partial else render_template(template, htmx=False, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
