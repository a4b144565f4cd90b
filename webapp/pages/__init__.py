"""Static information pages everyone can read (the accessibility statement, the seller levels' criteria), and what
browsers, phones and search engines ask the site for: icons, the web-app manifest and the sitemap of public kworks."""
from flask import Blueprint, Response, current_app, render_template, url_for

from .. import icons

bp = Blueprint("pages", __name__)
ICON_MAX_AGE = 7 * 24 * 3600  # icons change rarely; a week, then the browser asks again


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/levels")
def levels():
    """Seller levels: what each asks for, read from the same table the daily job decides with."""
    from ..domain import levels as rules

    return render_template("pages/levels.html", levels=rules.LEVELS[1:], criteria=rules.CRITERIA)


def _icon(data: bytes, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = ICON_MAX_AGE
    return response


@bp.get("/favicon.ico")
def favicon():
    return _icon(icons.favicon_ico(), "image/vnd.microsoft.icon")


@bp.get("/apple-touch-icon.png")
def touch_icon():
    return _icon(icons.png("apple-touch-icon.png"), "image/png")


@bp.get("/icon-192.png")
def icon_192():
    return _icon(icons.png("icon-192.png"), "image/png")


@bp.get("/icon-512.png")
def icon_512():
    return _icon(icons.png("icon-512.png"), "image/png")


@bp.get("/site.webmanifest")
def manifest():
    body = {
        "name": "Gigsmith",
        "short_name": "Gigsmith",
        "start_url": url_for("catalog.index"),
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#064a2e",
        "icons": [
            {"src": url_for("pages.icon_192"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("pages.icon_512"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/manifest+json")
    response.cache_control.public = True
    response.cache_control.max_age = ICON_MAX_AGE
    return response


@bp.get("/sitemap.xml")
def sitemap():
    """Every kwork in the catalog and every seller who has one, with when it last changed (one query each)."""
    from ..services import catalog

    kworks, sellers = catalog.sitemap_entries()
    body = render_template("pages/sitemap.xml", kworks=kworks, sellers=sellers)
    response = Response(body, mimetype="application/xml")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Disallow: /account/", "Disallow: /orders/", "Disallow: /kworks/", "Disallow: /moderation/",
             "Disallow: /wallet/", "Disallow: /notifications/", f"Sitemap: {url_for('pages.sitemap', _external=True)}", ""]  # fmt: skip
    return Response("\n".join(lines), mimetype="text/plain")
