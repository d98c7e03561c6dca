"""Emoji in both books, measured on the real build: text with a fallback in the EPUB, colour in the PDF.

Readers write emoji in their comments (🙂 🙁 😀).  A bitmap-only colour font (CBDT/CBLC, sbix) is drawn
by few reading systems other than Chromium, so the EPUB carries none: the emoji stay characters in
the text and book.css names the reading systems' own colour emoji fonts after the book's face.  The
print edition embeds Noto Color Emoji and keeps its colour, which the rendered pages show.
"""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
BITMAP_COLOUR_TABLES = {"CBDT", "CBLC", "sbix"}
COLOUR_EMOJI_FONTS = ("Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji")


def _epub_text(epub_zip) -> str:
    return "".join("".join(etree.fromstring(epub_zip.read(name)).itertext())
                   for name in epub_zip.namelist() if name.endswith(".xhtml"))


@pytest.fixture(scope="module")
def pdf_emoji(built):
    """(page number, character, colourful pixels) of every emoji the PDF sets, each rendered at 150 dpi."""
    found = []
    with pdfplumber.open(built.pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                if EMOJI.fullmatch(char["text"]):
                    box = (char["x0"], char["top"], char["x1"], char["bottom"])
                    rgb = page.crop(box).to_image(resolution=150).original.convert("RGB").tobytes()
                    pixels = zip(rgb[0::3], rgb[1::3], rgb[2::3])
                    found.append((number, char["text"], sum(max(p) - min(p) > 60 for p in pixels)))
    return found


def test_the_epub_carries_no_bitmap_colour_font(epub_zip):
    fonts = [name for name in epub_zip.namelist() if name.endswith((".otf", ".ttf"))]
    assert fonts  # the book's own face is embedded
    for name in fonts:
        tables = set(TTFont(io.BytesIO(epub_zip.read(name))).keys())
        assert not tables & BITMAP_COLOUR_TABLES, f"{name} is a bitmap colour font"


def test_the_epub_keeps_emoji_as_text_with_colour_emoji_fonts_after_the_books_face(epub_zip):
    assert len(EMOJI.findall(_epub_text(epub_zip))) == 9  # two in the first post, five in Emotions, ...
    css = epub_zip.read("EPUB/css/book.css").decode()
    stack = [name.strip().strip('"') for name in re.search(r"body\s*{[^}]*font-family:\s*([^;]+);", css).group(1).split(",")]
    assert stack[0].startswith("EB Garamond")
    assert all(font in stack[1:] for font in COLOUR_EMOJI_FONTS), stack
    assert stack[-1] == "serif"


def test_the_pdf_sets_every_emoji_in_colour(pdf_emoji, epub_zip):
    assert sorted(char for _, char, _ in pdf_emoji) == sorted(EMOJI.findall(_epub_text(epub_zip)))
    for number, char, colourful in pdf_emoji:
        assert colourful > 20, f"page {number}: {char!r} has only {colourful} coloured pixels"
