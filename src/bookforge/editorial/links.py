"""Links between posts: where a post or comment names another chapter of the book, the name becomes a link.

A mention must look like a title (most of its words capitalised) and may differ from the
chapter's title in small words ("Healing the Damaged Self" names "Healing A Damaged Self");
a numbered sequel that is not in the book ("Attachment to Your Therapist II") stays plain text,
and so do words the post already links somewhere (its link to "Software Craftsmanship" on the web,
the words "Code" in a link's text, a title inside a URL).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bookforge.editorial import Context, Note
from bookforge.editorial.text import edit_blocks, edit_line
from bookforge.model import Block, Book, Chapter

SMALL_WORDS = {"a", "an", "the", "to", "of", "on", "and", "or", "for", "in", "your", "my", "at", "by", "with"}
SEQUEL = re.compile(r"^\s*(?:[:,]?\s*)?(II|III|IV|V|VI|[0-9]+|Part\s+\w+)\b")
WORD = re.compile(r"[\w’']+")
LINKS = ("link", "href")  # the marks that are links: to a chapter, and the post's own links


def run(book: Book, ctx: Context) -> Book:
    return link(book, ctx, titles(book, ctx))


def titles(book: Book, ctx: Context) -> dict[str, list[str]]:
    """Each chapter's slug with the names a post may give it: its title and book.yaml's other names."""
    return {ch.slug: [ch.title, *ctx.config.links.titles.get(ch.slug, [])] for ch in book.chapters()}


def link(book: Book, ctx: Context, titles: dict[str, list[str]]) -> Book:
    """The pass, given every chapter's names (``titles``)."""
    title_words = _TitleWords(titles)

    def link(block: Block, chapter: Chapter, where: str) -> Block:
        for index in range(len(block.lines)):
            for slug in title_words.named(block.lines[index]):
                if slug == chapter.slug:
                    continue
                for start, end in reversed(_mentions(block.lines[index], titles[slug], ctx.config.links.threshold)):
                    if any(m.line == index and m.start < end and start < m.end for m in block.marks if m.kind in LINKS):
                        continue  # a link inside a link is no link (XHTML forbids it): the post's own link stays
                    text = block.lines[index][start:end]
                    block = edit_line(block, index, start, end, text, ("link", slug))
                    ctx.notes.append(Note("link_added", block.line_source(index), f"“{text}” links to the chapter {slug}"))
        return block

    return edit_blocks(book, link)


class _TitleWords:
    """The chapters a line may name, found through an index of the titles' words rather than by trying every
    chapter on every line (a whole blog has hundreds): those with a name whose key words are all in the line
    but one, ``_mentions``' own first test."""

    def __init__(self, titles: dict[str, list[str]]):
        self.position = {slug: n for n, slug in enumerate(titles)}
        self.index: dict[str, list[tuple[str, int]]] = {}
        self.sizes: dict[tuple[str, int], int] = {}
        for slug, names in titles.items():
            for number, name in enumerate(names):
                words = set(_key(name).split())
                self.sizes[(slug, number)] = len(words)
                for word in words:
                    self.index.setdefault(word, []).append((slug, number))
        self.short = {slug for (slug, _), size in self.sizes.items() if size <= 1}  # one word may be the missing one

    def named(self, line: str) -> list[str]:
        hits: dict[tuple[str, int], int] = {}
        for word in set(_key(line).split()):
            for name in self.index.get(word, ()):
                hits[name] = hits.get(name, 0) + 1
        if not hits:
            return []
        near = self.short | {name[0] for name, count in hits.items() if self.sizes[name] - count <= 1}
        return sorted(near, key=self.position.__getitem__)  # in book order


def _key(text: str) -> str:
    return " ".join(w for w in (m.group().lower() for m in WORD.finditer(text)) if w not in SMALL_WORDS)


def _mentions(line: str, names: list[str], threshold: float) -> list[tuple[int, int]]:
    """Spans of ``line`` that name one of ``names``, best first-come, not overlapping."""
    tokens = list(WORD.finditer(line))
    lower = [t.group().lower() for t in tokens]
    capitals = [i for i, t in enumerate(tokens) if t.group()[:1].isupper()]  # a title starts with a capital
    found: list[tuple[int, int]] = []
    for name in names:
        key = _key(name).split()
        if len(set(key) - set(lower)) > 1:  # a mention shares all but one of the title's words
            continue
        size = len(WORD.findall(name))
        for length in [n for n in (size, size - 1, size + 1) if n > 0]:
            for i in (i for i in capitals if i + length <= len(tokens)):
                start, end = tokens[i].start(), tokens[i + length - 1].end()
                candidate = [w for w in lower[i:i + length] if w not in SMALL_WORDS]
                if len(candidate) != len(key) or any(s < end and start < e for s, e in found):
                    continue
                if (fuzz.ratio(" ".join(candidate), " ".join(key)) >= threshold and _title_like(tokens[i:i + length])
                        and not SEQUEL.match(line[end:])):
                    found.append((start, end))
    return sorted(found)


def _title_like(tokens) -> bool:
    """A title starts with a capital and capitalises most of its words that are not small words."""
    words = [t.group() for t in tokens]
    big = [w for w in words if w.lower() not in SMALL_WORDS]
    return bool(big) and words[0][:1].isupper() and sum(w[:1].isupper() for w in big) >= 0.75 * len(big)
