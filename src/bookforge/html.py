"""The intermediate HTML: one XHTML file per page of front matter, part and chapter, written once.

Both renderers consume exactly these files: the EPUB packages them, the PDF lays them
out with a print stylesheet.  Whatever differs between the two lives in CSS.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from bookforge import __version__, cover
from bookforge.diagnostics import Diagnostic, ManifestError, error, raise_if_errors
from bookforge.model import Block, Book, Change, Mark, Metadata

SHARED_CSS = "css/book.css"
EPUB_CSS = "css/epub.css"
PRINT_CSS = "css/print.css"
PROOF_CSS = "css/proof.css"  # only in the proof's HTML: how the proof PDF marks the editorial changes
FONTS = "fonts"
# What styles/fonts/ may hold, by suffix, with the bytes the file's content must start with
FONT_MAGIC = {".otf": (b"OTTO", b"\x00\x01\x00\x00"), ".ttf": (b"\x00\x01\x00\x00", b"true"),
              ".woff": (b"wOFF",), ".woff2": (b"wOF2",)}
LICENCE_SUFFIX = ".txt"  # a font's licence travels with it
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.I)
PART_LABELS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


@dataclass(frozen=True)
class Page:
    """One XHTML file of the book, in reading order."""

    href: str
    title: str
    kind: str  # cover | halftitle | titlepage | copyright | contents | part | chapter | credits | about-author
    matter: str  # frontmatter | bodymatter | backmatter

    @property
    def id(self) -> str:
        return self.href.removesuffix(".xhtml")


@dataclass(frozen=True)
class TocEntry:
    title: str
    href: str
    kind: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Landmark:
    """A major part of the book that reading systems can jump to (the nav's landmarks)."""

    kind: str  # the epub:type: cover, titlepage, toc, bodymatter, copyright-page
    title: str
    href: str


@dataclass(frozen=True)
class PageBreak:
    """Where a page of the print edition begins, and the folio printed on it."""

    label: str
    href: str  # 'chapter.xhtml#page-12'


@dataclass(frozen=True)
class HtmlBook:
    """What the HTML stage hands the renderers: where the files are and how they are ordered.

    The cover page belongs to the EPUB alone (the print edition's cover is the printer's), so it
    stands apart from ``pages``, which both renderers lay out.  ``page_list`` is filled in once
    the PDF is laid out.
    """

    directory: Path
    metadata: Metadata
    pages: tuple[Page, ...]
    toc: tuple[TocEntry, ...]
    resources: tuple[str, ...]  # stylesheets, fonts and images, relative to ``directory``
    cover: Page | None = None
    cover_image: str | None = None
    page_list: tuple[PageBreak, ...] = ()

    def path(self, page: Page) -> Path:
        return self.directory / page.href


def write(book: Book, styles: Path, directory: Path, *, proof: bool = False, project: Path | None = None,
          link_notes: str = "footnotes") -> HtmlBook:
    """Write the book's XHTML, stylesheets and fonts into ``directory`` (which must not exist yet).

    With ``proof``, the pages also show what the editorial pass changed: each corrected word
    carries its original, and each removal leaves a note where the text stood.  The pictures
    the chapters show are copied from ``project``; ``link_notes`` says whether a link's URL is
    printed in a footnote or in the chapter's endnotes.
    """
    directory.mkdir(parents=True)
    resources = _copy_styles(styles, directory, (PROOF_CSS,) if proof else ())
    cover_image = cover.write(book.metadata, styles / FONTS, directory)
    cover_page = Page("cover.xhtml", "Cover", "cover", "frontmatter")
    pages, toc = _plan(book)
    landmarks = _landmarks(cover_page, pages)
    images = _images(book, project, directory)
    env = environment()
    env.globals.update(inline=Inline({c.slug for c in book.chapters()}, proof, link_notes), proof=proof,
                       image_href=lambda block: next((images.get(m.value) for m in block.marks if m.kind == "image"), None),
                       notes=_proof_notes(book) if proof else {},
                       reply_label=f"{book.metadata.authors[0].name} replies" if book.metadata.authors else "The author replies")
    chapters = {c.slug: c for c in book.chapters()}
    parts = {p.slug: (number, p) for number, p in enumerate(book.parts, start=1)}
    for page in (cover_page, *pages):
        context = {"page": page, "meta": book.metadata, "matter": page.matter, "page_title": page.title,
                   "stylesheets": (SHARED_CSS, EPUB_CSS), "toc": toc, "version": __version__,
                   "landmarks": landmarks, "cover_image": cover_image, "cover_alt": cover.alt_text(book.metadata),
                   "credits": book.metadata.credits + tuple(credit.text for credit in book.credits)}
        if page.kind == "chapter":
            context["chapter"] = chapters[page.id]
        if page.kind == "part":
            number, part = parts[page.id]
            context.update(part=part, label=f"Part {_part_label(number)}")
        text = env.get_template(f"{page.kind}.xhtml.j2").render(context)
        (directory / page.href).write_text(text, encoding="utf-8")
    return HtmlBook(directory, book.metadata, pages, toc, (*resources, *sorted(set(images.values())), cover_image),
                    cover_page, cover_image)


class Inline:
    """Renders a line of a block as XHTML, its marks nested: emphasis, code, links and corrected words.

    A link to another chapter becomes a link inside the book (text, when that chapter is not in
    it); a link elsewhere stays a link, and for print its URL also goes into a note, a footnote
    or an endnote as ``link_notes`` says (the EPUB's stylesheet hides the notes).  In a proof
    the corrected words carry their original.
    """

    TAGS = {"em": "em", "strong": "strong", "code": "code"}

    def __init__(self, chapters: set[str], proof: bool = False, link_notes: str = "footnotes"):
        self.chapters, self.proof, self.link_notes = chapters, proof, link_notes
        self.chapter, self.notes = "", []

    def start(self, chapter: str) -> str:
        """Begin a chapter's page: its endnotes start again from 1."""
        self.chapter, self.notes = chapter, []
        return ""

    def __call__(self, block: Block, index: int) -> Markup:
        line = block.lines[index]
        marks = sorted((m for m in block.marks if m.line == index and m.end > m.start and m.kind != "image"),
                       key=lambda m: (m.start, -m.end))
        return self._span(line, marks, 0, len(line))

    def _span(self, line: str, marks: list[Mark], start: int, end: int) -> Markup:
        out, position = [], start
        while marks:
            mark, marks = marks[0], marks[1:]
            begin, finish = max(mark.start, position), min(mark.end, end)
            if finish <= begin:
                continue
            inner = [m for m in marks if m.start < finish]
            marks = [m for m in marks if m.start >= finish]
            out.append(escape(line[position:begin]))
            out.append(self._wrap(mark, self._span(line, inner, begin, finish)))
            position = finish
        out.append(escape(line[position:end]))
        return Markup("").join(out)

    def _wrap(self, mark: Mark, text: Markup) -> Markup:
        if mark.kind in self.TAGS:
            return Markup("<{0}>{1}</{0}>").format(Markup(self.TAGS[mark.kind]), text)
        if mark.kind == "link":
            return Markup('<a href="{}.xhtml">{}</a>').format(mark.value, text) if mark.value in self.chapters else text
        if mark.kind == "href":
            return Markup('<a class="external" href="{}">{}</a>{}').format(mark.value, text, self._note(mark.value, text))
        if mark.kind == "fix" and self.proof:
            return Markup('<span class="proof-fix" data-before="{}">{}</span>').format(mark.value, text)
        return text

    def _note(self, url: str, text: Markup) -> Markup:
        if str(text).strip() == url:
            return Markup("")  # the text is the URL already
        if self.link_notes == "footnotes":
            return Markup('<span class="link-note">{}</span>').format(url)
        self.notes.append(url)
        number = len(self.notes)
        return Markup('<a class="link-ref" id="{0}-ref-{1}" href="#{0}-note-{1}" role="doc-noteref">{1}</a>').format(
            self.chapter, number)


def _images(book: Book, project: Path | None, directory: Path) -> dict[str, str]:
    """Copy the pictures the chapters show into ``images/``; map each one's project path to its href.

    A picture whose file is gone is left out of the map: its block shows the alt text instead.
    """
    found = {}
    for block in _all_blocks(book):
        for mark in (m for m in block.marks if m.kind == "image"):
            path = project / mark.value if project else None
            if path is None or not path.is_file() or mark.value in found:
                continue
            href = f"images/{path.name}"
            (directory / "images").mkdir(exist_ok=True)
            shutil.copyfile(path, directory / href)
            found[mark.value] = href
    return found


def _all_blocks(book: Book):
    for chapter in book.chapters():
        yield from chapter.body
        for comment in chapter.all_comments():
            yield from comment.blocks


def _proof_notes(book: Book) -> dict[str, list[Change]]:
    """The removals a proof notes, by the comment (or chapter) after which the removed text stood.

    A note whose comment is gone too is placed at the top of its chapter.
    """
    present = {c.id for ch in book.chapters() for c in ch.all_comments()} | {ch.slug for ch in book.chapters()}
    notes: dict[str, list[Change]] = {}
    for change in book.changes:
        if change.kind in ("comment_removed", "text_removed", "comment_merged"):
            notes.setdefault(change.anchor if change.anchor in present else change.chapter, []).append(change)
    return notes


def _plan(book: Book) -> tuple[tuple[Page, ...], tuple[TocEntry, ...]]:
    """The reading order of the pages, and the table of contents over them."""
    pages = [
        Page("halftitle.xhtml", book.metadata.title, "halftitle", "frontmatter"),
        Page("titlepage.xhtml", book.metadata.full_title, "titlepage", "frontmatter"),
        Page("copyright.xhtml", "Copyright", "copyright", "frontmatter"),
        Page("contents.xhtml", "Contents", "contents", "frontmatter"),
    ]
    toc = []
    for number, part in enumerate(book.parts, start=1):
        title = f"Part {_part_label(number)}: {part.title}"
        pages.append(Page(f"{part.slug}.xhtml", title, "part", "bodymatter"))
        children = []
        for chapter in part.chapters:
            pages.append(Page(f"{chapter.slug}.xhtml", chapter.title, "chapter", "bodymatter"))
            children.append(TocEntry(chapter.title, f"{chapter.slug}.xhtml", "chapter"))
        toc.append(TocEntry(title, f"{part.slug}.xhtml", "part", tuple(children)))
    for page in _back_matter(book):
        pages.append(page)
        toc.append(TocEntry(page.title, page.href, "backmatter"))
    return tuple(pages), tuple(toc)


def _back_matter(book: Book) -> list[Page]:
    """Credits when book.yaml or the sources give any, About the Author when book.yaml has it."""
    pages = []
    if book.metadata.credits or book.credits:
        pages.append(Page("credits.xhtml", "Credits", "credits", "backmatter"))
    if book.metadata.about_author:
        pages.append(Page("about-author.xhtml", "About the Author", "about-author", "backmatter"))
    return pages


def _landmarks(cover_page: Page, pages: tuple[Page, ...]) -> tuple[Landmark, ...]:
    """The cover, title page, contents, start of the body and copyright page, in reading order."""
    first = {}
    for page in (cover_page, *pages):
        kind = "bodymatter" if page.matter == "bodymatter" else page.kind
        first.setdefault(kind, page)
    names = {"cover": ("cover", "Cover"), "titlepage": ("titlepage", "Title Page"), "contents": ("toc", "Contents"),
             "bodymatter": ("bodymatter", "Start of Content"), "copyright": ("copyright-page", "Copyright")}
    return tuple(Landmark(*names[kind], page.href) for kind, page in first.items() if kind in names)


def _part_label(number: int) -> str:
    return PART_LABELS[number - 1] if number <= len(PART_LABELS) else str(number)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, whichever environment asks (keyed by name and source checksum)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledTemplates()


def long_date(value: str) -> str:
    """'2014-03-12T09:30:00Z' -> '12 March 2014', the way a book prints a date; other text as it is."""
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def environment() -> jinja2.Environment:
    """The templates' environment: autoescaped, strict about missing values."""
    env = jinja2.Environment(
        bytecode_cache=COMPILED,
        loader=jinja2.PackageLoader("bookforge", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    return env


def _copy_styles(styles: Path, directory: Path, extra: tuple[str, ...]) -> tuple[str, ...]:
    """Copy the stylesheets and fonts the pages use; return their paths relative to ``directory``."""
    resources = []
    for href, source in style_files(styles, extra):
        target = directory / href
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        resources.append(href)
    return tuple(resources)


def style_files(styles: Path, extra: tuple[str, ...] = ()) -> tuple[tuple[str, Path], ...]:
    """The stylesheets and fonts the pages use, as (href inside build/html, file in ``styles``), each checked:
    a regular file that stays inside ``styles`` (no symlink out of it), fonts fonts by their content,
    licences UTF-8 text.  Hidden files (.DS_Store) are left behind.  Raises ManifestError naming every bad file."""
    problems: list[Diagnostic] = []
    found = []
    for href in (SHARED_CSS, EPUB_CSS, PRINT_CSS, *extra):
        path = styles / Path(href).name
        problem = _outside(path, styles) or ("" if path.is_file() else "missing: a styles/ folder needs book.css, "
                                              "epub.css, print.css (and proof.css for --proof) and fonts/")
        problems += [error("M-030", problem, _shown(path, styles))] if problem else []
        found.append((href, path))
    fonts = styles / FONTS
    for path in sorted(fonts.iterdir()) if fonts.is_dir() and not _outside(fonts, styles) else ():
        if path.name.startswith("."):
            continue
        problem = _outside(path, styles) or _not_a_font(path)
        problems += [error("M-031", problem, _shown(path, styles))] if problem else []
        found.append((f"{FONTS}/{path.name}", path))
    if _outside(fonts, styles):
        problems.append(error("M-031", _outside(fonts, styles), _shown(fonts, styles)))
    raise_if_errors(problems, ManifestError)
    shipped = {href for href, _ in found}
    for href, path in found:
        problems += _css_urls(href, path, shipped, styles) if href.endswith(".css") else []
    raise_if_errors(problems, ManifestError)
    return tuple(found)


def _css_urls(href: str, path: Path, shipped: set[str], styles: Path) -> list[Diagnostic]:
    """Every url() of a stylesheet must be a data: URI or one of the files shipped beside it (its fonts):
    nothing from the network, nothing from outside the book."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        for found in CSS_URL.finditer(line):
            url = found.group(2).strip()
            target = posixpath.normpath(posixpath.join(posixpath.dirname(href), url.split("#")[0].split("?")[0]))
            if url.lower().startswith("data:") or target in shipped:
                continue
            problems.append(error("M-033", f"url({url}) is neither a data: URI nor one of the book's own "
                                  "stylesheets and fonts; only those are served", _shown(path, styles),
                                  number, found.start() + 1))
    return problems


def _outside(path: Path, styles: Path) -> str:
    """Why ``path`` may not be read ('' when it may): a symlink that leaves the styles folder."""
    if not path.resolve().is_relative_to(styles.resolve()):
        return f"a symbolic link to {path.resolve()}, outside the project's styles/: refused"
    return ""


def _not_a_font(path: Path) -> str:
    """Why a file in fonts/ cannot ship in the book ('' when it can): fonts are fonts by their content."""
    if not path.is_file():
        return "not a regular file: fonts/ holds fonts and their licences"
    suffix = path.suffix.lower()
    if suffix == LICENCE_SUFFIX:
        try:
            path.read_text(encoding="utf-8")
            return ""
        except UnicodeDecodeError:
            return "a licence must be UTF-8 text"
    if suffix not in FONT_MAGIC:
        return f"neither a font ({', '.join(FONT_MAGIC)}) nor a licence (.txt): remove it from fonts/"
    return _font_problem(path, path.stat().st_mtime_ns, path.stat().st_size)


@cache
def _font_problem(path: Path, mtime: int, size: int) -> str:
    with path.open("rb") as file:
        magic = file.read(4)
    if magic not in FONT_MAGIC[path.suffix.lower()]:
        return f"not a {path.suffix} font: its content does not begin as one"
    if path.suffix.lower() in (".otf", ".ttf"):
        from fontTools.ttLib import TTFont

        try:
            font = TTFont(path)
            font["head"], font.getBestCmap()
        except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds for a damaged font
            return f"a damaged font: {type(exc).__name__}: {exc}"
    return ""


def _shown(path: Path, styles: Path) -> str:
    """A styles file as diagnostics name it: 'styles/fonts/x.otf' for a project's own."""
    return f"styles/{path.relative_to(styles).as_posix()}"
