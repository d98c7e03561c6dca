"""The print renderer: WeasyPrint lays out the intermediate XHTML with the print stylesheet.

The pages' bodies are set one after another in a single document, so the contents page
can ask for the page of every chapter (``target-counter``) and the running heads can
carry the chapter titles.  Links between files become links inside that document.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from bookforge.diagnostics import Diagnostic, error, note, warning
from bookforge.html import PRINT_CSS, SHARED_CSS, HtmlBook

XHTML = "http://www.w3.org/1999/xhtml"
SLOW_SUBSETTING = ("fonts are subset with fontTools because the HarfBuzz-Subset library is missing; "
                   "install it (Debian: libharfbuzz-subset0) for faster PDF builds")


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    layout: object = None  # WeasyPrint's Document: where each page begins, for the EPUB's page-list


def render(html: HtmlBook, target: Path) -> PdfResult:
    """Lay out ``html`` and write the PDF to ``target``."""
    weasyprint = _weasyprint()
    document = _combine(html)
    with _CollectedWarnings() as collected:
        layout = weasyprint.HTML(
            string=etree.tostring(document, encoding="unicode", method="xml"),
            base_url=(html.directory / "book.xhtml").as_uri(),
            url_fetcher=book_fetcher(html.directory),
        ).render()
        layout.write_pdf(target)
    return PdfResult(target, len(layout.pages), tuple(collected.diagnostics), layout)


def _weasyprint():
    """Import WeasyPrint here, not at start-up: it takes a second to load and only this stage needs it.

    Without the HarfBuzz-Subset library it warns on import and on every font; that is a
    slower path, not a fault in the book, so it becomes one note (X-101) instead.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint
    return weasyprint


def _combine(html: HtmlBook) -> etree._Element:
    """One XHTML document holding every page's body in reading order, linked to the print stylesheet."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML}, lang=html.metadata.language)
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = html.metadata.full_title
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
    return root


def _internal_href(href: str) -> str:
    """'chapter.xhtml#c12' -> '#c12' and 'chapter.xhtml' -> '#chapter'; other links stay as they are."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".xhtml"):
        return href
    return f"#{parts.fragment or parts.path.removesuffix('.xhtml')}"


def book_fetcher(directory: Path):
    """A WeasyPrint URL fetcher that serves only the book's own files: no network, nothing outside ``directory``."""
    from weasyprint.urls import URLFetcher

    root = directory.resolve()

    class BookFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused to fetch {url}: only the book's own files are served")
            return super().fetch(url, headers)

    return BookFetcher(allowed_protocols={"file"})


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

