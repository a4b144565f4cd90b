"""Stored uploads (portfolio images, order attachments): `put`, `read`, `delete` and `send` behind one interface,
two backends.

`local` (the default) keeps each object as a file under UPLOAD_DIR (instance/uploads): right for the demo, the
tests and a single web host. `s3` keeps them in one bucket of an S3-compatible object store through `boto3`
(AWS S3, or MinIO, Cloudflare R2, DigitalOcean Spaces… with S3_ENDPOINT_URL), so every web host and worker sees
the same files. Credentials come from boto3's own chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and
AWS_SESSION_TOKEN), a profile, or the instance's role; never from Gigsmith's settings.

Keys are relative paths ("<hex>.png", "attachments/<hex>"), the same in both backends, so a folder of local
uploads copied into the bucket as it is keeps working.

Serving: `send` answers a GET with the object's bytes streamed through the app (never a redirect to the bucket),
so the caller's permission check and headers decide everything, the bucket stays private and reachable only from
the app's network, and pages keep `img-src 'self'` (README, "Several web hosts").
"""
import mimetypes
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Protocol

from flask import Response, current_app, request, send_file
from werkzeug.security import safe_join

from ..config import ConfigurationError

BACKENDS = ("local", "s3")
# A stuck or unreachable object store must not hold a web worker for long: connect fast, wait a while for bytes
# (an upload of 5 MB on a busy link), and retry only what S3 calls retryable (throttling, 5xx, resets): three
# attempts in all, with botocore's standard backoff.
S3_CONNECT_TIMEOUT = 3
S3_READ_TIMEOUT = 20
S3_TOTAL_ATTEMPTS = 3
S3_ADDRESSING_STYLES = ("auto", "path", "virtual")
# Error codes S3 and compatible stores answer for a key that is not there.
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class StoredObjectMissing(LookupError):
    """No object under this key."""


class StorageError(RuntimeError):
    """The storage could not be reached or refused the operation (network, credentials, a full disk)."""


@dataclass(frozen=True)
class StoredObject:
    """One object as the storage lists it: its key and when it was last written."""

    key: str
    modified: datetime


class Storage(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there. Raises StorageError."""

    def read(self, key: str) -> bytes:
        """The bytes under `key`. Raises StoredObjectMissing or StorageError."""

    def delete(self, key: str) -> None:
        """Remove the object; a key that is not there is not an error. Raises StorageError."""

    def listed(self) -> Iterator[StoredObject]:
        """Every stored object with when it was written, in no particular order. Raises StorageError."""

    def send(self, key: str, *, download_name: str | None = None, as_attachment: bool = False,
             max_age: int | None = None) -> Response:  # fmt: skip
        """A response to the current request with the object's bytes: Content-Type guessed from `download_name`
        (the key's last part by default), Content-Disposition inline or attachment, `max_age` as public caching,
        ETag and Last-Modified so a revalidating browser gets 304, byte ranges. Raises StoredObjectMissing or
        StorageError before any byte is sent."""


def _download_name(key: str, download_name: str | None) -> str:
    return download_name or key.rsplit("/", 1)[-1]


class LocalStorage:
    """Files under one folder (UPLOAD_DIR), as the app kept them before there was a choice."""

    name = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        # Keys are made by services/uploads.py, but a key that climbs out of the folder is refused all the same.
        joined = safe_join(str(self.root), key)
        if joined is None:
            raise StoredObjectMissing(key)
        return Path(joined)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as error:
            raise StorageError(f"could not write {key}: {error}") from error

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise StoredObjectMissing(key) from None
        except OSError as error:
            raise StorageError(f"could not read {key}: {error}") from error

    def listed(self) -> Iterator[StoredObject]:
        """Every file under the folder, with its modification time (for the sweep of orphaned uploads)."""
        try:
            for path in self.root.rglob("*"):
                if path.is_file():
                    yield StoredObject(path.relative_to(self.root).as_posix(), datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))
        except OSError as error:
            raise StorageError(f"could not list {self.root}: {error}") from error

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except StoredObjectMissing:
            pass
        except OSError as error:
            raise StorageError(f"could not delete {key}: {error}") from error

    def send(self, key: str, *, download_name: str | None = None, as_attachment: bool = False,
             max_age: int | None = None) -> Response:  # fmt: skip
        path = self._path(key)
        if not path.is_file():
            raise StoredObjectMissing(key)
        return send_file(path, as_attachment=as_attachment, download_name=_download_name(key, download_name), max_age=max_age)


class S3Storage:
    """One bucket of an S3-compatible object store, through a boto3 client built once per process."""

    name = "s3"

    def __init__(self, client, bucket: str):
        self.client, self.bucket = client, bucket

    def _call(self, operation: str, key: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, Key=key, **params)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING_CODES:
                raise StoredObjectMissing(key) from None
            raise StorageError(f"S3 {operation} {key}: {code or error}") from error
        except BotoCoreError as error:  # unreachable endpoint, timeouts after the retries, missing credentials
            raise StorageError(f"S3 {operation} {key}: {error}") from error

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._call("put_object", key, Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError

        body = self._call("get_object", key)["Body"]
        try:
            return body.read()
        except BotoCoreError as error:
            raise StorageError(f"S3 read {key}: {error}") from error
        finally:
            body.close()

    def listed(self) -> Iterator[StoredObject]:
        """Every object of the bucket, page by page (1,000 a request), with its LastModified."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for entry in page.get("Contents", []):
                    yield StoredObject(entry["Key"], entry["LastModified"])
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"S3 list {self.bucket}: {error}") from error

    def delete(self, key: str) -> None:
        self._call("delete_object", key)  # S3 answers 204 for a key that is not there, too

    def send(self, key: str, *, download_name: str | None = None, as_attachment: bool = False,
             max_age: int | None = None) -> Response:  # fmt: skip
        found = self._call("get_object", key)
        body, size = found["Body"], found["ContentLength"]
        # The response reads the body in blocks as the client takes them and closes it (returning the connection
        # to the pool) when done, also when it ends up a 304 or the client goes away.
        response = send_file(body, as_attachment=as_attachment, download_name=_download_name(key, download_name),
                             conditional=False, etag=found["ETag"].strip('"'), last_modified=found["LastModified"],
                             max_age=max_age)  # fmt: skip
        response.content_length = size
        return response.make_conditional(request, accept_ranges=True, complete_length=size)


def content_type_for(key: str) -> str:
    """What the object's extension says it is; anything else is opaque bytes (never text/html)."""
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(endpoint_url: str | None, region: str | None, addressing_style: str = "auto"):
    """A boto3 S3 client with short timeouts and limited retries, one per process and settings.

    Clients are thread-safe and keep a connection pool, so one is shared by the threads of a process; the process
    id is part of the key so a forked worker never shares a parent's sockets.
    """
    # boto3 is imported here, by a process that stores a file in a bucket: it weighs tens of MB in a web worker.
    import boto3
    from botocore.config import Config as BotocoreConfig

    key = (os.getpid(), endpoint_url, region, addressing_style)
    with _clients_lock:
        if key not in _clients:
            config = BotocoreConfig(
                connect_timeout=S3_CONNECT_TIMEOUT,
                read_timeout=S3_READ_TIMEOUT,
                retries={"mode": "standard", "total_max_attempts": S3_TOTAL_ATTEMPTS},
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
            )
            # A session of its own: boto3's default session is not safe to create clients from in several threads.
            session = boto3.session.Session()
            _clients[key] = session.client("s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config)
        return _clients[key]


def storage() -> Storage:
    """The backend configured: STORAGE_BACKEND=s3 (S3_BUCKET, S3_REGION, S3_ENDPOINT_URL, S3_ADDRESSING_STYLE),
    else the local folder UPLOAD_DIR."""
    config = current_app.config
    backend = (config.get("STORAGE_BACKEND") or "local").strip().lower()
    if backend == "local":
        return LocalStorage(config["UPLOAD_DIR"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        style = config.get("S3_ADDRESSING_STYLE") or "auto"
        return S3Storage(s3_client(config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"), style), config["S3_BUCKET"])
    raise ConfigurationError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
