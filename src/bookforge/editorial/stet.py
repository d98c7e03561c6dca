"""Stet ("let it stand"): the changes the editor rejected, kept as written by every pass.

book.yaml's ``editorial.keep`` holds the rules (``bookforge review`` writes them): a text, as the report's
``before`` gives it, and where (``at``: a chapter file or one line of it).  They are honoured two ways:

- a pass that removes text asks ``Context.keeps`` first and leaves kept text where it is (``leftovers``);
- the passes that correct words and retypeset lines (``typography``, ``style_sheet``, ``spelling``: spelling,
  contractions, capitals, doubled words) need not know the rules: each of their edits carries a mark holding
  the text it replaced, so after every pass ``restore`` undoes each edit a rule keeps, by its mark, takes its
  change out of the ledger and notes that the rule kept it (``kept_as_written``).  A change a rule names that
  cannot be undone so stays in the report as made: nothing changes silently.  A suggestion a rule names (words
  right as written, "each weak" where it is meant) is dropped the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bookforge.editorial import Context, Note
from bookforge.editorial.config import KeepRule
from bookforge.editorial.text import edit_blocks, edit_line, map_chapters
from bookforge.model import Block, Book, Change, Chapter, SourceLocation

RESTORED = ("typo_fixed", "text_replaced")  # the changes ``restore`` can undo: each edit is marked with what it replaced
MARKS = {"typo_fixed": "fix", "text_replaced": "type"}


def kept(rules: Iterable[KeepRule], text: str, source: SourceLocation) -> KeepRule | None:
    """The rule that keeps ``text`` as written at ``source``, if any (the text compared in any case, spaces trimmed)."""
    wanted = text.strip().casefold()
    return next((rule for rule in rules if rule.text.casefold() == wanted and _here(rule.at, source)), None)


def _here(at: str | None, source: SourceLocation) -> bool:
    if at is None:
        return True
    path, _, line = at.partition(":")
    return path == source.path and (not line or int(line) == source.line)


def note(change: Change) -> Note:
    """What the report's notes say of a change a rule kept from being made."""
    what = (f"“{change.before}” kept as written, not changed to “{change.after}”" if change.kind == "typo_fixed"
            else f"the title “{change.before}” kept as written" if change.reason == "title_case"
            else "the line kept as written, not retypeset" if change.kind == "text_replaced"
            else f"“{change.before[:80]}” kept, not removed")
    return Note("kept_as_written", change.source, f"{what} ({change.reason}; book.yaml editorial.keep)")


def restore(book: Book, ctx: Context, start: tuple[int, int]) -> Book:
    """Undo each edit of the pass just run that a keep rule names, and drop each suggestion it names (the pass's
    changes and suggestions are those from ``start``, ``Context.place()`` before it ran)."""
    rules = ctx.config.keep
    if not rules:
        return book
    named = [(i, c) for i, c in enumerate(ctx.changes[start[0]:], start[0]) if c.kind in RESTORED and kept(rules, c.before, c.source)]
    right = [i for i, s in enumerate(ctx.suggestions[start[1]:], start[1]) if kept(rules, s.word, s.source)]
    ctx.notes.extend(Note("kept_as_written", ctx.suggestions[i].source, f"“{ctx.suggestions[i].word}” right as written, "
                          "not suggested (book.yaml editorial.keep)") for i in right)
    ctx.unrecord([], right)
    if not named:
        return book
    waiting: dict[tuple[str, int], list[tuple[int, Change]]] = {}
    for i, change in named:
        waiting.setdefault((change.source.path, change.source.line), []).append((i, change))
    undone: list[int] = []

    def undo(block: Block, chapter: Chapter, where: str) -> Block:
        for index in range(len(block.lines)):
            for i, change in waiting.get((block.source.path, block.source.line + index), ()):
                if i not in undone and change.chapter == chapter.slug:
                    block, done = _undo_line(block, index, change)
                    if done:
                        undone.append(i)
        return block

    def retitle(chapter: Chapter) -> Chapter:
        for i, change in waiting.get((chapter.source.path, chapter.source.line), ()):
            if i not in undone and change.chapter == chapter.slug and change.reason == "title_case" and chapter.title == change.after:
                undone.append(i)
                return replace(chapter, title=change.before)
        return chapter

    book = map_chapters(edit_blocks(book, undo), retitle)
    ctx.notes.extend(note(ctx.changes[i]) for i in sorted(undone))
    ctx.unrecord(undone, [])
    return book


def _undo_line(block: Block, index: int, change: Change) -> tuple[Block, bool]:
    """Line ``index`` of ``block`` with ``change`` undone by its marks, and whether it was there to undo: a fixed word's
    mark, or every character the typography pass reset on a line that was ``change.before``."""
    line = block.lines[index]
    kind = MARKS[change.kind]
    marks = [m for m in block.marks if m.line == index and m.kind == kind]
    if change.kind == "typo_fixed":
        marks = [m for m in marks if m.value == change.before and line[m.start:m.end] == change.after][:1]
    if not marks:
        return block, False
    undone = replace(block, marks=tuple(m for m in block.marks if m not in marks))
    for mark in sorted(marks, key=lambda m: m.start, reverse=True):
        undone = edit_line(undone, index, mark.start, mark.end, mark.value)
    if change.kind == "text_replaced" and undone.lines[index] != change.before:
        return block, False  # not the line the change retypeset: leave it as made
    return undone, True
