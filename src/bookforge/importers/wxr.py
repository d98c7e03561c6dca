"""WordPress's export format (WXR), read as a stream: one ``<item>`` in memory at a time.

``lxml.etree.iterparse`` hands over each item when its end tag is read; the item is turned
into a plain record and then cleared from the tree, with everything before it, so a 200 MB
export with thousands of posts is read in bounded memory.  The ``wp`` namespace is taken
from the file (``http`` or ``https``, export versions 1.0 to 1.2), never hard-coded.

The parser reads the export through ``mend.py``, which makes well-formed XML of what
WordPress's own importer would read (undeclared prefixes, a wrong encoding, forbidden
characters, CDATA ended early, HTML entities).  The text of each post and comment is then
repaired by ``ftfy``: C1 control characters, which old databases hold where Windows-1252
punctuation was meant (U+0097 for an em dash), become that punctuation, and UTF-8 read once
as Windows-1252 (``â€œ``) becomes what was written.  An export still not well-formed can be
read leniently (``lenient``): what the parser recovers, with the items it lost counted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
from lxml import etree

from bookforge.diagnostics import ReaderError, error
from bookforge.importers import mend

CONTENT = "http://purl.org/rss/1.0/modules/content/"
WP = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
DC = "http://purl.org/dc/elements/1.1/"
# ftfy's repairs of encoding only: C1 controls as Windows-1252 and mojibake; nothing else of the text is touched
REPAIR = ftfy.TextFixerConfig(unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
                              restore_byte_a0=False, replace_lossy_sequences=False, decode_inconsistent_utf8=True,
                              fix_c1_controls=True, fix_latin_ligatures=False, fix_character_width=False,
                              uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=False,
                              remove_control_chars=False, normalization=None, explain=False)
HIGH = re.compile("[\x80-\xff]")  # what mojibake and C1 controls are made of: text without it needs no repair
C1 = re.compile("[\x80-\x9f]")


@dataclass(frozen=True)
class Author:
    login: str
    id: str
    email: str
    display_name: str


@dataclass(frozen=True)
class WxrComment:
    id: str
    parent: str  # '0' at the top level
    author: str
    email: str
    date: str  # ISO 8601, UTC when the export gives it
    content: str
    approved: str  # 1, 0, spam, trash
    type: str  # comment, pingback, trackback
    user_id: str


@dataclass(frozen=True)
class Item:
    """One ``<item>``: a post, page, attachment, menu item or any other kind WordPress exports."""

    id: str
    type: str
    status: str
    title: str
    slug: str
    link: str
    creator: str
    date: str  # ISO 8601, UTC when the export gives it
    parent: str
    password: str
    content: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    attachment_url: str
    comments: tuple[WxrComment, ...]
    line: int  # where the item starts in the export
    notes: tuple[str, ...] = ()  # the block editor's footnotes (WordPress 6.3+), kept in the post's meta, in order


@dataclass
class Channel:
    """The site: its title and link, and its authors (they come before the items); and how the export was read."""

    title: str = ""
    link: str = ""
    blog: str = ""  # wp:base_blog_url, where the blog's own files were
    authors: dict[str, Author] | None = None
    repairs: Counter = field(default_factory=Counter)  # what was mended to read the export, and how often
    lenient: bool = False  # read with the parser's recovery, the export not being well-formed even mended
    items_in_file: int = 0  # <item> start tags in the export, counted outside CDATA
    items_read: int = 0
    survey: mend.Survey | None = None


def items(path: Path, channel: Channel | None = None) -> Iterator[Item]:
    """Every item of the export in file order; ``channel`` is filled in as its parts are read.

    A channel read once keeps its repairs: reading the export again with it counts none twice."""
    channel = channel if channel is not None else Channel()
    first = channel.survey is None
    channel.authors = {}
    wp = None
    try:
        channel.survey = channel.survey or mend.survey(path)
        repairs = channel.repairs if first else Counter()
        source = mend.Mended(path, channel.survey, repairs)
        read = 0
        for event, element in etree.iterparse(source, events=("start-ns", "end"), huge_tree=True, recover=channel.lenient,
                                              resolve_entities=False, no_network=True):
            if event == "start-ns":
                wp = element[1] if WP.match(element[1]) else wp
                continue
            if wp is None:
                continue
            tag = element.tag
            if tag == "item":
                read += 1
                yield _item(element, wp, repairs)
            elif tag == f"{{{wp}}}author":
                author = Author(_text(element, f"{{{wp}}}author_login"), _text(element, f"{{{wp}}}author_id"),
                                _text(element, f"{{{wp}}}author_email"), _text(element, f"{{{wp}}}author_display_name"))
                channel.authors[author.login] = author
            elif tag in ("title", "link") and element.getparent() is not None and element.getparent().tag == "channel":
                setattr(channel, tag, (element.text or "").strip())
                continue
            elif tag == f"{{{wp}}}base_blog_url":
                channel.blog = (element.text or "").strip()
                continue
            else:
                continue
            _forget(element)
    except etree.XMLSyntaxError as exc:
        raise ReaderError([error("I-001", f"not a well-formed WordPress export: {exc.msg}", str(path), exc.lineno)]) from None
    except OSError as exc:
        raise ReaderError([error("I-000", f"cannot be read: {exc.strerror or exc}", str(path))]) from None
    if wp is None:
        raise ReaderError([error("I-002", "not a WordPress export: no WordPress (wp:) namespace in it", str(path), 1)])
    channel.items_in_file, channel.items_read = source.items, read


def _forget(element) -> None:
    """Drop a finished element, and the finished siblings before it, from the tree being built."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _item(element, wp: str, repairs: Counter) -> Item:
    def text(name: str) -> str:
        return _text(element, f"{{{wp}}}{name}")

    categories = tuple(c.text or "" for c in element.findall("category") if c.get("domain") == "category")
    tags = tuple(c.text or "" for c in element.findall("category") if c.get("domain") == "post_tag")
    return Item(
        id=text("post_id"), type=text("post_type"), status=text("status"), title=_repaired(_text(element, "title"), repairs),
        slug=text("post_name"), link=_text(element, "link"), creator=_text(element, f"{{{DC}}}creator"),
        date=_iso(text("post_date_gmt")) or _iso(text("post_date"), utc=False), parent=text("post_parent") or "0",
        password=text("post_password"), content=_repaired(_text(element, f"{{{CONTENT}}}encoded", strip=False), repairs),
        categories=categories, tags=tags, attachment_url=text("attachment_url"),
        comments=tuple(_comment(c, wp, repairs) for c in element.findall(f"{{{wp}}}comment")),
        line=element.sourceline or 0, notes=_notes(element, wp, repairs),
    )


def _notes(element, wp: str, repairs: Counter) -> tuple[str, ...]:
    """The post's footnotes: WordPress 6.3+ keeps them as JSON in the ``footnotes`` meta, and the footnotes block
    sets them when the page is shown. A value that is not the JSON WordPress writes is kept whole as one note."""
    for meta in element.findall(f"{{{wp}}}postmeta"):
        if _text(meta, f"{{{wp}}}meta_key") != "footnotes":
            continue
        value = _repaired(_text(meta, f"{{{wp}}}meta_value"), repairs)
        try:
            notes = json.loads(value or "[]")
        except ValueError:
            return (value,)
        if not isinstance(notes, list):
            return (value,)
        return tuple(str(note.get("content", "")) if isinstance(note, dict) else str(note) for note in notes)
    return ()


def _comment(element, wp: str, repairs: Counter) -> WxrComment:
    def text(name: str) -> str:
        return _text(element, f"{{{wp}}}{name}")

    return WxrComment(
        id=text("comment_id"), parent=text("comment_parent") or "0", author=_repaired(text("comment_author"), repairs),
        email=text("comment_author_email").lower(),
        date=_iso(text("comment_date_gmt")) or _iso(text("comment_date"), utc=False),
        content=_repaired(_text(element, f"{{{wp}}}comment_content", strip=False), repairs),
        approved=text("comment_approved"),
        type=text("comment_type") or "comment", user_id=text("comment_user_id") or "0",
    )


def _text(element, path: str, strip: bool = True) -> str:
    found = element.find(path)
    value = found.text or "" if found is not None else ""
    return value.strip() if strip else value


def _repaired(text: str, repairs: Counter) -> str:
    """C1 controls read as the Windows-1252 punctuation they stand for, and mojibake undone (ftfy);
    the five C1 controls Windows-1252 leaves undefined, which print as nothing, removed."""
    if not HIGH.search(text):
        return text
    fixed = ftfy.fix_text(text, REPAIR)
    fixed = C1.sub("", fixed)
    if fixed != text:
        repairs["texts with C1 control characters or mojibake (UTF-8 read as Windows-1252): repaired"] += 1
    return fixed


def _iso(value: str, utc: bool = True) -> str:
    """'2013-01-10 20:15:40' -> '2013-01-10T20:15:40Z' (without the Z for the site's local time);
    '' for WordPress's empty date, 0000-00-00."""
    if not value or value.startswith("0000"):
        return ""
    return value.replace(" ", "T") + ("Z" if utc and len(value) == 19 else "")
