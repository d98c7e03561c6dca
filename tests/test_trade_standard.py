"""The print edition, the proof and the report at trade standard (issue 12), measured on the real book.

Lines are read from the PDFs with pdfplumber: characters grouped by baseline inside the text
block (the running heads and folios stand outside it).  The proof's own marks are coloured, the
book's text is black, so the proof's text can be told from its marks.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict

import pdfplumber
import pytest
from lxml import etree

from bookforge.renderers.print_spec import Margins

# The colours of the proof's marks (proof.css): the book's own text is never set in them.
MARKS = {(0.733, 0.0, 0.0), (0.333, 0.333, 0.333), (0.353, 0.435, 0.549), (0.424, 0.478, 0.537), (0.478, 0.063, 0.063)}
INCH = 72.0
HYPHENS = ("-", "\u2010")
NOTE_FILLS = {(1.0, 0.964706, 0.964706), (0.968627, 0.976471, 0.988235)}  # proof.css: .proof-note backgrounds
NOTE_SIZES = (6.0, 5.5)  # proof.css: .proof-note, and its file and line
NS = {"x": "http://www.w3.org/1999/xhtml"}


def _colour(char) -> tuple:
    return tuple(round(v, 3) for v in char["non_stroking_color"] or ())


def _lines(page, book_only=False):
    """(baseline, font size, text) of each line of a page's text block, top to bottom."""
    rows = defaultdict(list)
    margin = Margins()
    for char in page.chars:
        if book_only and _colour(char) in MARKS:
            continue
        if margin.top * INCH - 4 < char["bottom"] < page.height - margin.bottom * INCH + 2:
            rows[round(char["bottom"])].append(char)
    lines = []
    for baseline in sorted(rows):
        chars = sorted(rows[baseline], key=lambda c: c["x0"])
        text = "".join(c["text"] for c in chars).strip()
        if text:
            lines.append((baseline, round(statistics.median(c["size"] for c in chars), 1), text))
    return lines


@pytest.fixture(scope="module")
def print_lines(built):
    with pdfplumber.open(built.pdf) as pdf:
        return [_lines(page) for page in pdf.pages]


@pytest.fixture(scope="module")
def proof_pages(built):
    with pdfplumber.open(built.proof) as pdf:
        return [(_lines(page, book_only=True), page.rects, page.chars, page.width, page.height) for page in pdf.pages]


def _chars_per_line(print_lines, size):
    """The median length of the full lines (not a paragraph's last) set in ``size``."""
    lengths = [len(text) for page in print_lines for (_, s, text) in page[:-1] if s == size]
    return statistics.median(lengths), len(lengths)


def test_the_body_sets_60_to_70_characters_a_line_and_the_comments_70_to_75(print_lines):
    body, counted = _chars_per_line(print_lines, 11.5)
    assert counted > 400 and 60 <= body <= 70
    comments, counted = _chars_per_line(print_lines, 10.5)
    assert counted > 2000 and 70 <= comments <= 75


def test_under_six_percent_of_lines_end_in_a_hyphen_and_never_three_in_a_row(print_lines):
    lines = [text for page in print_lines for (_, _, text) in page]
    hyphenated = [text for text in lines if text.endswith(HYPHENS)]
    assert len(hyphenated) / len(lines) < 0.06
    for number, page in enumerate(print_lines, start=1):
        run = 0
        for _, _, text in page:
            run = run + 1 if text.endswith(HYPHENS) else 0
            assert run <= 2, f"page {number}: three hyphenated lines in a row"


def _openings(html):
    """The first line's first words of every comment: its label, or its first paragraph."""
    found = []
    for path in sorted(html.glob("*.xhtml")):
        tree = etree.parse(str(path))
        for item in tree.iterfind(".//x:li[@class]", NS):
            if "comment" not in item.get("class").split():
                continue
            first = item.find("x:p", NS)
            text = " ".join("".join(first.itertext()).split()) if first is not None else ""
            if text:
                found.append(text)
    return found


def test_no_comment_begins_in_a_pages_last_two_lines_and_runs_on(built, print_lines):
    openings = _openings(built.html)
    stranded = []
    for number, page in enumerate(print_lines, start=1):
        if len(page) < 3:
            continue
        foot = [" ".join(text.split()) for (_, _, text) in page[-2:]]
        for index, line in enumerate(foot):
            for opening in openings:
                head = opening[:min(len(opening), 24)]
                laid = " ".join(foot[index:])
                if len(head) >= 12 and line.startswith(head) and not _whole(opening, laid):
                    stranded.append((number, head))
    assert not stranded


def _whole(opening: str, laid: str) -> bool:
    """Whether the comment's first paragraph (or label) ends within the text laid at the foot."""
    squeeze = lambda s: re.sub(r"[\s\u2010-]", "", s)
    return squeeze(opening)[-12:] in squeeze(laid)


def _paragraphs(html) -> list[str]:
    """The text of every paragraph and list item (not one holding paragraphs, a comment) of the
    book's pages, its spaces collapsed; a line break (<br/>) parts it like two paragraphs."""
    found = []
    for path in sorted(html.glob("*.xhtml")):
        for element in etree.parse(str(path)).iterfind(".//x:body//*", NS):
            if etree.QName(element).localname in ("p", "li") and element.find(".//x:p", NS) is None:
                for br in element.iterfind(".//x:br", NS):
                    br.tail = "\ue000" + (br.tail or "")
                text = unicodedata.normalize("NFKC", "".join(element.itertext()))
                found += [" ".join(part.split()) for part in text.split("\ue000")]
    return found


def test_no_paragraph_leaves_one_word_alone_on_a_line_it_runs_on_from(built, print_lines):
    """A lone word may end a paragraph, never stand on a line of its own with the paragraph going
    on below it (a line broken early after an inline span, WeasyPrint's split_first_line)."""
    paragraphs = "\n".join(_paragraphs(built.html))
    lines = [(size, unicodedata.normalize("NFKC", " ".join(text.split()))) for page in print_lines for (_, size, text) in page]
    alone = [(text, after) for (size, text), (after_size, after) in zip(lines, lines[1:])
             if " " not in text and re.search(r"\w", text) and not text.endswith(HYPHENS) and size == after_size]
    stranded = [(text, after) for text, after in alone if f"{text} {' '.join(after.split()[:3])}" in paragraphs]
    assert len(paragraphs) > 100_000 and len(alone) > 10  # the book's text was read, and paragraphs end in lone words
    assert not stranded


def test_the_proof_has_the_prints_pages_and_words_on_each(print_lines, proof_pages):
    assert len(proof_pages) == len(print_lines) and len(print_lines) % 2 == 0
    legend = [n for n, (lines, _, chars, _, _) in enumerate(proof_pages)
              if "How to read this proof" in "".join(c["text"] for c in chars)]
    assert len(legend) == 1 and not print_lines[legend[0]]  # on a page the print leaves blank
    for number, (printed, (proofed, *_)) in enumerate(zip(print_lines, proof_pages), start=1):
        words = lambda lines: " ".join(text for _, _, text in lines).split()
        if words(printed):
            assert (words(proofed)[0], words(proofed)[-1]) == (words(printed)[0], words(printed)[-1]), f"page {number}"
            assert [text for *_, text in proofed] == [text for *_, text in printed], f"page {number}: line breaks"


def _notes(proof_pages):
    """(page, rect, text) of every margin note of the proof."""
    found = []
    for number, (_, rects, chars, width, height) in enumerate(proof_pages, start=1):
        for rect in rects:
            if tuple(round(v, 6) for v in rect["non_stroking_color"] or ()) in NOTE_FILLS and rect["fill"]:
                inside = [c for c in chars if min(abs(c["size"] - size) for size in NOTE_SIZES) < 0.1 and rect["x0"] <= (c["x0"] + c["x1"]) / 2 <= rect["x1"]
                          and rect["top"] <= (c["top"] + c["bottom"]) / 2 <= rect["bottom"]]
                # The note's number: bold at the note's size (a removal's bold number may stand on a note's corner).
                bold = "".join(c["text"] for c in inside if "Bold" in c["fontname"] and abs(c["size"] - NOTE_SIZES[0]) < 0.1)
                found.append((number, rect, width, height, bold + "|" + "".join(c["text"] for c in inside)))
    return found


def test_proof_notes_never_overlap_and_stand_in_the_outer_margin_inside_the_trim(proof_pages):
    notes = _notes(proof_pages)
    assert len(notes) > 250
    outside = Margins().outside * INCH
    by_page = defaultdict(list)
    for number, rect, width, height, _ in notes:
        by_page[number].append(rect)
        assert rect["x0"] >= 5 and rect["x1"] <= width - 5 and rect["top"] >= 5 and rect["bottom"] <= height - 5
        assert rect["x0"] > width - outside or rect["x1"] < outside, f"page {number}: a note outside the outer margin"
    for number, rects in by_page.items():
        for a in rects:
            for b in rects:
                if a is not b:
                    assert a["bottom"] <= b["top"] or b["bottom"] <= a["top"], f"page {number}: notes overlap"


def test_every_proof_note_gives_the_reports_file_and_line(proof_pages, report):
    """A note's number counts from 1 in its chapter, as the report's does; its file names the chapter."""
    notes = _notes(proof_pages)
    changes = {(c["source"], c["number"]): c for c in report["changes"]}
    assert len(changes) == len(report["changes"])  # a chapter's file and a number name one change
    numbers = set()
    for _, _, _, _, text in notes:
        bold, text = text.split("|", 1)
        listed = [int(n) for n in re.findall(r"\d+", bold)]  # one number, or each of a correction made again
        where = re.search(r"(chapters/[\w.-]+?\.txt):([\d, ]+)", text)
        lines = [int(n) for n in re.findall(r"\d+", where.group(2))]
        assert len(lines) == len(listed)
        for number, line in zip(listed, lines):
            change = changes[where.group(1), number]
            assert (where.group(1), line) == (change["source"], change["line"])
            numbers.add((where.group(1), number))
    placed = {(c["source"], c["number"]) for c in report["changes"] if c["kind"] not in ("comment_moved",)}
    assert len(numbers & placed) >= 0.95 * len(placed)


def test_the_report_and_the_pages_number_each_chapters_changes_from_1(report, built):
    """Each chapter's changes are numbered 1, 2, 3 … in the report, and its page marks those numbers only: an edit
    in one chapter renumbers nothing in another."""
    chapters = {c["chapter"] for c in report["changes"]}
    assert len(chapters) == 5
    for chapter in chapters:
        own = [c for c in report["changes"] if c["chapter"] == chapter]
        assert [c["number"] for c in own] == list(range(1, len(own) + 1))
        assert all(c["anchor"] == f"change-{chapter}-{c['number']}" for c in own)
        page = (built.html / f"{chapter}.xhtml").read_text(encoding="utf-8")
        edited = {int(n) for n in re.findall(r'data-edit="(\d+)"', page)}
        removed = {int(n) for found in re.findall(r'data-removed="([\d ]+)"', page) for n in found.split()}
        edits = {c["number"] for c in own if c["kind"] in ("typo_fixed", "text_replaced")}
        removals = {c["number"] for c in own if c["kind"] in ("comment_removed", "text_removed", "comment_merged")}
        assert edited <= edits and removed == removals, chapter
        assert len(edited) >= 0.9 * len(edits), chapter
    page = (built.out / "editorial-report.html").read_text(encoding="utf-8")
    assert all(f'<tr id="{c["anchor"]}"' in page for c in report["changes"])


def test_the_proof_numbers_every_fifth_line(proof_pages, print_lines):
    for number, ((_, _, chars, width, _), printed) in enumerate(zip(proof_pages, print_lines), start=1):
        if len(printed) >= 10:
            grey = [c for c in chars if _colour(c) == (0.424, 0.478, 0.537)]
            figures = "".join(c["text"] for c in sorted(grey, key=lambda c: c["top"]))
            assert figures.startswith("510"), f"page {number}: {figures[:12]}"
