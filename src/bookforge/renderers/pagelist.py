"""The page-list: where each page of the print edition begins, marked in the EPUB's XHTML.

WeasyPrint's layout of the print PDF is walked page by page.  The first word set in each page's
text block (running heads and folios left aside) is traced back to its element in the
intermediate XHTML, and an empty page-break marker carrying the printed folio goes in right
before that word.  A blank page gets its marker at the spot of the next page's.  The nav
document then gets a page-list with one entry per page of the PDF, so page *n* in the EPUB is
page *n* in print, roman numerals for the front matter included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from bookforge.diagnostics import Diagnostic, warning
if TYPE_CHECKING:
    from bookforge.html import HtmlBook, PageBreak

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
SOURCE = "data-source"  # the PDF renderer marks each page's wrapper in its combined document with the page's href
IGNORED = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # characters a layout may drop: soft hyphen, zero-width ones
NO_PHRASING = {"html", "head", "ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "select"}


@dataclass(frozen=True)
class Start:
    """Where a print page begins: the ``offset``-th non-space character of an element's own text."""

    href: str
    path: tuple[int, ...]  # element indexes from <body> down to the element
    offset: int


@dataclass(frozen=True)
class Pagination:
    """What the page-list needs from a layout, kept apart from it so a rebuild can reuse it."""

    starts: tuple[Start | None, ...]
    labels: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def mark(html: HtmlBook, pagination: Pagination) -> tuple[HtmlBook, list[Diagnostic]]:
    """Put a page-break marker for every page into the XHTML files and the page-list into the nav.

    Everything is placed in memory first and written only when all of it is: the page-list is a shortcut
    taken from the layout, and if placing it fails the book comes out without it (the EPUB claims no print
    page numbers then), with a warning saying why, and its XHTML as it was."""
    trees = {page.href: etree.parse(str(html.path(page))) for page in html.pages}
    try:
        breaks, lost = _place(trees, list(pagination.starts), list(pagination.labels), html.pages[-1].href)
        _add_page_list(trees[_contents(html).href], breaks)
    except Exception as exc:  # a fault of the shortcut: the book comes out without it
        return html, [*pagination.diagnostics, warning("X-206", f"the EPUB has no page-list (the print edition's page "
                                                        f"numbers): placing it failed: {type(exc).__name__}: {exc}", "build")]
    for href, tree in trees.items():
        _write(tree, html.directory / href)
    return replace(html, page_list=breaks), [*pagination.diagnostics, *(untraced_warning(n + 1) for n in lost)]


def page_starts(layout) -> tuple[list[Start | None], list[int]]:
    """For each page, where its first word stands in the XHTML (None for a page with no text); and the
    indexes of the pages whose first word could not be traced (their start is None too)."""
    from bookforge.renderers import engine  # here, not at the top: only the layout workers import WeasyPrint

    root = next(box.element for box in engine.page_box(layout.pages[0]).children if box.element is not None)
    kinds = (engine.internal("weasyprint.formatting_structure.boxes.MarginBox"),
             engine.internal("weasyprint.formatting_structure.boxes.TextBox"))
    parents = {child: parent for parent in root.iter() for child in parent}
    laid_out: dict = defaultdict(int)  # element -> non-space characters of its own text set so far
    broken: set = set()
    starts, untraced = [], []
    for number, page in enumerate(layout.pages):
        first = None
        for box in _text_boxes(engine.page_box(page), kinds):
            element = box.element
            if first is None and box.text.strip():
                first = (element, laid_out[element])
            laid_out[element], ok = _advance(box, own_text(element), laid_out[element])
            if not ok:
                broken.add(element)
        start = _start(first, parents) if first and first[0] not in broken else None
        if first and start is None:
            untraced.append(number)
        starts.append(start)
    return starts, untraced


def untraced_warning(number: int) -> Diagnostic:
    """What the page-list says about page ``number`` (from 1) of the PDF when its first word could not be traced."""
    return warning("X-201", f"page {number} of the PDF: could not trace its first word to the XHTML; its "
                   "page-break marker stands with the next page's", "build/html")


def own_text(element) -> str:
    """An element's own text (its text and its children's tails), without white space."""
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    return "".join(text.split())


def _text_boxes(box, kinds: tuple):
    """The text boxes of a page in reading order, leaving out margin boxes and generated content (``kinds``:
    WeasyPrint's classes of margin boxes and text boxes)."""
    margin, text = kinds
    if isinstance(box, margin) or "::" in (box.element_tag or ""):
        return
    if isinstance(box, text):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, kinds)


def _advance(box, source: str, at: int) -> tuple[int, bool]:
    """Step through ``source`` over the characters of ``box``; a hyphen the layout added is no character of the source."""
    hyphen = box.style["hyphenate_character"]
    for char in box.text:
        if char.isspace():
            continue
        while at < len(source) and source[at] != char and source[at] in IGNORED:
            at += 1
        if at < len(source) and source[at] == char:
            at += 1
        elif char not in hyphen:
            return at, False
    return at, True


def _start(first, parents) -> Start | None:
    element, offset = first
    path = []
    while element.get(SOURCE) is None:
        parent = parents.get(element)
        if parent is None:
            return None
        path.append([child for child in parent if isinstance(child.tag, str)].index(element))
        element = parent
    return Start(element.get(SOURCE), tuple(reversed(path)), offset)




# --- placing the markers in the XHTML -----------------------------------------------------------


def _place(trees: dict, starts: list[Start | None], labels: list[str], last_href: str) -> tuple[tuple[PageBreak, ...], list[int]]:
    """A marker put into ``trees`` for every page; and the pages whose traced start the XHTML does not hold (their
    marker stands with the next page's)."""
    from bookforge.html import PageBreak  # here, not at the top: the layout workers import ``page_starts``

    spots, lost = _spots(trees, starts, last_href)
    ids = _ids(labels)
    grouped = defaultdict(list)
    for number, ((href, spot), label, id_) in enumerate(zip(spots, labels, ids)):
        owner, is_tail, index = spot
        grouped[(owner, is_tail)].append((index, number, _marker(label, id_)))
    for (owner, is_tail), markers in grouped.items():
        _insert(owner, is_tail, sorted(markers, key=lambda m: m[:2]))
    return tuple(PageBreak(label, f"{href}#{id_}") for (href, _), label, id_ in zip(spots, labels, ids)), lost


def _spots(trees: dict, starts: list[Start | None], last_href: str) -> tuple[list, list[int]]:
    """(href, spot) for every page, a page without a start of its own taking the next page's spot; and the pages
    whose start is not in the XHTML."""
    body = trees[last_href].getroot().find(f"{{{XHTML}}}body")
    following = (last_href, (body[-1], True, len(body[-1].tail or "")))  # trailing blank pages: the end of the book
    spots, lost = [], []
    for number in reversed(range(len(starts))):
        start = starts[number]
        located = _locate(trees, start) if start else None
        if start and not located:
            lost.append(number)
        following = (start.href, located) if located else following
        spots.append(following)
    return spots[::-1], sorted(lost)


def _locate(trees: dict, start: Start):
    """The spot, (owner, is_tail, index) in an owner's text or tail, where the marker goes."""
    element = trees[start.href].getroot().find(f"{{{XHTML}}}body") if start.href in trees else None
    for index in start.path:
        children = [child for child in element if isinstance(child.tag, str)] if element is not None else []
        element = children[index] if index < len(children) else None
    if element is None:
        return None  # the layout's document had an element the XHTML has not: a start this cannot place
    count = 0
    for owner, is_tail in [(element, False)] + [(child, True) for child in element]:
        text = (owner.tail if is_tail else owner.text) or ""
        for index, char in enumerate(text):
            if char.isspace():
                continue
            if count == start.offset:
                while index > 0 and text[index - 1].isalnum():
                    index -= 1  # not inside a word hyphenated across the page turn: before it
                return _hoisted((owner, is_tail, index))
            count += 1
    return None


def _hoisted(spot):
    """A marker at the very start of an element goes before the element instead, as far out as markup allows,
    so that it never becomes part of a heading's or a link's name."""
    owner, is_tail, index = spot
    while not is_tail and not (owner.text or "")[:index].strip():
        parent = owner.getparent()
        if parent is None or not _holds_phrasing(parent):
            break
        previous = owner.getprevious()
        owner, is_tail, index = ((previous, True, len(previous.tail or "")) if previous is not None
                                 else (parent, False, len(parent.text or "")))
    return owner, is_tail, index


def _holds_phrasing(element) -> bool:
    name = etree.QName(element).localname
    in_nav_list = name == "li" and any(etree.QName(a).localname == "nav" for a in element.iterancestors())
    return name not in NO_PHRASING and not in_nav_list


def _ids(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    ids = []
    for number, label in enumerate(labels, start=1):
        id_ = f"page-{label}" if f"page-{label}" not in seen else f"page-{label}-{number}"
        seen.add(id_)
        ids.append(id_)
    return ids


def _marker(label: str, id_: str):
    return etree.Element(f"{{{XHTML}}}span", {f"{{{OPS}}}type": "pagebreak", "role": "doc-pagebreak", "id": id_,
                                               "aria-label": label}, nsmap={None: XHTML, "epub": OPS})


def _insert(owner, is_tail: bool, markers: list) -> None:
    """Split the owner's text (or tail) at each marker's index and put the markers in between."""
    text = (owner.tail if is_tail else owner.text) or ""
    cuts = [index for index, _, _ in markers]
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    parent, first = (owner.getparent(), owner.getparent().index(owner) + 1) if is_tail else (owner, 0)
    if is_tail:
        owner.tail = pieces[0] or None
    else:
        owner.text = pieces[0] or None
    for n, (_, _, marker) in enumerate(markers):
        parent.insert(first + n, marker)
        marker.tail = pieces[n + 1] or None


def _write(tree, path: Path) -> None:
    text = etree.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n', encoding="utf-8")


# --- the page-list in the nav document ----------------------------------------------------------


def _contents(html: HtmlBook):
    return next(page for page in html.pages if page.kind == "contents")


def _add_page_list(tree, breaks: tuple[PageBreak, ...]) -> None:
    """The nav document's page-list: one entry per page, pointing at its marker."""
    body = tree.getroot().find(f"{{{XHTML}}}body")
    nav = etree.SubElement(body, f"{{{XHTML}}}nav", {f"{{{OPS}}}type": "page-list", "role": "doc-pagelist",
                                                     "aria-label": "Page List", "hidden": ""})
    nav.text = nav.tail = "\n"
    items = etree.SubElement(nav, f"{{{XHTML}}}ol")
    items.text = items.tail = "\n"
    for entry in breaks:
        link = etree.SubElement(etree.SubElement(items, f"{{{XHTML}}}li"), f"{{{XHTML}}}a", href=entry.href)
        link.text = entry.label
        link.getparent().tail = "\n"
