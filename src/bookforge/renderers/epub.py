"""The EPUB renderer: ebooklib packages the intermediate XHTML files exactly as they were written.

The contents page doubles as the EPUB navigation document, so the reader's table of
contents and the book's own contents page are one and the same file; it also holds the
landmarks and the print edition's page-list.  ``render`` is a short list of named steps:
metadata, accessibility, documents, resources, navigation, package.
"""

from __future__ import annotations

import io
import os
import posixpath
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ebooklib import epub
from lxml import etree

from bookforge.html import CSS_URL, FONTS as FONT_FOLDER, LICENCE_SUFFIX, PRINT_CSS, HtmlBook, Page, TocEntry
from bookforge.model import Metadata
from bookforge.renderers import accessibility, ocf, workers
from bookforge.renderers.fonts import characters, subset_font
from bookforge.timestamp import day_start

MEDIA_TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".otf": "font/otf", ".ttf": "font/ttf",
               ".woff": "font/woff", ".woff2": "font/woff2", ".txt": "text/plain", ".jpg": "image/jpeg",
               ".png": "image/png"}
FONTS = (".otf", ".ttf")
WRITER_OPTIONS = {"epub3_pages": False, "epub3_landmark": False, "epub2_guide": False, "raise_exceptions": True}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ISBN_ONIX_CODE = "15"  # ONIX code list 5: ISBN-13
COVER_IMAGE_ID = "cover-image"


def render(html: HtmlBook, target: Path, store: Path | None = None) -> Path:
    """Package ``html`` as an EPUB 3 at ``target``; ``store`` is a build folder whose cache keeps the font subsets."""
    book = epub.EpubBook()
    _metadata(book, html)
    book.spine = _documents(book, html)
    _accessibility(book, html)
    _resources(book, html, store)
    book.toc = [_toc_entry(entry) for entry in html.toc]
    book.add_item(epub.EpubNcx())
    _package(book, html.metadata, target)
    return target


@contextmanager
def fonts_cut_ahead(html: HtmlBook, store: Path) -> Iterator[Callable[[], None]]:
    """Meanwhile, cut the EPUB's fonts to the characters ``html`` sets, into ``store``'s cache, in a worker
    process at the lowest priority: the PDF is laid out in the meantime, and the cutting takes only the
    CPU the layout leaves idle.  Gives a function that waits for it, for the EPUB stage to call first:
    it then finds its subsets in the cache (the page-list adds only page numbers, ASCII that every subset
    keeps).  A cut that fails or misses is done again by the EPUB stage, which reports what went wrong."""
    text = _characters(html.path(page).read_bytes() for page in reading_order(html))
    fonts = [html.directory / href for href in _carried(html) if Path(href).suffix.lower() in FONTS]
    # the worker lowers its priority as it starts, before it imports this module to find _cut_fonts
    lowest = {"initializer": os.nice, "initargs": (19,)} if hasattr(os, "nice") else {}
    with ProcessPoolExecutor(1, mp_context=workers.process_context(), **lowest) as pool:
        cut = pool.submit(_cut_fonts, fonts, text, store)
        try:
            yield cut.exception
        finally:
            cut.cancel()


def _cut_fonts(fonts: list[Path], text: str, store: Path) -> None:
    for font in fonts:
        subset_font(font.read_bytes(), text, store)


def reading_order(html: HtmlBook) -> tuple[Page, ...]:
    """The spine: the cover page first, then the pages both editions share."""
    return ((html.cover,) if html.cover else ()) + html.pages


def _metadata(book: epub.EpubBook, html: HtmlBook) -> None:
    meta = html.metadata
    book.set_identifier(meta.identifier)
    if meta.isbn:
        _refine(book, "id", "identifier-type", ISBN_ONIX_CODE, scheme="onix:codelist5")
    _titles(book, meta)
    book.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        uid = f"author-{number}"
        book.add_metadata("DC", "creator", author.name, {"id": uid})
        _refine(book, uid, "file-as", author.file_as)
        _refine(book, uid, "role", author.role, scheme="marc:relators")
    for name, value in (("publisher", meta.publisher), ("rights", meta.rights), ("description", meta.description),
                        ("date", meta.date.isoformat() if meta.date else None)):
        if value:
            book.add_metadata("DC", name, value)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if html.page_list:  # the edition whose page numbers the page-list gives
        book.add_metadata("DC", "source", f"{meta.full_title}, print edition ({len(html.page_list)} pages)",
                          {"id": "print-edition"})
        _refine(book, "print-edition", "source-of", "pagination")
    if meta.series:
        _series(book, meta)


def _titles(book: epub.EpubBook, meta: Metadata) -> None:
    book.title = meta.title  # the NCX's title
    book.add_metadata("DC", "title", meta.title, {"id": "title"})
    _refine(book, "title", "title-type", "main")
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        _refine(book, "subtitle", "title-type", "subtitle")


def _series(book: epub.EpubBook, meta: Metadata) -> None:
    book.add_metadata(None, "meta", meta.series.name, {"property": "belongs-to-collection", "id": "series"})
    _refine(book, "series", "collection-type", "series")
    if meta.series.position:
        _refine(book, "series", "group-position", str(meta.series.position))


def _refine(book: epub.EpubBook, target: str, prop: str, value: str, scheme: str | None = None) -> None:
    attributes = {"refines": f"#{target}", "property": prop} | ({"scheme": scheme} if scheme else {})
    book.add_metadata(None, "meta", value, attributes)


def _documents(book: epub.EpubBook, html: HtmlBook) -> list[epub.EpubItem]:
    spine, taken = [], _package_ids(book, html)
    for page in reading_order(html):
        item = epub.EpubItem(uid=page.id if page.id not in taken else f"page_{page.id}", file_name=page.href,
                             media_type=MEDIA_TYPES[".xhtml"], content=html.path(page).read_bytes())
        item.properties = ["nav"] if page.kind == "contents" else []
        book.add_item(item)
        spine.append(item)
    return spine


def _package_ids(book: epub.EpubBook, html: HtmlBook) -> set[str]:
    """The ids the package gives its metadata and its other items ('title', 'id', 'author-1', 'res-2', 'ncx'):
    a page named like one of them (a post called "Title") takes 'page_' before its name, which no page's
    name holds (a slug has no '_'), so that content.opf has each id once."""
    found = {(attributes or {}).get("id") for names in book.metadata.values() for values in names.values()
             for _, attributes in values}
    return {*found, "ncx", COVER_IMAGE_ID, *map(_resource_id, range(1, len(_carried(html)) + 1))} - {None}


def _resource_id(number: int) -> str:
    return f"res-{number}"


def _accessibility(book: epub.EpubBook, html: HtmlBook) -> None:
    documents = [etree.fromstring(item.content) for item in book.spine]
    found = accessibility.facts(documents, toc=bool(html.toc), page_list=bool(html.page_list))
    for prop, value in accessibility.profile(found).properties():
        book.add_metadata(None, "meta", value, {"property": prop})


def _resources(book: epub.EpubBook, html: HtmlBook, store: Path | None) -> None:
    """Stylesheets, licences and the cover image as written; fonts cut down to the characters the book sets."""
    text = _characters(item.content for item in book.spine)
    for number, href in enumerate(_carried(html), start=1):
        suffix = Path(href).suffix.lower()
        content = (html.directory / href).read_bytes()
        item = epub.EpubItem(uid=_resource_id(number), file_name=href, media_type=MEDIA_TYPES[suffix],
                             content=subset_font(content, text, store) if suffix in FONTS else content)
        if href == html.cover_image:
            item.id, item.properties = COVER_IMAGE_ID, ["cover-image"]
            book.add_metadata(None, "meta", "", {"name": "cover", "content": COVER_IMAGE_ID})  # for EPUB 2 readers
        book.add_item(item)


def _characters(documents: Iterable[bytes]) -> str:
    """The characters the documents set (``fonts.characters``): what each font is cut down to."""
    return characters("".join(etree.fromstring(document).itertext()) for document in documents)


def _carried(html: HtmlBook) -> list[str]:
    """The resources the EPUB carries: all but the print stylesheet, and of the fonts only those the
    EPUB's stylesheets name, with their licences.  The print edition's colour emoji font is a bitmap
    (CBDT) font that most reading systems do not draw; the EPUB leaves emoji as text for the reading
    system's own emoji font, which book.css names after the book's face."""
    sheets = [href for href in html.resources if href.endswith(".css") and href != PRINT_CSS]
    named = {posixpath.normpath(posixpath.join(posixpath.dirname(sheet), found.group(2).strip()))
             for sheet in sheets for found in CSS_URL.finditer((html.directory / sheet).read_text(encoding="utf-8"))}
    fonts = [href for href in html.resources if href.startswith(f"{FONT_FOLDER}/") and not href.endswith(LICENCE_SUFFIX)]

    def carried(href: str) -> bool:
        if href in fonts:
            return href in named
        if href.startswith(f"{FONT_FOLDER}/") and href.endswith(LICENCE_SUFFIX):
            # A licence goes with its fonts (OFL-NotoColorEmoji.txt with NotoColorEmoji-Emoticons.ttf);
            # one that names none of the fonts is kept.
            family = Path(href).stem.removeprefix("OFL-")
            its = [font for font in fonts if Path(font).stem.startswith(family)]
            return not its or any(font in named for font in its)
        return href != PRINT_CSS

    return [href for href in html.resources if carried(href)]


def _toc_entry(entry: TocEntry):
    link = epub.Link(entry.href, entry.title, entry.href.removesuffix(".xhtml"))
    if not entry.children:
        return link
    return (epub.Section(entry.title, entry.href), [_toc_entry(child) for child in entry.children])


class _Writer(epub.EpubWriter):
    """ebooklib's writer, declaring the package's language on <package> (xml:lang) as Ace asks."""

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


def _package(book: epub.EpubBook, meta: Metadata, target: Path) -> None:
    """Let ebooklib write the EPUB in memory, then lay its zip out reproducibly at ``target``."""
    when = meta.modified or day_start(meta.date)
    buffer = io.BytesIO()
    writer = _Writer(buffer, book, {**WRITER_OPTIONS, "mtime": when})
    writer.process()
    writer.write()
    ocf.repack(buffer.getvalue(), target, when)
