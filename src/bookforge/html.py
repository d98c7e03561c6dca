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
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from bookforge import __version__, addresses, cover
from bookforge.diagnostics import Diagnostic, ManifestError, error, note, raise_if_errors
from bookforge.editorial.report import numbered
from bookforge.model import Block, Book, Change, Mark, Metadata

if TYPE_CHECKING:
    from bookforge.pictures import Pictures

SHARED_CSS = "css/book.css"
EPUB_CSS = "css/epub.css"
PRINT_CSS = "css/print.css"
PROOF_CSS = "css/proof.css"  # the proof's marks (renderers/proof.py): checked with the styles, read by the proof stage
FONTS = "fonts"
REPLY_CAP = 3  # reply levels shown by indentation; deeper replies carry a "replying to" cue
SHORT_COMMENT = 240  # characters: a comment shorter than this is kept whole on one page in print
# A reader's letter that opens a post: announced by a line such as "A reader submitted this comment:"
# (the letter follows) or "Cynthia writes: …" (the letter begins there), and going on while its
# paragraphs continue it ("Later: …").  Set as an extract, apart from the author's own text.
LETTER_INTRO = re.compile(r"\b(submitted|sent|wrote)\b.*\b(comment|letter|note|this)\b.*:$|^\w+ (writes|wrote):", re.I)
LETTER_GOES_ON = re.compile(r"^(Later|Then|Also|P\.?S\.?|Update)\b", re.I)
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
    notes: tuple[Diagnostic, ...] = ()  # each link given as text (``Inline``)

    def path(self, page: Page) -> Path:
        return self.directory / page.href


def write(book: Book, styles: Path, directory: Path, *, project: Path | None = None,
          link_notes: str = "footnotes", pictures: Pictures | None = None) -> HtmlBook:
    """Write the book's XHTML, stylesheets and fonts into ``directory`` (which must not exist yet).

    Every edited word carries the number of its change (``data-edit``), and the element after
    which removed text stood carries the removals' numbers (``data-removed``): invisible in both
    books, they let the proof mark each change where it stands on the print page.  The numbers
    count from 1 in each chapter, as the report's do, so a chapter's page depends on that chapter
    alone (with the book's metadata and its chapters' slugs) and an edit elsewhere leaves it as it
    was.  The pictures the chapters show are copied from ``project``, or made fit for each book by
    ``pictures`` (``pictures.Pictures.place``); ``link_notes`` says whether a link's URL is printed in a
    footnote or in the chapter's endnotes.
    """
    directory.mkdir(parents=True)
    resources = _copy_styles(styles, directory)
    cover_image = cover.write(book.metadata, styles / FONTS, directory)
    cover_page = Page("cover.xhtml", "Cover", "cover", "frontmatter")
    pages, toc = _plan(book)
    landmarks = _landmarks(cover_page, pages)
    images = _images(book, project, directory, pictures)
    env = environment()
    edits, removals = edit_numbers(book), removal_places(book)
    inline = Inline(places(book), edits, link_notes)
    env.globals.update(inline=inline, page_id=PageIds(),
                       image_href=lambda block: next((images.get(m.value) for m in block.marks if m.kind == "image"), None),
                       removed=lambda key: _removed_attribute(removals, key),
                       titled=lambda chapter: titled(edits, chapter),
                       reply_cap=REPLY_CAP, short_comment=SHORT_COMMENT,
                       reply_label=f"{book.metadata.authors[0].name} replies" if book.metadata.authors else "The author replies")
    chapters = {c.slug: c for c in book.chapters()}
    parts = {p.slug: (number, p) for number, p in enumerate(book.parts, start=1)}
    for page in (cover_page, *pages):
        context = {"page": page, "meta": book.metadata, "matter": page.matter, "page_title": page.title,
                   "stylesheets": (SHARED_CSS, EPUB_CSS), "toc": toc, "version": __version__,
                   "landmarks": landmarks, "cover_image": cover_image, "cover_alt": cover.alt_text(book.metadata),
                   "credits": book.metadata.credits, "editing": editing_note(book)}
        if page.kind == "chapter":
            context.update(chapter=chapters[page.id], body=letters(chapters[page.id].body))
        if page.kind == "part":
            number, part = parts[page.id]
            context.update(part=part, label=f"Part {_part_label(number)}")
        text = env.get_template(f"{page.kind}.xhtml.j2").render(context)
        (directory / page.href).write_text(text, encoding="utf-8")
    return HtmlBook(directory, book.metadata, pages, toc, (*resources, *sorted(set(images.values())), cover_image),
                    cover_page, cover_image, notes=tuple(inline.found))


class Inline:
    """Renders a line of a block as XHTML, its marks nested: emphasis, code, links and corrected words.

    A link goes where ``addresses.target`` says: to another chapter (``places`` holds each chapter's
    slug with the ids of its page), elsewhere, or nowhere, when its words are text with the address
    after them.  A link elsewhere stays a link, and for print its URL also goes into a note, a footnote
    or an endnote as ``link_notes`` says (the EPUB's stylesheet hides the notes); an address too long for a
    footnote (``FOOTNOTE_ADDRESS``) goes to the endnotes either way.  A link inside another
    link is text, as XHTML asks.  Each link made text is a note in ``found``.  Each edited word carries
    its change's number (``edits``, from ``edit_numbers``); the words a book never hyphenates are kept
    whole (``whole``).
    """

    TAGS = {"em": "em", "strong": "strong", "code": "code", "sup": "sup", "sub": "sub"}

    def __init__(self, places: dict[str, frozenset[str]], edits: dict[tuple, int] | None = None,
                 link_notes: str = "footnotes"):
        self.places, self.edits, self.link_notes = places, edits or {}, link_notes
        self.chapter, self.notes, self.block, self.index, self.last = "", [], None, 0, False
        self.found: list[Diagnostic] = []

    def start(self, chapter: str) -> str:
        """Begin a chapter's page: its endnotes start again from 1."""
        self.chapter, self.notes = chapter, []
        return ""

    def __call__(self, block: Block, index: int) -> Markup:
        line, self.block, self.index = block.lines[index], block, index
        self.last = index == len(block.lines) - 1 and block.kind.value in ("paragraph", "quote")
        marks = sorted((m for m in block.marks if m.line == index and m.end > m.start and m.kind != "image"),
                       key=lambda m: (m.start, -m.end))
        return self._span(line, marks, 0, len(line), top=True)

    def _span(self, line: str, marks: list[Mark], start: int, end: int, top: bool = False, linked: bool = False) -> Markup:
        out, position = [], start
        while marks:
            mark, marks = marks[0], marks[1:]
            begin, finish = max(mark.start, position), min(mark.end, end)
            if finish <= begin:
                continue
            inner = [m for m in marks if m.start < finish]
            marks = [m for m in marks if m.start >= finish]
            out.append(whole(line[position:begin]))
            goes = self._target(mark, linked)
            text = self._span(line, inner, begin, finish, linked=linked or bool(goes and goes.href))
            out.append(self._link(goes, text, line[begin:finish]) if goes else self._wrap(mark, text))
            position = finish
        out.append(whole(line[position:end], last=top and self.last))
        return Markup("").join(out)

    def _target(self, mark: Mark, linked: bool) -> addresses.Target | None:
        """Where a link mark goes (None for other marks); inside another link, nowhere."""
        if mark.kind == "link":
            goes = addresses.Target("book", f"{mark.value}.xhtml") if mark.value in self.places else addresses.Target("text")
        elif mark.kind == "href":
            goes = addresses.target(mark.value, self.chapter, self.places)
        else:
            return None
        if linked and goes.href:
            goes = addresses.Target("text", address=goes.address, why="stands inside another link")
        if goes.why:
            shown = "with the address after them in parentheses" if goes.address else "and the address left out"
            self.found.append(note("X-010", f"the link to '{mark.value.strip()}' {goes.why}: its words are text, {shown}",
                                   str(self.block.line_source(self.index))))
        return goes

    def _link(self, goes: addresses.Target, text: Markup, words: str) -> Markup:
        """A link's words as a link, or as text with the address after them.  Words that are the address
        itself are set as an address (``address_words``)."""
        if text == whole(words) and words.strip() in (goes.address, ""):
            text = Markup("{}{}{}").format(words[:len(words) - len(words.lstrip())], address_words(goes.address),
                                           words[len(words.rstrip()):])
        if goes.kind == "book":
            return Markup('<a href="{}">{}</a>').format(goes.href, text)
        if goes.kind == "web":
            return Markup('<a class="external" href="{}">{}</a>{}').format(goes.href, text, self._note(goes.address, words))
        if not goes.address or goes.address == words.strip():
            return text
        return Markup("{} ({})").format(text, address_words(goes.address)) if words.strip() else text

    def _wrap(self, mark: Mark, text: Markup) -> Markup:
        if mark.kind in self.TAGS:
            return Markup("<{0}>{1}</{0}>").format(Markup(self.TAGS[mark.kind]), text)
        number = self.edits.get(_mark_key(self.block, mark)) if mark.kind in ("fix", "type") else None
        if number:
            return Markup('<span class="edit" data-edit="{}">{}</span>').format(number, text)
        return text

    def _note(self, url: str, words: str) -> Markup:
        if not words.strip() or words.strip() == url:
            return Markup("")  # the text is the URL already
        if self.link_notes == "footnotes" and len(url) <= FOOTNOTE_ADDRESS:
            return Markup('<span class="link-note">{}</span>').format(url)
        self.notes.append(url)
        number = len(self.notes)
        return Markup('<a class="link-ref" id="{0}-ref-{1}" href="#{0}-note-{1}" role="doc-noteref">{1}</a>').format(
            self.chapter, number)


FOOTNOTE_ADDRESS = 500  # characters: a longer address goes to the chapter's endnotes, which run over pages as a
# footnote cannot (WeasyPrint cuts a footnote taller than the page)
LONG_ADDRESS = 30  # characters: a longer address may need breaking (a line of a trade page holds some 60)
URL_BREAK = re.compile(r"(?<=://)|(?<=[=&])(?!$)|(?<=.)(?=[~.,_?#%=&-]|/(?!/))(?<!:/)")


def address_words(address: str) -> Markup:
    """An address as text in a book: never hyphenated and, when it is longer than ``LONG_ADDRESS``, breakable
    where the Chicago Manual of Style breaks a URL: after '//', before a single slash, '~', '.', ',', '-',
    '_', '?', '#' or '%', and before or after '=' and '&' (<wbr/>, which adds no hyphen), and inside a run
    longer than ``LONG_ADDRESS`` with none of them, so that it never runs past the margin."""
    if not address:
        return Markup("")
    pieces = URL_BREAK.split(address) if len(address) > LONG_ADDRESS else [address]
    pieces = [p[i:i + LONG_ADDRESS] for p in pieces for i in range(0, len(p), LONG_ADDRESS)]  # and a long run anywhere
    return Markup('<span class="whole">{}</span>').format(Markup("<wbr/>").join(escape(p) for p in pieces))


def places(book: Book) -> dict[str, frozenset[str]]:
    """Each chapter's slug with the ids of its page that a link may name: the chapter, its title, its comments."""
    return {c.slug: frozenset({c.slug, f"{c.slug}-title", *(valid_id(comment.id) for comment in c.all_comments())})
            for c in book.chapters()}


def valid_id(wanted: str) -> str:
    """``wanted`` as an XHTML id can be: what is not a letter, digit, '_', '.' or '-' becomes '-'."""
    return re.sub(r"[^\w.-]", "-", wanted, flags=re.ASCII) or "id"


class PageIds:
    """The ids a page gives its comments: each valid (``valid_id``) and used once, a repeat taking '-2', '-3'
    (a chapter file may give two comments one id).  The Book keeps its comments' ids as they are."""

    def __init__(self):
        self.used: set[str] = set()

    def start(self) -> str:
        """Begin a page."""
        self.used = set()
        return ""

    def __call__(self, wanted: str) -> str:
        base = written = valid_id(wanted)
        number = 1
        while written in self.used:
            number += 1
            written = f"{base}-{number}"
        self.used.add(written)
        return written


def _images(book: Book, project: Path | None, directory: Path, pictures: Pictures | None) -> dict[str, str]:
    """Copy the pictures the chapters show into ``images/`` (or have ``pictures`` place them); map each one's
    project path to its href.

    A picture whose file is gone is left out of the map: its block shows the alt text instead.
    """
    found = {}
    for block in _all_blocks(book):
        for mark in (m for m in block.marks if m.kind == "image"):
            path = project / mark.value if project else None
            if path is not None and path.is_file():
                found.setdefault(mark.value, path)
    if pictures is not None:
        return pictures.place(found, directory)
    for path in found.values():
        (directory / "images").mkdir(exist_ok=True)
        shutil.copyfile(path, directory / "images" / path.name)
    return {value: f"images/{path.name}" for value, path in found.items()}


def _all_blocks(book: Book):
    for chapter in book.chapters():
        yield from chapter.body
        for comment in chapter.all_comments():
            yield from comment.blocks


COMPOUND = re.compile(r"\w+(?:-\w+)+")
LAST_WORD = re.compile(r"\S+$")


def whole(text: str, last: bool = False) -> Markup:
    """``text`` escaped, with the words a book never hyphenates in <span class="whole">: each
    hyphenated compound (it breaks at its own hyphen or not at all) and, when ``text`` ends its
    block, the last word (no paragraph ends on the tail of a broken word)."""
    spans = [m.span() for m in COMPOUND.finditer(text)]
    tail = LAST_WORD.search(text) if last else None
    tail = tail if tail and re.search(r"\w", tail.group()) else None  # a word, not the stop after a link
    if tail:
        spans = [s for s in spans if s[1] <= tail.start()] + [(min([tail.start()] + [s[0] for s in spans if s[1] > tail.start()]), tail.end())]
    out, position = [], 0
    for start, end in spans:
        out += [escape(text[position:start]), Markup('<span class="whole">{}</span>').format(text[start:end])]
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def editing_note(book: Book) -> str:
    """The copyright page's account of the editing, counted from the changes themselves."""
    kinds = [c.kind for c in book.changes]
    corrected = kinds.count("typo_fixed") + kinds.count("text_replaced")
    removed = kinds.count("comment_removed") + kinds.count("comment_merged")
    if not kinds:
        return ""
    return (f"The posts and comments are given as they appeared on the blog, edited lightly: {corrected} spellings, "
            f"capitals and marks of punctuation were corrected, {removed} repeated or unrelated comments and "
            f"{kinds.count('text_removed')} pieces of web page furniture and signatures were left out. "
            "The editorial report lists every change.")


def letters(body: tuple[Block, ...]) -> list[tuple[str, tuple[Block, ...]]]:
    """The post's body in runs: ("letter", blocks) for a reader's letter it quotes, ("text", blocks) for the rest."""
    runs: list[tuple[str, list[Block]]] = []
    announced = in_letter = False
    for block in body:
        text = block.text.strip()
        starts = LETTER_INTRO.search(text)
        in_letter = announced or (in_letter and bool(LETTER_GOES_ON.match(text))) or bool(starts and not text.endswith(":"))
        announced = bool(starts) and text.endswith(":")
        kind = "letter" if in_letter else "text"
        if not runs or runs[-1][0] != kind:
            runs.append((kind, []))
        runs[-1][1].append(block)
    return [(kind, tuple(blocks)) for kind, blocks in runs]


def edit_numbers(book: Book) -> dict[tuple, int]:
    """The number (in its chapter) of the change behind each marked span: a corrected word by its line, its
    original and which of the line's corrections of that word it is; a retypeset line or a retitled chapter by its place."""
    found, seen = {}, {}
    for number, change in numbered(book.changes):
        if change.kind == "typo_fixed":
            key = (str(change.source), change.before)
            seen[key] = seen.get(key, -1) + 1
            found[("fix", *key, seen[key])] = number
        elif change.reason == "title_case":
            found[("title", change.chapter, "", 0)] = number
        elif change.kind == "text_replaced":
            found.setdefault(("type", str(change.source), "", 0), number)
    return found


def _mark_key(block: Block, mark) -> tuple:
    if mark.kind != "fix":
        return (mark.kind, str(block.line_source(mark.line)), "", 0)
    earlier = [m for m in block.marks if m.kind == "fix" and m.line == mark.line and m.value == mark.value and m.start < mark.start]
    return ("fix", str(block.line_source(mark.line)), mark.value, len(earlier))


def titled(edits: dict[tuple, int], chapter) -> Markup:
    """A chapter's title, carrying the number of the change that set it in title case, if one did."""
    number = edits.get(("title", chapter.slug, "", 0))
    return Markup('<span class="edit" data-edit="{}">{}</span>').format(number, chapter.title) if number else escape(chapter.title)


REMOVALS = ("comment_removed", "text_removed", "comment_merged")


def removal_places(book: Book) -> dict[str, list[int]]:
    """Where each removal stood: the numbers (in its chapter) of the removals after each element, keyed by a
    comment's id, a block's source ('chapters/x.txt:12') or, for text above the first paragraph, a chapter's slug."""
    places: dict[str, list[int]] = {}
    chapters = {ch.slug: ch for ch in book.chapters()}
    for number, change in numbered(book.changes):
        chapter = chapters.get(change.chapter)
        if change.kind not in REMOVALS or chapter is None:
            continue
        places.setdefault(_place(chapter, change), []).append(number)
    return places


def _place(chapter, change: Change) -> str:
    """The key of the element the removed text followed: the anchor comment when it is still in the
    book, else the last comment or block before the removed line."""
    comments = {c.id: c for c in chapter.all_comments()}
    if change.anchor in comments:
        return change.anchor
    line = change.source.line
    before = [(b.source.line, str(b.source)) for b in (*chapter.body, *chapter.tail)]
    before += [(c.source.line, c.id) for c in comments.values()]
    earlier = [entry for entry in before if entry[0] < line]
    return max(earlier)[1] if earlier else chapter.slug


def _removed_attribute(places: dict[str, list[int]], key) -> Markup:
    numbers = places.get(str(key))
    return Markup(' data-removed="{}"').format(" ".join(map(str, numbers))) if numbers else Markup("")


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
    """Credits when book.yaml gives any, About the Author when book.yaml has it.  The credits the
    sources carry are for photographs the book leaves out, so they are not printed."""
    pages = []
    if book.metadata.credits:
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


def _copy_styles(styles: Path, directory: Path) -> tuple[str, ...]:
    """Copy the stylesheets and fonts the pages use; return their paths relative to ``directory``."""
    resources = []
    for href, source in style_files(styles):
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
