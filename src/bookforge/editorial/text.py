"""What the editorial passes share: normalised text for comparing, and edits that keep marks in place."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from rapidfuzz.distance import Indel

from bookforge.model import Block, BlockKind, Book, Chapter, Comment, Mark

# The small words that hold a sentence together: a word run into one of them is two words ("atherapist"),
# and a dash touching one is a parenthetical dash, not a compound's ("wondering–this").
FUNCTION_WORDS = set("a an the my your his her our their its to of in on at for with by from and or but i you we they he "
                     "she it us me him them is was be not so as that this".split())

_STRAIGHTEN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
                             "\u2013": "-", "\u2014": "-", "\u2026": "..."})
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalize(text: str) -> str:
    """Text as a comparison sees it: one kind of space, quote and dash, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_STRAIGHTEN)
    return re.sub(r"\s+", " ", text).strip().lower()


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """The runs of ``size`` words in a text: a fingerprint that survives small edits."""
    return word_runs(words(text), size)


def word_runs(w: list[str], size: int = 3) -> frozenset[tuple[str, ...]]:
    """The runs of ``size`` words in a list of words (``shingles`` of a text already split)."""
    return frozenset(tuple(w[i:i + size]) for i in range(max(1, len(w) - size + 1)))


def inside(part: frozenset, whole: frozenset) -> float:
    """The share of ``part``'s word runs that are also in ``whole``."""
    return len(part & whole) / len(part) if part else 0.0


def edit_line(block: Block, index: int, start: int, end: int, new: str, mark: tuple[str, str] | None = None) -> Block:
    """Replace ``[start:end]`` of line ``index`` with ``new``; shift the marks after it, add ``mark`` (kind, value) over it."""
    line = block.lines[index]
    shift = len(new) - (end - start)
    marks = []
    for m in block.marks:
        if m.line == index and m.start >= end:
            m = replace(m, start=m.start + shift, end=m.end + shift)
        elif m.line == index and m.end > start:
            m = replace(m, end=max(m.start, m.end + shift))  # the edit falls inside this mark
        marks.append(m)
    if mark:
        marks.append(Mark(index, start, start + len(new), *mark))
    lines = block.lines[:index] + (line[:start] + new + line[end:],) + block.lines[index + 1:]
    return replace(block, lines=lines, marks=tuple(sorted(marks, key=lambda m: (m.line, m.start))))


# Code in prose.  The markup's code (``code`` marks: code, kbd, tt, samp, var) is code; so are the runs of a line
# that read as code though nothing marks them (a capture, a post written in the classic editor), told by their
# shape, never by a list of words: a path ("/etc/passwd", "~/env", "C:\Windows"), a name with an extension or a
# dotted name ("boot.ini", "java.util.UUID"), an option ("-i", "--keyserver"), a variable ("$HOME"), a hashtag
# or directive ("#include"), words joined by "_", "::", "->", "=" or brackets ("snake_case", "main(String[]",
# "i++", ":symbol"), an e-mail address, a file's extension alone (".sav"), Markdown's `code`; and whole lines: a
# shell prompt ("$ ", "# ", "sudo ") or a comment ("//", "/*"), braces or a closing ";" or ":", or a line made
# mostly of such runs and operators.  A paragraph of lines half of which are code is code.
CODE_CHUNK = re.compile(
    r"^[~.]{0,2}/\w|/.*/|\\\w|\w_\w|::|->|=>|[=<>{}\[\]|]|\+\+|\w\(|\(\)|^--?[A-Za-z]|^[$%][A-Za-z{(_]|^#[A-Za-z!]"
    r"|\w@\w|\*\.|\w\.[a-z_]|\w[*^%]\w|^:[a-z_]\w*$")  # ... "x*y", a symbol (":controller")
EXTENSION = re.compile(r"\.[a-z][a-z0-9]{1,4}")  # a file's extension standing alone: "(.sav file)", "into .webm"
BACKTICKS = re.compile(r"`[^`\s][^`]*`")  # Markdown's inline code: "`clik`"
OPERATOR = re.compile(r"^(?:[=<>!+\-*/%&|:]?=|[{}()\[\];<>#]|=>|->|&&|\|\||\+\+)$")
PROMPT = re.compile(r"^(?:[$#%] (?=[^\d\s])|sudo |//|/\*|\*/)")  # a shell prompt, or a comment in code
BRACES_AND_SEMICOLONS = re.compile(r"[{}].*;\s|;\s.*[{}]")  # statements in blocks: prose has no braces
CODE_LINE_END = re.compile(r"[;{}:]$")  # a statement, a block, a Python header ("for i in range(10):")
CHUNK = re.compile(r"\S+")
OPENING = "\"'“”‘’«»(["  # punctuation a word of prose may stand in
CLOSING = "\"'“”‘’«»),;:!?.…]"


def code_spans(block: Block, index: int) -> tuple[tuple[int, int], ...]:
    """The spans of line ``index`` that are code, not prose: marked as code, or reading as code (see CODE_CHUNK)."""
    marked = [(m.start, m.end) for m in block.marks if m.line == index and m.kind == "code"]
    line = block.lines[index]
    if block.kind is BlockKind.CODE or _code_paragraph(block.lines) or index and _code_body(block.lines[index - 1], line):
        return ((0, len(line)),)
    return tuple(sorted(marked + list(unmarked_code(line))))


@lru_cache(maxsize=4096)
def _code_paragraph(lines: tuple[str, ...]) -> bool:
    """Code pasted as a paragraph, a line break for each of its lines: most of its lines read as code."""
    return len(lines) >= 2 and sum(bool(_code_line(line)) for line in lines) * 2 >= len(lines)


def _code_body(header: str, line: str) -> bool:
    """A line under a line of code that opens a block ("for i in range(10):", "if (x) {"), and is no sentence."""
    return bool(header.rstrip().endswith((":", "{")) and _code_line(header) and not line.rstrip().endswith((".", "!", "?")))


@lru_cache(maxsize=4096)
def unmarked_code(line: str) -> tuple[tuple[int, int], ...]:
    """The runs of a line that read as code though nothing marks them: the whole line when it reads as code."""
    if _code_line(line):
        return ((0, len(line)),)
    chunks = _chunks(line)
    return tuple(sorted([m.span() for m in BACKTICKS.finditer(line)] + [
        span for k, (span, kind) in enumerate(chunks) if kind == "code" or kind == "word" and any(
            chunks[j][1] == "operator" for j in (k - 1, k + 1) if 0 <= j < len(chunks))]))  # "x = 5", "amaru = snake"


def _chunks(line: str) -> list[tuple[tuple[int, int], str]]:
    """Each run of a line between spaces, with what it is: "code", "operator" or "word"."""
    found = []
    for m in CHUNK.finditer(line):
        chunk = m.group().lstrip(OPENING)
        start = m.start() + len(m.group()) - len(chunk)
        chunk = chunk.rstrip(CLOSING)
        if OPERATOR.match(m.group()) or chunk and OPERATOR.match(chunk):
            found.append(((m.start(), m.end()), "operator"))
        else:  # the quotes and brackets around a run are prose's, not the code's ("." after "..": an ellipsis's)
            code = bool(chunk) and (CODE_CHUNK.search(chunk) or EXTENSION.fullmatch(chunk) and not line[:m.start()].rstrip().endswith("."))
            found.append(((start, start + len(chunk)), "code" if code else "word"))
    return found


@lru_cache(maxsize=4096)
def _code_line(line: str) -> bool:
    """A line that reads as code: a shell prompt, braces or a closing semicolon with code in it, or made mostly of
    code and operators ("for(int i = 0; i < 10; i++)")."""
    text = line.strip()
    if not text:
        return False
    chunks = _chunks(text)
    code = sum(kind != "word" for _, kind in chunks)
    if PROMPT.match(text):
        return True
    if CODE_LINE_END.search(text) and code or BRACES_AND_SEMICOLONS.search(text):
        return True
    return code >= 2 and code * 3 >= len(chunks)


def in_spans(start: int, end: int, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether ``start:end`` overlaps any of the spans."""
    return any(a < end and start < b for a, b in spans)


BlockEdit = Callable[[Block, Chapter, str], Block]  # (block, its chapter, the id of its comment or the chapter's slug)


def edit_blocks(book: Book, edit: BlockEdit) -> Book:
    """Apply ``edit`` to every block of the book: post bodies, comments and replies, tails.

    Preformatted text (program code, verse laid out by hand) is left exactly as written."""
    given = edit

    def edit(block: Block, chapter: Chapter, anchor: str) -> Block:
        return block if block.kind is BlockKind.CODE else given(block, chapter, anchor)

    def comment(c: Comment, chapter: Chapter) -> Comment:
        return replace(c, blocks=tuple(edit(b, chapter, c.id) for b in c.blocks),
                       replies=tuple(comment(r, chapter) for r in c.replies))

    def chapter(ch: Chapter) -> Chapter:
        return replace(ch, body=tuple(edit(b, ch, ch.slug) for b in ch.body),
                       comments=tuple(comment(c, ch) for c in ch.comments),
                       tail=tuple(edit(b, ch, ch.slug) for b in ch.tail))

    return map_chapters(book, chapter)


def map_chapters(book: Book, fn: Callable[[Chapter], Chapter]) -> Book:
    return replace(book, parts=tuple(replace(p, chapters=tuple(fn(ch) for ch in p.chapters)) for p in book.parts))


def full_text(blocks) -> str:
    """Blocks as the capture had them: lines one per line, a blank line between blocks."""
    return "\n\n".join("\n".join(b.lines) for b in blocks)


def changed_runs(before: str, after: str) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes (tag, i1, i2, j1, j2) turning ``before`` into ``after``: the alignment the report and proof mark."""
    return _LongLines(None, before, after, autojunk=False).get_opcodes()


class _LongLines(difflib.SequenceMatcher):
    """difflib's matcher with its longest-match step done by substring search, for long lines that differ by a few
    characters (a paragraph retypeset): difflib tries every pair of equal characters, which on a 2,000-character
    line costs tens of milliseconds.  The answer is the one difflib documents, so the alignment is the same: the
    longest common run, the earliest in ``a`` of those, then the earliest in ``b``.  rapidfuzz's LCS gives a run
    that long or nearly, so mostly one longer length is tried."""

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None) -> difflib.Match:
        a, b = self.a, self.b
        ahi, bhi = len(a) if ahi is None else ahi, len(b) if bhi is None else bhi
        size = max((i2 - i1 for tag, i1, i2, _, _ in Indel.opcodes(a[alo:ahi], b[blo:bhi]) if tag == "equal"), default=0)
        limit, step = min(ahi - alo, bhi - blo), 1

        def common(length: int) -> bool:
            return length <= limit and any(b.find(a[i:i + length], blo, bhi) >= 0 for i in range(alo, ahi - length + 1))

        while common(size + step):  # longer runs than the LCS found: gallop up, then halve back (rare)
            size, step = size + step, step * 2
        while step > 1:
            step //= 2
            if common(size + step):
                size += step
        if size == 0:
            return difflib.Match(alo, blo, 0)
        i = next(i for i in range(alo, ahi - size + 1) if b.find(a[i:i + size], blo, bhi) >= 0)
        return difflib.Match(i, b.find(a[i:i + size], blo, bhi), size)
