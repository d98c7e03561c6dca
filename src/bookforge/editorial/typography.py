"""Typography: typographer's quotes turned the right way, em dashes, one ellipsis character, one
space where the capture has a run holding no-break spaces, and chapter titles in title case.

Each line that changes is recorded whole, before and after, and the characters that changed are
marked, so the report and the proof can show just them.  URLs and code (``text.code_spans``: marked,
or reading as code) are left exactly as written: a curled quote breaks a command.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bookforge.editorial import Context
from bookforge.editorial.config import TypographyConfig
from bookforge.editorial.text import FUNCTION_WORDS, changed_runs, code_spans, edit_blocks, edit_line, map_chapters
from bookforge.model import Block, Book, Chapter

EN_DASH_BETWEEN_WORDS = re.compile(r"\b([\w’']+)\u2013([\w’']+)\b")
OPENING_CONTEXT = r"(^|(?<=[\s(\[{\u2014\u2013/=-]))"
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+|www\.[^\s\"'<>]+|[^\s\"'<>]+\.(com|org|net|edu)\b[^\s\"'<>]*|\S+@\S+\.\w+", re.I)


SMALL_WORDS = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "at", "by", "in", "of", "off",
               "on", "per", "to", "up", "via", "vs", "with", "from", "into", "onto", "than"}
QUOTE = re.compile("[\"\u201c\u201d]")
SPACE_RUN = re.compile("[ \u00a0]*\u00a0[ \u00a0]*")


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.typography
    if config.title_case:
        book = map_chapters(book, lambda chapter: _title_case(chapter, ctx))
    ctx.sweep()

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        for index, line in enumerate(block.lines):
            new = typeset(line, config, code_spans(block, index))
            if new != line:
                ctx.record("text_replaced", "typography", block.line_source(index), line, new, chapter=chapter.slug, anchor=where)
                block = retype(block, index, new)
        return block

    return edit_blocks(book, fix)


def retype(block: Block, index: int, new: str) -> Block:
    """Set line ``index`` to ``new``, marking only the characters that changed (a proof marks them lightly)."""
    line = block.lines[index]
    steps = changed_runs(line, new)
    for op, start, end, new_start, new_end in reversed(steps):
        if op == "delete" and end < len(line):  # nothing left to mark: mark the character the deletion closed up to
            end, new_end = end + 1, new_end + 1
        if op != "equal":
            block = edit_line(block, index, start, end, new[new_start:new_end], ("type", line[start:end]))
    return block


def typeset(text: str, config: TypographyConfig = TypographyConfig(), code: tuple[tuple[int, int], ...] = ()) -> str:
    """One line set the way a book sets it; URLs and the spans ``code`` are left exactly as they are."""
    kept = []
    for start, end in sorted([m.span() for m in URL.finditer(text)] + list(code)):
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
        else:
            kept.append((start, end))
    pieces, held, position = [], [], 0
    for number, (start, end) in enumerate(kept):  # each kept run becomes a stand-in that reads as a word
        pieces.append(f"{text[position:start]}\x00{number}\x00")
        held.append(text[start:end])
        position = end
    return re.sub(r"\x00(\d+)\x00", lambda m: held[int(m.group(1))], _typeset("".join(pieces) + text[position:], config))


def _typeset(text: str, config: TypographyConfig) -> str:
    if config.spaces:
        text = SPACE_RUN.sub(lambda m: " " if len(m.group()) > 1 else m.group(), text)
    if config.ellipses:
        text = re.sub(r"\.\s?\.\s?\.(\s?\.)*", "\u2026", text)
    if config.dashes:
        text = re.sub(r"(?<=\S)\s+(--?|\u2013|\u2014)\s+(?=\S)", "\u2014", text)
        text = re.sub(r"(?<=[A-Za-z])--(?=[A-Za-z])", "\u2014", text)  # a double hyphen; an en dash in a compound stays
        text = EN_DASH_BETWEEN_WORDS.sub(_parenthetical, text)
    if config.quotes:
        text = curly(text)
    return text


def _parenthetical(match: re.Match) -> str:
    """An unspaced en dash touching a small word ("wondering–this", "traits–borderline and dependent–that")
    stands for an em dash: compounds and ranges join words that carry meaning ("fearful–avoidant", "1–4")."""
    before, after = match.group(1), match.group(2)
    if {before.lower(), after.lower()} & FUNCTION_WORDS:
        return f"{before}\u2014{after}"
    return match.group()


def curly(text: str) -> str:
    """Straight quotes to typographer's quotes, and curly double quotes turned the right way.

    A double quote opens after a space or bracket and before a word, and closes after a word and
    before a space or punctuation.  One that could be either (a space on both sides, or a word on
    both) takes the turn the quote before it leaves: an opening after a closing.  An opening quote
    loses the space after it and gets one before it; a closing quote loses the space before it.
    """
    text = _double_quotes(text)
    text = re.sub(OPENING_CONTEXT + "'(?=\\w)(?!(tis|twas|til|cause|em|n|s|\\d\\d)\\b)", "\u2018", text)
    return text.replace("'", "\u2019")


def _double_quotes(text: str) -> str:
    out, position, opened = [], 0, False
    for match in QUOTE.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        after = text[start + 1] if start + 1 < len(text) else " "
        opens_context = before.isspace() or before in "([{\u2014\u2013/=-"
        closes_context = after.isspace() or after in ".,;:!?)]}\u2014\u2013-\u2026"
        if opens_context and not closes_context:
            opening = True
        elif closes_context and not opens_context:
            opening = False
        else:
            opening = not opened
        piece = text[position:start]
        if opening:
            if piece and not piece[-1].isspace() and piece[-1].isalnum():
                piece += " "
            out.append(piece + "\u201c")
            position = start + 1
            if after == " " and text[start + 2:start + 3].strip():
                position += 1
        else:
            out.append((piece.rstrip(" ") if opened else piece) + "\u201d")
            position = start + 1
        opened = opening
    out.append(text[position:])
    return "".join(out)


def _title_case(chapter: Chapter, ctx: Context) -> Chapter:
    """The chapter's title with the small words in lower case, except first, last and after a colon."""
    title = title_case(chapter.title)
    if title == chapter.title:
        return chapter
    ctx.record("text_replaced", "title_case", chapter.source, chapter.title, title, chapter=chapter.slug, anchor=chapter.slug)
    return replace(chapter, title=title)


def title_case(title: str) -> str:
    words = title.split(" ")
    last = len(words) - 1
    cased = []
    for index, word in enumerate(words):
        starts = index == 0 or index == last or cased[-1].endswith(":")
        if word.lower() in SMALL_WORDS and not starts:
            cased.append(word.lower())
        elif word[:1].islower() and not word.isupper():
            cased.append(word[:1].upper() + word[1:])
        else:
            cased.append(word)
    return " ".join(cased)
