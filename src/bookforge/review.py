"""``bookforge review``: the editor walks every change the editorial pass would make and decides each one.

Three kinds of item, in this order, each in book order: the fixes applied (corrected words, retypeset lines), which
the editor accepts or rejects; the spelling suggestions, which the editor corrects or calls right as written; and
the removals (comments, web leftovers, signatures), which the editor keeps or lets go.  Every decision is written
into book.yaml (``editorial/decisions.py``), so the next build applies it: a rejected fix or a kept removal is kept as
written, a correction goes into the style sheet, a right word into the word list, a kept comment's id into the keep
list of the pass that removed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bookforge import editorial, manifest, readers
from bookforge.editorial import Suggestion, decisions
from bookforge.editorial.decisions import GROUPS, Decision, Group, group
from bookforge.editorial.report import count
from bookforge.model import Change


@dataclass(frozen=True)
class Item:
    """One thing for the editor to decide, with the slug of its chapter."""

    group: Group
    chapter: str
    subject: Change | Suggestion


def items(project: Path, groups: tuple[Group, ...] = GROUPS, chapters: tuple[str, ...] = ()) -> list[Item]:
    """What the editor decides for a build of the project (the same editorial pass), of the ``groups`` asked for and
    in the ``chapters`` asked for (slugs; all when none): the fixes, then the suggestions, then the removals."""
    spec = manifest.load(project)
    book = readers.read_book(spec)
    _, ledger = editorial.edit(book, spec.editorial)
    order = {chapter.slug: n for n, chapter in enumerate(book.chapters())}
    unknown = sorted(set(chapters) - set(order))
    if unknown:
        raise ValueError(f"no chapter {', '.join(unknown)} in the book; its chapters are {', '.join(order)}")
    by_source = {chapter.source.path: chapter.slug for chapter in book.chapters()}
    found = [Item(g, change.chapter, change) for change in ledger.changes if (g := group(change))]
    found += [Item("suggestion", by_source.get(s.source.path, ""), s) for s in ledger.suggestions]
    found = [item for item in found if item.group in groups and (not chapters or item.chapter in chapters)]
    return sorted(found, key=lambda item: (GROUPS.index(item.group), order.get(item.chapter, len(order))))


Answer = tuple[str, str]  # (action, value): accept, reject, reject_everywhere, correct + correction, right, keep, drop, skip, quit
Ask = Callable[[Item, int, int], Answer]


def walk(found: list[Item], ask: Ask) -> list[Decision]:
    """Ask the editor about each item in turn, until the last or a quit; the decisions that change book.yaml."""
    made = []
    for number, item in enumerate(found, start=1):
        action, value = ask(item, number, len(found))
        if action == "quit":
            break
        decision = _decision(item, action, value)
        if decision and decision not in made:
            made.append(decision)
    return made


def _decision(item: Item, action: str, value: str) -> Decision | None:
    subject = item.subject
    if isinstance(subject, Suggestion):
        return (decisions.correct(subject, value) if action == "correct" and value
                else decisions.right(subject) if action == "right" else None)
    if action in ("reject", "reject_everywhere"):
        return decisions.reject(subject, everywhere=action == "reject_everywhere")
    if action == "keep":
        return decisions.undoing(subject)
    return None  # accepted, dropped or skipped: the build does it already


def tally(made: list[Decision]) -> str:
    """What was written into book.yaml, in a line."""
    return ", ".join([count(sum(d.path == ("keep",) for d in made), "keep rule"),
                      count(sum(d.path[0] == "style_sheet" for d in made), "correction") + " in the style sheet",
                      count(sum(d.path == ("spelling", "words") for d in made), "word") + " in the word list",
                      count(sum(d.path[0] in ("repeats", "leftovers") for d in made), "comment") + " kept"])
