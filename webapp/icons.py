"""The site's icons, drawn with Pillow once per process (no binary files in the repository): the favicon (ICO with
16, 32 and 48 px), the Apple touch icon (180 px) and the web-app manifest's icons (192 and 512 px). The SVG favicon
in static/ is what modern browsers take; these cover the rest (`/favicon.ico` is asked for by every browser)."""
from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

BRAND = (6, 74, 46)  # --brand-dark
SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}


def _draw(size: int, *, padded: bool) -> Image.Image:
    """The header's mark: a white "G" on the brand green. Touch and manifest icons are full squares (the system
    rounds them); the favicon is a circle on transparency."""
    from PIL import Image, ImageDraw, ImageFont  # lazy: drawn once per process, on the first request for an icon

    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if padded:
        draw.rectangle((0, 0, big, big), fill=BRAND)
    else:
        draw.ellipse((0, 0, big - 1, big - 1), fill=BRAND)
    try:
        font = ImageFont.load_default(size=int(big * (0.55 if padded else 0.7)))
    except (TypeError, OSError):
        font = ImageFont.load_default()
    draw.text((big / 2, big / 2), "G", font=font, fill=(255, 255, 255), anchor="mm")
    return image.resize((size, size), Image.Resampling.LANCZOS)


@lru_cache(maxsize=None)
def png(name: str) -> bytes:
    out = io.BytesIO()
    _draw(SIZES[name], padded=True).convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=None)
def favicon_ico() -> bytes:
    out = io.BytesIO()
    _draw(48, padded=False).save(out, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()
