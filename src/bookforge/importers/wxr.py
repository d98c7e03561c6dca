"""WordPress's export format (WXR), read as a stream: one ``<item>`` in memory at a time.

``lxml.etree.iterparse`` hands over each item when its end tag is read; the item is turned
into a plain record and then cleared from the tree, with everything before it, so a 200 MB
export with thousands of posts is read in bounded memory.  The ``wp`` namespace is taken
from the file (``http`` or ``https``, export versions 1.0 to 1.2), never hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bookforge.diagnostics import ReaderError, error

CONTENT = "http://purl.org/rss/1.0/modules/content/"
WP = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
DC = "http://purl.org/dc/elements/1.1/"


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


@dataclass
class Channel:
    """The site: its title and link, and its authors (they come before the items)."""

    title: str = ""
    link: str = ""
    authors: dict[str, Author] | None = None


def items(path: Path, channel: Channel | None = None) -> Iterator[Item]:
    """Every item of the export in file order; ``channel`` is filled in as its parts are read."""
    channel = channel if channel is not None else Channel()
    channel.authors = {}
    wp = None
    try:
        for event, element in etree.iterparse(str(path), events=("start-ns", "end"), huge_tree=True,
                                              resolve_entities=False, no_network=True):
            if event == "start-ns":
                wp = element[1] if WP.match(element[1]) else wp
                continue
            if wp is None:
                continue
            tag = element.tag
            if tag == "item":
                yield _item(element, wp)
            elif tag == f"{{{wp}}}author":
                author = Author(_text(element, f"{{{wp}}}author_login"), _text(element, f"{{{wp}}}author_id"),
                                _text(element, f"{{{wp}}}author_email"), _text(element, f"{{{wp}}}author_display_name"))
                channel.authors[author.login] = author
            elif tag in ("title", "link") and element.getparent() is not None and element.getparent().tag == "channel":
                setattr(channel, tag, (element.text or "").strip())
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


def _forget(element) -> None:
    """Drop a finished element, and the finished siblings before it, from the tree being built."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _item(element, wp: str) -> Item:
    def text(name: str) -> str:
        return _text(element, f"{{{wp}}}{name}")

    categories = tuple(c.text or "" for c in element.findall("category") if c.get("domain") == "category")
    tags = tuple(c.text or "" for c in element.findall("category") if c.get("domain") == "post_tag")
    return Item(
        id=text("post_id"), type=text("post_type"), status=text("status"), title=_text(element, "title"),
        slug=text("post_name"), link=_text(element, "link"), creator=_text(element, f"{{{DC}}}creator"),
        date=_iso(text("post_date_gmt")) or _iso(text("post_date"), utc=False), parent=text("post_parent") or "0",
        password=text("post_password"), content=_text(element, f"{{{CONTENT}}}encoded", strip=False),
        categories=categories, tags=tags, attachment_url=text("attachment_url"),
        comments=tuple(_comment(c, wp) for c in element.findall(f"{{{wp}}}comment")),
        line=element.sourceline or 0,
    )


def _comment(element, wp: str) -> WxrComment:
    def text(name: str) -> str:
        return _text(element, f"{{{wp}}}{name}")

    return WxrComment(
        id=text("comment_id"), parent=text("comment_parent") or "0", author=text("comment_author"),
        email=text("comment_author_email").lower(),
        date=_iso(text("comment_date_gmt")) or _iso(text("comment_date"), utc=False),
        content=_text(element, f"{{{wp}}}comment_content", strip=False), approved=text("comment_approved"),
        type=text("comment_type") or "comment", user_id=text("comment_user_id") or "0",
    )


def _text(element, path: str, strip: bool = True) -> str:
    found = element.find(path)
    value = found.text or "" if found is not None else ""
    return value.strip() if strip else value


def _iso(value: str, utc: bool = True) -> str:
    """'2013-01-10 20:15:40' -> '2013-01-10T20:15:40Z' (without the Z for the site's local time);
    '' for WordPress's empty date, 0000-00-00."""
    if not value or value.startswith("0000"):
        return ""
    return value.replace(" ", "T") + ("Z" if utc and len(value) == 19 else "")
