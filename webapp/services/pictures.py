"""Kwork pictures (a cover and a gallery, up to MAX_PICTURES) and user avatars: checked by their content, re-drawn
with Pillow into a few widths, each as WebP and as a JPEG fallback, and kept by the storage adapter.

Nothing the browser sent is trusted: not the file name, not the content type. The bytes must open as a PNG, JPEG,
GIF or WebP image whose header states at most MAX_IMAGE_PIXELS pixels (checked before a single pixel is decoded, so
a small file that decodes to gigabytes, a "decompression bomb", is refused), decode to the end (a truncated file is
refused) and be large enough to show. What is stored is always a fresh encoding of the decoded pixels: metadata
(EXIF, GPS position, comments) and anything appended to the file (a polyglot's script or archive) are left behind.

Storage keys: "pictures/<token>-<width>.webp|jpg" and "avatars/<token>-<size>.webp|jpg", <token> 32 hex digits.
Renditions follow the caller's transaction like every upload (services/uploads.py): stored ones go again on a
rollback, replaced ones are removed after the commit.
"""
from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import func, select, update

from ..adapters.storage import StorageError, storage
from ..domain.errors import DomainError, FieldIssue, ValidationFailed
from ..extensions import db
from ..models import Kwork, KworkPicture, User
from ..models.storefront import MAX_PICTURES
from ..texts import gettext as _
from . import locking, uploads

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
PICTURE_WIDTHS = (320, 640, 1280)  # card, kwork page on a phone / in the column, wide screens and zoom
AVATAR_SIZES = (64, 160)
MIN_PICTURE = (320, 180)
MIN_AVATAR = 64
ALT_MAX = 250
DEFAULT_MAX_PIXELS = 40_000_000  # 8,000 × 5,000: more than any camera a seller uses; a bomb is far beyond it
_NAME = re.compile(r"(pictures|avatars)/([0-9a-f]{32})-(\d{2,4})\.(webp|jpg)")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


class PictureNotFound(DomainError):
    """No such picture on this seller's kwork."""


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp: bytes
    jpeg: bytes


@dataclass(frozen=True)
class Processed:
    width: int  # of the largest rendition
    height: int
    renditions: list[Rendition]


def _refuse(field: str, message: str):
    raise ValidationFailed([FieldIssue(field, message)])


def decode(data: bytes, *, field: str = "image", max_bytes: int | None = None, max_pixels: int | None = None) -> Image.Image:
    """The image in `data`, fully decoded, upright (EXIF orientation applied) and in RGB on white.

    Raises ValidationFailed on `field`: too many bytes, not a PNG/JPEG/GIF/WebP, more pixels than allowed
    (checked from the header before decoding), truncated or otherwise broken.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError  # lazy: pages and jobs that only read pictures skip Pillow

    config = current_app.config
    max_bytes = max_bytes or config["MAX_IMAGE_BYTES"]
    max_pixels = max_pixels or config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS)
    if len(data) > max_bytes:
        _refuse(field, _("The image must be smaller than %(size)s MB", size=max_bytes // (1024 * 1024)))
    not_an_image = _("The file must be a PNG, JPEG, GIF or WebP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = probe.size
            if width * height > max_pixels:
                _refuse(field, _("The image is too large: use one of at most %(pixels)s megapixels", pixels=max_pixels // 1_000_000))
            probe.verify()  # structure and checksums, without decoding pixels
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            image.load()  # every pixel: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(field, _("The image is too large: use one of at most %(pixels)s megapixels", pixels=max_pixels // 1_000_000))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError):
        _refuse(field, not_an_image)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _encode(image: Image.Image) -> Rendition:
    webp, jpeg = io.BytesIO(), io.BytesIO()
    image.save(webp, "WEBP", quality=80, method=4)
    image.save(jpeg, "JPEG", quality=82, optimize=True, progressive=True)
    return Rendition(image.width, image.height, webp.getvalue(), jpeg.getvalue())


def process_picture(data: bytes, *, field: str = "image") -> Processed:
    """A kwork picture in every width of PICTURE_WIDTHS it is wide enough for (never enlarged; a picture narrower
    than the largest also keeps its own width). Raises ValidationFailed (see `decode`, and too small)."""
    from PIL import Image

    image = decode(data, field=field)
    if image.width < MIN_PICTURE[0] or image.height < MIN_PICTURE[1]:
        _refuse(field, _("The picture must be at least %(width)s × %(height)s pixels", width=MIN_PICTURE[0], height=MIN_PICTURE[1]))
    widths = [w for w in PICTURE_WIDTHS if w < image.width] + [min(image.width, PICTURE_WIDTHS[-1])]
    renditions = []
    for width in sorted(set(widths)):
        height = max(1, round(image.height * width / image.width))
        renditions.append(_encode(image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)))
    largest = renditions[-1]
    return Processed(largest.width, largest.height, renditions)


def process_avatar(data: bytes, *, field: str = "avatar") -> Processed:
    """An avatar cropped to the centre square and drawn at AVATAR_SIZES. Raises ValidationFailed."""
    from PIL import Image, ImageOps

    image = decode(data, field=field)
    if min(image.size) < MIN_AVATAR:
        _refuse(field, _("The picture must be at least %(width)s × %(height)s pixels", width=MIN_AVATAR, height=MIN_AVATAR))
    renditions = [_encode(ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)) for size in AVATAR_SIZES]
    return Processed(AVATAR_SIZES[-1], AVATAR_SIZES[-1], renditions)


def rendition_keys(folder: str, token: str, widths) -> list[str]:
    return [f"{folder}/{token}-{width}.{ext}" for width in widths for ext in CONTENT_TYPES]


def _store(folder: str, processed: Processed, field: str) -> str:
    token = secrets.token_hex(16)
    pending = uploads._pending()
    try:
        for rendition in processed.renditions:
            for ext, data in (("webp", rendition.webp), ("jpg", rendition.jpeg)):
                key = f"{folder}/{token}-{rendition.width}.{ext}"
                storage().put(key, data, CONTENT_TYPES[ext])
                pending["stored"].append(key)
    except StorageError:
        log.exception("storing a picture failed")
        raise uploads.StorageUnavailable(field, _("The image can’t be saved just now. Try again in a few minutes.")) from None
    return token


def picture_widths(picture: KworkPicture) -> list[int]:
    """The widths stored for a picture (the same rule process_picture used)."""
    widths = [w for w in PICTURE_WIDTHS if w < picture.width] + [picture.width]
    return sorted(set(widths))


def is_public_key(key: str) -> bool:
    """Whether `key` names a rendition this module could have stored (anything else is not served)."""
    return _NAME.fullmatch(key) is not None


# --- kwork pictures ----------------------------------------------------------------------------------------------
def _own_kwork(seller: User, kwork_id: int) -> Kwork:
    kwork = locking.lock(Kwork, kwork_id)
    if kwork is None or kwork.seller_id != seller.id or kwork.deleted_at is not None:
        from .kworks import KworkNotFound

        raise KworkNotFound("Kwork not found")
    return kwork


def clean_alt(alt: str) -> str:
    return " ".join((alt or "").split())


def alt_issues(alt: str, field: str = "alt") -> list[FieldIssue]:
    text = clean_alt(alt)
    if not text:
        return [FieldIssue(field, _("Describe what the picture shows"))]
    if len(text) > ALT_MAX:
        return [FieldIssue(field, _("The description must be %(max)s characters or fewer", max=ALT_MAX))]
    return []


def add_picture(seller: User, kwork_id: int, data: bytes, alt: str, *, as_cover: bool = False) -> KworkPicture:
    """Add a picture to the seller's kwork: the cover when it is the first or `as_cover`, else the gallery's last.

    Guards: the seller's own kwork (KworkNotFound); alt text given and at most ALT_MAX characters; fewer than
    MAX_PICTURES pictures already; the file an acceptable image (process_picture). Raises ValidationFailed by field
    ("image", "alt"). Effects: renditions stored (removed again if this transaction rolls back); a kwork already
    live keeps its status (pictures are not moderated separately from the kwork in this version).
    """
    issues = alt_issues(alt)
    processed = None
    try:
        processed = process_picture(data)
    except ValidationFailed as error:
        issues = error.issues + issues
    if issues:
        raise ValidationFailed(issues)
    kwork = _own_kwork(seller, kwork_id)
    count = db.session.scalar(select(func.count()).select_from(KworkPicture).where(KworkPicture.kwork_id == kwork.id))
    if count >= MAX_PICTURES:
        db.session.rollback()
        _refuse("image", _("A kwork can have up to %(num)s pictures. Remove one first.", num=MAX_PICTURES))
    token = _store("pictures", processed, "image")
    if as_cover and count:
        db.session.execute(update(KworkPicture).where(KworkPicture.kwork_id == kwork.id).values(position=KworkPicture.position + 1))
        position = 0
    else:
        position = count
    picture = KworkPicture(kwork_id=kwork.id, position=position, token=token, alt=clean_alt(alt),
                           width=processed.width, height=processed.height)  # fmt: skip
    db.session.add(picture)
    db.session.commit()
    return picture


def _own_picture(seller: User, kwork_id: int, picture_id: int) -> tuple[Kwork, KworkPicture]:
    kwork = _own_kwork(seller, kwork_id)
    picture = db.session.get(KworkPicture, picture_id)
    if picture is None or picture.kwork_id != kwork.id:
        db.session.rollback()
        raise PictureNotFound("Picture not found")
    return kwork, picture


def update_alt(seller: User, kwork_id: int, picture_id: int, alt: str) -> KworkPicture:
    """Change a picture's alternative text. Raises PictureNotFound, ValidationFailed ("alt")."""
    if issues := alt_issues(alt):
        raise ValidationFailed(issues)
    _kwork, picture = _own_picture(seller, kwork_id, picture_id)
    picture.alt = clean_alt(alt)
    db.session.commit()
    return picture


def make_cover(seller: User, kwork_id: int, picture_id: int) -> KworkPicture:
    """Move a picture to the front: it becomes the cover, the others keep their order after it."""
    kwork, picture = _own_picture(seller, kwork_id, picture_id)
    db.session.execute(
        update(KworkPicture)
        .where(KworkPicture.kwork_id == kwork.id, KworkPicture.position < picture.position)
        .values(position=KworkPicture.position + 1)
    )
    picture.position = 0
    db.session.commit()
    return picture


def remove_picture(seller: User, kwork_id: int, picture_id: int) -> None:
    """Remove a picture (its renditions go after the commit); the next one becomes the cover if it was."""
    kwork, picture = _own_picture(seller, kwork_id, picture_id)
    for key in rendition_keys("pictures", picture.token, picture_widths(picture)):
        uploads._pending()["deleted"].append(key)
    position = picture.position
    db.session.delete(picture)
    db.session.flush()
    db.session.execute(
        update(KworkPicture).where(KworkPicture.kwork_id == kwork.id, KworkPicture.position > position)
        .values(position=KworkPicture.position - 1)
    )  # fmt: skip
    db.session.commit()


def pictures_of(kwork_id: int) -> list[KworkPicture]:
    return list(db.session.scalars(select(KworkPicture).where(KworkPicture.kwork_id == kwork_id).order_by(KworkPicture.position)))


def has_cover(kwork_id: int | None) -> bool:
    if kwork_id is None:
        return False
    return db.session.scalar(select(KworkPicture.id).where(KworkPicture.kwork_id == kwork_id).limit(1)) is not None


# --- avatars -----------------------------------------------------------------------------------------------------
def set_avatar(user: User, data: bytes) -> User:
    """Replace the user's avatar with this picture (centre square). Raises ValidationFailed ("avatar")."""
    processed = process_avatar(data)
    user = locking.lock(User, user.id)
    token = _store("avatars", processed, "avatar")
    if user.avatar_token:
        uploads._pending()["deleted"].extend(rendition_keys("avatars", user.avatar_token, AVATAR_SIZES))
    user.avatar_token = token
    db.session.commit()
    return user


def remove_avatar(user: User) -> User:
    """Back to the drawn initials; the stored renditions go after the commit."""
    user = locking.lock(User, user.id)
    if user.avatar_token:
        uploads._pending()["deleted"].extend(rendition_keys("avatars", user.avatar_token, AVATAR_SIZES))
    user.avatar_token = None
    db.session.commit()
    return user
