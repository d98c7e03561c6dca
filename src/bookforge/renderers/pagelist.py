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
    """Put a page-break marker for every page into the XHTML files and the page-list into the nav."""
    breaks = _place(html, list(pagination.starts), list(pagination.labels))
    _write_page_list(html, breaks)
    return replace(html, page_list=breaks), list(pagination.diagnostics)


def page_starts(layout) -> tuple[list[Start | None], list[int]]:
    """For each page, where its first word stands in the XHTML (None for a page with no text); and the
    indexes of the pages whose first word could not be traced (their start is None too)."""
    root = next(box.element for box in layout.pages[0]._page_box.children if box.element is not None)
    parents = {child: parent for parent in root.iter() for child in parent}
    laid_out: dict = defaultdict(int)  # element -> non-space characters of its own text set so far
    broken: set = set()
    starts, untraced = [], []
    for number, page in enumerate(layout.pages):
        first = None
        for box in _text_boxes(page._page_box):
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


def _text_boxes(box):
    """The text boxes of a page in reading order, leaving out margin boxes and generated content."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox) or "::" in (box.element_tag or ""):
        return
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


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


def _place(html: HtmlBook, starts: list[Start | None], labels: list[str]) -> tuple[PageBreak, ...]:
    from bookforge.html import PageBreak  # here, not at the top: the layout workers import ``page_starts``

    trees = {page.href: etree.parse(str(html.path(page))) for page in html.pages}
    spots = _spots(trees, starts, html.pages[-1].href)
    ids = _ids(labels)
    grouped = defaultdict(list)
    for number, ((href, spot), label, id_) in enumerate(zip(spots, labels, ids)):
        owner, is_tail, index = spot
        grouped[(owner, is_tail)].append((index, number, _marker(label, id_)))
    for (owner, is_tail), markers in grouped.items():
        _insert(owner, is_tail, sorted(markers, key=lambda m: m[:2]))
    for href, tree in trees.items():
        _write(tree, html.directory / href)
    return tuple(PageBreak(label, f"{href}#{id_}") for (href, _), label, id_ in zip(spots, labels, ids))


def _spots(trees: dict, starts: list[Start | None], last_href: str) -> list:
    """(href, spot) for every page; a page without a start of its own takes the next page's spot."""
    body = trees[last_href].getroot().find(f"{{{XHTML}}}body")
    following = (last_href, (body[-1], True, len(body[-1].tail or "")))  # trailing blank pages: the end of the book
    spots = []
    for start in reversed(starts):
        located = _locate(trees, start) if start else None
        following = (start.href, located) if located else following
        spots.append(following)
    return spots[::-1]


def _locate(trees: dict, start: Start):
    """The spot, (owner, is_tail, index) in an owner's text or tail, where the marker goes."""
    element = trees[start.href].getroot().find(f"{{{XHTML}}}body")
    for index in start.path:
        element = [child for child in element if isinstance(child.tag, str)][index]
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


def _write_page_list(html: HtmlBook, breaks: tuple[PageBreak, ...]) -> None:
    nav_page = next(page for page in html.pages if page.kind == "contents")
    tree = etree.parse(str(html.path(nav_page)))
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
    _write(tree, html.path(nav_page))
