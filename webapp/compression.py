"""Text responses compressed with Flask-Compress (zstd, Brotli or gzip, whichever the browser takes first): the
stylesheet, htmx and the other scripts, the sitemap, and HTML pages that carry no secret.

BREACH: a compressed page that holds a secret (a form token) beside text an attacker can put in it (a search term)
leaks the secret byte by byte through its compressed size. So HTML is compressed only for a browser whose session
holds neither a login nor a form token: the visitor's catalog, kwork and seller pages, the ones a first visit and
a search engine load. A reverse proxy in front of the app may do the same instead (README, *Production*).
"""
from flask import Flask, session
from flask_compress import Compress

compress = Compress()
MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
             "application/manifest+json", "application/xml", "text/xml", "image/svg+xml", "text/plain"]  # fmt: skip


def _holds_secrets() -> bool:
    return "_user_id" in session or "csrf_token" in session


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config["COMPRESS_REGISTER"] = False  # our hook below decides which responses go through it
    compress.init_app(app)

    @app.after_request
    def compressed(response):
        if response.mimetype == "text/html" and _holds_secrets():
            return response
        return compress.after_request(response)
