"""Uploaded images, stored under instance/uploads with a random name. Only real image bytes are accepted."""
import secrets

from flask import current_app
from flask_babel import gettext as _

from ..domain.errors import FieldIssue, ValidationFailed

# The first bytes of each accepted format. The browser's filename and content type are not trusted.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


def image_extension(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _SIGNATURES.items() if data.startswith(magic)), None)


def store_image(data: bytes) -> str:
    limit = current_app.config["MAX_IMAGE_BYTES"]
    if len(data) > limit:
        raise ValidationFailed([FieldIssue("image", _("The image must be smaller than %(size)s MB", size=limit // (1024 * 1024)))])
    extension = image_extension(data)
    if extension is None:
        raise ValidationFailed([FieldIssue("image", _("The image must be a PNG, JPEG, GIF or WebP file"))])
    name = f"{secrets.token_hex(16)}.{extension}"
    directory = current_app.config["UPLOAD_DIR"]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    return name


def delete_image(name: str) -> None:
    (current_app.config["UPLOAD_DIR"] / name).unlink(missing_ok=True)


def store_file(data: bytes) -> str:
    """Any file a party attaches to an order (orders._check_files has checked count and size); served back only
    as a download, to the order's parties."""
    name = secrets.token_hex(16)
    directory = current_app.config["UPLOAD_DIR"] / "attachments"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    return name
