"""The compositor: what a layout worker does with one document of the book.  It lays the document out with
WeasyPrint (``engine``, imported in the workers' server), draws it, and sends back the PDF and the few facts
the book needs from the layout (``Laid``); it also nests the PDF's outline as WeasyPrint does.

The server the workers are forked from imports this module and ``engine``, and nothing else of bookforge
that they do not use (the templates, the editorial pass, the cache, pydantic), so that its import is over
sooner on the core it shares with the editorial pass (``workers``).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from bookforge.diagnostics import Diagnostic, error, note, warning
from bookforge.renderers import pagelist, proof

SIGNATURE = 8  # bytes of an element's digest (``_signature``)
AT = "@"  # in a page's state (``Laid.breaks``), before the element the next page starts at
PX = 0.75  # WeasyPrint lays out in CSS pixels; PDF points are 0.75 of them
SLOW_SUBSETTING = ("fonts are subset with fontTools because the HarfBuzz-Subset library is missing; "
                   "install it (Debian: libharfbuzz-subset0) for faster PDF builds")


@dataclass(frozen=True)
class PageKind:
    """What decides a page's furniture: its named page (print.css's ``page``), its side, and whether it is blank."""

    name: str
    side: str
    blank: bool


@dataclass(frozen=True)
class Target:
    """Where an element with an id stands: a link's destination, in PDF points from the page's bottom left."""

    id: str
    page: int
    x: float
    y: float


@dataclass(frozen=True)
class Bookmark:
    """An entry of the PDF's outline as WeasyPrint found it (``bookmark-level``), before nesting."""

    page: int
    level: int
    label: str
    x: float
    y: float
    state: str


@dataclass(frozen=True)
class Laid:
    """One group of pages laid out and drawn: the PDF and the small facts the book needs from its layout.

    Page numbers in it count from the group's first page, so it does not depend on where the
    group stands in the book, and a rebuild can take it from the cache.
    """

    pdf: bytes
    pages: tuple[PageKind, ...]
    targets: tuple[Target, ...]
    bookmarks: tuple[Bookmark, ...]
    starts: tuple[pagelist.Start | None, ...]
    untraced: tuple[int, ...]
    printed: proof.PrintLayout
    strings: tuple[tuple[str, str], ...]  # the named strings (string-set) in force at its end
    diagnostics: tuple[Diagnostic, ...]
    faces: tuple[tuple[str, str, int, tuple[int, ...]], ...] = ()  # subsets the book cuts again, once: engine.embedded_faces
    breaks: tuple[str, ...] = ()  # the layout's state after each page, for laying out again only what an edit changes
    elements: bytes = b""  # a digest of each element of the document, in order (``_signatures``): what an edit changed


@dataclass(frozen=True)
class Job:
    """A group's document and its extra stylesheets: everything its layout depends on (with the book's files)."""

    xml: str
    css: tuple[str, ...]
    variant: str | None
    whole: bool  # the whole book in one document: folios, links and contents resolved by WeasyPrint itself
    keep: tuple[int, ...] | None = None  # only these pages (their indexes) drawn: a folio sheet lays out pages it does not use
    drawn: bool = True  # False: laid out for its page count, targets and strings only (the front matter's first layout)

    @property
    def revisable(self) -> bool:
        """A group of the book laid out whole and drawn: its next edit can be laid out from this layout."""
        return self.keep is None and not self.whole and self.drawn


@dataclass(frozen=True)
class Since:
    """What the previous layout of a group left for laying out again only the pages an edit changes."""

    elements: bytes  # a digest of each element of the group's previous document (``Laid.elements``)
    breaks: tuple[str, ...]  # its state after each page (``Laid.breaks``)


class ShortcutFailed(Exception):
    """A shortcut to the book's pages (the groups, their folio sheets) failed its own check, or WeasyPrint lacks an
    internal it needs: the book is laid out the plain way instead (``pdf.render``).  Its message says why."""


@dataclass(frozen=True)
class Redone:
    """An edited group laid out whole because laying out only the pages the edit moved failed: the layout, and why."""

    laid: Laid
    reason: str


@dataclass(frozen=True)
class Piece:
    """The pages an edit changed, laid out again: they replace the previous layout's pages [first, stop)."""

    first: int
    stop: int
    laid: Laid  # its page numbers count from ``first``


def lay_out(job: Job, directory: Path, date: datetime.datetime, resources: list, print_css: str) -> Laid:
    """Lay one group's document out and draw it (hyphen ladders are bounded as the lines are set, and the
    stylesheets parsed once for all the documents of the book that this process lays out: ``engine``).  A
    group, folio sheet or front matter of the grouped layout needs every internal of WeasyPrint's that
    ``engine`` names: without one, ``ShortcutFailed``; the book in one document does not."""
    from bookforge.renderers import engine

    if not job.whole and (lacking := engine.missing()):
        raise ShortcutFailed(f"WeasyPrint {engine.weasyprint.__version__} lacks {', '.join(lacking)}")
    with _Typeset(job, directory, date, resources, print_css, None) as typeset:
        layout = _even(typeset.layout) if job.whole else typeset.layout
        return typeset.drawn(layout, range(len(layout.pages)) if job.keep is None else job.keep)


def lay_out_again(job: Job, since: Since, directory: Path, date: datetime.datetime, resources: list,
                  print_css: str) -> Piece | None:
    """Lay an edited group's document out from its first page only as far as the edit moves its pages, and
    draw only the pages the edit changed: None when the whole document must be laid out (its pagination
    went round again, or nothing tells which pages changed)."""
    with _Typeset(job, directory, date, resources, print_css, since) as typeset:
        watch = typeset.watch
        if watch.rounds != 1 or watch.first is None:
            return None
        pages = len(typeset.layout.pages)  # up to the page where it met the previous layout again, or all
        stop = watch.converged + 1 if watch.converged is not None else len(since.breaks)
        moved_before = next((n for n, (new, old) in enumerate(zip(watch.breaks, since.breaks)) if new != old), pages)
        first = min(max(0, watch.first - 1), moved_before)  # the page before: its end may look at what follows
        return Piece(first, stop, typeset.drawn(typeset.layout, range(first, pages)))


def lay_out_edited(work: tuple[Job, Since | None], directory: Path, date: datetime.datetime, resources: list,
                   print_css: str) -> Laid | Piece | Redone:
    """A group laid out: only the pages an edit changed when its previous layout is given and allows it
    (``lay_out_again``), else whole (``lay_out``); whole too when laying out only those pages fails (``Redone``)."""
    job, since = work
    try:
        piece = lay_out_again(job, since, directory, date, resources, print_css) if since is not None else None
    except Exception as exc:  # the shortcut's fault: the group is laid out the plain way
        return Redone(lay_out(job, directory, date, resources, print_css), f"{type(exc).__name__}: {exc}")
    return piece if piece is not None else lay_out(job, directory, date, resources, print_css)


class _Typeset:
    """A group's document laid out by WeasyPrint, with the state after each page watched (``_Watch``), and
    drawn: the warnings collected and fontTools' clock set to the build's date meanwhile."""

    def __init__(self, job: Job, directory: Path, date: datetime.datetime, resources: list, print_css: str,
                 since: Since | None):
        self.job, self.directory, self.date, self.resources, self.print_css, self.since = (
            job, directory, date, resources, print_css, since)

    def __enter__(self) -> _Typeset:
        from bookforge.renderers import engine

        with contextlib.ExitStack() as stack:
            self._collected = stack.enter_context(_CollectedWarnings())
            self._collected.diagnostics += [note("X-207", lost, "build") for lost in engine.UNPATCHED]
            stack.enter_context(_source_date_epoch(self.date))
            css_url = (self.directory / self.print_css).as_uri()  # the base of the job's own stylesheets
            fonts = engine.fonts_for((self.directory, tuple(self.resources)))
            fetcher = book_fetcher(self.directory)
            stylesheets = [engine.stylesheet(string=text, base_url=css_url, url_fetcher=fetcher, font_config=fonts)
                           for text in self.job.css]
            source = engine.weasyprint.HTML(string=self.job.xml, base_url=(self.directory / "book.xhtml").as_uri(),
                                            url_fetcher=fetcher)
            self.watch = _Watch(source, self.since, self.job.revisable)
            watched = self.job.revisable or self.since is not None  # its states kept for the next edit, or compared
            engine._pagination.watch, engine._pagination.rounds = self.watch if watched else None, 0
            try:
                self.layout = source.render(stylesheets=stylesheets, font_config=fonts)
            finally:
                self.watch.rounds, engine._pagination.watch = engine._pagination.rounds, None
            self._open = stack.pop_all()
        return self

    def __exit__(self, *exc):
        return self._open.__exit__(*exc)

    def drawn(self, layout, kept: Sequence[int]) -> Laid:
        """The facts of ``layout``'s pages ``kept`` (their indexes, in order), counted from the first of them, and
        those pages drawn."""
        from bookforge.renderers import engine

        job = self.job
        whole = list(kept) == list(range(len(layout.pages)))
        drawn = layout if whole else layout.copy([layout.pages[n] for n in kept])
        data = drawn.write_pdf(pdf_variant=job.variant) if job.drawn else b""
        faces = engine.embedded_faces(drawn) if job.drawn else []
        starts, untraced = pagelist.page_starts(layout) if job.drawn else ([], [])  # traced from the document's start
        laid = Laid(data, tuple(PageKind(*engine.page_kind(page)) for page in layout.pages),
                    _targets(layout), _bookmarks(layout), tuple(starts), tuple(untraced),
                    proof.measure(layout) if job.drawn else proof.PrintLayout((), ()),
                    _strings(layout.pages[:kept[-1] + 1] if kept else ()),
                    tuple(self._collected.diagnostics), tuple(faces), tuple(self.watch.breaks[:len(layout.pages)]),
                    b"".join(self.watch.signatures))
        return laid if whole else chosen(laid, kept)


class _Watch:
    """WeasyPrint's pagination watched page by page (``engine.watch_pagination``): the state after each page
    (``Laid.breaks``: where the next page starts, its counters, the named strings in force); and, for an
    edited document (``since``), the first page that holds an element the edit changed, and the first page
    after it whose state is the previous layout's, with the rest of the document the previous one's: there
    the layout stops, the pages after it being the previous layout's."""

    def __init__(self, source, since: Since | None, revisable: bool):
        self.breaks: list[str] = []
        self.strings: dict[str, str] = {}
        self.first: int | None = None
        self.converged: int | None = None
        self.rounds = 0
        self.since = since
        self.elements = list(source.etree_element.iter()) if revisable or since is not None else []
        self.signatures: list[bytes] = []  # each element's digest (only a group's: the next edit's), once boxes exist
        self.index = {id(element): n for n, element in enumerate(self.elements)}

    def _digest(self) -> None:
        """Each element's digest (``_signature``), with the text its generated content sets (a footnote call's
        number, a list item's marker), which counters fix when the boxes are built, before the first page: an
        edit before an element can change it.  Then, for an edited document, the elements the edit touched:
        from the first digest that differs from the previous document's to the last, in document order."""
        from bookforge.renderers import engine

        generated: dict[int, str] = {}
        text_box = engine.internal("weasyprint.formatting_structure.boxes.TextBox")
        for box in engine._pagination.root.descendants() if self.elements else ():
            if isinstance(box, text_box) and "::" in (box.element_tag or ""):
                generated[id(box.element)] = generated.get(id(box.element), "") + box.text
        self.signatures = [_signature(element, generated.get(id(element), "")) for element in self.elements]
        if self.since is not None:
            old = [self.since.elements[n:n + SIGNATURE] for n in range(0, len(self.since.elements), SIGNATURE)]
            new = self.signatures
            same = next((n for n, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            tail = next((n for n, (a, b) in enumerate(zip(reversed(old[same:]), reversed(new[same:]))) if a != b),
                        min(len(old), len(new)) - same)
            self.changed = (same, len(new) - tail)

    def __call__(self, index: int, page) -> bool:
        import json

        from bookforge.renderers import engine

        if index == 0:
            self._digest()
        for box in page.descendants():
            if getattr(box, "string_set", None) and box.string_set != "none":
                self.strings.update(dict(box.string_set))
        context = engine._pagination.context
        starts = self._element_at(engine.next_start(context, index))  # in document order: where the next page starts
        self.breaks.append(f"{engine.page_state(context, index)}{json.dumps(sorted(self.strings.items()))}{AT}{starts}")
        if self.since is None:
            return False
        if self.first is None and any(self._changed(box) for box in page.descendants()):
            self.first = index
        if self.first is None or index >= len(self.since.breaks):
            return False
        state, _, started = self.since.breaks[index].rpartition(AT)
        shift = len(self.signatures) - len(self.since.elements) // SIGNATURE  # elements the edit added (or took out)
        if (self.breaks[index].rpartition(AT)[0] != state or engine.carried_over(context) or starts < self.changed[1]
                or starts - shift != int(started)):
            return False
        self.converged = index  # the same state, at the same element of the unchanged rest of the document
        return True

    def _changed(self, box) -> bool:
        element = getattr(box, "element", None)
        first, stop = self.changed
        return element is not None and first <= self.index.get(id(element), -1) < stop

    def _element_at(self, resume_at) -> int:
        """The index, in document order, of the element where a page that resumes at ``resume_at`` starts; -1 for
        none (the document's end, or a place this does not follow, in a table say)."""
        from bookforge.renderers import engine

        if resume_at is None or not self.index:
            return -1
        box = engine._pagination.root
        while resume_at:
            if len(resume_at) != 1:
                return -1
            ((child, resume_at),) = resume_at.items()
            children = getattr(box, "children", None)
            if children is None or child >= len(children):
                break
            box = children[child]
        return self.index.get(id(getattr(box, "element", None)), -1)


def moved_start(state: str, shift: int) -> str:
    """A page's state (``Laid.breaks``) with the element the next page starts at moved by ``shift`` elements."""
    rest, _, starts = state.rpartition(AT)
    return f"{rest}{AT}{int(starts) + shift if int(starts) >= 0 else -1}"


def _signature(element, generated: str) -> bytes:
    """A digest of an element's own part of a document (its name, attributes, text and the text after it) and of
    the text its generated content sets."""
    own = repr((element.tag, sorted(element.attrib.items()), element.text, element.tail, generated)).encode("utf-8")
    return hashlib.blake2b(own, digest_size=SIGNATURE).digest()


def moved(laid: Laid, offset: int) -> Laid:
    """The facts of ``laid`` with their page numbers moved by ``offset`` (its PDF as it is)."""
    return _renumbered(laid, {page: page + offset for page in range(len(laid.pages))})


def chosen(laid: Laid, kept: Sequence[int]) -> Laid:
    """The facts of ``laid``'s pages ``kept`` (their indexes, in order), numbered from 0 (its PDF as it is: the
    caller's, already of those pages)."""
    return _renumbered(laid, {page: n for n, page in enumerate(kept)})


def _renumbered(laid: Laid, number: dict[int, int]) -> Laid:
    """The facts of the pages ``number`` names, in its order, each page numbered as it says."""
    kept = list(number)

    def picked(facts: tuple) -> tuple:  # a fact per page (a layout not drawn has none of some)
        return tuple(facts[page] for page in kept if page < len(facts))

    printed = proof.PrintLayout(picked(laid.printed.frames),
                                tuple(replace(p, page=number[p.page]) for p in laid.printed.placed if p.page in number))
    return replace(laid, pages=picked(laid.pages), starts=picked(laid.starts), printed=printed, breaks=picked(laid.breaks),
                   targets=tuple(replace(t, page=number[t.page]) for t in laid.targets if t.page in number),
                   bookmarks=tuple(replace(b, page=number[b.page]) for b in laid.bookmarks if b.page in number),
                   untraced=tuple(number[n] for n in laid.untraced if n in number))


def cut_face(face: tuple[str, int, list[int]], date: datetime.datetime) -> bytes | None:
    """A face of the book's fonts cut to the glyphs every group uses of it (``pdf_post.merge_faces``): the file's
    path, the face's index, the glyph ids; dated ``date`` where fontTools rewrites it (a colour face)."""
    from bookforge.renderers import engine

    with _source_date_epoch(date):
        return engine.subset_face(*face)


def _targets(layout) -> tuple[Target, ...]:
    """Where each id stands; an id found twice, as WeasyPrint does, where it first stands."""
    found: dict[str, Target] = {}
    for number, page in enumerate(layout.pages):
        for id_, (x, y, _, _) in page.anchors.items():
            found.setdefault(id_, Target(id_, number, x * PX, (page.height - y) * PX))
    return tuple(found.values())


def _bookmarks(layout) -> tuple[Bookmark, ...]:
    return tuple(Bookmark(number, level, label, x * PX, (page.height - y) * PX, state)
                 for number, page in enumerate(layout.pages) for level, label, (x, y), state in page.bookmarks)


def _strings(pages) -> tuple[tuple[str, str], ...]:
    """The value of each named string (``string-set``) after the last of ``pages``."""
    from bookforge.renderers import engine

    found: dict[str, str] = {}
    for page in pages:
        for box in engine.page_box(page).descendants():
            if getattr(box, "string_set", None) and box.string_set != "none":
                found.update(dict(box.string_set))
    return tuple(sorted(found.items()))


def _even(layout):
    """Printers bind sheets, so the page count must be even: end on a blank page when it is odd."""
    from bookforge.renderers import engine

    blank = next((page for page in layout.pages if engine.page_kind(page)[2]), None)  # the half-title's verso
    if len(layout.pages) % 2 == 0 or blank is None:  # None: a stylesheet that never leaves a verso blank
        return layout
    return layout.copy([*layout.pages, blank])


def outline(bookmarks: list[Bookmark]) -> list:
    """The bookmarks nested as WeasyPrint nests them: (label, (page, x, y), children, state) trees (in a
    worker, where WeasyPrint is imported)."""
    from bookforge.renderers import engine

    make_page_bookmark_tree = engine.internal("weasyprint.anchors.make_page_bookmark_tree")
    matrix = engine.internal("weasyprint.matrix.Matrix")
    root: list = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for number, marks in itertools.groupby(bookmarks, key=lambda b: b.page):
        page = SimpleNamespace(bookmarks=[(b.level, b.label, (b.x, b.y), b.state) for b in marks])
        previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, number, matrix())
    return root


@contextmanager
def _source_date_epoch(date: datetime.datetime) -> Iterator[None]:
    """fontTools stamps the emoji font it rewrites with the clock unless SOURCE_DATE_EPOCH is set: set it meanwhile."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(date.timestamp()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def book_fetcher(directory: Path):
    """A WeasyPrint URL fetcher that serves only the book's own files (a picture's print version for it:
    ``pictures.for_print``) and ``data:`` URIs, which carry their content in themselves: no network,
    nothing outside ``directory``."""
    from bookforge import pictures
    from bookforge.renderers import engine

    root = directory.resolve()

    class BookFetcher(engine.weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused to fetch {url}: only the book's own files are served")
            return super().fetch(pictures.for_print(root, path).as_uri(), headers)  # a picture: its print version

    return BookFetcher(allowed_protocols={"file", "data"})


class _CollectedWarnings(logging.Handler):
    """Turn WeasyPrint's log messages into diagnostics instead of letting them scroll by."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.diagnostics: list[Diagnostic] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "instead of HarfBuzz-Subset" in message:
            found = note("X-101", SLOW_SUBSETTING, "build")
        else:
            found = (error if record.levelno >= logging.ERROR else warning)("X-100", message, "build/html")
        if found not in self.diagnostics:
            self.diagnostics.append(found)

    def __enter__(self):
        self._logger = logging.getLogger("weasyprint")
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc):
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate
        return False

