"""Reader for a post kept as HTML with a small metadata header (what ``bookforge import`` writes).

The file is an ordinary HTML document that any browser opens::

    <head>
      <title>The post's title</title>
      <meta name="date" content="2014-03-12T09:30:00Z"/>     (and author, permalink, categories, tags, wordpress-id)
    </head>
    <body>
      <article class="post"> the post: p, h1–h6, ul/ol, blockquote, pre, figure/img, em/strong/code/a </article>
      <section class="comments">
        <article class="comment" id="comment-12" data-author="Kate" data-date="2014-03-12" data-kind="comment">
          <p>…</p>
          <article class="comment" …> a reply </article>
        </article>
      </section>
    </body>

Block elements become the Book model's blocks, inline markup becomes marks over their
lines (``em``, ``strong``, ``code``, ``href`` for a URL, ``link`` for ``other-post.html``),
and an image becomes an IMAGE block whose ``image`` mark names the file in the project.
Markup outside that list is read for its text.  A comment's replies are the comments
nested inside it; ``data-by-author`` marks the blog author's own replies.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag

from bookforge.diagnostics import ReaderError, error
from bookforge.model import Block, BlockKind, Chapter, Comment, Mark, SourceLocation, chapter_slug
from bookforge.readers.capture import _decode

INLINE_MARKS = {"em": "em", "i": "em", "cite": "em", "strong": "strong", "b": "strong",
                "code": "code", "kbd": "code", "tt": "code", "samp": "code"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul": BlockKind.BULLETS, "ol": BlockKind.ORDERED}
SPACE = re.compile(r"\s+")


def read(path: Path, relpath: str) -> Chapter:
    text = _decode(path, relpath)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if not title:
        raise ReaderError([error("R-101", "the post has no <title> in its header", relpath, 1)])
    slug = chapter_slug(path.stem)
    folder = PurePosixPath(relpath).parent
    post = soup.find("article", class_="post") or soup.body or soup
    comments = soup.find("section", class_="comments")
    return Chapter(
        slug=slug,
        title=title,
        body=tuple(_Blocks(relpath, folder).read(post)),
        comments=tuple(_comment(c, slug, relpath, folder) for c in _comment_tags(comments)) if comments else (),
        tail=(),
        source=SourceLocation(relpath, 1),
    )


def _comment_tags(parent: Tag) -> list[Tag]:
    return [c for c in parent.find_all("article", recursive=False) if "comment" in (c.get("class") or [])]


def _comment(tag: Tag, slug: str, relpath: str, folder: PurePosixPath) -> Comment:
    number = str(tag.get("id", "")).removeprefix("comment-") or str(tag.sourceline)
    return Comment(
        id=f"{slug}-c{number}",
        blocks=tuple(_Blocks(relpath, folder).read(tag, skip_comments=True)),
        replies=tuple(_comment(r, slug, relpath, folder) for r in _comment_tags(tag)),
        source=SourceLocation(relpath, tag.sourceline or 1),
        by_author=tag.get("data-by-author") == "yes",
        author=str(tag.get("data-author", "")),
        date=str(tag.get("data-date", "")),
        kind=str(tag.get("data-kind", "comment")),
    )


@dataclass
class _Line:
    text: str = ""
    marks: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, kind, value)


class _Blocks:
    """Walks block-level HTML, gathering inline content into lines with marks."""

    def __init__(self, relpath: str, folder: PurePosixPath):
        self.relpath, self.folder = relpath, folder
        self.out: list[Block] = []
        self.lines: list[_Line] = []
        self.kind, self.line = BlockKind.PARAGRAPH, 1

    def read(self, container: Tag, skip_comments: bool = False) -> list[Block]:
        self._children(container, BlockKind.PARAGRAPH, skip_comments)
        self._flush()
        return self.out

    def _children(self, container: Tag, kind: BlockKind, skip_comments: bool = False) -> None:
        for child in container.children:
            if isinstance(child, Tag) and skip_comments and child.name == "article":
                continue
            self._node(child, kind)

    def _node(self, node, kind: BlockKind) -> None:
        if not isinstance(node, Tag):
            if isinstance(node, NavigableString) and type(node) is NavigableString and node.strip():
                self._start(kind, None)
                self._text(str(node))
            return
        name = node.name
        if name in ("p", "figcaption") or name in HEADINGS:
            self._flush()
            self._start(BlockKind.SUBHEAD if name in HEADINGS else kind, node)
            self._inline_children(node)
            self._flush()
        elif name in LISTS:
            self._flush()
            self._list(node, LISTS[name])
            self._flush()
        elif name == "blockquote":
            self._flush()
            self._children(node, BlockKind.QUOTE)
            self._flush()
        elif name == "pre":
            self._flush()
            lines = node.get_text().strip("\n").split("\n")
            self.out.append(Block(BlockKind.CODE, tuple(line.rstrip() for line in lines), self._at(node)))
        elif name == "figure":
            self._flush()
            self._figure(node)
        elif name == "img":
            self._flush()
            self._image(node, "")
        elif name == "hr":
            self._flush()
        elif name in ("script", "style", "head", "title", "meta", "link"):
            return
        elif name in ("div", "section", "article", "body", "html", "table", "tbody", "thead", "tr", "main",
                      "header", "footer", "aside", "dl"):
            self._flush()
            self._children(node, kind)
            self._flush()
        elif name in ("td", "th", "dt", "dd", "li"):
            self._flush()
            self._start(kind, node)
            self._inline_children(node)
            self._flush()
        else:
            self._start(kind, node)
            self._inline(node)

    def _start(self, kind: BlockKind, node: Tag | None) -> None:
        if not self.lines:
            self.kind, self.line = kind, (node.sourceline if node is not None and node.sourceline else self.line)
            self.lines.append(_Line())

    def _list(self, node: Tag, kind: BlockKind) -> None:
        """Each item is a line; a nested list's items follow their parent's, in the same list."""
        self._start(kind, node)
        for item in node.find_all("li", recursive=False):
            if self.lines[-1].text:
                self.lines.append(_Line())
            for child in item.children:
                if isinstance(child, Tag) and child.name in LISTS:
                    self._list(child, kind)
                elif isinstance(child, Tag) and child.name == "p":
                    self._inline_children(child)
                else:
                    self._inline(child)

    def _figure(self, node: Tag) -> None:
        """A picture with its caption; a figure of several (a gallery) gives each its own block."""
        images = node.find_all("img")
        caption = node.find("figcaption", recursive=False)
        if len(images) != 1:
            self._children(node, BlockKind.PARAGRAPH)
            self._flush()
            return
        self._image(images[0], _squash(caption.get_text(" ")) if caption else "")

    def _image(self, node: Tag, caption: str) -> None:
        alt = _squash(str(node.get("alt", ""))) or caption or "Image"
        src = str(node.get("src", ""))
        lines = (alt, caption) if caption and caption != alt else (alt,)
        marks = ()
        if src and not urlsplit(src).scheme and not src.startswith("/"):
            marks = (Mark(0, 0, len(alt), "image", (self.folder / src).as_posix()),)
        self.out.append(Block(BlockKind.IMAGE, lines, self._at(node), marks))

    def _inline_children(self, node: Tag) -> None:
        for child in node.children:
            self._inline(child)

    def _inline(self, node) -> None:
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:
                self._text(str(node))
            return
        if node.name == "br":
            self.lines.append(_Line())
            return
        if node.name == "img":  # a picture stands in a block of its own, between the text before and after it
            kind = self.kind
            self._flush()
            self._image(node, "")
            self._start(kind, None)
            return
        if node.name in LISTS or node.name in ("p", "div", "blockquote", "pre", "figure"):
            kind = self.kind
            self._node(node, kind)
            self._start(kind, None)
            return
        kind, value = INLINE_MARKS.get(node.name), ""
        if node.name == "a" and node.get("href"):
            kind, value = _link(str(node["href"]))
        line, start = self.lines[-1], len(self.lines[-1].text)
        self._inline_children(node)
        if kind and self.lines[-1] is line and len(line.text) > start:
            line.marks.append((start, len(line.text), kind, value))

    def _text(self, text: str) -> None:
        text = SPACE.sub(" ", text)
        line = self.lines[-1]
        if line.text.endswith(" ") or not line.text:
            text = text.lstrip(" ")
        line.text += text

    def _flush(self) -> None:
        lines = [_trimmed(line) for line in self.lines]
        lines = [line for line in lines if line.text]
        if lines:
            marks = tuple(sorted((Mark(i, s, e, k, v) for i, line in enumerate(lines) for s, e, k, v in line.marks),
                                 key=lambda m: (m.line, m.start)))
            source = SourceLocation(self.relpath, self.line)
            self.out.append(Block(self.kind, tuple(line.text for line in lines), source, marks))
        self.lines = []

    def _at(self, node: Tag) -> SourceLocation:
        return SourceLocation(self.relpath, node.sourceline or self.line)


def _link(href: str) -> tuple[str, str]:
    """A link to another post of the book ('other-post.html') or to a URL elsewhere."""
    parts = urlsplit(href)
    if not parts.scheme and not parts.netloc and parts.path.endswith(".html") and "/" not in parts.path:
        return "link", chapter_slug(parts.path.removesuffix(".html"))
    return "href", href


def _trimmed(line: _Line) -> _Line:
    """The line without its outer spaces, its marks moved and clipped to match."""
    lead = len(line.text) - len(line.text.lstrip())
    text = line.text.strip()
    marks = [(max(s - lead, 0), min(e - lead, len(text)), k, v) for s, e, k, v in line.marks]
    return _Line(text, [m for m in marks if m[1] > m[0]])


def _squash(text: str) -> str:
    return SPACE.sub(" ", text).strip()
