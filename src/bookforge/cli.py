"""The command line: ``bookforge build`` and ``bookforge check``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from bookforge import __version__, manifest
from bookforge.check import CheckOptions, ace_command, check
from bookforge.diagnostics import BookforgeError, Severity
from bookforge.pipeline import BuildOptions, build

project_option = click.option(
    "-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="The project folder: the one that holds book.yaml.")


USAGE_ERROR = 64  # a wrong command line (sysexits' EX_USAGE): 2 is book.yaml's
INTERNAL_ERROR = 70  # a fault in bookforge itself (EX_SOFTWARE)


class _Commands(click.Group):
    """Exit codes of our own for a wrong command line and for bookforge's own faults, which never show a traceback."""

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            exc.show()
            sys.exit(USAGE_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last resort: a message, not a traceback
            click.echo(f"bookforge: internal error: {type(exc).__name__}: {exc}; please report it "
                       "with the input that caused it", err=True)
            sys.exit(INTERNAL_ERROR)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bookforge")
def main() -> None:
    """bookforge turns a series of blog posts and their reader comments into a book:
    a store-ready EPUB and a print-ready PDF, made from one intermediate HTML."""


@main.command("build")
@project_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the book.  [default: PROJECT/build]")
@click.option("--proof", is_flag=True,
              help="Also write build/<slug>-proof.pdf, the proofreaders' edition: a PROOF slug on every page "
                   "and the editorial changes marked in the margins.")
def build_command(project: Path, out: Path | None, proof: bool) -> None:
    """Build the EPUB and the PDF of the book described by book.yaml.

    Reads book.yaml and the chapter sources it names, writes the intermediate XHTML to
    build/html/, then build/<slug>.epub and build/<slug>.pdf, and prints the time each
    stage took.  On bad input it prints every problem as FILE:LINE: severity [code]
    message and exits non-zero without touching the previous outputs.
    """
    started = time.perf_counter()
    try:
        result = build(BuildOptions(project, out, proof), progress=_show_progress)
    except BookforgeError as exc:
        click.echo("failed")  # ends the progress line of the stage that failed
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        errors = sum(1 for d in exc.diagnostics if d.severity.value == "error")
        click.echo(f"bookforge: build failed with {errors} error{'s' if errors != 1 else ''}; nothing was written", err=True)
        sys.exit(exc.exit_code)
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    book = result.book
    comments = sum(1 for chapter in book.chapters() for _ in chapter.all_comments())
    chapters = sum(1 for _ in book.chapters())
    click.echo(f"{book.metadata.full_title}: {len(book.parts)} parts, {chapters} chapters, {comments} comments")
    click.echo(f"editorial: {result.editorial}")
    click.echo(f"wrote {_shown(result.epub)}")
    click.echo(f"wrote {_shown(result.pdf)} ({result.pdf_pages} pages)")
    if result.proof:
        click.echo(f"wrote {_shown(result.proof)} ({result.proof_pages} pages)")
    click.echo(f"built in {time.perf_counter() - started:.1f} s")


@main.command("check")
@project_option
@click.option("--epub", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The EPUB to check.  [default: PROJECT/build/<slug>.epub]")
def check_command(project: Path, epub: Path | None) -> None:
    """Check the built EPUB with EPUBCheck, and with Ace by DAISY when it is installed.

    Prints every finding as FILE:LINE: severity [code] message, where FILE is a file inside
    the EPUB, then a summary.  Exits 0 when no checker found an error or a warning, 5 when
    one did, 6 when a checker could not run.  Ace runs when BOOKFORGE_ACE names it or `ace`
    is on the PATH; set BOOKFORGE_ACE to an empty value to skip it.
    """
    try:
        epub = epub or project / "build" / f"{manifest.load(project.resolve()).slug}.epub"
        result = check(CheckOptions(epub, _shown(epub), ace_command()))
    except BookforgeError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        sys.exit(exc.exit_code)
    for finding in result.findings:
        click.echo(str(finding), err=finding.severity is Severity.NOTE)
    click.echo(result.summary())
    sys.exit(result.exit_code)


def _show_progress(event: str, stage: str, seconds: float) -> None:
    """One line per stage with its time, written as the stage starts so long stages show what is happening."""
    if event == "start":
        click.echo(f"  {stage:<9}", nl=False)
        sys.stdout.flush()
    else:
        click.echo(f"{seconds:6.2f} s")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
