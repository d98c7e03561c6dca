"""`bookforge build` on broken projects: the right exit code, FILE:LINE diagnostics on stderr,
and nothing written or half-written in build/."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bookforge.cli import main
from conftest import MINIMAL_BOOK_YAML

BOOK_YAML = MINIMAL_BOOK_YAML

GOOD_CAPTURE = "A Post\n\nBody.\n\n  • A comment.\n\nLeave a Comment"
SLUG = "test-book"


def make_project(root: Path, book_yaml: str = BOOK_YAML, capture: str = GOOD_CAPTURE) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "x.txt").write_text(capture, encoding="utf-8")
    (root / "book.yaml").write_text(book_yaml, encoding="utf-8")
    # The build checks styles/ before it reads the chapters; empty stylesheets and no fonts will do.
    (root / "styles" / "fonts").mkdir(parents=True)
    for name in ("book.css", "print.css", "epub.css"):
        (root / "styles" / name).write_text("", encoding="utf-8")
    return root


def build(project: Path):
    return CliRunner().invoke(main, ["build", "-C", str(project)])


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line]


def assert_no_new_output(project: Path) -> None:
    build_dir = project / "build"
    assert not list(build_dir.glob("*.epub"))
    assert not list(build_dir.glob("*.pdf"))
    assert not (build_dir / "html").exists()
    assert not list(build_dir.glob(".staging-*"))


BROKEN_MANIFEST = BOOK_YAML.replace("title: Test Book", "title: Test Book\ntitel: Typo")
BROKEN_MANIFEST_LINE = (
    "book.yaml:2:1: error [M-010] unknown key 'titel' (expected one of: title, subtitle, slug, authors, "
    "language, identifier, isbn, publisher, date, rights, description, subjects, series, cover, credits, "
    "about_author, print, parts, editorial); did you mean 'title'?"
)
BROKEN_CAPTURE = "A Post\n\nBody.\n\n  • A comment,\n  not indented enough.\n\nLeave a Comment"
BROKEN_CAPTURE_LINE = "chapters/x.txt:6: error [R-011] line indented 2 spaces inside the comment at line 5, which needs 4"


@pytest.mark.parametrize(("broken", "exit_code", "line"), [
    ({"book_yaml": BROKEN_MANIFEST}, 2, BROKEN_MANIFEST_LINE),
    ({"capture": BROKEN_CAPTURE}, 3, BROKEN_CAPTURE_LINE),
], ids=["broken-manifest", "malformed-capture"])
def test_bad_input_exits_with_its_code_and_reports_file_and_line(tmp_path, broken, exit_code, line):
    project = make_project(tmp_path, **broken)
    result = build(project)
    assert result.exit_code == exit_code
    assert stderr_lines(result) == [line, "bookforge: build failed with 1 error; nothing was written"]
    assert line not in result.stdout
    assert_no_new_output(project)


def test_every_problem_is_printed_and_counted(tmp_path):
    capture = "A Post\n\nBody.\n\n  •\n\n  • A comment,\n  not indented enough.\n\nLeave a Comment"
    project = make_project(tmp_path, capture=capture)
    result = build(project)
    assert result.exit_code == 3
    assert sorted(stderr_lines(result)) == [
        "bookforge: build failed with 2 errors; nothing was written",
        "chapters/x.txt:5: error [R-014] a comment with no text: the bullet is followed by nothing",
        "chapters/x.txt:8: error [R-011] line indented 2 spaces inside the comment at line 7, which needs 4",
    ]


@pytest.mark.parametrize("broken, exit_code", [
    ({"book_yaml": BROKEN_MANIFEST}, 2),
    ({"capture": BROKEN_CAPTURE}, 3),
], ids=["manifest", "capture"])
def test_a_failed_build_leaves_the_previous_outputs_untouched(tmp_path, broken, exit_code):
    project = make_project(tmp_path, **broken)
    build_dir = project / "build"
    (build_dir / "html").mkdir(parents=True)
    previous = {
        build_dir / f"{SLUG}.epub": b"the previous EPUB",
        build_dir / f"{SLUG}.pdf": b"%PDF the previous PDF",
        build_dir / "html" / "index.xhtml": b"<html/>",
    }
    for path, content in previous.items():
        path.write_bytes(content)
    stamps = {path: path.stat().st_mtime_ns for path in previous}

    result = build(project)

    assert result.exit_code == exit_code
    for path, content in previous.items():
        assert path.read_bytes() == content
        assert path.stat().st_mtime_ns == stamps[path]
    assert sorted(p.relative_to(build_dir).as_posix() for p in build_dir.rglob("*")) == [
        "html", "html/index.xhtml", f"{SLUG}.epub", f"{SLUG}.pdf",
    ]


def test_a_render_failure_exits_4_and_removes_its_half_written_output(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    previous = project / "build" / f"{SLUG}.epub"
    previous.parent.mkdir()
    previous.write_bytes(b"the previous EPUB")

    def failing_render(html_book, target, store=None):
        target.write_bytes(b"half an EPUB")
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr("bookforge.renderers.epub.render", failing_render)
    result = build(project)

    assert result.exit_code == 4
    assert stderr_lines(result) == [
        "build: error [X-900] the EPUB could not be written: RuntimeError: the renderer broke",
        "bookforge: build failed with 1 error; nothing was written",
    ]
    assert previous.read_bytes() == b"the previous EPUB"
    # the previous book, untouched, the editorial cache (a finished result, not an output) and the lock
    assert sorted(p.name for p in (project / "build").iterdir()) == [".cache", ".lock", f"{SLUG}.epub"]


def test_missing_book_yaml_exits_2(tmp_path):
    result = build(tmp_path)
    assert result.exit_code == 2
    assert stderr_lines(result)[0] == f"book.yaml: error [M-001] no book.yaml here (looked in {tmp_path.resolve()})"
    assert not (tmp_path / "build").exists()


def test_help():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "build" in top.output and "book.yaml" in top.output
    command = runner.invoke(main, ["build", "--help"])
    assert command.exit_code == 0
    assert "book.yaml" in command.output
    assert "-C, --project" in command.output
