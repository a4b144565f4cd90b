"""Static files: third-party browser code installed into static/vendor/, and fingerprinted URLs for all of static/.

Nothing under static/vendor/ is committed; package.json and package-lock.json pin the exact version and hash.
"""
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from flask import Flask, request

from .config import PROJECT_ROOT

VENDOR_DIR = PROJECT_ROOT / "static" / "vendor"
# (npm package, file inside it, name under static/vendor)
FILES = [("htmx.org", "dist/htmx.min.js", "htmx.min.js")]


class AssetsError(RuntimeError):
    pass


def _locked_version(package: str) -> str:
    lock = json.loads((PROJECT_ROOT / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def _installed_version(package: str) -> str | None:
    manifest = PROJECT_ROOT / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def install() -> list[str]:
    """Make static/vendor/ hold exactly the locked versions; returns what was copied (nothing when up to date)."""
    copied = []
    for package, source, target in FILES:
        version = _locked_version(package)
        stamp = VENDOR_DIR / f"{target}.version"
        if (VENDOR_DIR / target).exists() and stamp.exists() and stamp.read_text() == version:
            continue
        if _installed_version(package) != version:
            npm = shutil.which("npm")
            if npm is None:
                raise AssetsError("npm is needed once to install htmx: install Node.js (which brings npm) and run again")
            # `npm ci` installs exactly the lock file, checking each package's integrity hash.
            subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=PROJECT_ROOT, check=True)
        VENDOR_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / "node_modules" / package / source, VENDOR_DIR / target)
        stamp.write_text(version)
        copied.append(f"{package}@{version} → static/vendor/{target}")
    return copied


# A fingerprinted URL never changes content, so browsers and proxies may keep it for a year without asking.
IMMUTABLE = "public, max-age=31536000, immutable"


def register(app: Flask) -> None:
    """`url_for('static', …)` adds `v=<hash of the file>`; a request carrying the current hash is cacheable forever.

    A changed file gets a new URL, so nobody keeps a stale copy. A request with an outdated or missing `v` is
    still served, with Flask's default revalidating headers.
    """
    static = Path(app.static_folder)
    known: dict[str, tuple[tuple[int, int], str]] = {}  # filename → ((mtime, size), hash): rehash only on change

    def version(filename: str) -> str | None:
        try:
            stat = (static / filename).stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        if filename not in known or known[filename][0] != key:
            known[filename] = (key, hashlib.sha256((static / filename).read_bytes()).hexdigest()[:16])
        return known[filename][1]

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            if fingerprint := version(values["filename"]):
                values["v"] = fingerprint

    @app.after_request
    def cache_fingerprinted(response):
        # Only a file send_from_directory accepted (200/304) is hashed, so the name is inside static/.
        if request.endpoint == "static" and response.status_code in (200, 304) and "v" in request.args:
            if request.args["v"] == version(request.view_args["filename"]):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
