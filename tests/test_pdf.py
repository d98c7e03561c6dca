"""The print PDF: trim, fonts, outline, and the same words as the EPUB."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import words, xhtml_text

POINTS_PER_INCH = 72
TEXT_BLOCK_TOP = 0.7 * POINTS_PER_INCH  # the running heads stand above this line
TEXT_BLOCK_BOTTOM = 0.75 * POINTS_PER_INCH  # the folios stand below this line


@pytest.fixture(scope="module")
def pdf(built) -> PdfReader:
    return PdfReader(built.pdf)


@pytest.fixture(scope="module")
def pdf_words(pdf) -> list[str]:
    """The words set in the text block of every page: running heads and folios left out."""
    text = "\n".join(_text_block(page) for page in pdf.pages)
    text = re.sub(r"(\w)[-\u2010\u00ad]\n(\w)", r"\1\2", text)  # words hyphenated at a line end
    return words(text)


def _text_block(page) -> str:
    height = float(page.mediabox.height)
    lines = []

    def keep(text, cm, tm, font, size):
        from_top = height - (cm[3] * tm[5] + cm[5]) if cm[3] > 0 else tm[5] * abs(cm[3])
        if TEXT_BLOCK_TOP <= from_top <= height - TEXT_BLOCK_BOTTOM:
            lines.append(text)

    page.extract_text(visitor_text=keep)
    return "".join(lines)


@pytest.fixture(scope="module")
def epub_words(epub_zip) -> list[str]:
    found = []
    for name in sorted(n for n in epub_zip.namelist() if n.endswith(".xhtml")):
        found += words(xhtml_text(etree.fromstring(epub_zip.read(name)).find("{http://www.w3.org/1999/xhtml}body")))
    return found


def test_every_page_is_trimmed_to_6_by_9_inches(pdf):
    for number, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        size = (float(box.width) / POINTS_PER_INCH, float(box.height) / POINTS_PER_INCH)
        assert size == pytest.approx((6, 9), abs=0.01), f"page {number} is {size}"


def test_every_font_is_embedded(pdf):
    fonts = {}
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert any("EB-Garamond" in name for name in fonts)


def test_pdf_and_epub_carry_the_same_words(pdf_words, epub_words):
    """At least 99% of each one's words are found in the other (counting repeats)."""
    in_pdf, in_epub = Counter(pdf_words), Counter(epub_words)
    shared = sum((in_pdf & in_epub).values())
    assert shared / sum(in_epub.values()) >= 0.99
    assert shared / sum(in_pdf.values()) >= 0.99


def test_outline_has_a_bookmark_for_every_part_and_chapter_and_the_back_matter(pdf):
    def titles(outline, depth=0):
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry, depth + 1)
            else:
                yield depth, entry.title

    assert list(titles(pdf.outline)) == [
        (0, "Part One The Question"),
        (1, "Attachment to Your Therapist"),
        (1, "Healing A Damaged Self"),
        (0, "Part Two What Stands in the Way"),
        (1, "Shame and Attachment to Your Therapist"),
        (1, "Emotions: To Avoid or to Heal"),
        (0, "Part Three Looking Back"),
        (1, "Update on Attachment to Therapist"),
        (0, "Credits"),
        (0, "About the Author"),
    ]


def test_every_comment_reaches_the_pdf(pdf_words, epub_zip):
    """The comments' words are all in the PDF: nothing was lost in layout."""
    in_pdf = Counter(pdf_words)
    for name in [n for n in epub_zip.namelist() if n.endswith(".xhtml")]:
        root = etree.fromstring(epub_zip.read(name))
        for thread in root.iter("{http://www.w3.org/1999/xhtml}ol"):
            if thread.get("class") == "thread":
                missing = Counter(words(xhtml_text(thread))) - in_pdf
                assert sum(missing.values()) <= 0.01 * len(words(xhtml_text(thread))), (name, missing)
