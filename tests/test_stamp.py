"""The stamp: a rebuild with nothing changed is decided from hashes, prints the last build's summary and
warnings, and imports none of the heavy libraries; any change, a missing output, other options or a
damaged record gives a real build, byte-identical to a cold build of the same sources."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookforge import stamp
from bookforge.cli import main
from conftest import PROJECT

SMALL = Path(__file__).parent / "cases" / "small"
SLUG = "a-small-case"
HEAVY = ("weasyprint", "ebooklib", "spylls", "symspellpy", "pydantic", "bs4", "pikepdf", "jinja2", "bookforge.pipeline")
STAGE_LINE = re.compile(r"  [\w-]+ +\d+\.\d\d s")
UNKNOWN_PROPERTY = "\nh1 { colour: red; }\n"  # WeasyPrint warns of it: a warning the rebuild must print again


def run(project: Path, *args: str):
    result = CliRunner().invoke(main, ["build", "-C", str(project), *args])
    assert result.exit_code == 0, result.output + result.stderr
    return result


def summary(stdout: str) -> list[str]:
    """What a build printed but its stage lines and its last line (the time it took, or 'up to date')."""
    return [line for line in stdout.splitlines() if not STAGE_LINE.fullmatch(line)][:-1]


def published(project: Path) -> dict[str, bytes]:
    """Every published output (the EPUB, the PDF, the reports, html/), by its path, but the record."""
    generation = (project / "build" / ".current").resolve()
    return {path.relative_to(generation).as_posix(): path.read_bytes() for path in sorted(generation.rglob("*"))
            if path.is_file() and path.name != stamp.NAME}


def generation(project: Path) -> str:
    return os.readlink(project / "build" / ".current")


def fresh(root: Path, sources: Path) -> Path:
    """A copy of ``sources`` (a project) at ``root`` without its output folder."""
    return shutil.copytree(sources, root, ignore=shutil.ignore_patterns("expected", "build"))


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """The small book built cold once, with its own styles/ and a stylesheet warning."""
    project = fresh(tmp_path_factory.mktemp("cold") / "project", SMALL)
    shutil.copytree(PROJECT / "styles", project / "styles")
    with (project / "styles" / "print.css").open("a", encoding="utf-8") as css:
        css.write(UNKNOWN_PROPERTY)
    first = run(project)
    return project, published(project), first


@pytest.fixture(scope="module")
def sealed(cold, tmp_path_factory):
    """A copy of the cold project (its cache too) built once at a place of its own, the record's place,
    and a backup of it (outputs and record) to put back before each test."""
    project = tmp_path_factory.mktemp("sealed") / "project"
    shutil.copytree(cold[0], project, symlinks=True)
    first = run(project)
    assert "up to date" not in first.stdout  # another project folder: not the record's
    backup = shutil.copytree(project, project.parent / "backup", symlinks=True)
    return project, backup, first


@pytest.fixture
def warm(sealed) -> Path:
    """The sealed project as its build left it: the next build finds it up to date."""
    project, backup, _ = sealed
    shutil.rmtree(project)
    shutil.copytree(backup, project, symlinks=True)
    return project


def test_a_rebuild_with_nothing_changed_prints_the_same_summary_and_warnings(cold, sealed, warm):
    first = sealed[2]
    assert "colour" in first.stderr and "warning [X-100]" in first.stderr
    before = generation(warm)
    again = run(warm)
    files = sum(1 for path in warm.rglob("*") if path.is_file() and path.relative_to(warm).parts[0] != "build")
    assert again.stdout.splitlines()[-1] == f"up to date: {files} files of the project unchanged since the last build"
    assert [line.split()[0] for line in again.stdout.splitlines() if STAGE_LINE.fullmatch(line)] == ["stamp"]
    assert STAGE_LINE.fullmatch(again.stdout.splitlines()[0])
    assert summary(again.stdout) == summary(first.stdout) and f"wrote {warm / 'build' / SLUG}.pdf (12 pages)" in again.stdout
    assert again.stderr == first.stderr
    assert generation(warm) == before and published(warm) == cold[1]
    quiet = CliRunner().invoke(main, ["build", "-C", str(warm), "--quiet"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_the_included_book_is_found_up_to_date_without_importing_the_heavy_libraries(built, tmp_path):
    """The included book built into a folder of its own (with the session build's cache, so the stages
    are quick), then again in a fresh process that must decide from the stamp alone."""
    out = tmp_path / "out"
    shutil.copytree(built.out / ".cache", out / ".cache")
    command = [sys.executable, "-m", "bookforge", "build", "-C", str(PROJECT), "-o", str(out)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0 and "up to date" not in first.stdout, first.stderr
    again = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    imported = {line.split("|")[-1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "bookforge.stamp" in imported
    assert [name for name in imported if name.split(".")[0] in HEAVY or name in HEAVY] == []
    assert "up to date: " in again.stdout.splitlines()[-1]
    assert summary(again.stdout) == summary(first.stdout) and "5 chapters, 213 comments" in again.stdout
    assert [line for line in again.stderr.splitlines() if not line.startswith("import time:")] == first.stderr.splitlines()


def edit_chapter(project: Path) -> None:
    chapter = project / "chapters" / "quirks.txt"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Second paragraph", "The second paragraph"), "utf-8")


def edit_book_yaml(project: Path) -> None:
    manifest = project / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("For the Tests", "For the Stamp"), "utf-8")


def add_a_style_file(project: Path) -> None:
    (project / "styles" / "notes.txt").write_text("what the designer tried\n", encoding="utf-8")


@pytest.mark.parametrize("change", [edit_chapter, edit_book_yaml, add_a_style_file])
def test_a_changed_source_gives_a_real_build_identical_to_a_cold_one(warm, tmp_path, change):
    before = generation(warm)
    change(warm)
    rebuilt = run(warm)
    assert "up to date" not in rebuilt.stdout and "  manifest " in rebuilt.stdout
    assert generation(warm) != before
    reference = fresh(tmp_path / "reference", warm)
    run(reference)
    assert published(warm) == published(reference)
    assert "up to date" in run(warm).stdout  # and the new record holds


def test_a_new_folder_gives_a_real_build(cold, warm):
    (warm / "images").mkdir()  # empty: an empty styles/ would fail the build, so folders count too
    rebuilt = run(warm)
    assert "up to date" not in rebuilt.stdout and "  manifest " in rebuilt.stdout
    assert published(warm) == cold[1]


def delete_the_published_pdf(project: Path) -> None:
    (project / "build" / f"{SLUG}.pdf").unlink()  # the name users know: a link into .current


def delete_the_pdf_in_the_generation(project: Path) -> None:
    (project / "build" / ".current" / f"{SLUG}.pdf").unlink()


def edit_a_page_of_html(project: Path) -> None:
    page = next((project / "build" / "html").glob("*.xhtml"))
    page.write_bytes(page.read_bytes() + b"\n")


def add_a_file_to_html(project: Path) -> None:
    (project / "build" / "html" / "stray.xhtml").write_text("<html/>", encoding="utf-8")


def edit_the_records_summary(project: Path) -> None:
    record = project / "build" / ".current" / stamp.NAME
    record.write_text(record.read_text(encoding="utf-8").replace("A Small Case", "A Tampered Case"), "utf-8")


def garble_the_record(project: Path) -> None:
    (project / "build" / ".current" / stamp.NAME).write_bytes(b"\x80\x04garbage")


def nest_the_record_deeply(project: Path) -> None:
    (project / "build" / ".current" / stamp.NAME).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def give_the_record_wrong_types(project: Path) -> None:
    """A record whose digest is right but whose summary is of the wrong shape."""
    path = project / "build" / ".current" / stamp.NAME
    record = json.loads(path.read_text(encoding="utf-8"))
    record["body"]["summary"]["written"] = [[7, "12"]]
    record["sha256"] = stamp._digest(record["body"])
    path.write_text(json.dumps(record), encoding="utf-8")


def point_current_outside(project: Path) -> None:
    current = project / "build" / ".current"
    (project.parent / ".gen-elsewhere").mkdir()
    shutil.copy(current / stamp.NAME, project.parent / ".gen-elsewhere" / stamp.NAME)
    current.unlink()
    current.symlink_to(project.parent / ".gen-elsewhere")


@pytest.mark.parametrize("damage", [delete_the_published_pdf, delete_the_pdf_in_the_generation,
                                    edit_the_records_summary])
def test_a_damaged_output_or_record_gives_a_real_build_identical_to_a_cold_one(cold, warm, damage):
    damage(warm)
    rebuilt = run(warm)
    assert "up to date" not in rebuilt.stdout and "  manifest " in rebuilt.stdout
    assert "A Small Case" in rebuilt.stdout and "Tampered" not in rebuilt.stdout
    assert published(warm) == cold[1]
    assert "up to date" in run(warm).stdout


@pytest.mark.parametrize("damage", [edit_a_page_of_html, add_a_file_to_html, garble_the_record, nest_the_record_deeply,
                                    give_the_record_wrong_types, point_current_outside])
def test_any_other_damage_is_a_miss_never_an_error(warm, damage):
    """Each of these misses as the cases above do, so the build runs in full (not repeated here)."""
    snapshot = stamp.take(warm, None, False)
    assert stamp.published(snapshot) is not None
    damage(warm)
    assert stamp.published(snapshot) is None


def test_other_options_give_a_real_build(cold, warm):
    proof = run(warm, "--proof")
    assert "up to date" not in proof.stdout and f"{SLUG}-proof.pdf" in proof.stdout
    assert (warm / "build" / f"{SLUG}-proof.pdf").is_file()
    assert "up to date" in run(warm, "--proof").stdout
    plain = run(warm)
    assert "up to date" not in plain.stdout and not (warm / "build" / f"{SLUG}-proof.pdf").exists()
    assert published(warm) == cold[1]


def test_a_build_writing_the_folder_now_is_not_overtaken(warm):
    """While a build holds the lock, the check does not answer 'up to date': the build says another one runs."""
    import fcntl

    with open(warm / "build" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner().invoke(main, ["build", "-C", str(warm)])
    assert result.exit_code == 7 and "another bookforge build" in result.stderr


def test_a_hostile_project_tree_neither_hangs_nor_breaks_the_check(cold, tmp_path):
    """A symbolic link loop, links to a parent and to outside the project, a FIFO: not followed, not read."""
    project = shutil.copytree(cold[0], tmp_path / "project", symlinks=True)  # with its cache: quicker
    (tmp_path / "outside.txt").write_text("outside the project", encoding="utf-8")
    (project / "loop").symlink_to("loop")
    (project / "a").symlink_to("b")
    (project / "b").symlink_to("a")
    (project / "chapters" / "up").symlink_to("..")
    (project / "outside").symlink_to(tmp_path / "outside.txt")
    os.mkfifo(project / "fifo")
    found = stamp.tree(project)
    assert found["loop"] == "link:loop" and found["chapters/up"] == "link:.."
    assert found["outside"] == f"link:{tmp_path / 'outside.txt'}" and "fifo" not in found
    command = [sys.executable, "-m", "bookforge", "build", "-C", str(project)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stderr
    (tmp_path / "outside.txt").write_text("changed, and never read", encoding="utf-8")
    (project / "outside").unlink()
    (project / "outside").symlink_to(tmp_path / "elsewhere.txt")  # the link's target is what the project holds
    assert "up to date" not in run(project).stdout


def test_a_project_past_the_caps_gets_no_fast_path(cold, tmp_path, monkeypatch):
    project = fresh(tmp_path / "project", cold[0])
    assert stamp.take(project, None, False).inputs is not None
    monkeypatch.setattr(stamp, "MAX_FILES", 10)
    assert stamp.take(project, None, False).inputs is None
    monkeypatch.setattr(stamp, "MAX_FILES", 5_000)
    monkeypatch.setattr(stamp, "MAX_BYTES", 1_000)
    assert stamp.take(project, None, False).inputs is None


def test_a_virtual_environment_in_the_project_is_not_looked_into(cold, tmp_path, monkeypatch):
    """A `.venv` (CI makes one in the checkout) holds thousands of files that are no part of the book: it
    neither takes the project past the caps nor makes a change inside it a miss; its libraries count by
    their versions."""
    project = fresh(tmp_path / "project", cold[0])
    monkeypatch.setattr(stamp, "MAX_FILES", 60)
    environment = project / ".venv"
    (environment / "lib").mkdir(parents=True)
    (environment / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    for number in range(100):
        (environment / "lib" / f"module{number}.py").write_text("", encoding="utf-8")
    before = stamp.take(project, None, False).inputs
    assert before is not None and before[".venv/"] == stamp.ENVIRONMENT
    assert not any(name.startswith(".venv/") and name != ".venv/" for name in before)
    (environment / "lib" / "module0.py").write_text("changed", encoding="utf-8")
    assert stamp.take(project, None, False).inputs == before
    (environment / "pyvenv.cfg").unlink()  # no longer an environment: an ordinary folder, past the cap
    assert stamp.take(project, None, False).inputs is None


def test_the_source_date_and_the_options_are_in_the_key(cold, monkeypatch):
    project = cold[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = stamp.take(project, None, False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    assert stamp.take(project, None, False).key != first.key
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert stamp.take(project, None, False).key == first.key
    assert stamp.take(project, None, True).key != first.key
    assert stamp.take(project, project / "other", False).key != first.key
    monkeypatch.setenv("BOOKFORGE_HUNSPELL", str(project))  # dictionaries outside the project: no fast path
    assert stamp.take(project, None, False).inputs is None
