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

No text is dropped, wherever HTML as browsers read it puts it: a sub-list straight inside
a list (not inside an item) gives its items after the ones before it, as a nested list
does; text or a table directly in a list is an item; a block inside a paragraph or a list
item stands as a block of its own.  Elements nested deeper than ``NESTING_MAX`` are
unwrapped, their text kept (the walk is recursive); replies deeper than the captures'
``REPLY_DEPTH_MAX`` are set at that depth, after their thread's other replies.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag

from bookforge.diagnostics import ReaderError, error
from bookforge.model import Block, BlockKind, Chapter, Comment, Mark, SourceLocation, chapter_slug
from bookforge.readers.capture import REPLY_DEPTH_MAX, _decode

INLINE_MARKS = {"em": "em", "i": "em", "cite": "em", "strong": "strong", "b": "strong",
                "code": "code", "kbd": "code", "tt": "code", "samp": "code", "var": "code", "sup": "sup", "sub": "sub"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul": BlockKind.BULLETS, "ol": BlockKind.ORDERED}
CONTAINERS = {"div", "section", "article", "body", "html", "table", "tbody", "thead", "tfoot", "tr", "main",
              "header", "footer", "aside", "dl", "nav", "address", "details", "fieldset", "form", "center", "caption"}
CELLS = {"td", "th", "dt", "dd", "li", "summary", "legend"}
BLOCKS = {"p", "figcaption", "blockquote", "pre", "figure", "hr"} | HEADINGS | set(LISTS) | CONTAINERS | CELLS
LIST_BREAKS = {"blockquote", "pre", "figure", "table"} | set(LISTS)  # blocks that stand apart even in a list item
VOID = {"img", "br", "hr", "wbr", "input", "source", "area", "col", "embed", "meta", "link", "param", "track"}
NESTING_MAX = 100  # elements deeper than this are unwrapped, text kept: far deeper than any post, well inside Python's stack
SPACE = re.compile(r"\s+")


def read(path: Path, relpath: str) -> Chapter:
    text = _decode(path, relpath)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup, _ = flatten(BeautifulSoup(text, "html.parser"))
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
        topics=tuple(_topics(soup)),
    )


def flatten(soup: BeautifulSoup) -> tuple[BeautifulSoup, int]:
    """The document with the elements nested deeper than NESTING_MAX unwrapped (their text kept), and how many
    there were; the document itself when none is."""
    if _depth(soup) <= NESTING_MAX:
        return soup, 0
    flat = BeautifulSoup(_flat(soup), "html.parser")
    return flat, _count(soup) - _count(flat)


def _depth(root: Tag) -> int:
    deepest, stack = 0, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(child, depth + 1) for child in node.contents if isinstance(child, Tag)]
    return deepest


def _count(root: Tag) -> int:
    return sum(1 for _ in root.find_all(True))


def _flat(root: Tag) -> str:
    """The document's HTML without the tags nested deeper than NESTING_MAX, written without recursion
    (bs4's own writer compares nested tags recursively)."""
    out: list[str] = []
    stack: list[tuple] = [(child, 1, False) for child in reversed(root.contents)]
    while stack:
        node, depth, closing = stack.pop()
        if closing:
            out.append(f"</{node.name}>")
        elif not isinstance(node, Tag):
            out.append(node.output_ready(formatter="minimal"))
        else:
            kept = depth <= NESTING_MAX or node.name in VOID
            if kept:
                out.append(_start_tag(node))
                if node.name not in VOID:
                    stack.append((node, depth, True))
            elif node.name in BLOCKS:
                out.append("\n")  # the block's text stays apart from its neighbours'
            stack += [(child, depth + 1, False) for child in reversed(node.contents)]
    return "".join(out)


def _start_tag(tag: Tag) -> str:
    attributes = "".join(f' {name}="{html.escape(" ".join(value) if isinstance(value, list) else str(value))}"'
                         for name, value in tag.attrs.items())
    return f"<{tag.name}{attributes}>"


def _topics(soup: BeautifulSoup) -> list[str]:
    """The post's categories and tags from its header (comma-separated), in that order."""
    found = []
    for name in ("categories", "tags"):
        meta = soup.find("meta", attrs={"name": name})
        found += [t.strip() for t in str(meta.get("content", "") if meta else "").split(",") if t.strip()]
    return found


def _comment_tags(parent: Tag) -> list[Tag]:
    return [c for c in parent.find_all("article", recursive=False) if "comment" in (c.get("class") or [])]


def _comment(tag: Tag, slug: str, relpath: str, folder: PurePosixPath, depth: int = 0) -> Comment:
    number = str(tag.get("id", "")).removeprefix("comment-") or str(tag.sourceline)
    replies = _comment_tags(tag) if depth < REPLY_DEPTH_MAX - 1 else []
    if depth == REPLY_DEPTH_MAX - 1:  # the replies below this depth are set at it, in the order they come
        replies = [r for r in tag.find_all("article") if "comment" in (r.get("class") or [])]
    return Comment(
        id=f"{slug}-c{number}",
        blocks=tuple(_Blocks(relpath, folder).read(tag, skip_comments=True)),
        replies=tuple(_comment(r, slug, relpath, folder, depth + 1) for r in replies),
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
        self.captions: dict[int, str] = {}  # id() of a figure's picture -> the figure's caption
        self.after: list[Tag] = []  # pictures met in the middle of a word: set after the block

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
            if isinstance(node, NavigableString) and type(node) is NavigableString and (node.strip() or self.lines):
                self._start(kind, None)  # a space between two inline elements of a container is kept
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
            if any(line.strip() for line in lines):
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
        elif name in CONTAINERS:
            self._flush()
            self._children(node, kind)
            self._flush()
        elif name in CELLS:
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
        """Each item is a line; a nested list's items follow their parent's, in the same list.  What stands straight
        in the list rather than in an item, as browsers show it, is read where it stands: a sub-list's items
        follow, and text or other markup is an item of its own."""
        self._start(kind, node)
        for child in node.children:
            if isinstance(child, NavigableString) and (type(child) is not NavigableString or not child.strip()):
                continue
            if isinstance(child, Tag) and child.name in LISTS:
                self._list(child, kind)
                continue
            self._start(kind, node)  # again, after a block that stood in the list
            if self.lines[-1].text:
                self.lines.append(_Line())
            for part in (child.children if isinstance(child, Tag) and child.name == "li" else (child,)):
                if isinstance(part, Tag) and part.name in LISTS:
                    self._list(part, kind)
                else:
                    self._inline(part)

    def _figure(self, node: Tag) -> None:
        """A picture with its caption (the figure's own picture, wherever it stands in it), and any text beside it;
        a figure of several pictures (a gallery) gives each its own block, and its caption its own paragraph."""
        images = node.find_all("img")
        caption = node.find("figcaption", recursive=False)
        captioned = len(images) == 1 and caption is not None and images[0].find_parent("figure") is node
        if captioned:
            self.captions[id(images[0])] = _shown(caption)
        for child in node.children:
            if not (captioned and child is caption):
                self._node(child, BlockKind.PARAGRAPH)
        self._flush()

    def _image(self, node: Tag, caption: str) -> None:
        caption = caption or self.captions.pop(id(node), "")
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
            if _mid_word(self.lines[-1].text, node):  # or after the block, not to cut a word in two
                self.after.append(node)
                return
            kind = self.kind
            self._flush()
            self._image(node, "")
            self._start(kind, None)
            return
        if node.name in BLOCKS:
            kind = self.kind
            if kind in LISTS.values() and node.name not in LIST_BREAKS:  # a paragraph in an item: more of the item
                self._gap()
                self._inline_children(node)
                self._gap()
                return
            self._node(node, kind)  # a block inside a paragraph stands as a block, and the paragraph goes on after
            self._start(kind, None)
            return
        kind, value = INLINE_MARKS.get(node.name), ""
        if node.name == "a" and node.get("href"):
            kind, value = _link(str(node["href"]))
        line, start = self.lines[-1], len(self.lines[-1].text)
        self._inline_children(node)
        if kind and self.lines[-1] is line and len(line.text) > start:
            line.marks.append((start, len(line.text), kind, value))

    def _gap(self) -> None:
        if self.lines[-1].text and not self.lines[-1].text.endswith(" "):
            self.lines[-1].text += " "

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
        pictures, self.after = self.after, []
        for picture in pictures:
            self._image(picture, "")

    def _at(self, node: Tag) -> SourceLocation:
        return SourceLocation(self.relpath, node.sourceline or self.line)


def _mid_word(before: str, picture: Tag) -> bool:
    """Does a picture stand between two letters of a word ('trans<img>action')?"""
    following = next((s for s in picture.next_elements if isinstance(s, NavigableString) and s), None)
    return bool(before) and before[-1].isalnum() and following is not None and str(following)[:1].isalnum()


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


def _shown(node: Tag) -> str:
    """An element's text as it is shown: inline markup joined ('<em>a</em>t' one word), a line break a space."""
    parts = [(" " if piece.name == "br" or piece.name in BLOCKS else "") if isinstance(piece, Tag) else str(piece)
             for piece in node.descendants if isinstance(piece, Tag) or type(piece) is NavigableString]
    return _squash("".join(parts))


def _squash(text: str) -> str:
    return SPACE.sub(" ", text).strip()
