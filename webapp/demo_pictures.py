"""Pictures for the demo data, drawn with Pillow when the seed runs (no image files in the repository): a cover and
gallery pictures per kwork in its category's colours, and profile pictures for the demo sellers."""
import io
import textwrap
import zlib

from PIL import Image, ImageDraw, ImageFont

# Background and accent per category: strong enough to tell cards apart, calm enough to sit under a white card.
PALETTES = {
    "programming": ((18, 52, 86), (56, 189, 248)),
    "design": ((88, 28, 135), (250, 204, 21)),
    "writing": ((20, 83, 45), (134, 239, 172)),
    "marketing": ((154, 52, 18), (253, 186, 116)),
    "video-audio": ((30, 27, 75), (244, 114, 182)),
    "business": ((31, 41, 55), (165, 180, 252)),
}
SIZE = (1280, 960)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font still draws
        return ImageFont.load_default()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def kwork_picture(title: str, category: str, variant: int = 0) -> bytes:
    """A 4:3 picture: the category's colours, a few shapes placed by the title, and (on the cover) the title."""
    background, accent = PALETTES.get(category, PALETTES["business"])
    seed = zlib.crc32(f"{title}-{variant}".encode())
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    for step in range(6):  # soft diagonal bands
        shade = tuple(min(255, c + 10 * step) for c in background)
        offset = (seed >> step) % 200
        draw.polygon([(0, 160 * step + offset), (SIZE[0], 160 * step - 240 + offset), (SIZE[0], SIZE[1]), (0, SIZE[1])], fill=shade)
    x, y = 820 + seed % 120, 60 + (seed >> 8) % 80
    draw.ellipse((x, y, x + 360, y + 360), fill=accent)
    draw.rounded_rectangle((x - 140, y + 220, x + 140, y + 420), radius=36, outline=(255, 255, 255), width=14)
    if variant == 0:
        font = _font(76)
        words = title.removeprefix("I will ")
        lines = textwrap.wrap(words[:1].upper() + words[1:], width=20)[:4]
        top = SIZE[1] - 110 - 96 * len(lines)
        for number, line in enumerate(lines):
            draw.text((80, top + 96 * number), line, font=font, fill=(255, 255, 255))
    else:
        for row in range(4):  # a "screenshot" of the delivered work: lines of content on a page
            draw.rounded_rectangle((80, 140 + 150 * row, 620, 230 + 150 * row), radius=18, fill=(255, 255, 255))
            draw.rectangle((110, 170 + 150 * row, 110 + (seed >> row) % 400 + 60, 200 + 150 * row), fill=accent)
    return _png(image)


def avatar(name: str, colour: tuple[int, int, int]) -> bytes:
    """A simple portrait-like avatar: a head and shoulders on a coloured ground."""
    image = Image.new("RGB", (400, 400), colour)
    draw = ImageDraw.Draw(image)
    skin = (241, 194, 125) if zlib.crc32(name.encode()) % 2 else (198, 134, 66)
    draw.ellipse((70, 250, 330, 520), fill=(255, 255, 255))
    draw.ellipse((130, 80, 270, 230), fill=skin)
    draw.pieslice((120, 60, 280, 200), 180, 360, fill=(60, 40, 30))
    return _png(image)
