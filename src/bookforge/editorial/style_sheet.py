"""The book's style sheet: the editor's own corrections from book.yaml, applied on word boundaries.

Case follows the text ("Dont" becomes "Don't" when the sheet says ``dont: don't``); each
application is recorded and marked, so a proof shows the original in the margin.
"""

from __future__ import annotations

import re

from bookforge.editorial import Context
from bookforge.editorial.text import edit_blocks, edit_line
from bookforge.editorial.typography import URL, curly
from bookforge.model import Block, Book, Chapter


def run(book: Book, ctx: Context) -> Book:
    rules = [(re.compile(rf"(?<![\w’']){re.escape(find)}(?![\w’'])", re.I), curly(to)) for find, to in ctx.config.style_sheet.items()]
    if not rules:
        return book

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        for index in range(len(block.lines)):
            for pattern, to in rules:
                for found in reversed(list(pattern.finditer(block.lines[index]))):
                    line = block.lines[index]
                    if _in_url(line, found.start()):
                        continue
                    new = match_case(found.group(), to)
                    ctx.record("typo_fixed", "style_sheet", block.line_source(index), found.group(), new,
                               chapter=chapter.slug, anchor=where)
                    block = edit_line(block, index, found.start(), found.end(), new, ("fix", found.group()))
        return block

    return edit_blocks(book, fix)


def match_case(original: str, replacement: str) -> str:
    """The replacement in the original's case: all capitals, a capital first letter, or as the sheet gives it."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _in_url(line: str, position: int) -> bool:
    return any(url.start() <= position < url.end() for url in URL.finditer(line))
