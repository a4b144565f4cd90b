"""Uploads through the storage adapter: the local folder (the default) and an S3 bucket (moto's real S3 API on
loopback, see tests/s3.py), through the real views, with the same answers from both."""
import io
import sys
from urllib.parse import quote

import pytest
from flask import g

from webapp.adapters import storage
from webapp.config import production_problems
from webapp.extensions import db
from webapp.models import PortfolioItem
from webapp.services import uploads

from .pages import check_page, text_of
from .ports import free_port
from .s3 import Bucket, moto_endpoint, s3_bucket, stored_objects, use_s3  # noqa: F401  (fixtures)
from .test_production import run, without
from .test_security_headers import PRODUCTION_ENV

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def upload_portfolio_image(client, seller, data=PNG, title="Dashboard"):
    return client.post("/kworks/portfolio", data={"title": title, "image": (io.BytesIO(data), "shot.png")},
                       content_type="multipart/form-data")  # fmt: skip


def test_portfolio_image_stored_served_and_deleted(app, client, login_as, make_user, stored_objects):
    seller = make_user(role="seller")
    login_as(seller)
    assert upload_portfolio_image(client, seller).status_code == 302
    item = db.session.query(PortfolioItem).one()
    name = item.image_name
    assert uploads.is_image_name(name) and name.endswith(".png")
    assert stored_objects.body(name) == PNG  # under its own name, as before there was a choice of storage
    if isinstance(stored_objects, Bucket):
        assert stored_objects.content_type(name) == "image/png"
        assert not (app.config["UPLOAD_DIR"] / name).exists()  # in the bucket only, not on this host's disk

    visitor = app.test_client()
    image = visitor.get(f"/catalog/images/{name}")
    assert image.status_code == 200 and image.data == PNG
    assert image.mimetype == "image/png" and image.headers["Content-Length"] == str(len(PNG))
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "public" in image.headers["Cache-Control"] and "max-age=31536000" in image.headers["Cache-Control"]
    etag = image.headers["ETag"]
    again = visitor.get(f"/catalog/images/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    part = visitor.get(f"/catalog/images/{name}", headers={"Range": "bytes=8-15"})
    assert part.status_code == 206 and part.data == PNG[8:16]

    assert client.post(f"/kworks/portfolio/{item.id}/delete").status_code == 302
    assert db.session.query(PortfolioItem).count() == 0
    assert stored_objects.body(name) is None  # the object went with the row
    assert visitor.get(f"/catalog/images/{name}").status_code == 404


def test_order_attachment_goes_to_the_parties_only(app, client, login_as, make_order, make_user, stored_objects):
    order = make_order("in_work")
    login_as(order.seller)
    file_name = "Отчёт о сервере.txt"
    response = client.post(f"/orders/{order.id}/deliver",
                           data={"delivery": "Server is ready", "delivery_files": [(io.BytesIO(b"report"), file_name)]},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302 and order.state == "delivered"
    attachment = order.messages[-1].attachments[0]
    key = f"attachments/{attachment.stored_name}"
    assert stored_objects.body(key) == b"report"
    if isinstance(stored_objects, Bucket):
        # Opaque bytes in the bucket, whatever the name says: never something a browser would render from there.
        assert stored_objects.content_type(key) == "application/octet-stream"

    url = f"/orders/{order.id}/attachments/{attachment.id}"
    for party in (order.seller, order.buyer):
        login_as(party)
        download = client.get(url)
        assert download.status_code == 200 and download.data == b"report"
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(file_name)}" in disposition
        assert download.headers["Cache-Control"] == "private, no-store"
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    login_as(make_user("Stranger"))
    refused = client.get(url)
    assert refused.status_code == 404 and b"report" not in refused.data
    g.pop("_login_user", None)  # (requests share the test's app context, where Flask-Login keeps the last user)
    assert app.test_client().get(url).status_code == 302  # signed out: to the login page, nothing served


@pytest.mark.parametrize("path", ["{stored}", "attachments%2F{stored}", "..%2Fsecret_key", "..%2F..%2Fpyproject.toml",
                                  "{stored}.png", "ABCDEF.png"])  # fmt: skip
def test_the_image_address_serves_portfolio_images_only(app, ctx, stored_objects, path):
    stored = uploads.store_file(b"private attachment")
    db.session.commit()
    response = app.test_client().get("/catalog/images/" + path.format(stored=stored))
    assert response.status_code == 404 and b"private attachment" not in response.data


def test_objects_follow_the_transaction_they_were_stored_or_deleted_in(ctx, stored_objects):
    """A failed action leaves no stray object; a deletion rolled back leaves the image in place."""
    rolled_back = uploads.store_file(b"kept only if committed")
    db.session.rollback()
    assert stored_objects.body(f"attachments/{rolled_back}") is None

    committed = uploads.store_file(b"kept")
    image = uploads.store_image(PNG)
    db.session.commit()
    assert stored_objects.body(f"attachments/{committed}") == b"kept" and stored_objects.body(image) == PNG

    uploads.delete_image(image)
    assert stored_objects.body(image) == PNG  # not before the row that names it is gone for good
    db.session.rollback()
    assert stored_objects.body(image) == PNG
    db.session.commit()
    assert stored_objects.body(image) == PNG  # a later commit does not resurrect the rolled-back deletion

    uploads.delete_image(image)
    db.session.commit()
    assert stored_objects.body(image) is None


def test_a_delivery_that_fails_after_storing_its_files_leaves_none(client, login_as, make_order, stored_objects, monkeypatch):
    from webapp.domain.errors import DomainError
    from webapp.services import notifications

    def refuse(*args, **kwargs):  # something after the files were stored refuses the action
        raise DomainError("Refused after the files were stored")

    order = make_order("in_work")
    login_as(order.seller)
    monkeypatch.setattr(notifications, "notify_about", refuse)
    before = stored_objects.keys()
    files = [(io.BytesIO(b"first"), "a.txt"), (io.BytesIO(b"second"), "b.txt")]
    response = client.post(f"/orders/{order.id}/deliver", data={"delivery": "Done", "delivery_files": files},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert order.state == "in_work" and [m.kind for m in order.messages] == ["requirements"]
    assert stored_objects.keys() == before


# --- the bucket unreachable -------------------------------------------------------------------------------------


@pytest.fixture
def unreachable_bucket(app, monkeypatch):
    """STORAGE_BACKEND=s3 pointing at a loopback port nobody listens on: every call fails to connect."""
    port = free_port()
    use_s3(app, monkeypatch, f"http://127.0.0.1:{port}", "gigsmith-unreachable")


def test_an_unreachable_bucket_is_a_message_that_keeps_the_form(client, login_as, make_user, unreachable_bucket):
    seller = make_user(role="seller")
    login_as(seller)
    response = upload_portfolio_image(client, seller, title="Kept title")
    assert response.status_code == 422
    document = check_page(response)
    assert text_of(document.find(".//p[@id='image-error']")) == "Error: The image can’t be saved just now. Try again in a few minutes."
    assert document.find(".//input[@id='title']").get("value") == "Kept title"
    assert db.session.query(PortfolioItem).count() == 0


def test_an_unreachable_bucket_refuses_an_attachment_and_changes_nothing(client, login_as, make_order, unreachable_bucket):
    order = make_order("in_work")
    login_as(order.buyer)
    response = client.post(f"/orders/{order.id}/messages",
                           data={"message": "MY MESSAGE", "message_files": [(io.BytesIO(b"x"), "a.txt")]},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    document = check_page(response)
    assert "The attached files can’t be saved just now. Try again in a few minutes." in text_of(document.find(".//main"))
    assert "MY MESSAGE" in response.get_data(as_text=True)
    assert [m.kind for m in order.messages] == ["requirements"]


def test_an_unreachable_bucket_answers_503_for_an_image(app, unreachable_bucket):
    response = app.test_client().get(f"/catalog/images/{'a' * 32}.png")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "Try again in a few minutes." in text_of(check_page(response).find(".//main"))


def test_the_s3_client_has_timeouts_and_limited_retries(app, s3_bucket):
    with app.app_context():
        client = storage.storage().client
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (storage.S3_CONNECT_TIMEOUT, storage.S3_READ_TIMEOUT)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.endpoint_url.startswith("http://127.0.0.1:") and client.meta.region_name == "eu-central-1"


# --- configuration ---------------------------------------------------------------------------------------------


def test_the_backend_is_chosen_by_configuration(app, monkeypatch):
    with app.app_context():
        assert isinstance(storage.storage(), storage.LocalStorage)
        monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
        monkeypatch.setitem(app.config, "S3_BUCKET", "")
        with pytest.raises(storage.ConfigurationError, match="STORAGE_BACKEND=s3 needs S3_BUCKET"):
            storage.storage()
        monkeypatch.setitem(app.config, "STORAGE_BACKEND", "ftp")
        with pytest.raises(storage.ConfigurationError, match="STORAGE_BACKEND must be one of local, s3"):
            storage.storage()


def test_local_storage_refuses_keys_outside_its_folder(tmp_path):
    folder = storage.LocalStorage(tmp_path / "uploads")
    folder.put("attachments/abc", b"x", "application/octet-stream")
    assert folder.read("attachments/abc") == b"x"
    for key in ("../secret", "/etc/passwd", "attachments/../../x"):
        with pytest.raises(storage.StoredObjectMissing):
            folder.read(key)
        with pytest.raises(storage.StoredObjectMissing):
            folder.put(key, b"x", "text/plain")
    folder.delete("attachments/abc")
    folder.delete("attachments/abc")  # already gone: not an error
    with pytest.raises(storage.StoredObjectMissing):
        folder.read("attachments/abc")


def test_s3_storage_reads_puts_and_deletes(app, s3_bucket):
    with app.app_context():
        bucket = storage.storage()
        bucket.put("attachments/abc", b"bytes", "application/octet-stream")
        assert bucket.read("attachments/abc") == b"bytes" and s3_bucket.keys() == {"attachments/abc"}
        bucket.delete("attachments/abc")
        bucket.delete("attachments/abc")  # already gone: not an error
        with pytest.raises(storage.StoredObjectMissing):
            bucket.read("attachments/abc")


# --- production -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings, problem", [
    ({"STORAGE_BACKEND": ""}, "set STORAGE_BACKEND=s3 and S3_BUCKET (uploads every web host shares), or STORAGE_BACKEND=local for a single web host"),
    ({"S3_BUCKET": ""}, "set S3_BUCKET for STORAGE_BACKEND=s3"),
    ({"STORAGE_BACKEND": "disk"}, "STORAGE_BACKEND must be s3 or local"),
    ({"S3_ENDPOINT_URL": "minio.internal:9000"}, "S3_ENDPOINT_URL must be an http:// or https:// address"),
    ({"S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE must be auto, path or virtual"),
])  # fmt: skip
def test_production_names_where_uploads_live(settings, problem):
    assert production_problems(PRODUCTION_ENV | settings) == [problem]


def test_production_takes_a_bucket_or_local_storage_said_on_purpose():
    assert PRODUCTION_ENV["STORAGE_BACKEND"] == "s3" and production_problems(PRODUCTION_ENV) == []
    s3_compatible = PRODUCTION_ENV | {"S3_ENDPOINT_URL": "https://fsn1.your-objectstorage.example", "S3_REGION": "fsn1",
                                      "S3_ADDRESSING_STYLE": "path"}  # fmt: skip
    assert production_problems(s3_compatible) == []
    single_host = without("S3_BUCKET") | {"STORAGE_BACKEND": "local"}
    assert production_problems(single_host) == []


def test_production_without_storage_refuses_to_start_in_one_line():
    result = run([sys.executable, "-c", "import wsgi"], without("STORAGE_BACKEND"))
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Gigsmith: GIGSMITH_ENV=production cannot start: set STORAGE_BACKEND=s3 and S3_BUCKET (uploads every web host "
        "shares), or STORAGE_BACKEND=local for a single web host (see README, Production)."
    ]


def test_the_daily_sweep_deletes_old_objects_no_row_names_and_nothing_else(app, ctx, make_user, stored_objects, tmp_path, monkeypatch):
    """An upload whose transaction never committed, and whose removal was lost (the process died), is found by
    the daily sweep once it is a day old; what a row names, what is younger and what the app did not make stay."""
    import os
    from datetime import datetime, timedelta, timezone

    import time_machine

    from jobs.housekeeping import orphaned_uploads
    from tests.s3 import Folder

    start = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    if isinstance(stored_objects, Folder):  # a folder of its own: other tests' files are no business of this one
        monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path)
        stored_objects = Folder(tmp_path)

    def put(key: str, at: datetime) -> str:
        with time_machine.travel(at, tick=False):  # moto stamps LastModified with this process's clock
            storage.storage().put(key, b"x", "application/octet-stream")
        if isinstance(stored_objects, Folder):  # a file's time is the file system's: set it as that clock's
            os.utime(stored_objects.root / key, (at.timestamp(), at.timestamp()))
        return key

    user = make_user("Ava")
    user.avatar_token = "a" * 32
    db.session.commit()
    kept = {put(f"avatars/{'a' * 32}-64.webp", start), put("notes/readme.txt", start),
            put(f"attachments/{'c' * 32}", start + timedelta(hours=20))}  # named by a row; not ours; too young
    orphans = {put(f"attachments/{'d' * 32}", start), put(f"{'e' * 32}.png", start), put(f"pictures/{'f' * 32}-480.webp", start),
               put(f"pictures/{'f' * 32}-480.jpg", start), put(f"avatars/{'b' * 32}-160.jpg", start)}  # fmt: skip
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        assert orphaned_uploads() == len(orphans)
    assert stored_objects.keys() == kept
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        assert uploads.sweep_orphans(start + timedelta(hours=30), batch=2) == 0  # nothing left to remove, in small batches too
