"""The print PDF: trim, fonts, outline, and the same words as the EPUB."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from bookforge.pipeline import BuildOptions, build
from conftest import PROJECT, words, xhtml_text

POINTS_PER_INCH = 72
TEXT_BLOCK_TOP = 0.8 * POINTS_PER_INCH  # the running heads stand above this line (the top margin is 0.85 in)
TEXT_BLOCK_BOTTOM = 0.8 * POINTS_PER_INCH  # the folios stand below this line
# The pages that open a chapter or the back matter, as the contents lists them.
OPENERS = ("Attachment to Your Therapist", "Healing a Damaged Self", "Shame and Attachment to Your Therapist",
           "Emotions: To Avoid or to Heal", "Update on Attachment to Therapist", "Credits", "About the Author")


@pytest.fixture(scope="module")
def pdf(built) -> PdfReader:
    return PdfReader(built.pdf)


@pytest.fixture(scope="module")
def zones(pdf) -> list[dict[str, str]]:
    """Each page's running head, text block and folio (read once: reading a page's text is slow)."""
    return [_zones(page) for page in pdf.pages]


@pytest.fixture(scope="module")
def pdf_words(zones) -> list[str]:
    """The words set in the text block of every page: running heads and folios left out."""
    text = "\n".join(page["block"] for page in zones)
    text = re.sub(r"(\w)[-\u2010\u00ad]\n(\w)", r"\1\2", text)  # words hyphenated at a line end
    return words(text)


def _zones(page) -> dict[str, str]:
    """A page's text by where it stands: the running head above the text block, the folio below it."""
    height = float(page.mediabox.height)
    zones = {"head": [], "block": [], "foot": []}

    def keep(text, cm, tm, font, size):
        from_top = height - (cm[3] * tm[5] + cm[5]) if cm[3] > 0 else tm[5] * abs(cm[3])
        zone = "head" if from_top < TEXT_BLOCK_TOP else "foot" if from_top > height - TEXT_BLOCK_BOTTOM else "block"
        zones[zone].append(text)

    page.extract_text(visitor_text=keep)
    return {zone: "".join(texts).strip() for zone, texts in zones.items()}


@pytest.fixture(scope="module")
def epub_words(epub_zip) -> list[str]:
    found = []
    for name in sorted(n for n in epub_zip.namelist() if n.endswith(".xhtml")):
        found += words(xhtml_text(etree.fromstring(epub_zip.read(name)).find("{http://www.w3.org/1999/xhtml}body")))
    return found


def test_every_page_is_trimmed_to_6_by_9_inches(built):
    with pikepdf.open(built.pdf) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            assert [float(x) for x in page.TrimBox] == [0, 0, 432, 648], f"page {number}"
            assert [float(x) for x in page.MediaBox] == [0, 0, 432, 648], f"page {number}: a pod book has no bleed"


def test_page_count_is_even_and_qpdf_finds_nothing_wrong(built):
    with pikepdf.open(built.pdf) as pdf:
        assert len(pdf.pages) % 2 == 0
        assert pdf.check_pdf_syntax() == []  # what `qpdf --check` checks


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
        (1, "Healing a Damaged Self"),
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


def _roman(label: str) -> bool:
    return bool(re.fullmatch(r"[ivxlc]+", label))


def test_page_labels_are_roman_for_the_front_matter_then_arabic_from_1(pdf, zones):
    labels = pdf.page_labels
    body = labels.index("1")
    assert labels[:body] == ["i", "ii", "iii", "iv", "v", "vi"]
    assert labels[body:] == [str(n) for n in range(1, len(labels) - body + 1)]
    assert zones[body]["block"].startswith("Part One")


def test_printed_folios_agree_with_the_page_labels(pdf, zones):
    printed = [(n, page["foot"]) for n, page in enumerate(zones) if page["foot"]]
    assert len(printed) > len(pdf.pages) / 2
    for number, folio in printed:
        assert folio == pdf.page_labels[number], f"page {number + 1}"
    assert any(_roman(folio) for _, folio in printed) and any(folio.isdigit() for _, folio in printed)


def test_the_contents_prints_the_page_each_chapter_starts_on(pdf, zones):
    contents = next(page for page in zones if page["block"].startswith("Contents"))
    # The page number stands in a box of its own (print.css), so text extraction runs an entry's
    # number into the next entry's title: an entry is a capital, its title, the leader, the number.
    listed = dict(re.findall(r"([A-Z][^\n]*?)[ .]*?\.[ .]*(\d+)", contents["block"]))
    openers = {}
    for number, page in enumerate(zones):
        if pdf.page_labels[number].isdigit():
            openers.setdefault(page["block"].split("\n")[0].strip(), pdf.page_labels[number])
    assert {title: listed.get(title) for title in OPENERS} == {title: openers[title] for title in OPENERS}


def test_no_running_head_or_folio_on_blank_pages_and_no_head_on_openers(pdf, zones):
    for number, page in enumerate(zones):
        where = f"page {number + 1}"
        if not page["block"]:
            assert page == {"head": "", "block": "", "foot": ""}, where
        elif page["block"].startswith(OPENERS) or page["block"].startswith("Part "):
            assert page["head"] == "", where
        elif pdf.page_labels[number].isdigit():
            assert page["head"], f"{where} has no running head"


def test_running_heads_carry_the_book_title_on_versos_and_the_chapter_on_rectos(pdf, zones):
    heads = {pdf.page_labels[n]: page["head"] for n, page in enumerate(zones)}
    assert _squeezed(heads["4"]).lower() == "attachmenttoyourtherapist"  # a verso: the book title in small capitals
    assert _squeezed(heads["5"]) == "AttachmenttoYourTherapist"  # a recto: the chapter's title
    assert _squeezed(heads["47"]) == "HealingaDamagedSelf"  # in title case


def _squeezed(text: str) -> str:
    """Text without its spaces: the extractor splits kerned pairs such as 'Y our'."""
    return re.sub(r"\s+", "", text)


def test_pdf_carries_the_books_metadata_and_the_source_date(built):
    from bookforge import manifest

    stamp = manifest.load(PROJECT).metadata().modified.strftime("D:%Y%m%d%H%M%S")
    with pikepdf.open(built.pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Attachment to Your Therapist: A Conversation"
        assert str(info["/Author"]) == "Jeffrey Smith"
        assert str(info["/Subject"]).startswith("Why do people in psychotherapy")
        assert str(info["/Keywords"]) == "Psychotherapy, Attachment, Therapeutic relationship"
        assert str(pdf.Root.Lang) == "en-US"
        assert str(info["/CreationDate"]).startswith(stamp) and str(info["/ModDate"]).startswith(stamp)


def test_two_builds_of_the_same_sources_give_the_same_bytes(built, tmp_path):
    again = build(BuildOptions(PROJECT, tmp_path))
    assert hashlib.sha256(again.pdf.read_bytes()).hexdigest() == hashlib.sha256(built.pdf.read_bytes()).hexdigest()


def test_every_proof_page_carries_the_proof_slug(built, zones):
    from bookforge import manifest, provenance

    spec = manifest.load(PROJECT)
    slug = f"PROOF · {spec.metadata().modified:%Y-%m-%d} · {provenance.sources(spec)}"
    proof = PdfReader(built.proof)
    assert len(proof.pages) % 2 == 0
    for number, page in enumerate(proof.pages, start=1):
        assert _squeezed(slug) in _squeezed(_zones(page)["foot"]), f"proof page {number}"
    assert all("PROOF" not in page["foot"] for page in zones)


def test_the_credits_page_lists_only_what_the_book_holds(zones):
    [credits] = [page["block"] for page in zones if page["block"].startswith("Credits")]
    assert "Set in EB Garamond by Georg Duffner" in credits  # from book.yaml
    assert "Grey World" not in credits and "tetsuya yamamoto" not in credits  # the photographs are not in the book
