"""What browsers, phones and search engines read: icons, manifest, sitemap, meta description, Open Graph, compression."""
import io
import xml.etree.ElementTree as ET

from PIL import Image

from webapp.services import kworks, pictures

from .images import image_bytes
from .pages import check_page


def test_favicon_and_touch_icons_are_real_images(client):
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and Image.open(io.BytesIO(ico.data)).format == "ICO"
    assert "max-age" in ico.headers["Cache-Control"]
    for name, size in (("apple-touch-icon.png", 180), ("icon-192.png", 192), ("icon-512.png", 512)):
        response = client.get(f"/{name}")
        assert response.status_code == 200 and Image.open(io.BytesIO(response.data)).size == (size, size)
    manifest = client.get("/site.webmanifest").get_json(force=True)
    assert manifest["name"] == "Gigsmith" and len(manifest["icons"]) == 2
    page = check_page(client.get("/catalog/"))
    rels = {link.get("rel") for link in page.findall(".//head/link")}
    assert {"icon", "apple-touch-icon", "manifest"} <= rels


def test_kwork_page_describes_itself_with_its_own_text_and_cover(client, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    kwork = make_kwork(seller)
    pictures.add_picture(seller, kwork.id, image_bytes(size=(1600, 1200)), "A server rack with blue lights")
    head = check_page(client.get(f"/catalog/kworks/{kwork.id}")).find(".//head")
    meta = {(m.get("name") or m.get("property")): m.get("content") for m in head.findall("meta") if m.get("content")}
    assert meta["description"].startswith(kwork.description[:40]) and len(meta["description"]) <= 160
    assert meta["og:title"] == kwork.title and meta["og:type"] == "product"
    assert meta["og:image"].startswith("http") and meta["og:image"].endswith("-1280.jpg")
    assert meta["og:image:alt"] == "A server rack with blue lights" and meta["twitter:card"] == "summary_large_image"
    assert client.get(meta["og:image"].split("localhost", 1)[-1]).status_code == 200
    catalog_meta = check_page(client.get("/catalog/")).find(".//head/meta[@name='description']").get("content")
    assert "fixed prices" in catalog_meta


def test_sitemap_lists_public_kworks_and_sellers_only(client, make_user, make_kwork):
    seller = make_user("Anna", role="seller")
    live = make_kwork(seller)
    draft = make_kwork(seller, status="draft", title="A draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    locs = [loc.text for loc in ET.fromstring(response.data).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/catalog/kworks/{live.id}") for loc in locs)
    assert not any(loc.endswith(f"/catalog/kworks/{draft.id}") for loc in locs)
    assert any(loc.endswith(f"/catalog/sellers/{seller.id}") for loc in locs)
    assert "Sitemap: http" in client.get("/robots.txt").get_data(as_text=True)


def test_text_is_compressed_but_pages_with_secrets_are_not(client, login_as, make_user, make_kwork):
    make_kwork(make_user("Anna", role="seller"))
    for path in ("/static/css/app.css", "/static/vendor/htmx.min.js", "/catalog/"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert response.headers.get("Content-Encoding") in ("br", "gzip"), path
        assert "Accept-Encoding" in response.headers["Vary"]
    login_as(make_user("Buyer"))
    response = client.get("/catalog/", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers  # BREACH: a signed-in page holds form tokens
