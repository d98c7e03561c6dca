"""The print edition's page numbers in the EPUB: one marker per PDF page, at the first words of that page."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import words, xhtml_text
from test_pdf import _zones

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
WORDS_COMPARED = 6  # of the PDF page; the EPUB gives twice as many, as PDF text can split a kerned word
MARK = "\u2691"  # stands in for the marker while the text around it is read


@pytest.fixture(scope="module")
def pdf(built) -> PdfReader:
    return PdfReader(built.pdf)


@pytest.fixture(scope="module")
def printed(pdf) -> list[tuple[list[str], str]]:
    """For each PDF page, its first words and its last line (where the folio stands)."""
    return [(pdf_first_words(page), page.extract_text().strip().split("\n")[-1].strip()) for page in pdf.pages]


@pytest.fixture(scope="module")
def page_list(epub_zip) -> list[tuple[str, str]]:
    """(label, href) of each entry of the nav's page-list."""
    nav = etree.fromstring(epub_zip.read("EPUB/contents.xhtml"))
    [page_list] = nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    assert page_list.get("hidden") == "" and page_list.get("role") == "doc-pagelist"
    return [(a.text, a.get("href")) for a in page_list.xpath("x:ol/x:li/x:a", namespaces=NS)]


def words_after(epub_zip, href: str) -> list[str]:
    """The first words of the text that follows the marker ``href`` points at, to the end of its file."""
    name, _, marker_id = href.partition("#")
    body = etree.fromstring(epub_zip.read(f"EPUB/{name}")).find("x:body", NS)
    [marker] = body.xpath(f".//*[@id='{marker_id}']")
    assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
    marker.tail = MARK + (marker.tail or "")
    return words(xhtml_text(body).split(MARK, 1)[1])[:2 * WORDS_COMPARED]


def pdf_first_words(page) -> list[str]:
    text = re.sub(r"(\w)[-\u2010\u00ad]\n(\w)", r"\1\2", _zones(page)["block"])
    return words(text)[:WORDS_COMPARED]


def test_the_page_list_has_an_entry_for_every_page_of_the_pdf(page_list, pdf):
    assert len(page_list) == len(pdf.pages) > 50


def test_labels_are_the_printed_folios_roman_in_the_front_matter(page_list, printed):
    labels = [label for label, _ in page_list]
    first_body_page = labels.index("1")
    assert labels[:first_body_page] == ["i", "ii", "iii", "iv", "v", "vi"]
    assert labels[first_body_page:] == [str(n) for n in range(1, len(labels) - first_body_page + 1)]
    folios = [(number, folio) for number, (_, folio) in enumerate(printed) if re.fullmatch(r"\d+|[ivxlc]+", folio)]
    assert len(folios) > 0.8 * len(printed)  # display pages and blank versos print none
    assert [labels[number] for number, _ in folios] == [folio for _, folio in folios]


def test_labels_are_the_pdfs_own_page_labels_once_it_has_them(page_list, pdf):
    if "/PageLabels" not in pdf.trailer["/Root"]:
        pytest.skip("the PDF carries no /PageLabels yet")
    assert [label for label, _ in page_list] == list(pdf.page_labels)


def test_every_marker_stands_at_the_first_words_of_its_pdf_page(page_list, printed, epub_zip):
    checked = 0
    for number, ((label, href), (expected, _)) in enumerate(zip(page_list, printed), start=1):
        if not expected:
            continue  # a blank page: see the next test
        found = words_after(epub_zip, href)
        # compared without spaces; a word hyphenated across the page turn has its marker before the whole word
        at = "".join(found).find("".join(expected))
        assert 0 <= at <= len(found[0]) - len(expected[0]), (number, label, found, expected)
        checked += 1
    assert checked > 0.9 * len(page_list)


def test_a_blank_page_has_its_marker_just_before_the_next_pages_marker(page_list, printed, epub_zip):
    blanks = [n for n, (first_words, _) in enumerate(printed[:-1]) if not first_words]
    assert blanks, "the print edition has blank versos before its openers"
    for n in blanks:
        name, _, marker_id = page_list[n][1].partition("#")
        [marker] = etree.fromstring(epub_zip.read(f"EPUB/{name}")).xpath(f"//*[@id='{marker_id}']")
        assert not (marker.tail or "").strip()
        assert page_list[n + 1][1] == f"{name}#{marker.getnext().get('id')}"


def test_markers_are_empty_labelled_and_never_inside_a_heading(epub_zip, page_list):
    for label, href in page_list:
        name, _, marker_id = href.partition("#")
        [marker] = etree.fromstring(epub_zip.read(f"EPUB/{name}")).xpath(f"//*[@id='{marker_id}']")
        assert marker.get("aria-label") == label and len(marker) == 0 and not marker.text
        assert not marker.xpath("ancestor::x:h1|ancestor::x:h2|ancestor::x:h3|ancestor::x:a", namespaces=NS)


def test_the_package_names_the_print_edition_as_the_source_of_the_page_numbers(epub_zip, page_list):
    package = etree.fromstring(epub_zip.read("EPUB/content.opf"))
    opf = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    [source] = package.xpath("//dc:source", namespaces=opf)
    assert "print edition" in source.text and f"{len(page_list)} pages" in source.text
    assert package.xpath(f"//opf:meta[@refines='#{source.get('id')}'][@property='source-of']/text()",
                         namespaces=opf) == ["pagination"]
