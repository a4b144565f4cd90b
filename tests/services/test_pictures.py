"""Kwork pictures and avatars: real files in every accepted format, and hostile ones, through the real storage."""
import io

import pytest
from PIL import Image

from webapp.adapters.storage import storage
from webapp.domain.errors import ValidationFailed
from webapp.extensions import db
from webapp.models import KworkPicture
from webapp.models.storefront import MAX_PICTURES
from webapp.services import kworks, pictures

from ..conftest import full_draft
from ..images import SVG, bomb_png, gif_with_script, html_with_gif_magic, image_bytes, truncated_jpeg


@pytest.fixture
def seller(make_user):
    return make_user("Seller", role="seller")


@pytest.fixture
def draft_kwork(seller):
    return kworks.save_kwork(seller, full_draft(), submit=False)


def stored(key: str) -> bytes:
    return storage().read(key)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_each_accepted_format_becomes_webp_and_jpeg_in_each_width(ctx, seller, draft_kwork, fmt):
    picture = pictures.add_picture(seller, draft_kwork.id, image_bytes(fmt, size=(1600, 1200)), "A blue screen with a yellow square")
    assert (picture.width, picture.height, picture.position) == (1280, 960, 0)
    assert pictures.picture_widths(picture) == [320, 640, 1280]
    for width in (320, 640, 1280):
        webp = Image.open(io.BytesIO(stored(f"pictures/{picture.token}-{width}.webp")))
        jpeg = Image.open(io.BytesIO(stored(f"pictures/{picture.token}-{width}.jpg")))
        assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
        assert webp.size == jpeg.size == (width, round(1200 * width / 1600))


def test_small_picture_is_never_enlarged(ctx, seller, draft_kwork):
    picture = pictures.add_picture(seller, draft_kwork.id, image_bytes("PNG", size=(500, 400)), "A chart")
    assert pictures.picture_widths(picture) == [320, 500]
    assert Image.open(io.BytesIO(stored(f"pictures/{picture.token}-500.jpg"))).size == (500, 400)


def test_transparency_is_flattened_on_white_and_metadata_dropped(ctx, seller, draft_kwork):
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    data = image_bytes("JPEG", size=(800, 600), exif=exif.tobytes())
    picture = pictures.add_picture(seller, draft_kwork.id, data, "A logo")
    out = Image.open(io.BytesIO(stored(f"pictures/{picture.token}-640.jpg")))
    assert not out.getexif() and b"secret description" not in stored(f"pictures/{picture.token}-640.jpg")
    rgba = image_bytes("PNG", size=(400, 300), colour=(0, 0, 0, 0), mode="RGBA")
    clear = pictures.add_picture(seller, draft_kwork.id, rgba, "A transparent badge")
    assert Image.open(io.BytesIO(stored(f"pictures/{clear.token}-400.jpg"))).getpixel((1, 1))[0] > 240


@pytest.mark.parametrize(
    "data, message",
    [
        (bomb_png(), "too large"),
        (truncated_jpeg(), "PNG, JPEG, GIF or WebP"),
        (html_with_gif_magic(), "PNG, JPEG, GIF or WebP"),
        (SVG, "PNG, JPEG, GIF or WebP"),
        (b"", "PNG, JPEG, GIF or WebP"),
        (b"%PDF-1.4 not a picture", "PNG, JPEG, GIF or WebP"),
        (image_bytes("BMP", size=(800, 600)), "PNG, JPEG, GIF or WebP"),
        (image_bytes("PNG", size=(200, 100)), "at least 320 × 180"),
    ],
    ids=["decompression-bomb", "truncated", "html-with-gif-magic", "svg", "empty", "pdf", "bmp", "too-small"],
)
def test_hostile_and_unusable_files_are_refused_and_nothing_is_stored(ctx, seller, draft_kwork, data, message):
    with pytest.raises(ValidationFailed) as refused:
        pictures.add_picture(seller, draft_kwork.id, data, "Something")
    assert [issue.field for issue in refused.value.issues] == ["image"]
    assert message in refused.value.issues[0].message
    assert db.session.query(KworkPicture).count() == 0


def test_oversized_file_is_refused_before_decoding(ctx, app, seller, draft_kwork):
    data = image_bytes("PNG", size=(800, 600))
    app.config["MAX_IMAGE_BYTES"], limit = len(data) - 1, app.config["MAX_IMAGE_BYTES"]
    try:
        with pytest.raises(ValidationFailed, match="smaller than"):
            pictures.add_picture(seller, draft_kwork.id, data, "Something")
    finally:
        app.config["MAX_IMAGE_BYTES"] = limit


def test_polyglot_keeps_the_picture_and_loses_the_script(ctx, seller, draft_kwork):
    picture = pictures.add_picture(seller, draft_kwork.id, gif_with_script(), "A blue card")
    for width in pictures.picture_widths(picture):
        for ext in ("webp", "jpg"):
            assert b"<script" not in stored(f"pictures/{picture.token}-{width}.{ext}")


def test_the_file_name_and_type_are_not_trusted(client, login_as, seller, draft_kwork):
    """A JPEG named .png with a text/plain type is a JPEG; a text file named .jpg with image/jpeg is refused."""
    login_as(seller)
    url = f"/kworks/{draft_kwork.id}/pictures"
    jpeg = (io.BytesIO(image_bytes("JPEG")), "photo.png", "text/plain")
    assert client.post(url, data={"image": jpeg, "alt": "A photo"}, content_type="multipart/form-data").status_code == 302
    text = (io.BytesIO(b"hello, I am text"), "photo.jpg", "image/jpeg")
    response = client.post(url, data={"image": text, "alt": "A photo"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "PNG, JPEG, GIF or WebP" in response.get_data(as_text=True)


def test_alt_text_is_required_and_bounded(ctx, seller, draft_kwork):
    for alt, expected in (("   ", "Describe what the picture shows"), ("x" * 251, "250 characters or fewer")):
        with pytest.raises(ValidationFailed) as refused:
            pictures.add_picture(seller, draft_kwork.id, image_bytes(), alt)
        assert refused.value.issues[-1].field == "alt" and expected in refused.value.issues[-1].message


def test_cover_gallery_order_limit_and_removal(ctx, app, seller, draft_kwork):
    first = pictures.add_picture(seller, draft_kwork.id, image_bytes(), "First")
    second = pictures.add_picture(seller, draft_kwork.id, image_bytes(), "Second")
    third = pictures.add_picture(seller, draft_kwork.id, image_bytes(), "Third", as_cover=True)
    assert [p.alt for p in pictures.pictures_of(draft_kwork.id)] == ["Third", "First", "Second"]
    pictures.make_cover(seller, draft_kwork.id, second.id)
    assert [p.alt for p in pictures.pictures_of(draft_kwork.id)] == ["Second", "Third", "First"]
    keys = pictures.rendition_keys("pictures", second.token, pictures.picture_widths(second))
    pictures.remove_picture(seller, draft_kwork.id, second.id)
    assert [(p.alt, p.position) for p in pictures.pictures_of(draft_kwork.id)] == [("Third", 0), ("First", 1)]
    assert not any((app.config["UPLOAD_DIR"] / key).exists() for key in keys)
    for number in range(MAX_PICTURES - 2):
        pictures.add_picture(seller, draft_kwork.id, image_bytes(size=(400, 300)), f"More {number}")
    with pytest.raises(ValidationFailed, match="up to 8 pictures"):
        pictures.add_picture(seller, draft_kwork.id, image_bytes(size=(400, 300)), "One too many")
    assert first.id and third.id


def test_only_the_seller_changes_their_pictures(ctx, make_user, seller, draft_kwork):
    picture = pictures.add_picture(seller, draft_kwork.id, image_bytes(), "Mine")
    intruder = make_user("Intruder", role="seller")
    with pytest.raises(kworks.KworkNotFound):
        pictures.add_picture(intruder, draft_kwork.id, image_bytes(), "Theirs")
    with pytest.raises(kworks.KworkNotFound):
        pictures.remove_picture(intruder, draft_kwork.id, picture.id)
    other = kworks.save_kwork(intruder, full_draft("Their kwork"), submit=False)
    with pytest.raises(pictures.PictureNotFound):
        pictures.update_alt(intruder, other.id, picture.id, "Taken over")


def test_a_rolled_back_upload_leaves_no_file(ctx, app, seller, draft_kwork):
    before = set(p.name for p in (app.config["UPLOAD_DIR"] / "pictures").glob("*")) if (app.config["UPLOAD_DIR"] / "pictures").exists() else set()
    processed = pictures.process_picture(image_bytes())
    pictures.locking.begin_write()
    pictures._store("pictures", processed, "image")
    db.session.rollback()
    after = set(p.name for p in (app.config["UPLOAD_DIR"] / "pictures").glob("*"))
    assert after == before


def test_cover_is_required_to_submit_for_moderation(ctx, app, seller, draft_kwork):
    app.config["KWORK_COVER_REQUIRED"] = True
    try:
        with pytest.raises(ValidationFailed) as refused:
            kworks.save_kwork(seller, full_draft(), kwork=draft_kwork, submit=True)
        assert [issue.field for issue in refused.value.issues] == ["pictures"]
        pictures.add_picture(seller, draft_kwork.id, image_bytes(), "A server rack")
        assert kworks.save_kwork(seller, full_draft(), kwork=draft_kwork, submit=True).status == "pending"
    finally:
        app.config["KWORK_COVER_REQUIRED"] = False


def test_avatar_is_a_centre_square_and_replacing_it_removes_the_old_one(ctx, app, seller):
    pictures.set_avatar(seller, image_bytes("JPEG", size=(900, 600)))
    first = seller.avatar_token
    for size in pictures.AVATAR_SIZES:
        assert Image.open(io.BytesIO(stored(f"avatars/{first}-{size}.webp"))).size == (size, size)
    pictures.set_avatar(seller, image_bytes("PNG", size=(300, 300)))
    assert seller.avatar_token != first
    assert not (app.config["UPLOAD_DIR"] / f"avatars/{first}-64.jpg").exists()
    with pytest.raises(ValidationFailed) as refused:
        pictures.set_avatar(seller, bomb_png())
    assert refused.value.issues[0].field == "avatar"
    pictures.remove_avatar(seller)
    assert seller.avatar_token is None
