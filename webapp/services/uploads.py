"""Uploaded files, kept by the storage adapter (webapp/adapters/storage.py: a local folder, or an S3 bucket shared by
every web host) under a random name. Only real image bytes are accepted as images.

Keys: an image is "<32 hex>.<ext>" (its name in PortfolioItem.image_name and in /catalog/images/<name>), any
other file "attachments/<32 hex>" (Attachment.stored_name is the part after the slash).

The objects follow the database transaction they were stored or deleted in: one stored in a transaction that rolls
back is removed again, and one deleted is only removed once the row that named it is gone for good (the commit).
So a failed action leaves no stray file, and a rolled-back deletion never leaves a row pointing at nothing.
"""
import logging
import re
import secrets
from datetime import datetime, timedelta
from itertools import islice

from flask import current_app
from sqlalchemy import event, select

from ..adapters.storage import StorageError, content_type_for, storage
from ..domain.errors import FieldIssue, ValidationFailed
from ..extensions import db
from ..texts import gettext as _

log = logging.getLogger(__name__)

ATTACHMENTS = "attachments/"
# The first bytes of each accepted format. The browser's filename and content type are not trusted.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}
_IMAGE_NAME = re.compile(r"[0-9a-f]{32}\.(png|jpg|gif|webp)")
_STORED_NAME = re.compile(r"[0-9a-f]{32}")


class StorageUnavailable(ValidationFailed):
    """The storage could not take the file just now (the bucket unreachable or refusing, a full disk). A form-level
    error unless `field` names the form's file input; the view rolls back, so nothing of the action remains."""

    def __init__(self, field: str, message: str):
        super().__init__([FieldIssue(field, message)])


def image_extension(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _SIGNATURES.items() if data.startswith(magic)), None)


def is_image_name(name: str) -> bool:
    """Whether `name` is one store_image could have returned (anything else, such as an attachment's key, is not
    an image to serve)."""
    return _IMAGE_NAME.fullmatch(name) is not None


def attachment_key(stored_name: str) -> str:
    if _STORED_NAME.fullmatch(stored_name) is None:
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return ATTACHMENTS + stored_name


def store_image(data: bytes) -> str:
    """Check `data` is a PNG, JPEG, GIF or WebP under MAX_IMAGE_BYTES and store it; returns its new name.

    Raises ValidationFailed on the "image" field (too large, not an image, or StorageUnavailable). The object is
    removed again if the caller's transaction rolls back.
    """
    limit = current_app.config["MAX_IMAGE_BYTES"]
    if len(data) > limit:
        raise ValidationFailed([FieldIssue("image", _("The image must be smaller than %(size)s MB", size=limit // (1024 * 1024)))])
    extension = image_extension(data)
    if extension is None:
        raise ValidationFailed([FieldIssue("image", _("The image must be a PNG, JPEG, GIF or WebP file"))])
    name = f"{secrets.token_hex(16)}.{extension}"
    try:
        storage().put(name, data, content_type_for(name))
    except StorageError:
        log.exception("storing an image failed")
        raise StorageUnavailable("image", _("The image can’t be saved just now. Try again in a few minutes.")) from None
    _pending()["stored"].append(name)
    return name


def delete_image(name: str) -> None:
    """Remove the image once the caller's transaction commits (never if it rolls back)."""
    _pending()["deleted"].append(name)


def store_file(data: bytes) -> str:
    """Any file a party attaches to an order (orders._check_files has checked count and size); served back only
    as a download, to the order's parties. Returns its stored name.

    Raises StorageUnavailable (a form-level error) when the storage can't take it. The object is removed again if
    the caller's transaction rolls back.
    """
    name = secrets.token_hex(16)
    key = attachment_key(name)
    try:
        # Stored as opaque bytes, whatever the file says it is: it is only ever handed back as a download.
        storage().put(key, data, "application/octet-stream")
    except StorageError:
        log.exception("storing an attachment failed")
        raise StorageUnavailable("", _("The attached files can’t be saved just now. Try again in a few minutes.")) from None
    _pending()["stored"].append(key)
    return name


# --- following the transaction --------------------------------------------------------------------------------
_PENDING = "gigsmith.uploads.pending"


def _pending() -> dict[str, list[str]]:
    """Keys stored and deleted in the session's current transaction (kept in Session.info until it ends)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so its end (even a rollback before any SQL ran) is an event that settles these keys
    return session.info.setdefault(_PENDING, {"stored": [], "deleted": []})


def _remove(keys: list[str]) -> None:
    """Delete each object; one that can't be deleted now is only wasted space, so it is logged, not raised."""
    for key in keys:
        try:
            storage().delete(key)
        except StorageError:
            log.exception("removing stored upload %s failed; it stays in the storage unused", key)


@event.listens_for(db.session, "after_commit")
def _after_commit(session) -> None:
    if pending := session.info.pop(_PENDING, None):
        _remove(pending["deleted"])


@event.listens_for(db.session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.nested:  # a savepoint: the enclosing transaction may still commit what came before
        return
    if pending := session.info.pop(_PENDING, None):
        _remove(pending["stored"])


# --- orphans --------------------------------------------------------------------------------------------------
ORPHAN_AGE = timedelta(days=1)  # far longer than any transaction: an object this old with no row never gets one
SWEEP_BATCH = 500
# What each kind of key is named by: a pattern whose group 1 is the value kept in a column.
_KEY_KINDS = {
    "attachment": re.compile(r"attachments/([0-9a-f]{32})"),
    "image": re.compile(r"([0-9a-f]{32}\.(?:png|jpg|gif|webp))"),
    "picture": re.compile(r"pictures/([0-9a-f]{32})-\d+\.(?:webp|jpg)"),
    "avatar": re.compile(r"avatars/([0-9a-f]{32})-\d+\.(?:webp|jpg)"),
}


def _referenced(kind: str, values: set[str]) -> set[str]:
    """Which of `values` a row still names (one SELECT per kind and batch)."""
    from ..models import Attachment, ConversationAttachment, KworkPicture, PortfolioItem, User

    columns = {"attachment": [Attachment.stored_name, ConversationAttachment.stored_name], "image": [PortfolioItem.image_name],
               "picture": [KworkPicture.token], "avatar": [User.avatar_token]}[kind]  # fmt: skip
    found: set[str] = set()
    for column in columns:
        found |= set(db.session.scalars(select(column).where(column.in_(values))))
    return found


def sweep_orphans(now: datetime, *, older_than: timedelta = ORPHAN_AGE, batch: int = SWEEP_BATCH) -> int:
    """Delete stored objects older than `older_than` that no row names: what a crash between storing a file and
    the rollback that would have removed it (services/uploads.py follows the transaction) left behind.

    Guards: only keys of a shape this app makes (attachments, portfolio images, kwork pictures, avatars) are
    considered, anything else in the folder or bucket is left alone; young objects are left alone (their
    transaction may still commit). Reads the listing in batches, a fixed number of SELECTs per batch, and deletes
    object by object (a failure is logged and retried by the next sweep). Returns how many were deleted."""
    cutoff = now - older_than
    listing = (item for item in storage().listed() if item.modified < cutoff)
    deleted = 0
    while chunk := list(islice(listing, batch)):
        by_kind: dict[str, dict[str, list[str]]] = {}
        for item in chunk:
            for kind, pattern in _KEY_KINDS.items():
                if match := pattern.fullmatch(item.key):
                    by_kind.setdefault(kind, {}).setdefault(match.group(1), []).append(item.key)
                    break
        for kind, keys_by_value in by_kind.items():
            named = _referenced(kind, set(keys_by_value))
            for value, keys in keys_by_value.items():
                if value in named:
                    continue
                for key in keys:
                    try:
                        storage().delete(key)
                        deleted += 1
                    except StorageError:
                        log.exception("removing orphaned upload %s failed; the next sweep tries again", key)
        db.session.rollback()  # nothing was written: end the read transaction between batches
    if deleted:
        log.info("removed %d orphaned upload(s) older than %s", deleted, older_than)
    return deleted
