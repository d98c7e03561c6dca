"""Reader for plain-text captures of a blog post page.

Line 1 is the title; body paragraphs are separated by blank lines; comments are bullet
lines (``"  • "`` at the top level, replies indented further) whose continuation lines
are indented two spaces more than the bullet.  A reply belongs to the nearest shallower
bullet above it, even when nesting skips a level.  Unindented text after the threads
("Leave a Comment") is kept as the chapter's tail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bookforge.diagnostics import Diagnostic, ReaderError, error
from bookforge.model import Block, BlockKind, Chapter, Comment, SourceLocation, chapter_slug

BULLET = re.compile(r"^( +)•(?:[ \u00a0](.*))?$")
NUMBERED_ITEM = re.compile(r"^\(?\d{1,3}[.)]\s+\S")
SUBHEAD = re.compile(r"^(Part|Chapter|Section|Step)\s+\w+\s*[–—:-]")
SUBHEAD_MAX = 90
REPLY_DEPTH_MAX = 20  # replies to replies: the captures go 5 deep; a book cannot set a thread deeper than this
# Characters that are not text: C0 controls but tab, DEL, C1 controls, and the noncharacters XML refuses
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

Line = tuple[int, str]  # (1-based line number, text without the comment's indentation)


@dataclass
class _Draft:
    """A comment while its lines are still being collected."""

    indent: int
    line: int
    lines: list[Line] = field(default_factory=list)
    replies: list[_Draft] = field(default_factory=list)


def read(path: Path, relpath: str) -> Chapter:
    text = _decode(path, relpath)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Diagnostic] = _control_characters(lines, relpath)
    title = lines[0].strip() if lines else ""
    if not title:
        problems.append(error("R-001", "the first line must be the post's title, but it is empty", relpath, 1))
    slug = chapter_slug(path.stem)
    first_bullet = next((i for i, line in enumerate(lines) if BULLET.match(line)), len(lines))
    body_lines, problems_in_body = _body_lines(lines[1:first_bullet], 2, relpath)
    problems += problems_in_body
    roots, tail_lines = _threads(lines, first_bullet, relpath, problems)
    if problems:
        raise ReaderError(problems)
    return Chapter(
        slug=slug,
        title=title,
        body=_blocks(body_lines, relpath),
        comments=tuple(_freeze(d, slug, relpath) for d in roots),
        tail=_blocks(tail_lines, relpath),
        source=SourceLocation(relpath, 1),
    )


def _decode(path: Path, relpath: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReaderError([error("R-000", f"cannot be read: {exc.strerror}", relpath)]) from None
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is not part of the title
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReaderError([error("R-000", f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded", relpath, line)]) from None


def _control_characters(lines: list[str], relpath: str) -> list[Diagnostic]:
    """A NUL, form feed, escape or other control character is not text a book can set: name each one's place."""
    return [error("R-003", f"control character U+{ord(found.group()):04X} at column {found.start() + 1}: not text; "
                           "remove it from the capture", relpath, number, found.start() + 1)
            for number, line in enumerate(lines, start=1) if (found := CONTROL.search(line))]


def _body_lines(lines: list[str], first_number: int, relpath: str) -> tuple[list[Line], list[Diagnostic]]:
    numbered = [(first_number + i, line.rstrip()) for i, line in enumerate(lines)]
    problems = [
        error("R-002", "indented text before the first comment: body paragraphs start at the left margin", relpath, n)
        for n, line in numbered
        if line[:1] in (" ", "\t") and line.strip()
    ]
    return [(n, line.strip()) for n, line in numbered], problems


def _threads(lines: list[str], start: int, relpath: str, problems: list[Diagnostic]) -> tuple[list[_Draft], list[Line]]:
    """Build the comment trees from the bullet at ``start`` on; return them and the tail lines."""
    roots: list[_Draft] = []
    stack: list[_Draft] = []
    tail: list[Line] = []
    for index in range(start, len(lines)):
        number, line = index + 1, lines[index].rstrip()
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(error("R-013", "tab in the indentation: use spaces as the capture format does", relpath, number))
            continue
        bullet = BULLET.match(line)
        if bullet:
            if tail:
                problems.append(error("R-012", "unindented text between comments: a comment's lines are indented two spaces more than its bullet", relpath, tail[0][0]))
                tail.clear()
            stack = _open_comment(stack, roots, len(bullet.group(1)), number)
            if len(stack) > REPLY_DEPTH_MAX + 1:
                problems.append(error("R-015", f"a reply {len(stack) - 1} levels deep: a thread may nest at most "
                                      f"{REPLY_DEPTH_MAX} replies", relpath, number))
                return roots, tail
            if bullet.group(2) and bullet.group(2).strip():
                stack[-1].lines.append((number, bullet.group(2).strip()))
        elif not line.strip():
            (tail if tail else stack[-1].lines).append((number, ""))
        elif not line.startswith(" ") or tail:
            tail.append((number, line.strip()))
        else:
            _continue_comment(stack[-1], number, line, relpath, problems)
    for draft in _all_drafts(roots):
        if not any(text for _, text in draft.lines):
            problems.append(error("R-014", "a comment with no text: the bullet is followed by nothing", relpath, draft.line))
    return roots, tail


def _open_comment(stack: list[_Draft], roots: list[_Draft], indent: int, number: int) -> list[_Draft]:
    while stack and stack[-1].indent >= indent:
        stack.pop()
    draft = _Draft(indent, number)
    (stack[-1].replies if stack else roots).append(draft)
    return stack + [draft]


def _continue_comment(draft: _Draft, number: int, line: str, relpath: str, problems: list[Diagnostic]) -> None:
    lead = len(line) - len(line.lstrip(" "))
    expected = draft.indent + 2
    if lead < expected:
        problems.append(error("R-011", f"line indented {lead} spaces inside the comment at line {draft.line}, which needs {expected}", relpath, number))
        return
    draft.lines.append((number, line.strip()))


def _all_drafts(drafts: list[_Draft]):
    for draft in drafts:
        yield draft
        yield from _all_drafts(draft.replies)


def _freeze(draft: _Draft, slug: str, relpath: str) -> Comment:
    return Comment(
        id=f"{slug}-c{draft.line}",
        blocks=_blocks(draft.lines, relpath),
        replies=tuple(_freeze(r, slug, relpath) for r in draft.replies),
        source=SourceLocation(relpath, draft.line),
    )


def _blocks(lines: list[Line], relpath: str) -> tuple[Block, ...]:
    """Split lines into blocks at blank lines; recognise numbered lists and subheads."""
    blocks: list[Block] = []
    for group in _paragraphs(lines):
        first_number, first_text = group[0]
        if len(group) > 1 and SUBHEAD.match(first_text) and len(first_text) <= SUBHEAD_MAX:
            blocks.append(Block(BlockKind.SUBHEAD, (_clean(first_text),), SourceLocation(relpath, first_number)))
            group = group[1:]
        blocks += [
            Block(kind, tuple(_clean(text) for _, text in run), SourceLocation(relpath, run[0][0]))
            for kind, run in _runs(group)
        ]
    return tuple(blocks)


def _runs(group: list[Line]) -> list[tuple[BlockKind, list[Line]]]:
    """Cut a paragraph's lines where a numbered list (two or more numbered lines in a row) starts or ends."""
    numbered = [bool(NUMBERED_ITEM.match(text)) for _, text in group]
    in_list = [
        numbered[i] and ((i > 0 and numbered[i - 1]) or (i + 1 < len(group) and numbered[i + 1]))
        for i in range(len(group))
    ]
    runs: list[tuple[BlockKind, list[Line]]] = []
    for line, listed in zip(group, in_list):
        kind = BlockKind.LIST if listed else BlockKind.PARAGRAPH
        if runs and runs[-1][0] is kind:
            runs[-1][1].append(line)
        else:
            runs.append((kind, [line]))
    return runs


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = [[]]
    for number, text in lines:
        if text:
            groups[-1].append((number, text))
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _clean(text: str) -> str:
    """Collapse runs of spaces (the captures' double spaces after full stops); keep no-break spaces as they are."""
    return re.sub(r" {2,}", " ", text)
