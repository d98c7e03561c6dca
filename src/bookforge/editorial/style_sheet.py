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
    sheet = {find.lower(): curly(to) for find, to in ctx.config.style_sheet.items()}
    if not sheet:
        return book
    # one pattern for the whole sheet, longest entries first so a phrase wins over a word inside it
    alternatives = "|".join(re.escape(find) for find in sorted(sheet, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w’'])(?:{alternatives})(?![\w’'])", re.I)

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        for index, line in enumerate(block.lines):
            found = [m for m in pattern.finditer(line) if not _in_url(line, m.start())]
            for m in found:
                ctx.record("typo_fixed", "style_sheet", block.line_source(index), m.group(), match_case(m.group(), sheet[m.group().lower()]),
                           chapter=chapter.slug, anchor=where, context=line)
            for m in reversed(found):
                block = edit_line(block, index, m.start(), m.end(), match_case(m.group(), sheet[m.group().lower()]), ("fix", m.group()))
        return block

    return edit_blocks(book, fix)


def entry_problem(find: object, to: object) -> str | None:
    """Why a style-sheet entry cannot stand, or None: an empty or blank key matches between every two
    words, and a word mapped to itself would count a fix wherever it stands."""
    if not isinstance(find, str) or not isinstance(to, str):
        return None  # the schema reports a wrong type
    if not find.strip():
        return "an empty or blank entry would insert its replacement between every two words; remove it"
    if curly(find.strip()) == curly(to.strip()):
        return f"'{find.strip()}' is mapped to itself, which corrects nothing; remove the entry"
    return None


def match_case(original: str, replacement: str) -> str:
    """The replacement in the original's case: all capitals, a capital first letter, or as the sheet gives it."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _in_url(line: str, position: int) -> bool:
    return any(url.start() <= position < url.end() for url in URL.finditer(line))
