"""The editorial pass: a copy editor's passes over the Book, run in the order book.yaml gives.

Each pass is a function ``run(book, ctx) -> Book`` in a module of its own.  A pass never
loses text silently: everything it removes or replaces goes into ``ctx`` in full, and
from there into the editorial report and the Book's change record.  ``edit`` runs the passes
over the whole book; ``chapters.edit`` gives the same result chapter by chapter, each chapter's
work kept in the build cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bookforge.editorial.config import EditorialConfig
from bookforge.model import Book, Change, Credit, SourceLocation


@dataclass(frozen=True)
class Suggestion:
    """A word the spelling pass doubts but would not correct on its own: for the editor to decide."""

    source: SourceLocation
    word: str
    candidates: tuple[str, ...]
    kind: str = "possible_typo"
    sentence: str = ""  # the sentence the word stands in, for the editor to judge it


@dataclass(frozen=True)
class Note:
    """Something the editor should know that changed nothing, such as a retold comment that was kept."""

    kind: str
    source: SourceLocation
    message: str
    related: SourceLocation | None = None


@dataclass
class Context:
    """What a pass gets besides the book: its settings, and the ledger it writes to."""

    config: EditorialConfig
    author: str
    changes: list[Change] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    credits: list[tuple[str, Credit]] = field(default_factory=list)  # (its chapter's title, a credit found), in order

    def record(self, kind: str, reason: str, source: SourceLocation, before: str, after: str = "", **extra) -> None:
        self.changes.append(Change(kind, reason, source, before, after, **extra))

    def keeps(self, kind: str, reason: str, source: SourceLocation, before: str) -> bool:
        """Whether the editor's keep rules (book.yaml ``editorial.keep``) keep ``before`` as written at ``source``: then
        the pass leaves it, and the report's notes say so.  (Corrections and retypeset lines need not ask: ``stet``.)"""
        from bookforge.editorial import stet

        if not stet.kept(self.config.keep, before, source):
            return False
        self.notes.append(stet.note(Change(kind, reason, source, before)))
        return True

    def place(self) -> tuple[int, int]:
        """Where the ledger's changes and suggestions stand: a pass's own come after it."""
        return len(self.changes), len(self.suggestions)

    def unrecord(self, changes: list[int], suggestions: list[int]) -> None:
        """Take the changes and suggestions at these places out of the ledger: what the editor's keep rules undid."""
        gone, dropped = set(changes), set(suggestions)
        self.changes[:] = [c for i, c in enumerate(self.changes) if i not in gone]
        self.suggestions[:] = [s for i, s in enumerate(self.suggestions) if i not in dropped]

    def sweep(self) -> None:
        """Say that a pass goes over the chapters again (``leftovers`` removes comments after cleaning every body):
        edited chapter by chapter, each sweep's entries still come for every chapter before the next sweep's."""


def first_of_each(suggestions: list[Suggestion]) -> list[Suggestion]:
    """A word is suggested once, where the book first has it."""
    seen: set[str] = set()
    first = []
    for suggestion in suggestions:
        if suggestion.word.lower() not in seen:
            seen.add(suggestion.word.lower())
            first.append(suggestion)
    return first


Pass = Callable[[Book, Context], Book]


def _passes() -> dict[str, Pass]:
    from bookforge.editorial import author, leftovers, links, repeats, spelling, style_sheet, typography

    return {"leftovers": leftovers.run, "author_replies": author.run, "repeats": repeats.run, "signatures": author.drop_signatures,
            "typography": typography.run, "style_sheet": style_sheet.run, "spelling": spelling.run, "links": links.run}


def edit(book: Book, config: EditorialConfig, progress: Callable[[str], None] = lambda name: None) -> tuple[Book, Context]:
    """Run the configured passes in order; return the edited book (carrying its changes) and the ledger."""
    from bookforge.editorial import stet

    ctx = Context(config, author_name(book, config))
    passes = _passes()
    for name in config.passes:
        progress(name)
        start = ctx.place()
        book = stet.restore(passes[name](book, ctx), ctx, start)
    return finish(book, ctx)


def author_name(book: Book, config: EditorialConfig) -> str:
    """The name the author's replies are recognised by: book.yaml's, else the book's first author's."""
    return config.author.name or (book.metadata.authors[0].name if book.metadata.authors else "")


def finish(book: Book, ctx: Context) -> tuple[Book, Context]:
    """The edited book carrying its changes, and the ledger."""
    return replace(book, changes=tuple(ctx.changes)), ctx
