"""The print renderer: WeasyPrint lays out the intermediate XHTML with the print stylesheet.

The book is cut where it turns to a new recto (front matter, parts, chapters, back matter), and
each group is laid out as a document of its own, in worker processes, one per core (``compositor``
says what a worker does with it), and cached
by its own content: its layout does not depend on where it stands in the book.  The folios come
from a sheet of empty pages per group laid over its pages, the contents is laid out last with the
page numbers known, and pikepdf joins the groups, their links and their bookmarks into one PDF
(``pdf_post``), whose bytes depend on the pages, not on how they were grouped.  An edited group is laid
out again only as far as the edit moves its pages, and only the changed pages are drawn and spliced
between its previous layout's (``_patched``).  A tagged PDF (PDF/UA) stays one document.
benchmarks/NOTES-parallel-layout.md tells why each piece is as it is.
"""

from __future__ import annotations

import base64
import datetime
import functools
import importlib
import itertools
import logging
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from bookforge import __version__, cache
from bookforge.diagnostics import Diagnostic, RenderError, error, note
from bookforge.html import PRINT_CSS, SHARED_CSS, HtmlBook, Page
from bookforge.renderers import compositor, pagelist, pdf_post, proof, workers
from bookforge.renderers.compositor import Job, Laid, PageKind
from bookforge.renderers.print_spec import GUTTER_BANDS, POINTS_PER_INCH, PrintSpec, gutter, page_css

XHTML = "http://www.w3.org/1999/xhtml"
ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50), ("xl", 40),
         ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
GROUP_STAGE = "pdf-group"  # the cache's folder for the groups' layouts
PREVIOUS_STAGE = "pdf-previous"  # the cache's folder for each group's last layout's key, for the next edit
GROUP_ENTRIES = 2048  # kept in it: every group of a 50x book (about 500), twice over, and a few folio sheets
INTERNAL = pdf_post.INTERNAL  # a link to another page of the book, in a group's document
CHARACTERS_PER_SQUARE_INCH = 110  # of text block, for the estimate that picks the first gutter band
TARGET_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href(?:\s+url)?\s*\)\s*,\s*page\s*\)")
FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}")
MARGIN_RULE = re.compile(r"@((?:top|bottom|left|right)-[a-z-]+)\s*\{([^{}]*)\}")
GROUP_COUNTERS = "body > div:not(.frontmatter) { counter-reset: footnote; }\n"  # where groups begin (``groups``)
SPARE = "bookforge-spare"  # the named page of a folio sheet's pages that stand for none of the book's
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass(frozen=True)
class PdfOptions:
    spec: PrintSpec
    date: datetime.datetime  # the creation and modification date: reproducible, never the clock


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    pagination: pagelist.Pagination | None = None  # where each page begins in the XHTML, for the EPUB's page-list
    printed: proof.PrintLayout | None = None  # where each line and each marked change stands, for the proof


def render(html: HtmlBook, target: Path, options: PdfOptions, store: Path | None = None) -> PdfResult:
    """Lay out ``html`` and write the PDF to ``target``; ``store`` is a build folder whose cache keeps each group.

    The groups, their folio sheets, the cache and the splicing of an edit are shortcuts to the pages the book
    laid out as one document has.  When one of them fails its own check (or WeasyPrint lacks an internal one of
    them needs: ``engine.missing``), the book is laid out the plain way (``plain``) and a note says why."""
    _check_variant(options.spec)
    threading.Thread(target=importlib.import_module, args=("pikepdf",), daemon=True).start()  # for the join, meanwhile
    if options.spec.pdf_variant:  # a tagged PDF has one structure tree: the book stays one document
        return plain(html, target, options, store)
    try:
        with _workers() as pool:
            book = _Typesetting(html, options, store, pool)
            return _written(book.grouped(), book, target, html, options, pool)
    except OSError:
        raise  # the system's refusal (a full disk, say), not the shortcut's
    except Exception as exc:  # any failure of the grouped layout: WeasyPrint alone lays the book out
        reason = str(exc) if isinstance(exc, compositor.ShortcutFailed) else f"{type(exc).__name__}: {exc}"
        made = plain(html, target, options)
        return replace(made, diagnostics=(_fell_back(reason), *made.diagnostics))


def plain(html: HtmlBook, target: Path, options: PdfOptions, store: Path | None = None) -> PdfResult:
    """Lay ``html`` out as one document and write the PDF to ``target``: no groups, no folio sheets, no splice, and
    no cache unless ``store`` is given.  WeasyPrint numbers the pages, sets the contents' page numbers and the
    running heads itself: the pages the grouped layout's shortcuts must give (``benchmarks/plain_layout.py``
    compares them)."""
    with _workers() as pool:
        book = _Typesetting(html, options, store, pool)
        return _written(book.whole(), book, target, html, options, pool)


def _written(parts: _Joined, book: _Typesetting, target: Path, html: HtmlBook, options: PdfOptions,
             pool: ProcessPoolExecutor) -> PdfResult:
    _report_pages(parts.count)
    parts.finish(target, html.metadata.identifier, options.spec.bleed_inches * POINTS_PER_INCH, pool, book.font_files(),
                 options.date)
    return PdfResult(target, parts.count, (*book.notes, *parts.diagnostics), parts.pagination, parts.printed)


def _fell_back(reason: str) -> Diagnostic:
    return note("X-203", f"the PDF was laid out as one document, the plain way, because a shortcut failed its check: "
                f"{reason}", "build")


def _report_pages(count: int) -> None:
    """The groups were laid out in workers, whose WeasyPrint progress log the live display cannot hear: tell
    it, in WeasyPrint's words, how many pages the book took, then that the PDF is being written."""
    from bookforge.progress import LAYOUT_PAGE, WEASYPRINT_PROGRESS, WRITING_PDF

    log = logging.getLogger(WEASYPRINT_PROGRESS)
    log.info(f"{LAYOUT_PAGE} %d", count)
    log.info(WRITING_PDF)


def groups(html: HtmlBook) -> list[tuple[Page, ...]]:
    """The pages cut where the book turns to a new recto: the front matter, every part and chapter page,
    every piece of back matter.  Each group's layout depends on nothing before or after it."""
    found: list[list[Page]] = []
    for page in html.pages:
        if not found or page.matter != "frontmatter":
            found.append([])
        found[-1].append(page)
    return [tuple(group) for group in found]


def estimated_pages(html: HtmlBook, spec: PrintSpec) -> int:
    """About how many pages the book will take: its characters over what a page of text holds.

    Only the first gutter band is chosen from it, the same way for the same sources; the
    layout's real page count then decides (``_Typesetting.grouped``)."""
    characters = sum(len("".join(etree.parse(str(html.path(page))).getroot().itertext())) for page in html.pages)
    margins = spec.margins
    width = spec.trim.width / POINTS_PER_INCH - margins.inside - margins.outside - gutter(0)
    height = spec.trim.height / POINTS_PER_INCH - margins.top - margins.bottom
    return round(characters / (CHARACTERS_PER_SQUARE_INCH * width * height))


class _Typesetting:
    """The layout of one book: its groups laid out (from the cache, or in worker processes), then joined."""

    def __init__(self, html: HtmlBook, options: PdfOptions, store: Path | None, pool: ProcessPoolExecutor):
        self.html, self.options, self.store, self.pool = html, options, store, pool
        self.notes: list[Diagnostic] = []  # each shortcut that failed its check, and what was done instead
        self.first_body = next((p for p in html.pages if p.matter == "bodymatter"), None)
        self.resources = cache.tree(html.directory, skip=".xhtml")  # stylesheets, fonts and pictures
        self.code = cache.key(self.resources, cache.versions("weasyprint", "pikepdf"),
                              code=list(Path(__file__).parent.glob("*.py")))  # all a layout depends on but its job
        self.sheets = {href: (html.directory / href).read_text("utf-8") for href in (SHARED_CSS, PRINT_CSS)}
        folio, furniture = _margin_boxes(self.sheets.values())
        self.no_folio = "".join(f"@page {{ @{box} {{ content: none !important; }} }}\n" for box in folio)
        self.folio_only = "".join(f"@page {{ @{box} {{ content: none !important; }} }}\n" for box in furniture)

    def font_files(self) -> dict[str, str]:
        """The book's own files by the SHA-256 of their bytes: where the faces the groups embed were cut from."""
        return {digest: str(self.html.directory / path) for path, digest in self.resources}

    def whole(self) -> _Joined:
        """The book laid out as one document, in the gutter band its length asks for; its footnotes numbered from 1
        at each group's start, as the groups are (``GROUP_COUNTERS``)."""
        band = gutter(estimated_pages(self.html, self.options.spec))
        for _ in GUTTER_BANDS:
            job = Job(self._document(self.html.pages, whole=True), (page_css(self.options.spec, band), GROUP_COUNTERS),
                      self.options.spec.pdf_variant, True)
            [laid] = self._lay_out([job])
            if gutter(len(laid.pages)) == band:
                break
            band = gutter(len(laid.pages))
        return _Joined.single(laid)

    def grouped(self) -> _Joined:
        """Lay every group out in the gutter band the book's length asks for; then the front matter again, with
        the page numbers of the contents now known, beside the folio sheets, one per group."""
        front_pages, *rest = groups(self.html)
        band = gutter(estimated_pages(self.html, self.options.spec))
        for _ in GUTTER_BANDS:
            page = page_css(self.options.spec, band)
            front = self._lay_out([Job(self._document(front_pages, folios={}), (page, self.no_folio), None, False,
                                       drawn=False)])[0]
            entry = _entry_strings(front.strings)
            body = self._lay_out([Job(self._document(group), (page, self.no_folio, entry), None, False) for group in rest])
            sizes = [_even_count(len(laid.pages)) for laid in [front, *body]]
            if gutter(sum(sizes)) == band:
                break
            band = gutter(sum(sizes))
        starts, front_count = _starts(sizes), sizes[0]
        labels = _labels(front_count, sum(sizes))
        folios = {t.id: labels[start + t.page] for laid, start in zip(body, starts[1:]) for t in laid.targets}
        folios.update({t.id: labels[t.page] for t in front.targets})
        numbered = Job(self._document(front_pages, folios=folios), (page, self.no_folio), None, False)
        sheets = [self._folio_sheet(group, start, front_count, page) for group, start in zip([front, *body], starts)]
        numbered_front, *sheets = self._lay_out([numbered, *sheets])  # all at once: the numbers seldom move a page
        if numbered_front.pages != front.pages:
            sheets[0] = self._lay_out([self._folio_sheet(numbered_front, 0, front_count, page)])[0]
        laid = [numbered_front, *body]
        for group, sheet, start in zip(laid, sheets, starts):
            if [_furniture(k) for k in sheet.pages] != [_furniture(k) for k in _even_kinds(group.pages)]:
                raise compositor.ShortcutFailed(f"the folio sheet of pages {start + 1}-{start + len(sheet.pages)} "
                                                "does not fall as the book's pages do (a page rule it cannot follow)")
        return _Joined(laid, sheets, labels, front_count)

    def _document(self, pages: tuple[Page, ...], *, whole: bool = False, folios: dict[str, str] | None = None) -> str:
        """The document of a group; with ``folios`` (those known so far), the front matter's, whose contents
        prints them."""
        root = _combine(self.html, self.options, pages, self.first_body, whole, folios or {})
        if folios is not None:  # a link, not <style>: the document is read as HTML, where <style> is raw text
            css = base64.b64encode("\n".join(self._resolved_counters()).encode("utf-8")).decode("ascii")
            etree.SubElement(root[0], f"{{{XHTML}}}link", rel="stylesheet", href=f"data:text/css;base64,{css}")
        return _serialized(root)

    def _resolved_counters(self) -> list[str]:
        """The book's stylesheets once more, with each page number a contents entry asks for (``target-counter``)
        read from the entry's ``data-folio`` instead: the targets are in other groups' documents."""
        return [TARGET_COUNTER.sub("attr(data-folio)", FONT_FACE.sub("", text))
                for text in self.sheets.values() if TARGET_COUNTER.search(text)]

    def _lay_out(self, jobs: list[Job]) -> list[Laid]:
        """Each job's layout: from the cache when the same document was laid out before, else in a pool; an
        edited group's from its previous layout, with only the pages the edit changed laid out again."""
        keys = [cache.key(job, self.code) for job in jobs]
        found = [cache.load(self.store, GROUP_STAGE, key, Laid) if self.store else None for key in keys]
        missing = [n for n, laid in enumerate(found) if laid is None]
        previous = {n: self._previous(jobs[n]) for n in missing}
        lay_out = functools.partial(compositor.lay_out_edited, directory=self.html.directory, date=self.options.date,
                                    resources=self.resources, print_css=PRINT_CSS)
        work = [(jobs[n], compositor.Since(previous[n].elements, previous[n].breaks) if previous[n] else None)
                for n in missing]
        again = []  # edited groups whose pages cannot be spliced: laid out whole, the plain way
        for n, made in zip(missing, _map(self.pool, lay_out, work, size=lambda item: len(item[0].xml))):
            if isinstance(made, compositor.Piece) and (reason := _seam(previous[n], made)):
                self._redone(jobs[n], reason)
                again.append(n)
                continue
            if isinstance(made, compositor.Redone):
                self._redone(jobs[n], made.reason)
                made = made.laid
            found[n] = _patched(previous[n], made) if isinstance(made, compositor.Piece) else made
            self._keep(jobs[n], keys[n], found[n])
        whole = functools.partial(compositor.lay_out, directory=self.html.directory, date=self.options.date,
                                  resources=self.resources, print_css=PRINT_CSS)
        for n, made in zip(again, _map(self.pool, whole, [jobs[n] for n in again])):
            found[n] = made
            self._keep(jobs[n], keys[n], made)
        return found

    def _redone(self, job: Job, reason: str) -> None:
        self.notes.append(note("X-204", f"the edited group that begins with {_first_source(job)} was laid out whole: "
                               f"laying out only the pages the edit moved failed its check: {reason}", "build"))

    def _identity(self, job: Job) -> str | None:
        """What a group's layouts have in common from one edit to the next: its first page, its stylesheets and
        options, the book's files; None for a job that is not a group (a folio sheet, the book in one document)."""
        first = _first_source(job)
        if first is None or not job.revisable:
            return None
        return cache.key("previous", first, job.css, job.variant, self.code)

    def _previous(self, job: Job) -> Laid | None:
        """The group's previous layout, when the cache holds it."""
        identity = self._identity(job)
        found = cache.load(self.store, PREVIOUS_STAGE, identity, str) if self.store and identity else None
        old = cache.load(self.store, GROUP_STAGE, found, Laid) if found else None
        return old if old is not None and old.breaks and old.elements else None

    def _keep(self, job: Job, key: str, laid: Laid) -> None:
        """Store a layout in the cache, and, for a group, as its previous layout for the next edit."""
        if not self.store:
            return
        identity = self._identity(job)
        try:
            cache.store(self.store, GROUP_STAGE, key, laid, keep=GROUP_ENTRIES, later=True)
            if identity:
                cache.store(self.store, PREVIOUS_STAGE, identity, key, keep=GROUP_ENTRIES, later=True)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def _folio_sheet(self, group: Laid, start: int, front_matter_pages: int, page_rule: str) -> Job:
        """A document of empty pages, one per page of ``group`` (and the blank verso after an odd count), each of
        the kind the group laid out there and showing nothing but its folio: laid over the group's pages, it
        numbers them.  ``start`` is the group's first page in the book, so the page counter starts where the
        book's stands there (counted from the first page, and from 1 again at the first page of the body).

        A blank page is made as WeasyPrint makes one, by the next page's break to the other side.  Two blank
        pages in a row (a page of nothing but a chapter's last footnotes, which WeasyPrint counts as blank, then
        the verso before the next chapter) are made with two spare pages between them, which the page counter
        skips and the sheet does not keep (``SPARE``)."""
        kinds = _even_kinds(group.pages)
        wanted = [*kinds, PageKind("", "right", False)]  # and a recto, to end on the blank
        for number in reversed(range(len(wanted) - 1)):
            if wanted[number].blank and wanted[number + 1].blank:
                other = "left" if wanted[number].side == "right" else "right"
                wanted[number + 1:number + 1] = [PageKind(SPARE, other, False), PageKind(SPARE, wanted[number].side, False)]
        body = etree.Element(f"{{{XHTML}}}body")
        for number, kind in enumerate(wanted):
            if kind.blank:
                continue
            style = [f"page: {kind.name}"] if kind.name else []
            if number:
                style.append(f"break-before: {kind.side if wanted[number - 1].blank else 'page'}")
            etree.SubElement(body, f"{{{XHTML}}}div", {"style": "; ".join(style)} if style else {})
        root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML}, lang=self.html.metadata.language)
        head = etree.SubElement(root, f"{{{XHTML}}}head")
        for href in (SHARED_CSS, PRINT_CSS):
            etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", href=href)
        root.append(body)
        counter = start + 1 if start < front_matter_pages else start - front_matter_pages + 1
        css = (page_rule, self.folio_only, f"@page :first {{ counter-reset: page {counter}; }}\n")
        if len(wanted) > len(kinds) + 1:
            css += (f"@page {SPARE} {{ counter-increment: page 0; }}\n",)
        kept = tuple(n for n, kind in enumerate(wanted[:-1]) if kind.name != SPARE)
        return Job(_serialized(root), css, None, False, keep=kept)


def _workers() -> ProcessPoolExecutor:
    """The layout's worker processes (``process_context``), one per core, kept for the whole PDF: each started
    when there is work for it, and keeping what it has parsed from one document to the next
    (``engine.share_stylesheets``); the build's own process never imports WeasyPrint."""
    return ProcessPoolExecutor(max(1, os.cpu_count() or 1), mp_context=workers.process_context())


def _map(pool: ProcessPoolExecutor, function, items: list, size=lambda item: 0) -> list:
    """``function`` over ``items`` in order, in ``pool``, the largest items first.  A worker that dies (killed, out
    of memory, unable to start) fails the map with ``BrokenProcessPool`` instead of being replaced forever."""
    order = sorted(range(len(items)), key=lambda n: -size(items[n]))
    results: list = [None] * len(items)
    for n, result in zip(order, pool.map(function, [items[n] for n in order])):
        results[n] = result
    return results


def spliced(pieces: list[tuple[Laid, int]]) -> Laid:
    """One group's layout from ``pieces``, layouts of its consecutive pages each with the page of its PDF where
    they begin (the PDF may hold more): each piece's page numbers moved to count from the group's first page.
    Joined into the book, it gives the bytes the group laid out and drawn whole gives (``pdf_post.merge_faces``,
    ``pdf_post._own_resources``)."""
    moved = [compositor.moved(piece, start) for (piece, _), start in zip(pieces, _starts([len(p.pages) for p, _ in pieces]))]
    targets: dict[str, compositor.Target] = {}
    strings: dict[str, str] = {}
    faces: dict[tuple[str, str, int], set[int]] = {}
    for piece in moved:
        for target in piece.targets:
            targets.setdefault(target.id, target)
        strings.update(piece.strings)
        for name, digest, index, glyphs in piece.faces:
            faces.setdefault((name, digest, index), set()).update(glyphs)
    pdf = pdf_post.spliced([(piece.pdf, at, at + len(piece.pages)) for piece, at in pieces])
    return Laid(pdf, sum((p.pages for p in moved), ()), tuple(targets.values()),
                sum((p.bookmarks for p in moved), ()), sum((p.starts for p in moved), ()), sum((p.untraced for p in moved), ()),
                proof.PrintLayout(sum((p.printed.frames for p in moved), ()), _placed(moved)),
                tuple(sorted(strings.items())), tuple(dict.fromkeys(d for p in moved for d in p.diagnostics)),
                tuple((*face, tuple(sorted(glyphs))) for face, glyphs in sorted(faces.items())),
                sum((p.breaks for p in moved), ()))


def _placed(pieces: list[Laid]) -> tuple[proof.Placed, ...]:
    """The changes the proof marks on the pieces' pages, as ``proof.measure`` lists them for the whole: each removal
    once, where the element after which text was removed ends (the last piece it reaches)."""
    edits = [placed for piece in pieces for placed in piece.printed.placed if placed.kind == "edit"]
    removed: dict[tuple[str, int], proof.Placed] = {}
    for placed in (placed for piece in pieces for placed in piece.printed.placed if placed.kind != "edit"):
        removed[placed.chapter, placed.number] = placed
    return proof.listed(edits, removed.values())


def _seam(old: Laid, piece: compositor.Piece) -> str | None:
    """Why ``piece`` cannot be spliced into ``old``, the group's previous layout, or None when it can: its pages must
    replace pages ``old`` has, as many of them when pages of ``old`` follow, and end in the state in which ``old``
    went on from there."""
    first, stop, count = piece.first, piece.stop, len(old.pages)
    if not 0 <= first <= stop <= count or len(old.breaks) != count or len(piece.laid.breaks) != len(piece.laid.pages):
        return f"its pages {first + 1}-{stop} do not fall among the {count} it had"
    if stop < count and (len(piece.laid.pages) != stop - first or (piece.laid.breaks[-1].rpartition(compositor.AT)[0]
                                                                   != old.breaks[stop - 1].rpartition(compositor.AT)[0])):
        return f"after its page {stop} the layout does not go on as it did"
    return None


def _first_source(job: Job) -> str | None:
    """The XHTML file a group's document begins with (None for a folio sheet)."""
    found = re.search(r'data-source="([^"]*)"', job.xml)
    return found.group(1) if found else None


def _patched(old: Laid, piece: compositor.Piece) -> Laid:
    """``old``, a group's previous layout, with its pages [first, stop) replaced by the ``piece`` an edit changed.
    The faces the kept pages set are read from their content, not taken from ``old``'s, which also counts the
    glyphs of the pages given way."""
    kept = [(first, stop) for first, stop in ((0, piece.first), (piece.stop, len(old.pages))) if stop > first]
    shift = (len(piece.laid.elements) - len(old.elements)) // compositor.SIGNATURE  # elements the edit added
    parts = []
    for first, stop in kept:
        glyphs = pdf_post.glyphs_set(old.pdf, first, stop)
        faces = tuple((name, digest, index, tuple(sorted(glyphs[name])))
                      for name, digest, index, _ in old.faces if glyphs.get(name))
        part = compositor.chosen(old, range(first, stop))
        if first >= piece.stop:  # after the edit: the elements its pages start at have moved by the edit's count
            part = replace(part, breaks=tuple(compositor.moved_start(state, shift) for state in part.breaks))
        parts.append((replace(part, faces=faces), first))
    head = [part for part in parts if part[1] < piece.first]
    joined = spliced([*head, (piece.laid, 0), *[part for part in parts if part[1] >= piece.stop]])
    strings = old.strings if piece.stop < len(old.pages) else piece.laid.strings  # at the end: the old or the new
    return replace(joined, strings=strings, elements=piece.laid.elements)  # the edited document's, for the next edit


def _entry_strings(strings: tuple[tuple[str, str], ...]) -> str:
    """A stylesheet that sets the named strings a group inherits from the pages before it (the book's title
    for the running heads), which its own document does not hold."""
    values = ", ".join(f'{name} "{_css_string(text)}"' for name, text in strings)
    return f":root {{ string-set: {values}; }}\n" if values else ""


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")


def _margin_boxes(stylesheets) -> tuple[list[str], list[str]]:
    """The margin boxes that show the page number (``counter(page)``), and the others: the running heads."""
    folio, furniture = set(), set()
    for text in stylesheets:
        for name, body in MARGIN_RULE.findall(text):
            (folio if "counter(page" in body else furniture).add(name)
    return sorted(folio), sorted(furniture - folio)


def _furniture(kind: PageKind) -> tuple:
    """What decides a page's running heads and folio: a blank page's name is not its own but its neighbour's."""
    return (kind.side, kind.blank) if kind.blank else (kind.side, kind.blank, kind.name)


def _starts(sizes: list[int]) -> list[int]:
    """Where each group begins in the book (its first page's index), from the groups' page counts."""
    return [0, *itertools.accumulate(sizes)][:-1]


def _even_count(pages: int) -> int:
    return pages + pages % 2


def _even_kinds(kinds: tuple[PageKind, ...]) -> list[PageKind]:
    """A group's pages, and the blank verso the next group's recto leaves after an odd count."""
    if len(kinds) % 2 == 0:
        return list(kinds)
    return [*kinds, PageKind(kinds[-1].name, "left", True)]


def _labels(front_matter_pages: int, pages: int) -> list[str]:
    """The folio of every page as the PDF's /PageLabels give it: roman for the front matter, arabic from 1 after."""
    return [_roman(n) for n in range(1, front_matter_pages + 1)] + [str(n) for n in range(1, pages - front_matter_pages + 1)]


class _Joined:
    """The groups' PDFs in reading order, each with its folio sheet laid over it: one book."""

    def __init__(self, laid: list[Laid], sheets: list[Laid] | None, labels: list[str], front_matter_pages: int):
        self.laid, self.sheets, self.labels, self.front = laid, sheets, labels, front_matter_pages
        self.count = len(labels)
        offsets = self._offsets()
        starts: list = []
        untraced: list[int] = []
        frames, placed = [], []
        for number, (laid_group, offset) in enumerate(zip(laid, offsets)):
            padded = _even_count(len(laid_group.pages)) if sheets else len(laid_group.pages)
            starts += [*laid_group.starts, *[None] * (padded - len(laid_group.pages))]
            untraced += [offset + n for n in laid_group.untraced]
            frames += laid_group.printed.frames
            if padded > len(laid_group.pages):
                frames.append(sheets[number].printed.frames[-1])
            placed += [replace(p, page=offset + p.page) for p in laid_group.printed.placed]
        diagnostics = [d for group in (*laid, *(sheets or ())) for d in group.diagnostics]
        self.diagnostics = tuple(dict.fromkeys(diagnostics))
        self.pagination = pagelist.Pagination(tuple(starts), tuple(labels),
                                              tuple(pagelist.untraced_warning(n + 1) for n in untraced))
        self.printed = proof.PrintLayout(tuple(frames), tuple(placed))

    @classmethod
    def single(cls, laid: Laid) -> _Joined:
        front = next((n for n, kind in enumerate(laid.pages) if kind.name == "body-start"), 0)
        return cls([laid], None, _labels(front, len(laid.pages)), front)

    def _offsets(self) -> list[int]:
        return _starts([_even_count(len(g.pages)) if self.sheets else len(g.pages) for g in self.laid])

    def finish(self, target: Path, identifier: str, bleed_points: float, pool: ProcessPoolExecutor,
               font_files: dict[str, str], date: datetime.datetime) -> None:
        """Write the book: the one document as it is, or the groups joined, each face of the book's fonts
        embedded once (``pdf_post.merge_faces``)."""
        if self.sheets is None:
            pdf_post.finish(self.laid[0].pdf, target, self.front, identifier, bleed_points)
            return
        offsets = self._offsets()
        targets: dict[str, tuple[int, float, float]] = {}
        for laid, offset in zip(self.laid, offsets):
            for t in laid.targets:
                targets.setdefault(t.id, (offset + t.page, t.x, t.y))
        bookmarks = [replace(b, page=offset + b.page) for laid, offset in zip(self.laid, offsets) for b in laid.bookmarks]
        faces = self._cut_faces(pool, font_files, date)  # in the workers, while the groups are joined here
        parts = [(laid.pdf, len(laid.pages), sheet.pdf) for laid, sheet in zip(self.laid, self.sheets)]
        pdf_post.finish_joined(parts, targets, _map(pool, compositor.outline, [bookmarks])[0], target, self.front, identifier,
                               bleed_points, faces)

    def _cut_faces(self, pool: ProcessPoolExecutor, font_files: dict[str, str], date: datetime.datetime) -> dict:
        """Each face the groups embed as a subset of one of the book's font files (``font_files``: SHA-256 ->
        path), cut once to the glyphs all of them set: the glyph ids, and the call that waits for the cut."""
        found: dict[str, tuple[str, int]] = {}
        glyphs: dict[str, set[int]] = {}
        for laid in (*self.laid, *self.sheets):
            for name, digest, index, used in laid.faces:
                face = (font_files.get(digest), index)
                if found.setdefault(name, face) != face:
                    found[name] = (None, index)  # one name, two fonts: left as the groups embed it
                glyphs.setdefault(name, set()).update(used)
        return {name: (frozenset(glyphs[name]), pool.submit(compositor.cut_face, (path, index, sorted(glyphs[name])), date).result)
                for name, (path, index) in sorted(found.items()) if path is not None}


def _check_variant(spec: PrintSpec) -> None:
    """Refuse PDF/X: a preflight accepts it only with a CMYK output intent (a printer's ICC profile), and
    bookforge ships none that it may redistribute, so it would write a file that claims PDF/X and fails."""
    if spec.pdf_variant and spec.pdf_variant.startswith("pdf/x"):
        raise RenderError([error("X-202", f"print.pdf_variant: {spec.pdf_variant} is refused: bookforge ships no CMYK "
                                 "output intent (printer profile), so a printer's preflight would reject the file as "
                                 "PDF/X; leave pdf_variant out (or use pdf/ua-1) and let the printer convert", "book.yaml")])


def _roman(number: int) -> str:
    digits = ""
    for numeral, value in ROMAN:
        count, number = divmod(number, value)
        digits += numeral * count
    return digits


def _combine(html: HtmlBook, options: PdfOptions, pages: tuple[Page, ...], first_body: Page | None, whole: bool,
             folios: dict[str, str]) -> etree._Element:
    """One XHTML document holding ``pages``' bodies in reading order, linked to the print stylesheet.

    In the whole book a link to another page becomes a link inside the document.  In a group it
    becomes ``bookforge-internal:<id>``, resolved once the groups are joined (``pdf_post``), and
    carries the folio of its target in ``data-folio`` when ``folios`` knows it (the contents)."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML}, lang=html.metadata.language)
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = html.metadata.full_title
    for name, content in _metadata(html, options):
        etree.SubElement(head, f"{{{XHTML}}}meta", name=name, content=content)
    for href in (SHARED_CSS, PRINT_CSS):
        etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", href=href)
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    for page in pages:
        page_body = etree.parse(str(html.path(page))).getroot().find(f"{{{XHTML}}}body")
        classes = page_body.get("class", "") + (" body-start" if page is first_body else "")
        wrapper = etree.SubElement(body, f"{{{XHTML}}}div", {"class": classes, "data-source": page.href})
        wrapper.extend(list(page_body))
    for link in root.iter(f"{{{XHTML}}}a"):
        href = _internal_href(link.get("href", ""))
        if href.startswith("#") and not whole:
            href = INTERNAL + href[1:]
            if href[len(INTERNAL):] in folios:
                link.set("data-folio", folios[href[len(INTERNAL):]])
        link.set("href", href)
    return root


def _serialized(root: etree._Element) -> str:
    """A document as text that WeasyPrint's HTML parser reads as the tree it is: an element with nothing in it is
    written with its end tag.  The parser takes ``<pre/>`` for a start tag and nests all that follows inside it,
    and after an empty ``<code/>`` it opens the code again in every later paragraph (formatting elements are
    reopened): the rest of a chapter was set in the code face, and the page-list's paths did not exist."""
    for element in root.iter(f"{{{XHTML}}}*"):
        if element.text is None and not len(element) and etree.QName(element).localname not in VOID:
            element.text = ""
    return etree.tostring(root, encoding="unicode", method="xml")


def _metadata(html: HtmlBook, options: PdfOptions) -> list[tuple[str, str]]:
    """The document information WeasyPrint reads from <meta>: author, subject, keywords and the dates."""
    meta = html.metadata
    stamp = options.date.isoformat()
    found = [("author", author.name) for author in meta.authors]
    found += [("description", meta.description)] if meta.description else []
    found += [("keywords", ", ".join(meta.subjects))] if meta.subjects else []
    return found + [("generator", f"bookforge {__version__}"), ("dcterms.created", stamp), ("dcterms.modified", stamp)]


def _internal_href(href: str) -> str:
    """'chapter.xhtml#c12' -> '#c12' and 'chapter.xhtml' -> '#chapter'; other links stay as they are."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".xhtml"):
        return href
    return f"#{parts.fragment or parts.path.removesuffix('.xhtml')}"
