"""What `bookforge build` shows while it works: plain lines without a terminal, nothing but errors with
--quiet, and on a terminal a live display that follows the stages and WeasyPrint's pages."""

from __future__ import annotations

import io
import logging
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from bookforge import progress
from bookforge.cli import main
from bookforge.diagnostics import ReaderError
from bookforge.pipeline import BuildOptions, build

CASES = Path(__file__).parent / "cases"
STAGES = ["manifest", "read", "edit", "html", "pdf", "page-list", "epub"]
BROKEN_CAPTURE = "A Post\n\nBody.\n\n  • A comment,\n  not indented enough.\n\nLeave a Comment"
BROKEN_LINE = "chapters/quirks.txt:6: error [R-011] line indented 2 spaces inside the comment at line 5, which needs 4"


@pytest.fixture
def project(tmp_path) -> Path:
    return shutil.copytree(CASES / "small", tmp_path / "small")


def run(project: Path, *options: str):
    return CliRunner().invoke(main, ["build", "-C", str(project), *options])


def final_screen(live: progress.Live) -> list[str]:
    """The display as it stands, drawn once more on its own."""
    console = Console(file=io.StringIO(), width=80, record=True)
    console.print(live)
    return console.export_text().splitlines()


def test_without_a_terminal_each_stage_is_one_plain_line_with_its_time(project):
    result = run(project)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [re.fullmatch(r"  ([\w-]+) +\d+\.\d\d s", line).group(1) for line in lines[:8]] == ["stamp", *STAGES]
    assert lines[-1].startswith("built in ")


def test_without_a_terminal_a_failed_stage_ends_its_line_with_failed(project):
    (project / "chapters" / "quirks.txt").write_text(BROKEN_CAPTURE, encoding="utf-8")
    result = run(project)
    assert result.exit_code == 3
    assert re.fullmatch(r"  stamp +\d+\.\d\d s\n  manifest +\d+\.\d\d s\n  read     failed\n", result.stdout)


def test_quiet_prints_nothing_for_a_good_build(project):
    result = run(project, "--quiet")
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "")
    assert (project / "build" / "a-small-case.epub").is_file() and (project / "build" / "a-small-case.pdf").is_file()


def test_quiet_prints_only_the_errors_of_a_failed_build(project):
    (project / "chapters" / "quirks.txt").write_text(BROKEN_CAPTURE, encoding="utf-8")
    result = run(project, "-q")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [BROKEN_LINE, "bookforge: build failed with 1 error; nothing was written"]


def test_the_live_display_follows_the_stages_and_the_pages_weasyprint_lays_out(project):
    console = Console(file=io.StringIO(), force_terminal=True, width=80, record=True)
    seen = []
    with progress.Live(console) as live:
        def follow(event, stage, seconds):
            live(event, stage, seconds)
            if event == "done" and stage == "pdf":
                seen.append((live.activity, live.pages))
        result = build(BuildOptions(project), progress=follow)
    (activity, pages), = seen
    assert activity == f"writing the PDF ({pages} pages laid out)"
    assert pages in (result.pdf_pages, result.pdf_pages - 1)  # an odd count gets a blank page after layout
    assert re.search(r"✓ epub +\d+\.\d\d s", console.export_text())  # what the terminal was sent
    shown = final_screen(live)
    assert [re.fullmatch(r"✓ ([\w-]+) +\d+\.\d\d s *", line).group(1) for line in shown] == STAGES


def test_the_live_display_marks_the_stage_that_failed(project):
    (project / "chapters" / "quirks.txt").write_text(BROKEN_CAPTURE, encoding="utf-8")
    console = Console(file=io.StringIO(), force_terminal=True, width=80, record=True)
    with pytest.raises(ReaderError), progress.Live(console) as live:
        build(BuildOptions(project), progress=live)
    assert [re.match(r"(.) (\S+)", line).groups() for line in final_screen(live)] == [
        ("✓", "manifest"), ("✗", "read")]
    listened = logging.getLogger("weasyprint.progress")  # WeasyPrint's log is left as it was found
    assert (listened.handlers, listened.level, listened.propagate) == ([], logging.NOTSET, True)


def test_a_terminal_gets_the_live_display_and_anything_else_plain_lines():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert isinstance(progress.display(False, Terminal()), progress.Live)
    assert isinstance(progress.display(False, io.StringIO()), progress.Lines)
    assert isinstance(progress.display(True, Terminal()), progress.Silent)
