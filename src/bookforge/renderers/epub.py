"""The EPUB renderer: ebooklib packages the intermediate XHTML files exactly as they were written.

The contents page doubles as the EPUB navigation document, so the reader's table of
contents and the book's own contents page are one and the same file.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from ebooklib import epub

from bookforge.html import PRINT_CSS, HtmlBook, TocEntry
from bookforge.model import Metadata

MEDIA_TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".otf": "font/otf", ".ttf": "font/ttf",
               ".woff": "font/woff", ".woff2": "font/woff2", ".txt": "text/plain"}
WRITER_OPTIONS = {"epub3_pages": False, "epub3_landmark": False, "epub2_guide": False, "raise_exceptions": True}


def render(html: HtmlBook, target: Path) -> Path:
    """Package ``html`` as an EPUB 3 at ``target``."""
    book = epub.EpubBook()
    _metadata(book, html.metadata)
    book.spine = _documents(book, html)
    _resources(book, html)
    book.toc = [_toc_entry(entry) for entry in html.toc]
    book.add_item(epub.EpubNcx())
    epub.write_epub(str(target), book, {**WRITER_OPTIONS, "mtime": _modified(html.metadata)})
    return target


def _metadata(book: epub.EpubBook, meta: Metadata) -> None:
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        uid = f"author-{number}"
        book.add_metadata("DC", "creator", author.name, {"id": uid})
        book.add_metadata(None, "meta", author.file_as, {"refines": f"#{uid}", "property": "file-as"})
        book.add_metadata(None, "meta", author.role, {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
    for name, value in (("publisher", meta.publisher), ("rights", meta.rights), ("description", meta.description),
                        ("date", meta.date.isoformat() if meta.date else None)):
        if value:
            book.add_metadata("DC", name, value)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)


def _documents(book: epub.EpubBook, html: HtmlBook) -> list[epub.EpubItem]:
    spine = []
    for page in html.pages:
        item = epub.EpubItem(uid=page.id, file_name=page.href, media_type=MEDIA_TYPES[".xhtml"],
                             content=html.path(page).read_bytes())
        item.properties = ["nav"] if page.kind == "contents" else []
        book.add_item(item)
        spine.append(item)
    return spine


def _resources(book: epub.EpubBook, html: HtmlBook) -> None:
    for number, href in enumerate((r for r in html.resources if r != PRINT_CSS), start=1):
        media_type = MEDIA_TYPES[Path(href).suffix]
        book.add_item(epub.EpubItem(uid=f"res-{number}", file_name=href, media_type=media_type,
                                    content=(html.directory / href).read_bytes()))


def _toc_entry(entry: TocEntry):
    link = epub.Link(entry.href, entry.title, entry.href.removesuffix(".xhtml"))
    if not entry.children:
        return link
    return (epub.Section(entry.title, entry.href), [_toc_entry(child) for child in entry.children])


def _modified(meta: Metadata) -> datetime.datetime:
    """dcterms:modified from SOURCE_DATE_EPOCH, else the book's date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    day = meta.date or datetime.date(2000, 1, 1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
