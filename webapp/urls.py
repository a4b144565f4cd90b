"""Where a `next` parameter may send the user: only a path on this site."""
from urllib.parse import urlsplit


def safe_local_path(target: str | None) -> str | None:
    """`target` when it is a same-site path, else None (an absolute, protocol-relative or backslash URL would
    be an open redirect; browsers treat "/\\evil" and "/<tab>/evil" like "//evil")."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    cleaned = "".join(ch for ch in target if ch not in "\t\r\n")
    if cleaned.startswith("//") or urlsplit(cleaned).netloc or urlsplit(cleaned).scheme:
        return None
    return cleaned
