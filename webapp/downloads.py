"""Stored uploads handed back to browsers, whichever storage keeps them (webapp/adapters/storage.py).

Portfolio images go to anyone, cached for a year (their names are random and never reused). Attachments go only
to whom the calling view has already let through, never cached. Both stream through the app rather than send the
browser to the bucket: the permission check and the headers stay in one place, and the bucket stays private.
"""
import logging

from flask import Response, abort

from .adapters.storage import StorageError, StoredObjectMissing, storage
from .htmx import render
from .services import pictures, uploads
from .texts import gettext as _

log = logging.getLogger(__name__)
IMAGE_MAX_AGE = 365 * 24 * 3600


def _send(key: str, **options) -> Response:
    try:
        return storage().send(key, **options)
    except StoredObjectMissing:
        abort(404)
    except StorageError:
        # The bucket is unreachable or refusing: say so (503, try again) instead of a 500 and its traceback.
        log.exception("serving stored upload %s failed", key)
        response = render("errors/error.html", status=503, code=503, title=_("Sorry, something went wrong"),
                          message=_("Try again in a few minutes."))  # fmt: skip
        response.headers["Retry-After"] = "60"
        return response


def image(name: str) -> Response:
    """A portfolio image by its name; 404 for anything store_image could not have named (an attachment's key)."""
    if not uploads.is_image_name(name):
        abort(404)
    response = _send(name, max_age=IMAGE_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def picture(key: str) -> Response:
    """A kwork picture's or an avatar's rendition (services/pictures.py names them): public, cached for a year and
    never revalidated, since a changed picture gets a new random name."""
    if not pictures.is_public_key(key):
        abort(404)
    response = _send(key, max_age=IMAGE_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.immutable = True
    return response


def attachment(stored_name: str, download_name: str) -> Response:
    """An attached file as a download named `download_name`. Call only after checking the viewer may have it."""
    response = _send(uploads.attachment_key(stored_name), as_attachment=True, download_name=download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Only the parties may have it: no shared cache keeps it, and the browser keeps no copy once it is saved.
    response.headers["Cache-Control"] = "private, no-store"
    return response
