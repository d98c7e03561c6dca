"""The Book model: the one structure passed between the pipeline's stages.

Every node carries the place in the sources it came from, so diagnostics and the
editorial report can point at a file and line.  Nodes are frozen: a stage that
changes the book returns a new one (``dataclasses.replace``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path


SLUG_MAX = 80  # characters: a file name every file system takes, with its suffix


def slugify(text: str, fallback: str) -> str:
    """'Emotions: To Avoid or to Heal' -> 'emotions-to-avoid-or-to-heal'; ``fallback`` when nothing is left.
    A long slug is cut at a hyphen to at most SLUG_MAX characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX + 1].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX + 1] else slug[:SLUG_MAX]
    return slug.strip("-") or fallback


def chapter_slug(stem: str) -> str:
    """A chapter's slug from its source file's name: the name of its XHTML page and the prefix of its comments' ids."""
    slug = slugify(stem, "post")
    return slug if slug[0].isalpha() else f"post-{slug}"[:SLUG_MAX]


@dataclass(frozen=True)
class SourceLocation:
    """A 1-based line in a source file; ``path`` is relative to the project root."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class BlockKind(str, Enum):
    PARAGRAPH = "paragraph"  # lines joined by line breaks
    LIST = "list"  # a numbered list; each line is an item
    SUBHEAD = "subhead"  # a short heading inside a comment ("Part 1 – …")
    BULLETS = "bullets"  # a list without numbers; each line is an item
    ORDERED = "ordered"  # a list the renderer numbers (LIST items carry their numbers in their text)
    QUOTE = "quote"  # a paragraph of a block quotation
    CODE = "code"  # preformatted text; each line is a line of it, spaces kept
    IMAGE = "image"  # line 0 is the alt text, any further lines the caption; an "image" mark names the file


@dataclass(frozen=True)
class Mark:
    """A span of one line of a block that the editorial pass annotated.

    A ``link`` points at the chapter whose slug is ``value``; a ``fix`` is a corrected
    word whose text before the correction is ``value`` (a proof prints it in the margin).
    The markup of an imported post is marks too: ``em``, ``strong``, ``code``, ``sup`` and ``sub`` spans, an
    ``href`` whose ``value`` is a URL outside the book, and an ``image`` whose ``value`` is
    the picture's path in the project (over the alt text of an IMAGE block).  Marks may nest.
    """

    line: int  # index into Block.lines
    start: int
    end: int
    kind: str  # link | fix | type (characters the typography pass reset) | em | strong | code | sup | sub | href | image
    value: str


@dataclass(frozen=True)
class Block:
    """A paragraph, numbered list or subhead: a few lines of text from one place in a capture.

    The lines are consecutive lines of the capture, so line ``i`` stands on source line
    ``source.line + i``.
    """

    kind: BlockKind
    lines: tuple[str, ...]
    source: SourceLocation
    marks: tuple[Mark, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def line_source(self, index: int) -> SourceLocation:
        return SourceLocation(self.source.path, self.source.line + index)


@dataclass(frozen=True)
class Comment:
    """A reader's comment or a reply; ``replies`` are the comments that answer it."""

    id: str
    blocks: tuple[Block, ...]
    replies: tuple[Comment, ...]
    source: SourceLocation
    by_author: bool = False  # written by the blog's author, as the editorial pass recognised
    author: str = ""  # the commenter's name, when the source gives it (an imported blog does)
    date: str = ""  # when it was written, an ISO 8601 date, when the source gives it
    kind: str = "comment"  # comment | pingback | trackback

    @property
    def text(self) -> str:
        return " ".join(block.text for block in self.blocks)

    def walk(self):
        """This comment, then every reply below it, depth first."""
        yield self
        for reply in self.replies:
            yield from reply.walk()


@dataclass(frozen=True)
class Chapter:
    """One post: its title, its body, its comment threads and any text after them."""

    slug: str
    title: str
    body: tuple[Block, ...]
    comments: tuple[Comment, ...]
    tail: tuple[Block, ...]
    source: SourceLocation
    topics: tuple[str, ...] = ()  # the post's categories and tags, when the source gives them (an imported blog does)

    def all_comments(self):
        for comment in self.comments:
            yield from comment.walk()


@dataclass(frozen=True)
class Part:
    title: str
    slug: str
    chapters: tuple[Chapter, ...]
    source: SourceLocation


@dataclass(frozen=True)
class Author:
    name: str
    file_as: str
    role: str = "aut"


@dataclass(frozen=True)
class Series:
    """The series a book belongs to, and its number in it."""

    name: str
    position: int | None = None


@dataclass(frozen=True)
class Metadata:
    """What the title page, the copyright page and the packages' metadata say."""

    title: str
    subtitle: str | None
    slug: str
    authors: tuple[Author, ...]
    language: str
    identifier: str
    publisher: str | None
    date: date | None
    rights: str | None
    description: str | None
    subjects: tuple[str, ...] = field(default_factory=tuple)
    credits: tuple[str, ...] = ()  # from book.yaml; the Credits page adds the Book's own
    about_author: str | None = None
    isbn: str | None = None  # 13 digits, no hyphens
    series: Series | None = None
    cover: Path | None = None  # the cover image inside the project; None: bookforge sets a typographic cover
    modified: datetime | None = None  # when the sources last changed: the packages' dcterms:modified

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def byline(self) -> str:
        return " and ".join(a.name for a in self.authors)


@dataclass(frozen=True)
class Credit:
    """A line for the Credits page in the back matter, such as a photo credit found in a post."""

    text: str
    source: SourceLocation


@dataclass(frozen=True)
class Change:
    """One change the editorial pass made, recorded in full so nothing is lost silently.

    ``kind`` and ``reason`` use the words of the editorial report's schema; ``kept`` is the
    copy that was kept when a repeat was removed; ``anchor`` is the id of the comment, or the
    slug of the chapter, that the change sits in or after (where a proof prints its note).
    """

    kind: str  # comment_removed | comment_moved | comment_merged | text_removed | typo_fixed | text_replaced
    reason: str
    source: SourceLocation
    before: str
    after: str = ""
    kept: SourceLocation | None = None
    chapter: str = ""
    anchor: str = ""
    note: str = ""
    context: str = ""  # for a fixed word: the whole line it stood in, before the fix
    comment: str = ""  # for a removed or moved comment: its id (what book.yaml's keep and drop lists name)
    column: int | None = None  # for a fixed word: where it starts in ``context``


@dataclass(frozen=True)
class Book:
    metadata: Metadata
    parts: tuple[Part, ...]
    credits: tuple[Credit, ...] = ()  # found in the sources by the editorial pass
    changes: tuple[Change, ...] = ()  # what the editorial pass changed, in order

    def chapters(self):
        for part in self.parts:
            yield from part.chapters
