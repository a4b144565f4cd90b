"""A real S3 API for the storage tests: moto's server on loopback in a thread of the test process, spoken to by
boto3 over HTTP exactly as a bucket in production is (no mock of boto3 anywhere).

Use from a test module with `from .s3 import moto_endpoint, s3_bucket, stored_objects  # noqa: F401`.
`stored_objects` is parametrised over both backends, so a test that takes it runs once on the local folder and
once on a bucket, and looks at what was stored without going through the adapter it is testing.
"""
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from webapp.adapters import storage

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: a free one
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    """What is in the test's bucket, read with a client of the test's own."""

    client: object
    name: str

    def body(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def content_type(self, key: str) -> str:
        return self.client.head_object(Bucket=self.name, Key=key)["ContentType"]

    def keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return {entry["Key"] for entry in listing.get("Contents", [])}


@dataclass
class Folder:
    """What is in the local upload folder."""

    root: Path

    def body(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def keys(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()} if self.root.exists() else set()


def _credentials(monkeypatch) -> None:
    # boto3's standard variables, as production sets them; nothing from a profile on the machine running the tests.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/gigsmith-tests")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/gigsmith-tests")


def use_s3(app, monkeypatch, endpoint: str, bucket: str) -> None:
    """Configure the app as production does: STORAGE_BACKEND=s3 with a bucket, region and endpoint."""
    _credentials(monkeypatch)
    settings = {"STORAGE_BACKEND": "s3", "S3_BUCKET": bucket, "S3_REGION": REGION, "S3_ENDPOINT_URL": endpoint,
                "S3_ADDRESSING_STYLE": "path"}  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)


@pytest.fixture
def s3_bucket(app, moto_endpoint, monkeypatch) -> Bucket:
    """The app's uploads go to a new, empty bucket of the moto server for this test."""
    _credentials(monkeypatch)
    name = f"gigsmith-test-{secrets.token_hex(6)}"
    client = storage.s3_client(moto_endpoint, REGION, "path")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    use_s3(app, monkeypatch, moto_endpoint, name)
    return Bucket(client, name)


@pytest.fixture(params=["local", "s3"])
def stored_objects(request, app):
    """Run the test on each backend; returns a view of what is stored (Folder or Bucket)."""
    if request.param == "s3":
        return request.getfixturevalue("s3_bucket")
    assert app.config["STORAGE_BACKEND"] == "local"
    return Folder(app.config["UPLOAD_DIR"])
