"""The editorial pass chapter by chapter (``editorial/chapters.py``): on the real book, a rebuild after an edit
edits again only what the edit touches, and its result is the one a cold pass over the edited sources gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bookforge import editorial, html, manifest, pipeline, readers
from bookforge.editorial import Context, chapters, report, spelling
from bookforge.editorial.text import edit_blocks
from conftest import PROJECT

FIRST = "chapters/attachment-to-your-therapist.txt"
SECOND = "chapters/healing-a-damaged-self.txt"
LAST = "chapters/update-on-attachment-to-therapist.txt"
RUNS = 4  # the default passes' runs that go chapter by chapter: leftovers..author_replies, signatures..style_sheet,
# spelling, links (repeats goes over the whole book)


def _add(project: Path, source: str, start: str, sentence: str) -> None:
    """``sentence`` at the end of the paragraph (one line of the capture) that begins with ``start``."""
    path = project / source
    lines = path.read_text("utf-8").split("\n")
    [number] = [n for n, line in enumerate(lines) if line.startswith(start)]
    lines[number] += sentence
    path.write_text("\n".join(lines), "utf-8")


def _entries(project: Path) -> set[Path]:
    return set((project / "build" / ".cache" / chapters.STAGE).glob("*.entry"))


def _rebuild(project: Path):
    """The build's edit stage on the project as it is now, without the whole-book entry (so the chapters' are
    used); the result and how many chapter entries it made anew."""
    for whole in (project / "build" / ".cache" / "edit").glob("*.entry"):
        whole.unlink()
    before = _entries(project)
    spec = manifest.load(project)
    edited = pipeline._edit(readers.read_book(spec), spec, project / "build")
    return edited, len(_entries(project) - before)


def _assert_a_cold_pass_gives(project: Path, edited, tmp_path: Path) -> None:
    """The same Book, ledger, report and XHTML as the whole-book pass over the same sources, with no cache."""
    spec = manifest.load(project)
    cold = editorial.edit(readers.read_book(spec), spec.editorial)
    assert edited[0] == cold[0]
    assert edited[1] == cold[1]
    outputs = []
    for name, (book, ledger) in (("incremental", edited), ("cold", cold)):
        folder = tmp_path / name
        folder.mkdir()
        report.write(book, ledger, folder)
        html.write(book, pipeline.styles_folder(project, False), folder / "html", project=project)
        outputs.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Path:
    """A copy of the real project whose edit stage has run once, cold."""
    project = tmp_path_factory.mktemp("warm") / "book"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("build", ".git", "tests", "benchmarks", "docs"))
    _, made = _rebuild(project)
    assert made == RUNS * 5
    return project


@pytest.fixture
def project(warm, tmp_path) -> Path:
    copy = tmp_path / "book"
    shutil.copytree(warm, copy, symlinks=True)
    return copy


def test_a_rebuild_with_nothing_changed_makes_no_chapter_entry(project, tmp_path):
    edited, made = _rebuild(project)
    assert made == 0
    _assert_a_cold_pass_gives(project, edited, tmp_path)


def test_a_sentence_added_in_one_chapter_edits_that_chapter_alone_and_gives_a_cold_pass_result(project, tmp_path):
    _add(project, FIRST, "The consulting room is an emotional candy store.", " It is a quiet plase to rest.")
    edited, made = _rebuild(project)
    assert made == RUNS  # the first chapter through each run; the other four chapters from the cache
    [typo] = [s for s in edited[1].suggestions if s.word == "plase"] or \
             [c for c in edited[1].changes if c.before == "plase"]
    assert typo.source.path == FIRST
    _assert_a_cold_pass_gives(project, edited, tmp_path)


def test_a_style_sheet_entry_edits_every_chapter_again(project, tmp_path):
    yaml = project / "book.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("  style_sheet:\n", "  style_sheet:\n    consulting room: consulting-room\n"),
                    "utf-8")
    edited, made = _rebuild(project)
    assert made == RUNS * 5
    assert [c.after for c in edited[1].changes if c.reason == "style_sheet" and c.before.lower() == "consulting room"]
    _assert_a_cold_pass_gives(project, edited, tmp_path)


def test_a_new_name_spell_checks_again_only_the_chapters_that_use_the_word(project, tmp_path):
    """A word the book comes to use as a name is no longer doubted anywhere: the chapter that names it is edited
    again, and of the others only the one whose words hold it is spell-checked again."""
    _add(project, SECOND, "What makes this topic difficult", " We went to zorbenstein.")
    edited, made = _rebuild(project)
    assert made == RUNS and [s.word for s in edited[1].suggestions if s.word.lower() == "zorbenstein"] == ["zorbenstein"]
    _add(project, LAST, "The starting point is that children", " We asked Zorbenstein about it.")
    edited, made = _rebuild(project)
    # the last chapter through every run; the second chapter's spelling run (its suggestion is gone, its text
    # the same, so its links run comes from the cache)
    assert made == RUNS + 1
    assert [s.word for s in edited[1].suggestions if s.word.lower() == "zorbenstein"] == []
    _assert_a_cold_pass_gives(project, edited, tmp_path)


def test_the_dictionaries_are_loaded_only_for_a_chapter_the_cache_misses(project):
    """Every chapter's entries found (the whole-book entry gone): no dictionary or word frequency is read."""
    for whole in (project / "build" / ".cache" / "edit").glob("*.entry"):
        whole.unlink()
    script = ("import sys\nfrom pathlib import Path\nfrom bookforge import manifest, pipeline, readers\n"
              "from bookforge.editorial import lexicon\n"
              "spec = manifest.load(Path(sys.argv[1]))\n"
              "pipeline._edit(readers.read_book(spec), spec, Path(sys.argv[1]) / 'build')\n"
              "print([f.__name__ for f in (lexicon.word_lists, lexicon.misspellings, lexicon.bigrams, lexicon.vocabulary)"
              " if f.cache_info().currsize], 'wordfreq' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[0] == "[] False"


def test_the_spelling_pass_checks_again_only_the_blocks_that_changed(monkeypatch):
    """The first chapter checked once, then again with one sentence added to one paragraph: only that paragraph's
    lines are looked at, and the result is the pass's without any blocks kept."""
    spec = manifest.load(PROJECT)
    book, ctx = editorial.edit(readers.read_book(spec), spec.editorial.model_copy(update={"passes": ["leftovers"]}))
    first = replace(book, parts=(replace(book.parts[0], chapters=book.parts[0].chapters[:1]),))
    names = spelling.names(book)
    earlier: dict[str, spelling.Checked] = {}
    spelling.check(first, Context(spec.editorial, ctx.author), names, {}, earlier)
    paragraph = next(b for b in first.parts[0].chapters[0].body if b.text.startswith("The consulting room"))
    edited = edit_blocks(first, lambda block, chapter, where: replace(block, lines=(block.lines[0] + " It is a quiet plase to rest.",
                                                                                     *block.lines[1:])) if block == paragraph else block)
    looked_at = []
    check_line = spelling.Speller.check
    monkeypatch.setattr(spelling.Speller, "check", lambda self, line, *rest: looked_at.append(line) or check_line(self, line, *rest))
    again, made = Context(spec.editorial, ctx.author), {}
    result = spelling.check(edited, again, names, earlier, made)
    assert looked_at == [paragraph.lines[0] + " It is a quiet plase to rest.", *paragraph.lines[1:]]
    monkeypatch.undo()
    whole = Context(spec.editorial, ctx.author)
    assert result == spelling.check(edited, whole, names) and again == whole
    assert "plase" in [s.word for s in whole.suggestions] + [c.before for c in whole.changes]
    assert len(made) == len(earlier)  # every block of the chapter, each under its key


def _record_processes(monkeypatch, record) -> None:
    """Each chapter's job calls ``record(job)`` first, in whichever process it runs."""
    call = chapters._Job.__call__

    def recorded(job):
        record(job)
        return call(job)

    monkeypatch.setattr(chapters._Job, "__call__", recorded)


def test_the_runs_that_spell_share_the_chapters_with_a_copy_of_the_process_and_give_the_whole_book_result(
        tmp_path, monkeypatch):
    """A cold pass over the real book: the run that reads the words and names and the spelling run each go on two
    processes (this one and a fork, the largest chapters shared out first), the other runs on this one alone."""
    log = tmp_path / "processes"

    def record(job):
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{job.run[0]} {os.getpid()}\n")

    _record_processes(monkeypatch, record)
    spec = manifest.load(PROJECT)
    edited = chapters.edit(readers.read_book(spec), spec.editorial, None, "settings")
    processes: dict[str, set[int]] = {}
    for line in log.read_text("utf-8").splitlines():
        run, pid = line.split()
        processes.setdefault(run, set()).add(int(pid))
    runs = chapters._runs(spec.editorial.passes)
    spells = [run[0] for n, run in enumerate(runs) if run[0] == "spelling" or runs[n + 1:n + 2] == [["spelling"]]]
    assert len(spells) == 2
    assert all(len(processes[run]) == 2 and os.getpid() in processes[run] for run in spells)
    assert all(processes[run[0]] == {os.getpid()} for run in runs if run[0] not in spells and run[0] in processes)
    cold = editorial.edit(readers.read_book(spec), spec.editorial)
    assert edited[0] == cold[0] and edited[1] == cold[1]


def test_a_spelling_process_that_dies_stops_the_pass_with_a_message(monkeypatch):
    parent = os.getpid()

    def die_in_the_fork(job):
        if os.getpid() != parent:
            os._exit(3)

    _record_processes(monkeypatch, die_in_the_fork)
    spec = manifest.load(PROJECT)
    with pytest.raises(chapters.EditorialWorkerLost) as lost:
        chapters.edit(readers.read_book(spec), spec.editorial, None, "settings")
    [diagnostic] = lost.value.diagnostics
    assert diagnostic.code == "E-900" and "died" in diagnostic.message
