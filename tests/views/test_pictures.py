"""The Pictures page of a kwork, the profile picture, and what buyers see of both."""
import io

import pytest

from webapp.extensions import db
from webapp.models import KworkPicture, User
from webapp.services import kworks, pictures

from ..conftest import full_draft
from ..images import bomb_png, image_bytes, truncated_jpeg
from ..pages import check_page, text_of


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return (io.BytesIO(data), name, content_type)


@pytest.fixture
def seller(make_user):
    return make_user("Anna Petrova", role="seller")


def test_seller_adds_a_cover_and_edits_its_alt_text(client, login_as, seller):
    kwork = kworks.save_kwork(seller, full_draft(), submit=False)
    login_as(seller)
    page = check_page(client.get(f"/kworks/{kwork.id}/pictures"))
    assert "How to write good alternative text" in text_of(page.find(".//main"))
    response = client.post(f"/kworks/{kwork.id}/pictures", data={"image": upload(image_bytes()), "alt": "A server rack"},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    picture = db.session.query(KworkPicture).one()
    assert picture.alt == "A server rack"
    page = check_page(client.get(f"/kworks/{kwork.id}/pictures"))
    assert page.find(f".//textarea[@id='p{picture.id}-alt']") is not None
    assert "Picture added." in text_of(page.find(".//main"))
    response = client.post(f"/kworks/{kwork.id}/pictures/{picture.id}/alt", data={f"p{picture.id}-alt": "  "})
    assert response.status_code == 422
    page = check_page(response)
    assert text_of(page.find(".//title")).startswith("Error:")
    assert text_of(page.find(f".//p[@id='p{picture.id}-alt-error']")) == "Error: Describe what the picture shows"
    assert client.post(f"/kworks/{kwork.id}/pictures/{picture.id}/alt", data={f"p{picture.id}-alt": "Rack"}).status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [(bomb_png(), "too large"), (truncated_jpeg(), "PNG, JPEG, GIF or WebP"), (b"<html>hi</html>", "PNG, JPEG, GIF or WebP")],
    ids=["bomb", "truncated", "html"],
)
def test_hostile_uploads_come_back_as_field_errors_keeping_the_alt_text(client, login_as, seller, data, message):
    kwork = kworks.save_kwork(seller, full_draft(), submit=False)
    login_as(seller)
    response = client.post(f"/kworks/{kwork.id}/pictures", data={"image": upload(data), "alt": "A chart of sales"},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    page = check_page(response)
    assert message in text_of(page.find(".//p[@id='image-error']"))
    assert text_of(page.find(".//textarea[@id='alt']")) == "A chart of sales"
    assert db.session.query(KworkPicture).count() == 0


def test_another_sellers_pictures_page_is_404(client, login_as, make_user, seller):
    kwork = kworks.save_kwork(seller, full_draft(), submit=False)
    login_as(make_user("Other", role="seller"))
    assert client.get(f"/kworks/{kwork.id}/pictures").status_code == 404


def test_catalog_card_and_kwork_page_show_cover_avatar_and_responsive_markup(client, seller, make_kwork):
    kwork = make_kwork(seller)
    pictures.add_picture(seller, kwork.id, image_bytes(size=(1600, 1200)), "A server rack with blue lights")
    pictures.add_picture(seller, kwork.id, image_bytes(size=(800, 600)), "The report the buyer gets")
    page = check_page(client.get("/catalog/"))
    card = page.find(".//li[@class='kwork-card card']")
    img = card.find(".//img")
    assert img.get("alt") == "" and img.get("loading") == "lazy" and (img.get("width"), img.get("height")) == ("1280", "960")
    assert "320w" in img.get("srcset") and card.find(".//source[@type='image/webp']") is not None
    assert text_of(card.find(".//span[@aria-hidden='true']")) == "AP"  # drawn initials, no avatar uploaded
    page = check_page(client.get(f"/catalog/kworks/{kwork.id}"))
    alts = [img.get("alt") for img in page.findall(".//div[@class='gallery']//img")]
    assert alts == ["A server rack with blue lights", "The report the buyer gets"]
    assert page.find(".//div[@class='gallery']//img").get("fetchpriority") == "high"
    src = page.find(".//div[@class='gallery']//source").get("srcset").split(",")[0].split()[0]
    response = client.get(src)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert client.get("/catalog/pictures/../secret_key").status_code == 404
    assert client.get("/catalog/pictures/" + "0" * 32 + "-320.png").status_code == 404


def test_avatar_upload_shows_on_the_seller_page_and_errors_stay_on_the_field(client, login_as, seller):
    login_as(seller)
    response = client.post("/account/avatar", data={"avatar": upload(image_bytes("JPEG", size=(600, 400)), "me.jpg", "image/jpeg")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    token = db.session.get(User, seller.id).avatar_token
    page = check_page(client.get(f"/catalog/sellers/{seller.id}"))
    assert token in page.find(".//main//picture[@class='avatar avatar--96']//img").get("src")
    response = client.post("/account/avatar", data={"avatar": upload(b"GIF89a<script>", "me.gif", "image/gif")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = check_page(response)
    assert "PNG, JPEG, GIF or WebP" in text_of(page.find(".//p[@id='avatar-error']"))
    assert text_of(page.find(".//title")).startswith("Error:")
    assert client.post("/account/avatar/remove").status_code == 302
    assert db.session.get(User, seller.id).avatar_token is None


def test_cover_is_asked_for_in_the_editor(client, app, login_as, seller):
    kwork = kworks.save_kwork(seller, full_draft(), submit=False)
    login_as(seller)
    app.config["KWORK_COVER_REQUIRED"] = True
    try:
        from .test_kworks import editor_data

        response = client.post(f"/kworks/{kwork.id}/edit", data=editor_data())
        assert response.status_code == 422
        assert "Add a cover picture before sending the kwork to moderation" in text_of(check_page(response).find(".//div[@class='error-summary']"))
    finally:
        app.config["KWORK_COVER_REQUIRED"] = False
