"""The command line: ``bookforge build``, ``check``, ``init``, ``import``, ``pictures``, ``preview`` and ``review``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from bookforge import __version__, progress, stamp
from bookforge.diagnostics import BookforgeError, Severity

# Only light modules above: `build` decides a rebuild with nothing changed from its stamp before the
# pipeline (pydantic, WeasyPrint, ebooklib, the spelling data) is imported.  Each command imports
# what it needs.

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


def run() -> None:
    """The ``bookforge`` program: ``main``, then out at once with its exit status, without unwinding the heap.

    A build's process holds the Book and the spelling data, hundreds of thousands of objects that
    Python would free one by one on the way out (0.2-0.3 s, measured); every file is written and
    closed and every worker reaped by then, so only the standard streams are flushed.  Tests call
    ``main`` itself.
    """
    try:
        main()
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a reader that went away (``| head``): nothing more can reach it
            pass
    os._exit(status)


@main.command("build")
@project_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the book.  [default: PROJECT/build]")
@click.option("--proof", is_flag=True,
              help="Also write build/<slug>-proof.pdf, the proofreaders' edition: a PROOF slug on every page "
                   "and the editorial changes marked in the margins.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build_command(project: Path, out: Path | None, proof: bool, quiet: bool) -> None:
    """Build the EPUB and the PDF of the book described by book.yaml.

    Reads book.yaml and the chapter sources it names, writes the intermediate XHTML to
    build/html/, then build/<slug>.epub and build/<slug>.pdf, and shows each stage as it
    runs and the time it took: live on a terminal, one line per stage otherwise.  On bad
    input it prints every problem as FILE:LINE: severity [code] message and exits
    non-zero without touching the previous outputs.
    """
    started = time.perf_counter()
    snapshot = stamp.take(project, out, proof)
    summary = stamp.published(snapshot)
    checked = time.perf_counter() - started
    if summary is not None:
        _stage_done(progress.Silent() if quiet else progress.Lines(sys.stdout), "stamp", checked)
        _echo_summary(summary, snapshot.out, quiet)
        if not quiet:
            click.echo(f"up to date: {snapshot.files} files of the project unchanged since the last build")
        return
    from bookforge.renderers import workers

    workers.start_engine()  # WeasyPrint is imported on another core while the pipeline is imported and the book edited
    from bookforge.pipeline import BuildOptions, build

    try:
        with progress.display(quiet) as show:
            _stage_done(show, "stamp", checked)
            result = build(BuildOptions(project, out, proof), progress=show,
                           seal=lambda generation, result: stamp.seal(snapshot, generation, _summary(result)))
    except BookforgeError as exc:
        _echo_diagnostics(exc.diagnostics, quiet)
        errors = sum(1 for d in exc.diagnostics if d.severity is Severity.ERROR)
        click.echo(f"bookforge: build failed with {errors} error{'s' if errors != 1 else ''}; nothing was written", err=True)
        sys.exit(exc.exit_code)
    _echo_summary(_summary(result), snapshot.out, quiet)
    if not quiet:
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
    from bookforge import manifest
    from bookforge.check import CheckOptions, ace_command, check

    epub = epub or project / "build" / f"{_or_exit(lambda: manifest.load(project.resolve())).slug}.epub"
    result = _or_exit(lambda: check(CheckOptions(epub, _shown(epub), ace_command())))
    for finding in result.findings:
        click.echo(str(finding), err=finding.severity is Severity.NOTE)
    click.echo(result.summary())
    sys.exit(result.exit_code)


@main.command("review")
@project_option
@click.option("--fixes", "groups", flag_value="fix", multiple=True, help="Walk the fixes applied (corrected words, retypeset lines).")
@click.option("--suggestions", "groups", flag_value="suggestion", multiple=True, help="Walk the spelling suggestions.")
@click.option("--removals", "groups", flag_value="removal", multiple=True, help="Walk the removals (comments, web leftovers, signatures).")
@click.option("--chapter", "chapters", multiple=True, metavar="SLUG", help="Only this chapter (repeatable).")
def review_command(project: Path, groups: tuple[str, ...], chapters: tuple[str, ...]) -> None:
    """Walk the editorial pass's changes one by one and write the decisions into book.yaml.

    First the fixes it applied: a accepts, r rejects the fix here, e everywhere (a keep rule in editorial.keep).
    Then the spelling suggestions: a candidate's number accepts it (editorial.style_sheet), r says the word is
    right as written (editorial.spelling.words), t types another correction.  Then the removals: k keeps the
    comment (its id in the pass's keep list) or the text (a keep rule), d lets it go.  s skips, q stops.  With
    --fixes, --suggestions or --removals only those are walked.  book.yaml keeps its comments and layout; the
    next build applies the decisions.
    """
    from bookforge import manifest, review
    from bookforge.editorial import decisions

    try:
        found = _or_exit(lambda: review.items(project.resolve(), tuple(groups) or review.GROUPS, chapters))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--chapter") from None
    if not found:
        click.echo("nothing to review")
        return
    made = review.walk(found, _ask)
    if made:
        decisions.write(project / manifest.MANIFEST_NAME, made)
    click.echo(f"book.yaml: {review.tally(made)}")


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def init_command(directory: Path) -> None:
    """Start a new book in DIRECTORY (default: here) that builds at once.

    Writes book.yaml with every key explained, a sample chapter in chapters/, and bookforge's
    stylesheets and fonts in styles/ for you to change.  Refuses to touch an existing project.
    """
    from bookforge import init

    _or_exit(lambda: init.create(directory))
    click.echo(f"started a book in {_shown(directory.resolve())}: edit book.yaml, then run bookforge build")


@main.group("import")
def import_group() -> None:
    """Bring a blog's posts and comments into the project as chapters."""


def _site(context, parameter, url: str | None) -> str | None:
    """--site as given, checked: an http or https address."""
    from urllib.parse import urlsplit

    if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise click.BadParameter(f"{url!r} is not an http or https address")
    return url


site_option = click.option(
    "--site", metavar="URL", default=None, callback=_site,
    help="Where the blog lives now: its own pictures (under its address, its old domain's wp-content/uploads/, "
         "*.files.wordpress.com) are fetched from there alone.  [default: the export's blog address, then each "
         "picture's own address]")
private_option = click.option(
    "--allow-private", is_flag=True,
    help="Also fetch from private, loopback and link-local addresses (a copy of the blog on your own network).")


@import_group.command("wordpress")
@click.argument("export", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@project_option
@click.option("--category", "categories", multiple=True, help="Only posts in this category (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only posts with this tag (repeatable).")
@click.option("--post", "posts", multiple=True, help="Only the post with this slug (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only posts published on or after this day.")
@click.option("--pages", is_flag=True, help="Import the published pages too.")
@click.option("--parts", type=click.Choice(["year", "category"]), default="year", show_default=True,
              help="One part per year, or per category (a post's first).")
@click.option("--pictures", type=click.Choice(["local", "download", "none"]), default="local", show_default=True,
              help="local: pictures from files next to the export; download: those not there fetched from the web "
                   "too; none: no pictures, their alt text kept.")
@site_option
@private_option
def import_wordpress_command(export: Path, project: Path, categories, tags, posts, since, pages: bool, parts: str,
                             pictures: str, site: str | None, allow_private: bool) -> None:
    """Import EXPORT, a WordPress export (Tools → Export), into the project.

    Writes one chapter file per published post into chapters/ (HTML with a metadata header,
    the approved comments threaded), copies the pictures found next to the export into
    chapters/images/ (with --pictures download, fetches the others from the web as
    `bookforge pictures fetch` does), and adds the chapters to book.yaml in date order.
    Importing again adds only new posts.  A folder without book.yaml is started as
    `bookforge init` would.  The import report goes to the terminal and to import-report.json.
    """
    from bookforge.importers import wordpress
    from bookforge.importers.fetch import FetchOptions

    options = wordpress.ImportOptions(export, project, tuple(categories), tuple(tags), tuple(posts),
                                      since.date() if since else None, pages, parts, pictures, site,
                                      FetchOptions(allow_private=allow_private), progress=True)
    started = time.perf_counter()
    report = _or_exit(lambda: wordpress.run(options))
    for line in report.lines():
        click.echo(line)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(f"wrote {_shown(project.resolve() / wordpress.REPORT_NAME)} in {time.perf_counter() - started:.1f} s")
    if report.failed():
        sys.exit(wordpress.ReaderError.exit_code)


@main.group("pictures")
def pictures_group() -> None:
    """The blog's pictures in the project."""


@pictures_group.command("fetch")
@project_option
@site_option
@private_option
def pictures_fetch_command(project: Path, site: str | None, allow_private: bool) -> None:
    """Fetch the pictures the book's chapters name on the web into chapters/images/.

    For a project imported earlier: each picture's original is fetched (the size a post showed
    when the original is not there), checked by its content with Pillow, and the chapter pointed
    at it; each address is fetched once, so running it again fetches nothing new.  Only http and
    https, never a private or loopback address (unless --allow-private), each site's robots.txt
    obeyed.  The report goes to the terminal and to pictures-report.json.
    """
    from bookforge import manifest
    from bookforge.importers import download, originals
    from bookforge.importers.fetch import FetchOptions

    root = project.resolve()
    chapters = [c.path for part in _or_exit(lambda: manifest.load(root)).parts for c in part.chapters
                if c.path.suffix == ".html"]
    blog = download.blog_address(root, chapters)
    report = _or_exit(lambda: download.run(root, chapters, originals.Site(blog, site or blog, bool(site)),
                                           FetchOptions(allow_private=allow_private), show_progress=True))
    for line in report.lines():
        click.echo(line)
    click.echo(f"wrote {_shown(root / download.REPORT_NAME)}")


@main.command("preview")
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on, on 127.0.0.1 only (0: any free port).")
def preview_command(project: Path, port: int) -> None:
    """Serve the book's pages at http://127.0.0.1:PORT/ and rebuild them as you edit.

    Watches book.yaml, chapters/ and styles/; on a change it rebuilds what changed and every
    open page reloads.  Each page shows with the EPUB's stylesheet or, with ?style=print, the
    print one.  A broken book.yaml shows its diagnostics in the page.  Stop it with Ctrl-C.
    """
    from bookforge import preview

    def built(number: int, problems: list[str]) -> None:
        click.echo(f"build {number}: " + ("ok" if not problems else f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"))
        for problem in problems:
            click.echo(f"  {problem}", err=True)

    try:
        preview.serve(project, port, ready=lambda url: click.echo(f"serving {url} (Ctrl-C stops)"), on_build=built)
    except OSError as exc:
        click.echo(f"bookforge: cannot listen on 127.0.0.1:{port}: {exc.strerror}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("stopped")


def _or_exit(step):
    """Run a command's work; print its diagnostics and exit non-zero when the input is bad."""
    try:
        return step()
    except BookforgeError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(str(diagnostic), err=True)
        sys.exit(exc.exit_code)


def _ask(item, number: int, total: int) -> tuple[str, str]:
    """One item on the terminal; the editor's answer as (action, value)."""
    from bookforge.editorial import report

    subject = item.subject
    if item.group == "suggestion":
        return _ask_suggestion(subject, number, total)
    click.echo(f"\n[{number}/{total}] {subject.source}: {report.label(subject.kind)}: {report.label(subject.reason)}")
    if item.group == "fix":
        if subject.kind == "typo_fixed":
            left, right = report.sentence_around(subject.context, subject.before) or ("", "")
            click.echo(f"  {left}{click.style(subject.before, bold=True)} → {click.style(subject.after, bold=True)}{right}")
        else:
            for left, old, new, right in report.changed_pieces(subject.before, subject.after):
                click.echo(f"  …{left}[{click.style(old, bold=True)} → {click.style(new, bold=True)}]{right}…")
        everywhere = ["e"] if subject.kind == "typo_fixed" else []  # a retypeset line is one line: rejected where it is
        answer = click.prompt("  a = accept, r = reject here" + (", e = reject everywhere" if everywhere else "")
                              + ", s = skip, q = quit", type=click.Choice(["a", "r", *everywhere, "s", "q"]), show_choices=False)
        return {"a": "accept", "r": "reject", "e": "reject_everywhere", "s": "skip", "q": "quit"}[answer], ""
    click.echo("  " + subject.before.replace("\n", "\n  "))
    if subject.kept:
        click.echo(f"  (the copy kept is at {subject.kept})")
    answer = click.prompt("  k = keep, d = let it go, s = skip, q = quit", type=click.Choice(["k", "d", "s", "q"]),
                          show_choices=False)
    return {"k": "keep", "d": "drop", "s": "skip", "q": "quit"}[answer], ""


def _ask_suggestion(suggestion, number: int, total: int) -> tuple[str, str]:
    click.echo(f"\n[{number}/{total}] {suggestion.source}: {click.style(suggestion.word, bold=True)}")
    if suggestion.sentence:
        click.echo(f"  {suggestion.sentence}")
    for index, candidate in enumerate(suggestion.candidates, start=1):
        click.echo(f"  {index}) {candidate}")
    choices = [str(i) for i in range(1, len(suggestion.candidates) + 1)] + ["r", "t", "s", "q"]
    answer = click.prompt("  number = accept, r = right as written, t = type a correction, s = skip, q = quit",
                          type=click.Choice(choices), show_choices=False)
    if answer.isdigit():
        return "correct", suggestion.candidates[int(answer) - 1]
    if answer == "t":
        return "correct", click.prompt("  correction").strip()
    return {"r": "right", "s": "skip", "q": "quit"}[answer], ""


def _summary(result) -> stamp.Summary:
    """What a finished build prints: the book's counts, the editorial line, each output written."""
    book = result.book
    comments = sum(1 for chapter in book.chapters() for _ in chapter.all_comments())
    chapters = sum(1 for _ in book.chapters())
    written = [(result.epub.name, None), (result.pdf.name, result.pdf_pages)]
    if result.proof:
        written.append((result.proof.name, result.proof_pages))
    return stamp.Summary(f"{book.metadata.full_title}: {len(book.parts)} parts, {chapters} chapters, {comments} comments",
                         result.editorial, tuple(written), tuple(result.diagnostics))


def _echo_summary(summary: stamp.Summary, out: Path, quiet: bool) -> None:
    """The summary of a build, the same whether it was built now or found up to date."""
    _echo_diagnostics(summary.diagnostics, quiet)
    if quiet:
        return
    click.echo(summary.title)
    click.echo(f"editorial: {summary.editorial}")
    for name, pages in summary.written:
        click.echo(f"wrote {_shown(out / name)}" + (f" ({pages} pages)" if pages is not None else ""))


def _stage_done(show, stage: str, seconds: float) -> None:
    """A stage that ran before the display started (the stamp's check), shown as if it had run in it."""
    show("start", stage, 0.0)
    show("done", stage, seconds)


def _echo_diagnostics(diagnostics, quiet: bool) -> None:
    """Every diagnostic on stderr; only the errors with --quiet."""
    for diagnostic in diagnostics:
        if not quiet or diagnostic.severity is Severity.ERROR:
            click.echo(str(diagnostic), err=True)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
