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

The chapters' ledgers are merged in book order, sweep by sweep: a pass that goes over the chapters twice
(``leftovers``, ``typography``) lists its first sweep's entries for every chapter before its second's, as
on the whole book; a word is suggested once, at its first place in the book; the credits found are merged
into the Credits page's lines in book order (``leftovers.credits_page``).

The chapters that miss the cache are edited in worker processes, one per core, forked from the layout's
server (``pdf.process_context``), which reads the spelling data as the build starts (``spelling_data``), on
another core while the book is read: every worker starts with it, and the build's own process never reads
it.  The first run's chapters are edited in the build's process, while the server may still be reading.
A worker that dies fails the build with E-900.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from bookforge import cache
from bookforge.diagnostics import BookforgeError, error
from bookforge.editorial import (Context, Note, Suggestion, _passes, author_name, finish, first_of_each, leftovers, lexicon,
                                 links, spelling)
from bookforge.editorial.config import EditorialConfig
from bookforge.editorial.text import map_chapters
from bookforge.model import Book, Change, Chapter, Credit, Part

BOOK_WIDE = {"repeats"}  # passes that compare chapters with each other: never run chapter by chapter
STAGE = "edit-chapter"  # the cache's folder for the chapters' entries
CHECKED_STAGE = "edit-spelling"  # and for each chapter's blocks as the spelling pass last checked them
ENTRIES = 2048  # kept in each: the four runs of every chapter of a 50x book (about 250 chapters), twice over
CheckedBlocks = tuple[tuple[str, spelling.Checked], ...]  # a chapter's blocks as the spelling pass checked them, by key


class EditorialWorkerLost(BookforgeError):
    """A worker editing chapters died (killed, out of memory): the build stops and says so."""

    exit_code = 4


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


@dataclass(frozen=True)
class _Job:
    """A chapter that missed the cache, as a book of that one chapter, with all a worker needs to edit it."""

    one: Book
    run: tuple[str, ...]
    config: EditorialConfig
    author: str
    fact: object
    spells_next: bool
    earlier: dict[str, spelling.Checked]
    dictionaries: str | None  # BOOKFORGE_HUNSPELL in the build's process (the fork server may have started with another)


EditMany = Callable[[list[_Job]], list[tuple[Edited, dict[str, spelling.Checked]]]]


@dataclass
class _Ledger(Context):
    """One chapter's ledger, which remembers where each sweep ends."""

    ends: list[tuple[int, int, int, int]] = field(default_factory=list)

    def sweep(self) -> None:
        self.ends.append((len(self.changes), len(self.notes), len(self.suggestions), len(self.credits)))

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
    with _workers() as in_workers:
        for number, run in enumerate(runs):
            if run[0] in BOOK_WIDE:
                book, left = _passes()[run[0]](book, ctx), None
                continue
            spells_next = number + 1 < len(runs) and runs[number + 1][0] == "spelling"
            edit_many = in_workers if number else _here  # the first run while the workers read the spelling data
            left = _by_chapter(book, run, ctx, _facts(book, run[0], ctx, left), spells_next, out, common, edit_many)
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
    names = set().union(*(named for _, named in found))
    return [names & words for words, _ in found]  # the speller looks up the names among a chapter's words only


def _by_chapter(book: Book, run: list[str], ctx: Context, facts: list[object], spells_next: bool, out: Path | None,
                common: str, edit_many: EditMany) -> list[Edited]:
    """Each chapter through the run: its entry from the cache, else edited alone (``edit_many``) and kept."""
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
            jobs.append(_Job(replace(book, parts=(replace(part, chapters=(chapter,)),)), tuple(run), ctx.config, ctx.author,
                             fact, spells_next, earlier, os.environ.get(lexicon.FOLDER_SETTING)))
        done.append(edited)
    for (place, key, checked_key), (edited, checked) in zip(missed, edit_many(jobs)):
        _keep(out, STAGE, key, edited)
        if checked_key:
            _keep(out, CHECKED_STAGE, checked_key, tuple(checked.items()))
        done[place] = edited
    return done  # type: ignore[return-value]  (every place is filled)


@contextmanager
def _workers() -> Iterator[EditMany]:
    """Worker processes, one per core, started now, each reading the spelling data as it starts; gives a function
    that edits chapters in them, in order."""
    from bookforge.renderers.pdf import process_context  # the layout's fork server: workers start at once

    count = os.cpu_count() or 1
    with ProcessPoolExecutor(count, mp_context=process_context()) as pool:
        started = [pool.submit(int) for _ in range(count)]  # a worker is forked for each task while none is idle

        def in_workers(jobs: list[_Job]) -> list[tuple[Edited, dict[str, spelling.Checked]]]:
            try:
                return list(pool.map(_edit_job, jobs))
            except BrokenProcessPool as exc:
                raise EditorialWorkerLost([error("E-900", f"a worker editing the chapters died ({exc}): the build "
                                                 "stopped; run it again, with more free memory if the system ran out",
                                                 "build")]) from None
        yield in_workers
        for future in started:
            future.cancel()


def _here(jobs: list[_Job]) -> list[tuple[Edited, dict[str, spelling.Checked]]]:
    return [_edit_job(job) for job in jobs]


def _edit_job(job: _Job) -> tuple[Edited, dict[str, spelling.Checked]]:
    lexicon.use(job.dictionaries)
    checked: dict[str, spelling.Checked] = {}
    edited = _edit_chapter(job.one, list(job.run), Context(job.config, job.author), job.fact, job.spells_next, job.earlier,
                           checked)
    return edited, checked


def _keep(out: Path | None, stage: str, key: str, value: object) -> None:
    if out:
        try:
            cache.store(out, stage, key, value, keep=ENTRIES)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def _edit_chapter(one: Book, run: list[str], ctx: Context, fact: object, spells_next: bool,
                  earlier: dict[str, spelling.Checked], checked: dict[str, spelling.Checked]) -> Edited:
    """A book of one chapter through the run of passes; its ledger sweep by sweep.  The spelling pass takes
    the blocks it checked before from ``earlier`` and puts every block it checks into ``checked``."""
    ledger = _Ledger(ctx.config, ctx.author)
    passes = _passes()
    for name in run:
        if name == "spelling":
            one = spelling.check(one, ledger, fact, earlier, checked)
        elif name == "links":
            one = links.link(one, ledger, fact)
        else:
            one = passes[name](one, ledger)
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
