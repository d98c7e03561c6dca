"""The cover: the image book.yaml names, or a typographic cover set from the title, subtitle and author.

A book never ships without a cover: the stores want one inside the EPUB.  The generated cover
is a 1600 × 2560 JPEG set in the book's own face, EB Garamond, and comes out the same byte for
byte on every build (no timestamps, no randomness).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bookforge.model import Metadata

SIZE = (1600, 2560)
IMAGES = "images"


@dataclass(frozen=True)
class Design:
    """The typographic cover's colours, type sizes (in pixels) and positions."""

    paper: str = "#1e3440"
    ink: str = "#f2eadb"
    rule: str = "#c8a96a"
    margin: int = 170
    title_size: int = 190
    subtitle_size: int = 110
    author_size: int = 120
    title_top: int = 560
    author_top: int = 2080
    leading: float = 1.18
    roman: str = "EBGaramond12-Regular.otf"
    italic: str = "EBGaramond12-Italic.otf"


def write(meta: Metadata, fonts: Path, directory: Path, design: Design = Design()) -> str:
    """Put the cover image into ``directory``/images; return its href relative to ``directory``."""
    suffix = meta.cover.suffix.lower() if meta.cover else ".jpg"
    href = f"{IMAGES}/cover{'.jpg' if suffix == '.jpeg' else suffix}"
    target = directory / href
    target.parent.mkdir(parents=True, exist_ok=True)
    if meta.cover:
        shutil.copyfile(meta.cover, target)
    else:
        typographic(meta, fonts, design).save(target, "JPEG", quality=88, optimize=True)
    return href


def alt_text(meta: Metadata) -> str:
    return f"Cover of {meta.full_title}, by {meta.byline}"


def typographic(meta: Metadata, fonts: Path, design: Design = Design()) -> Image.Image:
    """Title, a rule, subtitle and author, centred on a plain ground."""
    image = Image.new("RGB", SIZE, design.paper)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * design.margin
    title, lines = _fitted(meta.title, fonts / design.roman, design.title_size, width)
    y = _centred_lines(draw, lines, title, design.title_top, design)
    y += title.size // 2
    draw.rectangle(((SIZE[0] - 240) // 2, y, (SIZE[0] + 240) // 2, y + 5), fill=design.rule)
    if meta.subtitle:
        subtitle = _face(fonts / design.italic, design.subtitle_size)
        _centred_lines(draw, _wrap(meta.subtitle, subtitle, width), subtitle, y + design.subtitle_size, design)
    author = _face(fonts / design.roman, design.author_size)
    _centred_lines(draw, _wrap(meta.byline, author, width), author, design.author_top, design)
    return image


def _fitted(text: str, face: Path, size: int, width: int, most_lines: int = 4):
    """The font, at ``size`` or smaller, that sets ``text`` in at most ``most_lines`` lines; and those lines."""
    while True:
        font = _face(face, size)
        lines = _wrap(text, font, width)
        if len(lines) <= most_lines and all(font.getlength(line) <= width for line in lines) or size < 40:
            return font, lines
        size = size * 9 // 10


def _face(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The book's face at ``size`` pixels; Pillow's own when a project's styles leave it out."""
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, filling each line as far as it goes."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _centred_lines(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                   top: int, design: Design) -> int:
    """Draw each line centred; return the y just below the last one."""
    step = int(font.size * design.leading)
    for number, line in enumerate(lines):
        draw.text((SIZE[0] // 2, top + number * step), line, font=font, fill=design.ink, anchor="mt")
    return top + len(lines) * step
