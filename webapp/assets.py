"""Third-party browser code: installed from the pinned npm package at install time, copied into static/vendor/.

Nothing under static/vendor/ is committed; package.json and package-lock.json pin the exact version and hash.
"""
import json
import shutil
import subprocess

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
