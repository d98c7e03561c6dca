"""Hostile input and faults, each as a new user would meet it in a small project of its own.

Every case ends in a documented exit code and a diagnostic naming the file and line, or in a
correct build; never in a traceback, a file read from outside the project, a damaged or mixed
output set, or text lost without a word in the report.  A canary file outside the project
stands for what must never leak: its text may appear in no output.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookforge import cache, codec, editorial, manifest, readers
from bookforge.editorial import Context
from bookforge.model import Book
from bookforge.check import CheckOptions, _inside
from bookforge.cli import main
from bookforge.model import SLUG_MAX
from conftest import PROJECT

SMALL = Path(__file__).parent / "cases" / "small"
CANARY = "CANARY-7f3a do not ship"
SLUG = "a-small-case"
OUTPUTS = (f"{SLUG}.epub", f"{SLUG}.pdf", "editorial-report.json", "editorial-report.html")


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the small case book with the repository's own styles/, and a canary beside (outside) it."""
    root = tmp_path / "project"
    shutil.copytree(SMALL, root, ignore=shutil.ignore_patterns("expected"))
    shutil.copytree(PROJECT / "styles", root / "styles")
    (tmp_path / "canary.txt").write_text(CANARY, encoding="utf-8")
    return root


def run(project: Path, *args: str):
    result = CliRunner().invoke(main, ["build", "-C", str(project), *args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assert_fails(result, exit_code: int, where: str, code: str) -> None:
    """The build failed with ``exit_code`` and printed a diagnostic starting 'where: error [code]'."""
    assert result.exit_code == exit_code, result.output + result.stderr
    assert any(line.startswith(f"{where}: error [{code}]") for line in result.stderr.splitlines()), result.stderr


def assert_nothing_published(project: Path) -> None:
    out = project / "build"
    assert not any((out / name).exists() for name in (*OUTPUTS, "html"))
    assert not list(out.glob(".gen-*")) if out.exists() else True


def output_text(out: Path) -> bytes:
    """Every byte of every output, HTML folder included, for looking for the canary."""
    return b"".join(path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file() and ".cache" not in path.parts)


def yaml_with(project: Path, extra: str) -> None:
    (project / "book.yaml").write_text((SMALL / "book.yaml").read_text(encoding="utf-8") + extra, encoding="utf-8")


def line_of(project: Path, text: str) -> int:
    return next(n for n, line in enumerate((project / "book.yaml").read_text().splitlines(), 1) if text in line)


# --- book.yaml -----------------------------------------------------------------------------------

def test_a_non_utf8_book_yaml_is_an_error_at_its_line(project):
    (project / "book.yaml").write_bytes((SMALL / "book.yaml").read_bytes().replace(b"A Small Case", b"A Sm\xe4ll Case"))
    assert_fails(run(project), 2, "book.yaml:2:12", "M-005")
    assert_nothing_published(project)


def test_yaml_nested_3000_deep_is_refused_at_the_first_level_too_deep(project):
    yaml_with(project, "subjects: " + "[" * 3000 + "]" * 3000 + "\n")
    assert_fails(run(project), 2, f"book.yaml:{line_of(project, 'subjects')}:{10 + manifest.NESTING_MAX}", "M-008")


def test_a_yaml_alias_bomb_is_refused_at_once(project):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    bomb += "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    yaml_with(project, bomb)
    started = time.perf_counter()
    result = run(project)
    assert time.perf_counter() - started < 5
    assert_fails(result, 2, f"book.yaml:{line_of(project, 'b: &b')}:8", "M-007")


def test_a_book_yaml_over_the_size_limit_is_refused(project):
    yaml_with(project, "description: " + "x" * manifest.MANIFEST_MAX_BYTES + "\n")
    assert_fails(run(project), 2, "book.yaml", "M-006")


def test_an_invalid_regular_expression_is_an_error_at_its_line(project):
    yaml_with(project, "editorial:\n  leftovers:\n    spam: ['fine', '(unclosed']\n")
    result = run(project)
    assert_fails(result, 2, f"book.yaml:{line_of(project, 'spam:')}:20", "M-012")
    assert "(unclosed" in result.stderr and "missing )" in result.stderr


def test_a_pattern_that_backtracks_catastrophically_elsewhere_runs_in_linear_time(project):
    """(a+)+$ against 29 a's then b took 26 s, doubling with each letter, on a backtracking engine."""
    capture = project / "chapters" / "quirks.txt"
    capture.write_text(capture.read_text(encoding="utf-8").replace("  • A top-level comment.", "  • " + "a" * 40 + "b"),
                       encoding="utf-8")
    yaml_with(project, "editorial:\n  leftovers:\n    spam: ['(a+)+$']\n")
    spec = manifest.load(project)
    book = readers.read_book(spec)
    started = time.perf_counter()
    edited, _ = editorial.edit(book, spec.editorial)
    assert time.perf_counter() - started < 10
    assert any("a" * 40 + "b" in c.text for ch in edited.chapters() for c in ch.all_comments())


@pytest.mark.parametrize("entry", ["'': x", "'   ': x", "therapy: therapy"], ids=["empty", "blank", "identity"])
def test_a_style_sheet_entry_that_corrects_nothing_is_refused_at_its_line(project, entry):
    yaml_with(project, f"editorial:\n  style_sheet:\n    fine: good\n    {entry}\n")
    assert_fails(run(project), 2, f"book.yaml:{line_of(project, entry)}:5", "M-041")


def test_two_chapters_with_one_page_name_are_refused_naming_both(project):
    shutil.copy(project / "chapters" / "quirks.txt", project / "chapters" / "My Post.txt")
    shutil.copy(project / "chapters" / "quirks.txt", project / "chapters" / "my-post.txt")
    yaml_with(project, "").__class__  # keep book.yaml as it is, then add two chapters to the part
    text = (project / "book.yaml").read_text().replace(
        "      - source: chapters/quirks.txt\n",
        "      - source: chapters/My Post.txt\n      - source: chapters/my-post.txt\n")
    (project / "book.yaml").write_text(text)
    result = run(project)
    assert_fails(result, 2, f"book.yaml:{line_of(project, 'my-post.txt')}:17", "M-022")
    assert "'chapters/My Post.txt' (book.yaml line" in result.stderr and "my-post.xhtml" in result.stderr


@pytest.mark.parametrize("name, page", [("contents!.txt", "contents"), ("Part 1.txt", "part-1")])
def test_a_chapter_named_like_one_of_the_books_own_pages_is_refused(project, name, page):
    shutil.copy(project / "chapters" / "quirks.txt", project / "chapters" / name)
    text = (project / "book.yaml").read_text().replace("chapters/quirks.txt", f"chapters/{name}")
    (project / "book.yaml").write_text(text)
    result = run(project)
    assert_fails(result, 2, f"book.yaml:{line_of(project, name)}:17", "M-023")
    assert f"'{page}.xhtml'" in result.stderr


def test_a_control_character_escaped_in_book_yaml_is_an_error_at_its_line(project):
    (project / "book.yaml").write_text((project / "book.yaml").read_text().replace("subtitle: For the Tests", 'subtitle: "For\\x1b the Tests"'))
    assert_fails(run(project), 2, f"book.yaml:{line_of(project, 'subtitle')}:11", "M-009")


def test_a_255_character_title_gives_a_slug_cut_to_the_limit(project):
    title = " ".join(["Overlong"] * 28)[:255]
    (project / "book.yaml").write_text((project / "book.yaml").read_text().replace("title: A Small Case", f"title: {title}"))
    slug = manifest.load(project).slug
    assert len(slug) <= SLUG_MAX and slug.startswith("overlong-overlong") and not slug.endswith("-")


# --- chapter sources -----------------------------------------------------------------------------

@pytest.mark.parametrize("character", ["\x00", "\x0c", "\x1b"], ids=["NUL", "form-feed", "ESC"])
def test_a_control_character_in_a_capture_is_an_error_at_its_line_and_column(project, character):
    capture = project / "chapters" / "quirks.txt"
    capture.write_text(capture.read_text(encoding="utf-8").replace("Its second paragraph.", f"Its second{character} paragraph."),
                       encoding="utf-8")
    number = next(n for n, line in enumerate(capture.read_text().split("\n"), 1) if character in line)
    assert_fails(run(project), 3, f"chapters/quirks.txt:{number}:15", "R-003")
    assert_nothing_published(project)


def test_replies_nested_400_deep_are_an_error_at_the_first_too_deep(project):
    capture = project / "chapters" / "quirks.txt"
    thread = "".join(" " * (2 + 2 * depth) + f"• Reply {depth}.\n\n" for depth in range(400))
    text = capture.read_text(encoding="utf-8").replace("Leave a Comment", thread + "Leave a Comment")
    capture.write_text(text, encoding="utf-8")
    first = text.split("\n").index(" " * (2 + 2 * (readers.capture.REPLY_DEPTH_MAX + 1)) + f"• Reply {readers.capture.REPLY_DEPTH_MAX + 1}.") + 1
    assert_fails(run(project), 3, f"chapters/quirks.txt:{first}", "R-015")


# --- styles/: nothing from outside the project ----------------------------------------------------

def test_a_stylesheet_symlinked_out_of_the_project_is_refused(project, tmp_path):
    (project / "styles" / "epub.css").unlink()
    (project / "styles" / "epub.css").symlink_to(tmp_path / "canary.txt")
    result = run(project)
    assert_fails(result, 2, "styles/epub.css", "M-030")
    assert_nothing_published(project)


def test_a_font_symlinked_out_of_the_project_is_refused(project, tmp_path):
    (project / "styles" / "fonts" / "Leak.otf").symlink_to(tmp_path / "canary.txt")
    assert_fails(run(project), 2, "styles/fonts/Leak.otf", "M-031")


def test_styles_itself_symlinked_out_of_the_project_is_refused(project, tmp_path):
    shutil.move(project / "styles", tmp_path / "elsewhere")
    (project / "styles").symlink_to(tmp_path / "elsewhere")
    assert_fails(run(project), 2, "styles", "M-032")


@pytest.mark.parametrize("name, content", [("notes.html", b"<p>notes</p>"), ("Fake.otf", CANARY.encode()),
                                           ("Broken.otf", b"OTTO" + b"\x00" * 40)],
                         ids=["not-a-font", "text-named-as-font", "damaged-font"])
def test_fonts_are_fonts_by_their_content(project, name, content):
    (project / "styles" / "fonts" / name).write_bytes(content)
    assert_fails(run(project), 2, f"styles/fonts/{name}", "M-031")


def test_styles_with_only_book_css_names_what_is_missing(project):
    for name in ("epub.css", "print.css", "proof.css"):
        (project / "styles" / name).unlink()
    result = run(project)
    assert_fails(result, 2, "styles/epub.css", "M-030")
    assert "styles/print.css: error [M-030]" in result.stderr


@pytest.mark.parametrize("url", ["../../../canary.txt", "file:///etc/passwd", "http://example.com/x.png"])
def test_a_css_url_outside_the_book_is_refused_at_its_line(project, url):
    with (project / "styles" / "epub.css").open("a", encoding="utf-8") as css:
        css.write(f"\np {{ background: url('{url}'); }}\n")
    number = len((project / "styles" / "epub.css").read_text().splitlines())
    assert_fails(run(project), 2, f"styles/epub.css:{number}:17", "M-033")


def test_what_a_project_may_hold_builds_and_nothing_outside_leaks(project, tmp_path):
    """.DS_Store in fonts/ and a data: URI in CSS: built, and no canary in any output."""
    (project / "styles" / "fonts" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
    with (project / "styles" / "print.css").open("a", encoding="utf-8") as css:
        css.write(f"\nh1 {{ background: url({pixel}) no-repeat; }}\n")
    result = run(project)
    assert result.exit_code == 0, result.stderr
    assert "data:image" not in result.stderr  # the data: URI was served, not refused
    out = project / "build"
    assert CANARY.encode() not in output_text(out)
    assert not (out / "html" / "fonts" / ".DS_Store").exists()


# --- the cache: data, checked, never code ---------------------------------------------------------

def test_the_cache_codec_gives_back_the_real_book_and_its_ledger_equal():
    """JSON only, driven by the model's type hints: a field added to the model needs no change in the codec."""
    spec = manifest.load(PROJECT)
    edited, ledger = editorial.edit(readers.read_book(spec), spec.editorial)
    blobs: list[bytes] = []
    data = json.loads(json.dumps(codec.encode((edited, ledger), blobs)))
    assert codec.decode(tuple[Book, Context], data, blobs) == (edited, ledger)
    pieces: list[str] = []  # the text the cache streams to disk is the one JSON of the whole tree
    codec.write((edited, ledger), pieces.append, [])
    assert len(pieces) > 1000 and "".join(pieces) == json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    data[0]["parts"][0]["chapters"][0]["title"] = 7  # a value of the wrong type is refused, not half-read
    with pytest.raises(codec.CodecError):
        codec.decode(tuple[Book, Context], data, blobs)


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """The small book built cold once: the bytes a warm build must give whatever happened to the cache."""
    root = tmp_path_factory.mktemp("cold") / "project"
    shutil.copytree(SMALL, root, ignore=shutil.ignore_patterns("expected"))
    result = CliRunner().invoke(main, ["build", "-C", str(root)])
    assert result.exit_code == 0, result.stderr
    return root, {name: (root / "build" / name).read_bytes() for name in OUTPUTS}


def damage_and_rebuild(cold, tmp_path, damage) -> dict[str, bytes]:
    root, _ = cold
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    for entry in sorted((project / "build" / cache.FOLDER).rglob("*.entry")):
        damage(entry)
    result = run(project)
    assert result.exit_code == 0, result.stderr
    assert ".cache: note [X-205] a damaged cache entry was made again: " in result.stderr  # and says so
    return {name: (project / "build" / name).read_bytes() for name in OUTPUTS}


@pytest.mark.parametrize("damage", [
    lambda entry: entry.write_bytes(entry.read_bytes()[:-1] + bytes([entry.read_bytes()[-1] ^ 1])),  # a flipped byte
    lambda entry: entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2]),  # cut short
    lambda entry: entry.write_bytes(b"\x80\x04garbage"),  # garbled
    lambda entry: entry.write_bytes(entry.read_bytes().replace(b"Second paragraph", b"Tampered paragraph")),  # edited text
], ids=["flipped-byte", "truncated", "garbled", "edited-text"])
def test_a_damaged_cache_entry_is_recomputed_and_the_book_is_byte_identical_to_a_cold_build(cold, tmp_path, damage):
    assert damage_and_rebuild(cold, tmp_path, damage) == cold[1]


def test_an_entry_edited_with_its_hash_updated_for_another_key_is_not_used(cold, tmp_path):
    """A header that claims another key or stage is foreign, even when its hashes are right."""
    def relabel(entry: Path) -> None:
        header, _, rest = entry.read_bytes().partition(b"\n")
        entry.write_bytes(header.replace(entry.stem.encode(), b"0" * 64) + b"\n" + rest)
    assert damage_and_rebuild(cold, tmp_path, relabel) == cold[1]


def test_a_crafted_pickle_in_the_cache_is_never_loaded(cold, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    import pickle

    def plant(entry: Path) -> None:
        for name in ("edit-0123.pickle", f"{entry.parent.name}-{entry.stem[:20]}.pickle"):
            (entry.parent.parent / name).write_bytes(pickle.dumps(Payload()))
        entry.write_bytes(pickle.dumps(Payload()))
    assert damage_and_rebuild(cold, tmp_path, plant) == cold[1]
    assert not marker.exists()


# --- the output folder: one build at a time, published as a set ------------------------------------

def test_a_second_build_while_one_runs_is_told_so(project):
    out = project / "build"
    out.mkdir()
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run(project)
    assert_fails(result, 7, str((out / ".lock").resolve()), "F-001")
    assert "another bookforge build" in result.stderr


def test_a_build_killed_before_publishing_leaves_the_previous_set_and_the_next_build_sweeps_it(cold, tmp_path):
    root, before = cold
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    (project / "build" / ".staging-orphan").mkdir()  # what a build before generations left
    capture = project / "chapters" / "quirks.txt"
    capture.write_text(capture.read_text(encoding="utf-8").replace("Second paragraph", "Changed paragraph"), encoding="utf-8")
    killer = ("import os, signal, sys; from bookforge import output, cli\n"
              "output.publish = lambda out, generation: os.kill(os.getpid(), signal.SIGKILL)\n"
              f"sys.argv = ['bookforge', 'build', '-C', {str(project)!r}]; cli.main()")
    killed = subprocess.run([sys.executable, "-c", killer], capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    out = project / "build"
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before  # the old set, whole
    assert len(list(out.glob(".gen-*"))) == 2  # the published one and the killed build's
    result = run(project)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in out.glob(".gen-*")] == [os.readlink(out / ".current")]
    assert not (out / ".staging-orphan").exists()
    assert b"Changed paragraph" in (out / "editorial-report.html").read_bytes() + output_text(out / "html")


def mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_is_a_diagnostic_and_publishes_nothing(project, tmp_path):
    disk = tmp_path / "disk"
    if mount_tmpfs(disk, "300k"):
        try:
            result = run(project, "-o", str(disk / "build"))
        finally:
            subprocess.run(["umount", str(disk)], check=True)
        assert_fails(result, 7, str(disk / "build"), "F-010")
        assert "No space left on device" in result.stderr
    else:  # no mount here: a file size limit gives the same refusal of a write (EFBIG)
        limited = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
                   "resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000)); from bookforge import cli\n"
                   f"sys.argv = ['bookforge', 'build', '-C', {str(project)!r}, '-o', {str(disk / 'build')!r}]; cli.main()")
        done = subprocess.run([sys.executable, "-c", limited], capture_output=True, text=True, timeout=300)
        assert done.returncode == 7 and "[F-010]" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_read_only_output_folder_is_a_diagnostic_and_keeps_the_previous_book(cold, tmp_path):
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "20m"):
        pytest.skip("mounting a tmpfs needs root")
    try:
        shutil.copytree(cold[0], disk / "project", symlinks=True)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run(disk / "project")
        assert_fails(result, 7, str((disk / "project" / "build").resolve()), "F-010")
        assert "Read-only file system" in result.stderr
        assert {name: (disk / "project" / "build" / name).read_bytes() for name in OUTPUTS} == cold[1]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_an_output_folder_the_system_forbids_is_a_diagnostic(project):
    assert_fails(run(project, "-o", "/proc/bookforge/build"), 7, "/proc/bookforge", "F-010")


# --- check ----------------------------------------------------------------------------------------

def test_check_names_the_epub_once_for_a_finding_about_the_container(tmp_path):
    options = CheckOptions(tmp_path / "book.epub", "build/book.epub", None)
    assert _inside(options, "./book.epub") == "build/book.epub"
    assert _inside(options, str(tmp_path / "book.epub")) == "build/book.epub"
    assert _inside(options, "EPUB/part-1.xhtml") == "build/book.epub/EPUB/part-1.xhtml"


def test_a_usage_error_exits_64_not_book_yamls_2():
    result = CliRunner().invoke(main, ["check", "--no-such-option"])
    assert result.exit_code == 64
    assert "No such option" in result.stderr
