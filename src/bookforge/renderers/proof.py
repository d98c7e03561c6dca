"""The proof edition: the print PDF itself, with the editorial changes marked over its pages.

The proof is not laid out again.  While WeasyPrint lays out the print edition, ``measure``
notes where every line, every edited word (``data-edit``) and every place where text was
removed (``data-removed``) stands on its page.  ``render`` then sets those marks, the line
numbers and the margin notes on a transparent sheet per page (laid out by WeasyPrint too, so
its fonts are embedded) and lays each sheet over its print page with pikepdf.  So the proof
has the print's pages and line breaks by construction.

A change's number counts from 1 in its chapter, as in the editorial report: a mark is told
from its namesakes in other chapters by the chapter it stands in (the ``section.chapter``
around it), and the note's file names that chapter too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from bookforge.model import Book, Change

PX = 0.75  # WeasyPrint lays out in CSS pixels; PDF points are 0.75 of them
NOTE_GAP = 2.0  # points between stacked notes
NOTE_INSET = 6.0  # points between a note and the text block
TRIM_INSET = 7.0  # points between a note and the trim: a tenth of an inch, clear of the cut
LINE_STEP = 5  # a line number every this many lines


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in points from the trim's top left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Frame:
    """One laid-out page: which side of the spread, its text block, and the baseline of each line of text."""

    side: str  # left | right
    blank: bool
    text_block: Box
    trim: Box
    baselines: tuple[float, ...]


@dataclass(frozen=True)
class Placed:
    """Where a change stands: an edited word's box, or the foot of the element after which text was removed."""

    chapter: str  # the slug of the chapter it stands in: its number counts from 1 there
    number: int
    kind: str  # edit | removed
    page: int
    box: Box


@dataclass(frozen=True)
class PrintLayout:
    frames: tuple[Frame, ...]
    placed: tuple[Placed, ...]


def measure(layout) -> PrintLayout:
    """Where the lines and the marked changes stand on each page of WeasyPrint's ``layout``."""
    from bookforge.renderers import engine  # here, not at the top: only the layout workers import WeasyPrint

    frames, placed, removed = [], [], {}
    kinds = _Kinds(engine)
    for index, page in enumerate(layout.pages):
        page_box = engine.page_box(page)
        trim = Box(0.0, 0.0, page.width * PX, page.height * PX)
        block = Box(page_box.content_box_x() * PX, page_box.content_box_y() * PX, page_box.width * PX, page_box.height * PX)
        baselines = []
        for box, chapter in _flow(page_box, kinds):
            _note(box, chapter, index, baselines, placed, removed, kinds)
        _, side, blank = engine.page_kind(page)
        frames.append(Frame(side, blank, block, trim, tuple(sorted(set(baselines)))))
    return PrintLayout(tuple(frames), listed(placed, removed.values()))


def listed(edits, removals) -> tuple[Placed, ...]:
    """The marks in the order the proof draws them: the edited words in page order, then the removals by page and
    height (not by where a layout first met them, which a layout spliced from pieces would change)."""
    return (*edits, *sorted(removals, key=lambda mark: (mark.page, mark.box.y, mark.chapter, mark.number)))


class _Kinds:
    """WeasyPrint's classes of the boxes a page is made of, as the proof tells them apart."""

    def __init__(self, engine):
        self.margin = engine.internal("weasyprint.formatting_structure.boxes.MarginBox")
        self.line = engine.internal("weasyprint.formatting_structure.boxes.LineBox")
        self.text = engine.internal("weasyprint.formatting_structure.boxes.TextBox")
        self.inline = engine.internal("weasyprint.formatting_structure.boxes.InlineBox")
        self.block = engine.internal("weasyprint.formatting_structure.boxes.BlockBox")


def _flow(page_box, kinds: _Kinds):
    """Every box of a page's text, leaving out the margin boxes (running heads and folios), each with
    the slug of the chapter it stands in ('' outside every chapter)."""
    stack = [(child, "") for child in page_box.children if not isinstance(child, kinds.margin)]
    while stack:
        box, chapter = stack.pop()
        chapter = _chapter(box) or chapter
        yield box, chapter
        stack.extend((child, chapter) for child in getattr(box, "children", ()))


def _chapter(box) -> str:
    """The chapter's slug when ``box`` is its <section class="chapter" id="slug"> (chapter.xhtml.j2)."""
    element = getattr(box, "element", None)
    if box.element_tag != "section" or element is None or "chapter" not in element.get("class", "").split():
        return ""
    return element.get("id", "")


def _note(box, chapter: str, page: int, baselines: list, placed: list, removed: dict, kinds: _Kinds) -> None:
    element = getattr(box, "element", None)
    if isinstance(box, kinds.line):
        if any(isinstance(child, (kinds.text, kinds.inline)) for child in box.children):
            baselines.append(round((box.position_y + box.baseline) * PX, 2))
        return
    if element is None or box.element_tag is None:
        return
    if isinstance(box, kinds.inline) and element.get("data-edit") and box.element_tag == "span":
        baseline = (box.position_y + box.baseline) * PX
        size = box.style["font_size"] * PX
        word = Box(box.position_x * PX, baseline - 0.75 * size, box.width * PX, 0.75 * size + 1.5)  # x-height to under the baseline
        placed.append(Placed(chapter, int(element.get("data-edit")), "edit", page, word))
    elif isinstance(box, kinds.block) and element.get("data-removed"):
        outer = Box(box.position_x * PX, box.position_y * PX, box.margin_width() * PX, box.margin_height() * PX)
        for number in element.get("data-removed").split():
            removed[chapter, int(number)] = Placed(chapter, int(number), "removed", page, outer)  # the last page it reaches


@dataclass(frozen=True)
class Note:
    """A numbered margin note: what the change was and where it is in the sources."""

    chapter: str
    number: int  # in its chapter, as the report numbers it
    kind: str  # fix | type | removed
    page: int
    target: float  # the height, in points, it would stand at: its mark's line
    html: Markup
    where: str  # chapters/<file>:<line>

    @property
    def key(self) -> tuple[str, int]:
        """Which change it is, in the whole book."""
        return self.chapter, self.number


def notes(book: Book, printed: PrintLayout, labels: dict[str, str]) -> list[Note]:
    """One note per change that stands on a page, at its first mark, in the order of the pages; the same
    correction made again on one page (a reader's every "i" made "I") shares one note listing each."""
    from bookforge.editorial.report import numbered  # here, not at the top: the layout workers import ``measure``

    changes = {(change.chapter, number): change for number, change in numbered(book.changes)}
    first: dict[tuple[str, int], Placed] = {}
    for mark in sorted(printed.placed, key=lambda m: (m.page, m.box.y)):
        first.setdefault((mark.chapter, mark.number), mark)
    groups: dict[tuple, list[Placed]] = {}
    for mark in sorted(first.values(), key=lambda m: (m.page, m.box.y)):
        change = changes[mark.chapter, mark.number]
        kind = "removed" if mark.kind == "removed" else "type" if change.kind == "text_replaced" else "fix"
        key = (mark.page, kind, change.before, change.source.path) if kind == "fix" else (mark.chapter, mark.number)
        groups.setdefault(key, []).append(mark)
    found = []
    for members in groups.values():
        mark = members[0]
        change = changes[mark.chapter, mark.number]
        kind = "removed" if mark.kind == "removed" else "type" if change.kind == "text_replaced" else "fix"
        target = mark.box.bottom if kind == "removed" else mark.box.y
        numbers = [m.number for m in members]
        lines = ", ".join(str(changes[m.chapter, m.number].source.line) for m in members)
        found.append(Note(mark.chapter, mark.number, kind, mark.page, target,
                          _note_html(numbers, kind, change, labels, lines), f"{change.source.path}:{lines}"))
    return found


def _note_html(numbers: list[int], kind: str, change: Change, labels: dict[str, str], lines: str) -> Markup:
    if kind == "fix":
        what = Markup('<span class="was">{}</span>').format(change.before)
    elif kind == "type":
        what = Markup('<span class="was">{}</span>').format(_typed(change.before, change.after))
    else:
        text = " ".join(change.before.split())
        text = text if len(text) <= 60 else text[:58].rstrip() + "…"
        what = Markup("{}: <span class=\"was\">{}</span>").format(labels.get(change.reason, change.reason.replace("_", " ")), text)
    return Markup('<b>{}</b> {} <span class="where">{}:{}</span>').format(
        ", ".join(map(str, numbers)), what, change.source.path, lines)


def _typed(before: str, after: str) -> str:
    """The characters a typography change replaced, each as it was: ' " -- ...'."""
    from bookforge.editorial.text import changed_runs

    steps = changed_runs(before, after)
    return " ".join(dict.fromkeys(before[a:b].strip() or "space" for op, a, b, _, _ in steps if op != "equal"))


def stack(heights: dict[tuple[str, int], float], placed: list[Note], frame: Frame) -> dict[tuple[str, int], float]:
    """The top of each note on one page (by its ``key``): at its mark's line, pushed down below the note above
    and, where the foot is reached, pushed up, so that no two notes overlap and all stay inside the trim."""
    top_limit, foot = NOTE_INSET * 3, frame.trim.height - NOTE_INSET * 3
    tops, cursor = {}, top_limit
    for note in sorted(placed, key=lambda n: (n.target, n.key)):
        tops[note.key] = cursor = max(note.target - 2, cursor)
        cursor += heights[note.key] + NOTE_GAP
    for note in sorted(placed, key=lambda n: (n.target, n.key), reverse=True):
        tops[note.key] = min(tops[note.key], foot - heights[note.key])
        foot = tops[note.key] - NOTE_GAP
    return tops


def note_box(frame: Frame, top: float, height: float) -> Box:
    """A note's rectangle in the outer margin, clear of the text block and the trim."""
    if frame.side == "right":
        left = frame.text_block.x + frame.text_block.width + NOTE_INSET
        right = frame.trim.width - TRIM_INSET
    else:
        left, right = TRIM_INSET, frame.text_block.x - NOTE_INSET
    return Box(left, top, right - left, height)


LEGEND = Markup("""<h1>How to read this proof</h1>
<p>This proof is the print edition, page for page and line for line, with the editorial pass's
changes marked over it.  Each change has the number it carries in the editorial report
(<i>editorial-report.html</i>), counted from 1 in each chapter as the report's chapters are, and a
note in the outer margin giving what the text was and the capture's file and line
(<i>chapters/file.txt:line</i>), which names the chapter.</p>
<dl>
<dt><span class="edit-mark sample"><span>12</span></span> a red underline</dt>
<dd>a corrected word: the note gives the word as the capture had it.</dd>
<dt><span class="type-sample">“</span> a light dotted underline</dt>
<dd>typography: straight quotes, double hyphens or three dots made into a book's quotes, dashes and ellipses; the note gives the characters as they were.</dd>
<dt><span class="removal sample"></span> a red rule across the measure</dt>
<dd>text removed here, after the line above the rule: the note says what went and why.</dd>
<dt><span class="line-number sample">5</span> grey figures in the inner margin</dt>
<dd>line numbers, every fifth line of the page's text.</dd>
</dl>
<p>The slug at the foot of every page names the date and the sources the proof was made from.</p>""")


def render(printed_pdf: Path, printed: PrintLayout, book: Book, html_directory: Path, css: str,
           slug: str, labels: dict[str, str], target: Path) -> int:
    """Write the proof: ``printed_pdf`` with every page's marks laid over it.  Returns the page count."""
    import pikepdf  # here, not at the top: the layout workers import ``measure``, and need neither

    from bookforge.renderers import engine
    from bookforge.renderers.compositor import book_fetcher

    weasyprint, fonts = engine.weasyprint, engine.FontConfiguration()  # without it WeasyPrint ignores proof.css's @font-face and sets the notes in DejaVu
    base_url, fetcher, legend = (html_directory / "css" / "proof.css").as_uri(), book_fetcher(html_directory), LEGEND
    all_notes = notes(book, printed, labels)
    heights = _heights(engine, all_notes, printed, css, base_url, fetcher, fonts)
    kinds = {n.key: n.kind for n in all_notes}
    sheets = [_sheet(index, frame, printed, [n for n in all_notes if n.page == index], heights, slug, kinds)
              for index, frame in enumerate(printed.frames)]
    legend_page = next((i for i, f in enumerate(printed.frames) if f.blank), None)
    if legend_page is not None:
        sheets[legend_page] = _legend_sheet(printed.frames[legend_page], legend, slug)
    frame = printed.frames[0]
    page_rule = (f"@page {{ size: {frame.trim.width:g}pt {frame.trim.height:g}pt; margin: 0; }}\n"
                 f".sheet {{ width: {frame.trim.width:g}pt; height: {frame.trim.height:g}pt; }}\n")
    overlay = weasyprint.HTML(string=_document(sheets), base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=[weasyprint.CSS(string=page_rule + css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts)
    with pikepdf.open(printed_pdf) as pdf, pikepdf.open(io.BytesIO(overlay)) as marks:
        for page, sheet in zip(pdf.pages, marks.pages):
            page.add_overlay(sheet, pikepdf.Rectangle(*(float(v) for v in page.trimbox)))
        pdf.save(target, deterministic_id=True)
        return len(pdf.pages)


def _heights(engine, all_notes: list[Note], printed: PrintLayout, css: str, base_url: str, fetcher,
             fonts) -> dict[tuple[str, int], float]:
    """How tall each note sets at the margin's width (by its ``key``): laid out once, in a column of them."""
    width = note_box(printed.frames[0], 0, 0).width
    body = "".join(Markup('<div class="proof-note" data-n="{}" style="width: {}pt">{}</div>').format(index, width, n.html)
                   for index, n in enumerate(all_notes))
    sheet = engine.weasyprint.CSS(string="@page { size: 6in 200in; margin: 0; }\n" + css, base_url=base_url,
                                  url_fetcher=fetcher, font_config=fonts)
    document = engine.weasyprint.HTML(string=f"<html><body>{body}</body></html>", base_url=base_url,
                                      url_fetcher=fetcher).render(stylesheets=[sheet], font_config=fonts)
    kinds = _Kinds(engine)
    heights = {}
    for page in document.pages:
        for box, _ in _flow(engine.page_box(page), kinds):
            element = getattr(box, "element", None)
            if isinstance(box, kinds.block) and element is not None and element.get("data-n"):
                key = all_notes[int(element.get("data-n"))].key  # the note's box, and the anonymous boxes inside it: the tallest
                heights[key] = max(heights.get(key, 0.0), box.border_height() * PX)
    return heights


def _sheet(index: int, frame: Frame, printed: PrintLayout, page_notes: list[Note], heights, slug: str,
           kinds: dict[tuple[str, int], str]) -> Markup:
    parts = [_slug(frame, slug)]
    if not frame.blank:
        parts += _line_numbers(frame)
    for mark in printed.placed:
        if mark.page == index:
            parts.append(_mark(mark, frame, kinds.get((mark.chapter, mark.number), "fix")))
    tops = stack(heights, page_notes, frame)
    for note in page_notes:
        box = note_box(frame, tops[note.key], heights[note.key])
        parts.append(Markup('<div class="proof-note {}" data-n="{}" style="{}">{}</div>').format(
            note.kind, note.number, _at(box, height=False), note.html))
    return Markup("").join(parts)


def _line_numbers(frame: Frame) -> list[Markup]:
    """Every fifth line's number in the inner margin, level with its baseline."""
    numbers = []
    for count, baseline in enumerate(frame.baselines, start=1):
        if count % LINE_STEP == 0:
            if frame.side == "right":
                box = Box(frame.text_block.x - 22, baseline - 6, 16, 8)
            else:
                box = Box(frame.text_block.x + frame.text_block.width + 6, baseline - 6, 16, 8)
            numbers.append(Markup('<div class="line-number {}" style="{}">{}</div>').format(frame.side, _at(box), count))
    return numbers


def _mark(mark: Placed, frame: Frame, kind: str) -> Markup:
    """An edited word underlined with its note's number; a removal as a rule where the text stood."""
    if mark.kind == "removed":
        block = frame.text_block
        box = Box(block.x, mark.box.bottom - 1, block.width, 2)
        return Markup('<div class="removal" style="{}"><span>{}</span></div>').format(_at(box), mark.number)
    box = Box(mark.box.x, mark.box.y, max(mark.box.width, 2), mark.box.height)
    css = "type-mark" if kind == "type" else "edit-mark"
    return Markup('<div class="{}" style="{}"><span>{}</span></div>').format(css, _at(box), mark.number)


def _slug(frame: Frame, slug: str) -> Markup:
    box = Box(frame.text_block.x, frame.trim.height - 18, frame.text_block.width, 9)
    return Markup('<div class="slug" style="{}">{}</div>').format(_at(box), slug)


def _legend_sheet(frame: Frame, legend: str, slug: str) -> Markup:
    block = frame.text_block
    return _slug(frame, slug) + Markup('<div class="legend" style="{}">{}</div>').format(_at(block, height=False), Markup(legend))


def _at(box: Box, height: bool = True) -> str:
    style = f"left: {box.x:.2f}pt; top: {box.y:.2f}pt; width: {box.width:.2f}pt;"
    return style + (f" height: {box.height:.2f}pt;" if height else "")


def _document(sheets: list[Markup]) -> str:
    pages = "".join(Markup('<div class="sheet">{}</div>').format(sheet) for sheet in sheets)
    return f'<html lang="en"><head><meta charset="utf-8"/></head><body class="proof-overlay">{pages}</body></html>'

