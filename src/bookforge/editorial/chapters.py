"""The editorial pass chapter by chapter, each chapter's work kept in the build cache: after an edit in one
chapter only that chapter is edited again, and the result is the one ``edit`` gives on the whole book.

The passes, in book.yaml's order, fall into runs.  ``repeats`` compares comments across the book: it is a
run of its own and goes over the whole book at every build.  Every other pass looks at one chapter at a
time, given at most one fact about the whole book: ``spelling`` the names the book uses, ``links`` every
chapter's names.  A run of such passes is done for each chapter alone, as a book of that one chapter, and
kept in ``build/.cache/edit-chapter/`` under a key of all it reads: the chapter as it enters the run, the
author's name, the book-wide fact (for spelling, only the names that the chapter's own words hold), and
``common`` (the settings, the dictionaries, the libraries' versions and the code).  A pass that reads a
book-wide fact opens a run, so the fact is taken from the book as it enters that pass; the run before
``spelling`` keeps each chapter's words and names with it, so they are not read again from the book.
When a chapter's spelling run is not in the cache, the blocks the pass checked last time in that chapter
(``build/.cache/edit-spelling/``, kept under the settings and the names the chapter's words hold) are
taken as they were, so an edit in one paragraph is checked in that paragraph alone.

The two runs that read the spelling data (the one that gathers each chapter's words and names, and the
spelling run) share their chapters with a fork of the build's process when more than one misses the cache:
the fork starts at once, with the data read and the book in hand, and takes half the text while the build's
process takes the other half, so a cold pass uses two cores.  A fork that dies stops the build (E-900).

The chapters' ledgers are merged in book order, sweep by sweep: a pass that goes over the chapters twice
(``leftovers``, ``typography``) lists its first sweep's entries for every chapter before its second's, as
on the whole book; a word is suggested once, at its first place in the book; the credits found are merged
into the Credits page's lines in book order (``leftovers.credits_page``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from bookforge import cache
from bookforge.diagnostics import BookforgeError, error
from bookforge.editorial import (Context, Note, Suggestion, _passes, author_name, finish, first_of_each, leftovers, lexicon,
                                 links, spelling, stet)
from bookforge.editorial.config import EditorialConfig
from bookforge.editorial.text import map_chapters
from bookforge.model import Book, Change, Chapter, Credit

BOOK_WIDE = {"repeats"}  # passes that compare chapters with each other: never run chapter by chapter
STAGE = "edit-chapter"  # the cache's folder for the chapters' entries
CHECKED_STAGE = "edit-spelling"  # and for each chapter's blocks as the spelling pass last checked them
ENTRIES = 2048  # kept in each: the four runs of every chapter of a 50x book (about 250 chapters), twice over
CheckedBlocks = tuple[tuple[str, spelling.Checked], ...]  # a chapter's blocks as the spelling pass checked them, by key


class EditorialWorkerLost(BookforgeError):
    """The process checking half the chapters' spelling died (killed, out of memory): the build stops and says so."""


@dataclass(frozen=True)
class Sweep:
    """What one sweep of a pass over one chapter wrote in the ledger."""

    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    suggestions: tuple[Suggestion, ...]
    credits: tuple[tuple[str, Credit], ...]


@dataclass(frozen=True)
class Edited:
    """One chapter after a run of passes, with its ledger sweep by sweep; when the next run opens with
    ``spelling``, also the chapter's words and names as the run leaves it (``spelling.words_and_names``)."""

    chapter: Chapter
    sweeps: tuple[Sweep, ...]
    words: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


@dataclass
class _Ledger(Context):
    """One chapter's ledger, which remembers where each sweep ends."""

    ends: list[tuple[int, int, int, int]] = field(default_factory=list)

    def sweep(self) -> None:
        self.ends.append((len(self.changes), len(self.notes), len(self.suggestions), len(self.credits)))

    def unrecord(self, changes: list[int], suggestions: list[int]) -> None:
        super().unrecord(changes, suggestions)
        self.ends = [(c - sum(i < c for i in changes), n, s - sum(i < s for i in suggestions), k) for c, n, s, k in self.ends]

    def sweeps(self) -> tuple[Sweep, ...]:
        starts = [(0, 0, 0, 0), *self.ends[:-1]]
        return tuple(Sweep(tuple(self.changes[a[0]:b[0]]), tuple(self.notes[a[1]:b[1]]), tuple(self.suggestions[a[2]:b[2]]),
                           tuple(self.credits[a[3]:b[3]])) for a, b in zip(starts, self.ends))


def edit(book: Book, config: EditorialConfig, out: Path | None, common: str) -> tuple[Book, Context]:
    """The editorial pass, chapter by chapter where it can be, with the chapters' entries kept in ``out``'s cache
    (none when ``out`` is None); ``common`` is a key of everything besides the book that the result depends on."""
    ctx = Context(config, author_name(book, config))
    runs = _runs(config.passes)
    left: list[Edited] | None = None  # the chapters as the last run left them, when it went chapter by chapter
    for number, run in enumerate(runs):
        if run[0] in BOOK_WIDE:
            book, left = _passes()[run[0]](book, ctx), None
            continue
        spells_next = number + 1 < len(runs) and runs[number + 1][0] == "spelling"
        left = _by_chapter(book, run, ctx, _facts(book, run[0], ctx, left), spells_next, out, common)
        chapters = iter(edited.chapter for edited in left)
        book = map_chapters(book, lambda chapter: next(chapters))
        _merge(ctx, left)
    return finish(replace(book, credits=leftovers.credits_page(book.credits, ctx.credits)), ctx)


def _runs(passes: list[str]) -> list[list[str]]:
    """The passes in runs: each book-wide pass alone, and a new run at every pass that reads a book-wide fact."""
    runs: list[list[str]] = []
    for name in passes:
        if not runs or name in BOOK_WIDE or runs[-1][0] in BOOK_WIDE or name in ("spelling", "links"):
            runs.append([name])
        else:
            runs[-1].append(name)
    return runs


def _facts(book: Book, first: str, ctx: Context, left: list[Edited] | None) -> list[object]:
    """For each chapter, what the run's first pass reads of the whole book (and all of it that the chapter needs)."""
    chapters = list(book.chapters())
    if first == "links":
        titles = links.titles(book, ctx)
        return [titles] * len(chapters)
    if first != "spelling":
        return [None] * len(chapters)
    found = [(set(e.words), set(e.names)) for e in left] if left else [spelling.words_and_names(ch) for ch in chapters]
    names = spelling.vocabulary(book, found)
    return [names & words for words, _ in found]  # the speller looks up the names among a chapter's words only


def _by_chapter(book: Book, run: list[str], ctx: Context, facts: list[object], spells_next: bool, out: Path | None,
                common: str) -> list[Edited]:
    """Each chapter through the run: its entry from the cache, else edited alone (``_edit_all``) and kept."""
    done: list[Edited | None] = []
    missed: list[tuple[int, str, str]] = []  # (place, key, key of its checked blocks)
    jobs: list[_Job] = []
    places = [(part, chapter) for part in book.parts for chapter in part.chapters]
    for (part, chapter), fact in zip(places, facts):
        fact_key = sorted(fact) if isinstance(fact, set) else fact
        key = cache.key(common, run, ctx.author, spells_next, fact_key, chapter)
        edited = cache.load(out, STAGE, key, Edited) if out else None
        if edited is None:
            # the chapter's blocks as the spelling pass last checked them, with these settings and names
            checked_key = cache.key(common, "spelling", chapter.slug, fact_key) if run[0] == "spelling" else ""
            earlier = dict(cache.load(out, CHECKED_STAGE, checked_key, CheckedBlocks) or ()) if out and checked_key else {}
            missed.append((len(done), key, checked_key))
            jobs.append(_Job(replace(book, parts=(replace(part, chapters=(chapter,)),)), tuple(run), ctx, fact, spells_next,
                             earlier))
        done.append(edited)
    for n, (edited, checked) in _edit_all(jobs, run[0] == "spelling" or spells_next):
        place, key, checked_key = missed[n]
        _keep(out, STAGE, key, edited)
        if checked_key:
            _keep(out, CHECKED_STAGE, checked_key, tuple(checked.items()))
        done[place] = edited
    return done  # type: ignore[return-value]  (every place is filled)


@dataclass(frozen=True)
class _Job:
    """A chapter that missed the cache, as a book of that one chapter, with what its run of passes reads."""

    one: Book
    run: tuple[str, ...]
    ctx: Context
    fact: object
    spells_next: bool
    earlier: dict[str, spelling.Checked]

    def __call__(self) -> tuple[Edited, dict[str, spelling.Checked]]:
        checked: dict[str, spelling.Checked] = {}
        return _edit_chapter(self.one, list(self.run), self.ctx, self.fact, self.spells_next, self.earlier, checked), checked

    def size(self) -> int:
        [chapter] = self.one.chapters()
        blocks = (*chapter.body, *chapter.tail, *(block for comment in chapter.all_comments() for block in comment.blocks))
        return sum(len(line) for block in blocks for line in block.lines)


def _edit_all(jobs: list[_Job], spells: bool) -> Iterator[tuple[int, tuple[Edited, dict[str, spelling.Checked]]]]:
    """Each job's place and result, as it is done.  A run that ``spells`` (checks the spelling, or reads the words
    and names the next run checks) over several chapters is shared with a copy of this process (a fork: it
    starts at once, with the spelling data read and the book in hand), each taking half the text, largest
    chapters first.  The other runs take a few hundredths of a second a chapter and stay here."""
    if len(jobs) < 2 or not spells or "fork" not in multiprocessing.get_all_start_methods():
        yield from ((n, job()) for n, job in enumerate(jobs))
        return
    lexicon.read_all()
    cache.settle()  # the fork starts with no entry half-written by the cache's thread
    mine, theirs = _halves(jobs)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [(n, pool.submit(jobs[n])) for n in theirs]
        yield from ((n, jobs[n]()) for n in mine)
        for n, future in futures:
            try:
                yield n, future.result()
            except BrokenProcessPool as exc:
                raise EditorialWorkerLost([error("E-900", f"the process checking the spelling of half the chapters "
                                                 f"died ({exc}): run the build again, with more free memory if the "
                                                 "system ran out", "build")]) from None


def _halves(jobs: list[_Job]) -> tuple[list[int], list[int]]:
    """The jobs' places shared out in two, the largest first, each to the lighter half."""
    halves: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    sizes = [job.size() for job in jobs]
    for n in sorted(range(len(jobs)), key=lambda n: -sizes[n]):
        lighter = loads.index(min(loads))
        halves[lighter].append(n)
        loads[lighter] += sizes[n]
    return halves


def _keep(out: Path | None, stage: str, key: str, value: object) -> None:
    if out:
        try:
            cache.store(out, stage, key, value, keep=ENTRIES, later=True)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def _edit_chapter(one: Book, run: list[str], ctx: Context, fact: object, spells_next: bool,
                  earlier: dict[str, spelling.Checked], checked: dict[str, spelling.Checked]) -> Edited:
    """A book of one chapter through the run of passes; its ledger sweep by sweep.  The spelling pass takes
    the blocks it checked before from ``earlier`` and puts every block it checks into ``checked``."""
    ledger = _Ledger(ctx.config, ctx.author)
    passes = _passes()
    for name in run:
        start = ledger.place()
        if name == "spelling":
            one = spelling.check(one, ledger, fact, earlier, checked)
        elif name == "links":
            one = links.link(one, ledger, fact)
        else:
            one = passes[name](one, ledger)
        one = stet.restore(one, ledger, start)
        ledger.sweep()
    [chapter] = one.chapters()
    words, names = spelling.words_and_names(chapter) if spells_next else ((), ())
    return Edited(chapter, ledger.sweeps(), tuple(sorted(words)), tuple(sorted(names)))


def _merge(ctx: Context, edited: list[Edited]) -> None:
    """The chapters' ledgers into the book's, sweep by sweep, each sweep's entries in book order."""
    for number in range(len(edited[0].sweeps) if edited else 0):
        sweeps = [e.sweeps[number] for e in edited]
        ctx.changes += [c for s in sweeps for c in s.changes]
        ctx.notes += [n for s in sweeps for n in s.notes]
        ctx.suggestions += first_of_each([g for s in sweeps for g in s.suggestions])  # spelling's: once in the book
        ctx.credits += [c for s in sweeps for c in s.credits]
