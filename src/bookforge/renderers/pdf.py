"""The print renderer: WeasyPrint lays out the intermediate XHTML with the print stylesheet.

The pages' bodies are set one after another in a single document, so the contents page
can ask for the page of every chapter (``target-counter``) and the running heads can
carry the chapter titles.  Links between files become links inside that document.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from bookforge import __version__
from bookforge.diagnostics import Diagnostic, RenderError, error, note, warning
from bookforge.html import PRINT_CSS, SHARED_CSS, HtmlBook
from bookforge.renderers import pdf_post, proof
from bookforge.renderers.print_spec import GUTTER_BANDS, POINTS_PER_INCH, PrintSpec, gutter, page_css

XHTML = "http://www.w3.org/1999/xhtml"
ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50), ("xl", 40),
         ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
HYPHEN = "\u2010"  # the hyphen WeasyPrint sets at a break
MAX_LADDER = 2  # hyphenated line endings in a row, at most
LADDER_ROUNDS = 4  # layouts tried while breaking up longer ladders
SLOW_SUBSETTING = ("fonts are subset with fontTools because the HarfBuzz-Subset library is missing; "
                   "install it (Debian: libharfbuzz-subset0) for faster PDF builds")


@dataclass(frozen=True)
class PdfOptions:
    spec: PrintSpec
    date: datetime.datetime  # the creation and modification date: reproducible, never the clock


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    layout: object = None  # WeasyPrint's Document: where each page begins, for the EPUB's page-list
    printed: proof.PrintLayout | None = None  # where each line and each marked change stands, for the proof


def render(html: HtmlBook, target: Path, options: PdfOptions) -> PdfResult:
    """Lay out ``html`` and write the PDF to ``target``."""
    weasyprint = _weasyprint()
    document = _combine(html, options)
    _check_variant(document, options.spec)
    with _CollectedWarnings() as collected, _source_date_epoch(options.date):
        for _ in range(LADDER_ROUNDS):
            source = weasyprint.HTML(
                string=etree.tostring(document, encoding="unicode", method="xml"),
                base_url=(html.directory / "book.xhtml").as_uri(),
                url_fetcher=book_fetcher(html.directory),
            )
            layout = _lay_out(weasyprint, source, options)
            if not _break_ladders(document, layout):
                break
        data = layout.write_pdf(pdf_variant=options.spec.pdf_variant)
    bleed_points = options.spec.bleed_inches * POINTS_PER_INCH
    pdf_post.finish(data, target, _front_matter_pages(layout), html.metadata.identifier, bleed_points)
    return PdfResult(target, len(layout.pages), tuple(collected.diagnostics), layout, proof.measure(layout))


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


def _check_variant(document: etree._Element, spec: PrintSpec) -> None:
    """Refuse PDF/X: a preflight accepts it only with a CMYK output intent (a printer's ICC profile), and
    bookforge ships none that it may redistribute, so it would write a file that claims PDF/X and fails."""
    if spec.pdf_variant and spec.pdf_variant.startswith("pdf/x"):
        raise RenderError([error("X-202", f"print.pdf_variant: {spec.pdf_variant} is refused: bookforge ships no CMYK "
                                 "output intent (printer profile), so a printer's preflight would reject the file as "
                                 "PDF/X; leave pdf_variant out (or use pdf/ua-1) and let the printer convert", "book.yaml")])


def _lay_out(weasyprint, source, options: PdfOptions):
    """Lay the book out with the narrowest gutter, then again only while its page count asks for a wider one."""
    band = gutter(0)
    for _ in GUTTER_BANDS:
        stylesheets = [weasyprint.CSS(string=page_css(options.spec, band))]
        layout = _even(source.render(stylesheets=stylesheets))
        if gutter(len(layout.pages)) == band:
            break
        band = gutter(len(layout.pages))
    return layout


def _even(layout):
    """Printers bind sheets, so the page count must be even: end on a blank page when it is odd."""
    blank = next((page for page in layout.pages if page._page_box.page_type.blank), None)  # the half-title's verso
    if len(layout.pages) % 2 == 0 or blank is None:  # None: a stylesheet that never leaves a verso blank
        return layout
    return layout.copy([*layout.pages, blank])


def page_labels(layout) -> list[str]:
    """The folio of every page as the PDF's /PageLabels give it: roman for the front matter, arabic from 1 after."""
    front = _front_matter_pages(layout)
    return [_roman(n) for n in range(1, front + 1)] + [str(n) for n in range(1, len(layout.pages) - front + 1)]


def _roman(number: int) -> str:
    digits = ""
    for numeral, value in ROMAN:
        count, number = divmod(number, value)
        digits += numeral * count
    return digits


def _front_matter_pages(layout) -> int:
    """How many pages come before the first page of the body, as laid out (its folio is 1)."""
    return next((n for n, page in enumerate(layout.pages) if page._page_box.page_type.name == "body-start"), 0)


def _weasyprint():
    """Import WeasyPrint here, not at start-up: it takes a second to load and only this stage needs it.

    Without the HarfBuzz-Subset library it warns on import and on every font; that is a
    slower path, not a fault in the book, so it becomes one note (X-101) instead.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint
    return weasyprint


def _combine(html: HtmlBook, options: PdfOptions) -> etree._Element:
    """One XHTML document holding every page's body in reading order, linked to the print stylesheet."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML}, lang=html.metadata.language)
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = html.metadata.full_title
    for name, content in _metadata(html, options):
        etree.SubElement(head, f"{{{XHTML}}}meta", name=name, content=content)
    for href in (SHARED_CSS, PRINT_CSS):
        etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", href=href)
    body = etree.SubElement(root, f"{{{XHTML}}}body")
    first_body_page = next((p for p in html.pages if p.matter == "bodymatter"), None)
    for page in html.pages:
        page_body = etree.parse(str(html.path(page))).getroot().find(f"{{{XHTML}}}body")
        classes = page_body.get("class", "") + (" body-start" if page is first_body_page else "")
        wrapper = etree.SubElement(body, f"{{{XHTML}}}div", {"class": classes, "data-source": page.href})
        wrapper.extend(list(page_body))
    for link in root.iter(f"{{{XHTML}}}a"):
        link.set("href", _internal_href(link.get("href", "")))
    for number, paragraph in enumerate(root.iter(f"{{{XHTML}}}p")):
        paragraph.set("data-p", str(number))
    return root


def _break_ladders(document: etree._Element, layout) -> bool:
    """Stop hyphenating each paragraph that has three hyphenated lines in a row; say whether any had.

    WeasyPrint hyphenates each line on its own, so no stylesheet can bound a ladder: the
    paragraphs that make one are set again without automatic hyphenation.  (Its classes change,
    not its elements, so the EPUB's page-list still finds every word.)
    """
    paragraphs = {p.get("data-p"): p for p in document.iter(f"{{{XHTML}}}p")}
    found = False
    for number in ladder_paragraphs(layout):
        paragraph = paragraphs.get(number)
        if paragraph is not None and "whole" not in paragraph.get("class", "").split():
            paragraph.set("class", (paragraph.get("class", "") + " whole").strip())
            found = True
    return found


def ladder_paragraphs(layout) -> Iterator[str]:
    """The number (data-p) of each paragraph with a line that is the third or later hyphenated line in a row."""
    for page in layout.pages:
        run = 0
        for number, text in _lines(page._page_box, None):
            run = run + 1 if text.endswith(HYPHEN) else 0
            if run > MAX_LADDER and number is not None:
                yield number


def _lines(box, paragraph: str | None) -> Iterator[tuple[str | None, str]]:
    """Every line of a laid-out page, in order: the number of its paragraph (data-p) and its text."""
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if isinstance(box, boxes.BlockBox) and element is not None and element.get("data-p"):
        paragraph = element.get("data-p")
    if isinstance(box, boxes.LineBox):
        yield paragraph, "".join(text.text for text in _text_boxes(box))
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child, paragraph)


def _text_boxes(box) -> Iterator:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


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


def book_fetcher(directory: Path):
    """A WeasyPrint URL fetcher that serves only the book's own files and ``data:`` URIs, which carry their
    content in themselves: no network, nothing outside ``directory``."""
    from weasyprint.urls import URLFetcher

    root = directory.resolve()

    class BookFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused to fetch {url}: only the book's own files are served")
            return super().fetch(url, headers)

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

