"""Image files made with Pillow for the upload tests: real ones in each accepted format, and hostile ones."""
import io

from PIL import Image, ImageDraw


def image_bytes(fmt: str = "PNG", size=(800, 600), colour=(30, 110, 200), mode: str = "RGB", **save) -> bytes:
    image = Image.new(mode, size, colour if mode != "1" else 0)
    if mode in ("RGB", "RGBA"):
        draw = ImageDraw.Draw(image)
        draw.rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def bomb_png(side: int = 12_000) -> bytes:
    """A few kilobytes that decode to side × side pixels (144 megapixels by default)."""
    return image_bytes("PNG", size=(side, side), mode="1")


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(800, 600))
    return data[: len(data) // 2]


def gif_with_script() -> bytes:
    """A valid GIF with a script appended: a polyglot a browser sniffing it as HTML might run."""
    return image_bytes("GIF", size=(400, 300)) + b"<script>alert(document.cookie)</script>"


def html_with_gif_magic() -> bytes:
    """Starts like a GIF, is an HTML page."""
    return b"GIF89a<html><body><script>alert(1)</script></body></html>"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><script>alert(1)</script></svg>'
