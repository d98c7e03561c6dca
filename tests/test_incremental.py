"""An edit in one chapter of the real book rebuilds that chapter: its page alone changes in build/html, its
PDF group alone is laid out again, and the result is byte for byte a cold build of the edited sources.

The editorial changes are numbered from 1 in each chapter (report.numbered), so a correction added
to the first chapter renumbers that chapter's marks and no other's.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import pytest

from bookforge import cache
from bookforge.pipeline import BuildOptions, build
from bookforge.renderers.compositor import Laid
from bookforge.renderers.pdf import GROUP_STAGE
from conftest import PROJECT

CHAPTER = "attachment-to-your-therapist"  # the book's first chapter
SENTENCE = "The consulting room is an emotional candy store."
ADDED = " It is a wonderfull place to be."  # a misspelling the book's style sheet corrects


def _html(out: Path, copy: Path) -> Path:
    """A copy of a build's html folder (the next build publishes a new one in its place)."""
    shutil.copytree(out / "html", copy)
    return copy


def _groups(out: Path, entries: set[str]) -> list[str]:
    """What each of the group layouts stored under ``entries`` laid out: the id of its first page (the chapter's
    slug, 'halftitle' for the front matter), or 'folios' for a sheet of folios, which has no ids."""
    found = []
    for name in sorted(entries):
        laid = cache.load(out, GROUP_STAGE, name.removesuffix(".entry"), Laid)
        found.append(laid.targets[0].id if laid.targets else "folios")
    return found


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A copy of the real project built, a sentence with a typo added to the first chapter, built again; and the
    edited sources built cold."""
    root = tmp_path_factory.mktemp("edited")
    project = root / "book"
    project.mkdir()
    shutil.copy(PROJECT / "book.yaml", project)
    for folder in ("chapters", "styles"):
        shutil.copytree(PROJECT / folder, project / folder)
    out = project / "build"
    first = build(BuildOptions(project))
    before = _html(out, root / "html-before")
    report_before = json.loads((out / "editorial-report.json").read_text(encoding="utf-8"))
    folder = out / cache.FOLDER / GROUP_STAGE
    entries = {path.name for path in folder.iterdir()}
    capture = project / "chapters" / f"{CHAPTER}.txt"
    text = capture.read_text(encoding="utf-8")
    assert text.count(SENTENCE) == 1
    capture.write_text(text.replace(SENTENCE, SENTENCE + ADDED), encoding="utf-8")
    again = build(BuildOptions(project))
    laid = _groups(out, {path.name for path in folder.iterdir()} - entries)
    cold = build(BuildOptions(project, root / "cold"))
    return dict(first=first, again=again, cold=cold, before=before, after=out / "html", laid=laid,
                report_before=report_before, report=json.loads((out / "editorial-report.json").read_text(encoding="utf-8")))


def test_a_sentence_with_a_typo_changes_its_chapters_page_only(edited):
    before, after = edited["before"], edited["after"]
    compared = filecmp.dircmp(before, after)
    assert not compared.left_only and not compared.right_only
    changed = set(filecmp.cmpfiles(before, after, [p.name for p in before.iterdir() if p.is_file()], shallow=False)[1])
    # the chapter, and the copyright page's account of the editing, which counts the book's corrections
    assert changed == {f"{CHAPTER}.xhtml", "copyright.xhtml"}
    copyright_before, copyright_after = ((folder / "copyright.xhtml").read_text(encoding="utf-8") for folder in (before, after))
    assert re.sub(r"\d+", "#", copyright_before) == re.sub(r"\d+", "#", copyright_after)
    page = (after / f"{CHAPTER}.xhtml").read_text(encoding="utf-8")
    [fixed] = [c for c in edited["report"]["changes"] if ADDED.strip() in c.get("context", "")]
    assert (fixed["chapter"], fixed["before"]) == (CHAPTER, "wonderfull")
    assert f'<span class="edit" data-edit="{fixed["number"]}">wonderful</span>' in page


def test_the_edit_renumbers_its_own_chapters_changes_and_no_others(edited):
    old, new = edited["report_before"]["changes"], edited["report"]["changes"]
    assert len(new) == len(old) + 1
    own = [c for c in new if c["chapter"] == CHAPTER]
    assert [c["number"] for c in own] == list(range(1, len(own) + 1))
    assert [c for c in new if c["chapter"] != CHAPTER] == [c for c in old if c["chapter"] != CHAPTER]
    assert [c["number"] for c in old if c["chapter"] == CHAPTER] != [c["number"] for c in own]


def test_only_the_edited_chapters_group_is_laid_out_again(edited):
    laid = edited["laid"]
    # the chapter once; the front matter
    # before and after its contents' numbers are known, as the copyright page counts the corrections; folio
    # sheets only where a page number moved.  No other chapter, part or back matter.
    assert laid.count(CHAPTER) == 1
    assert set(laid) <= {CHAPTER, "halftitle", "folios"}, laid


def test_the_incremental_build_is_byte_identical_to_a_cold_build_of_the_edited_sources(edited):
    again, cold = edited["again"], edited["cold"]
    assert again.pdf.read_bytes() == cold.pdf.read_bytes() != b""
    assert again.epub.read_bytes() == cold.epub.read_bytes()
    for name in ("editorial-report.json", "editorial-report.html"):
        assert (again.pdf.parent / name).read_bytes() == (cold.pdf.parent / name).read_bytes()
    names = [p.relative_to(edited["after"]).as_posix() for p in edited["after"].rglob("*") if p.is_file()]
    assert filecmp.cmpfiles(edited["after"], cold.pdf.parent / "html", names, shallow=False)[1:] == ([], [])
