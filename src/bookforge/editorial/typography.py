"""Typography: typographer's quotes, em dashes between words, one ellipsis character.

Each line that changes is recorded whole, before and after, so the report shows the change in context.
"""

from __future__ import annotations

import difflib
import re

from bookforge.editorial import Context
from bookforge.editorial.config import TypographyConfig
from bookforge.editorial.text import edit_blocks, edit_line
from bookforge.model import Block, Book, Chapter

OPENING_CONTEXT = r"(^|(?<=[\s(\[{\u2014\u2013/=-]))"
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+|www\.[^\s\"'<>]+|[^\s\"'<>]+\.(com|org|net|edu)\b[^\s\"'<>]*|\S+@\S+\.\w+", re.I)


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.typography

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        for index, line in enumerate(block.lines):
            new = typeset(line, config)
            if new != line:
                ctx.record("text_replaced", "typography", block.line_source(index), line, new, chapter=chapter.slug, anchor=where)
                block = retype(block, index, new)
        return block

    return edit_blocks(book, fix)


def retype(block: Block, index: int, new: str) -> Block:
    """Set line ``index`` to ``new``, marking only the characters that changed (a proof marks them lightly)."""
    line = block.lines[index]
    steps = difflib.SequenceMatcher(None, line, new, autojunk=False).get_opcodes()
    for op, start, end, new_start, new_end in reversed(steps):
        if op != "equal":
            replacement = new[new_start:new_end]
            block = edit_line(block, index, start, end, replacement, ("type", line[start:end]) if replacement else None)
    return block


def typeset(text: str, config: TypographyConfig = TypographyConfig()) -> str:
    """One line set the way a book sets it; URLs are left exactly as they are."""
    urls = [m.group() for m in URL.finditer(text)]
    held = URL.sub(lambda m: f"\x00{urls.index(m.group())}\x00", text)  # a stand-in that reads as a word
    return re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], _typeset(held, config))


def _typeset(text: str, config: TypographyConfig) -> str:
    if config.ellipses:
        text = re.sub(r"\.\s?\.\s?\.(\s?\.)*", "\u2026", text)
    if config.dashes:
        text = re.sub(r"(?<=\S)\s+(--?|\u2013|\u2014)\s+(?=\S)", "\u2014", text)
        text = re.sub(r"(?<=[A-Za-z])(--|\u2013)(?=[A-Za-z])", "\u2014", text)  # an en dash between words, not numbers
    if config.quotes:
        text = curly(text)
    return text


def curly(text: str) -> str:
    """Straight quotes to typographer's quotes: opening after a space or bracket, closing otherwise."""
    text = re.sub(OPENING_CONTEXT + '"', "\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(OPENING_CONTEXT + "'(?=\\w)(?!(tis|twas|til|cause|em|n|s|\\d\\d)\\b)", "\u2018", text)
    return text.replace("'", "\u2019")
