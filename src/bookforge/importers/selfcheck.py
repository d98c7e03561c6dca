"""The import's self-check: the words of each post and its approved comments, in the export and in its chapter file.

``compare_words`` is the measure, kept small so that other checks (the corpus benchmark's,
export against EPUB) use the same one: words are runs of letters and digits, case-folded and
NFKC-normalised (so ``don't`` and ``don’t`` are alike), counted as a multiset: a word the export
has three times must be there three times.  What the import took out on purpose (a site's
script, a dynamic block) is in its report's ``removed``, and those words do not count as lost.

``post_text`` is what a reader of the site reads of a post: its HTML's text with the code
in it as ``code.py`` keeps it, without block comments, scripts and the shortcodes that
``markup.py`` turns into markup.  The chapter's side is the chapter file read back by
``readers/html.py``, so that the check covers the reader the build uses.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import nh3

from bookforge.importers.code import Code
from bookforge.model import Chapter

WORD = re.compile(r"\w+")
BLOCK_EDGE = re.compile(r"(</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|table|tr|td|th|dl|dt|dd|figure|figcaption|"
                        r"section|article|header|footer|hr|address|caption|center|tbody|thead|tfoot)\b[^>]*>)", re.I)
HIDDEN = {"script", "style", "noscript", "template", "iframe", "object", "video", "audio", "title"}  # not shown
# An element whose text HTML reads raw, written self-closed as XHTML editors did (<title />): closed, as intended,
# not left open to swallow the rest of the post
SELF_CLOSED = re.compile(r"<(title|textarea|iframe|xmp|noembed|noframes|style|script)\b([^<>]*?)\s*/>", re.I)
SHOWN = 20  # missing words the report names for one post


@dataclass(frozen=True)
class Shortfall:
    """How many words the expected text has, and which of them (with how many times) the found text lacks."""

    expected: int
    missing: Counter

    @property
    def lost(self) -> int:
        return sum(self.missing.values())

    @property
    def kept(self) -> float:
        """The share of the expected words found, 1.0 for an empty text."""
        return 1.0 - self.lost / self.expected if self.expected else 1.0

    def shown(self) -> list[str]:
        return [word for word, _ in self.missing.most_common(SHOWN)]


def words(text: str) -> Counter:
    """The words of a text as a multiset: runs of letters and digits, case-folded and NFKC-normalised."""
    return Counter(WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def compare_words(expected: str, found: str, removed: str = "") -> Shortfall:
    """The words of ``expected`` that ``found`` lacks, less those of ``removed`` (taken out on purpose, recorded)."""
    wanted = words(expected)
    return Shortfall(sum(wanted.values()), wanted - words(found) - words(removed))


def post_text(content: str, shortcodes: re.Pattern) -> str:
    """The text a reader of the site reads in a post's or comment's HTML (``shortcodes``: the delimiters to drop)."""
    code = Code(content)
    return code.restore(shown_text(shortcodes.sub(" ", code.extract(content))), escape=False)


def shown_text(fragment: str) -> str:
    """The text of an HTML fragment as a browser shows it (read by html5ever, as browsers read it, through nh3):
    blocks apart, inline markup joined ('<b>W</b>ord' one word), scripts and styles not shown."""
    fragment = SELF_CLOSED.sub(r"<\1\2></\1>", BLOCK_EDGE.sub(r" \1 ", fragment))
    return html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags=HIDDEN))


def chapter_text(chapter: Chapter) -> str:
    """Every line of a chapter as the reader made it: its title, its blocks, its comments' blocks."""
    blocks = [*chapter.body, *(block for comment in chapter.all_comments() for block in comment.blocks), *chapter.tail]
    return " ".join([chapter.title, *(line for block in blocks for line in block.lines)])
