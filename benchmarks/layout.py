"""Where the PDF stage's time goes: CPU seconds of the renderer and its worker processes, per group.

    PYTHONPATH=src python benchmarks/layout.py               # the included book
    PYTHONPATH=src python benchmarks/layout.py --copies 20   # the 20x book from generate.py

Prepares the book's intermediate HTML with bookforge's own stages (the editorial pass from the
scratch folder's cache when there), then runs the PDF stage (``pdf.render``) three times:

1. *cold*: an empty group cache, every group laid out (in worker processes, one per core);
2. *cached*: every group from the cache, only the joining left;
3. *one chapter edited*: a sentence added to the longest chapter's XHTML, so that group alone,
   and the contents or the folio sheet if the numbers move, are laid out again.

For each it prints the CPU seconds of this process and its workers together (``getrusage``: the
figure a busy machine disturbs least), the wall time, the page count and the PDF's size; for the
cold run also the CPU of each group's layout and drawing, largest first.
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the sibling script)

from bookforge import html, manifest, pipeline, readers  # noqa: E402
from bookforge.renderers import compositor, pdf, workers  # noqa: E402

EDIT = " The benchmark added this sentence."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="the N-times book to measure [default: 1]")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (a build's edit cache there is reused)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bookforge-layout-"))
    project = work / f"book-{args.copies}x"
    if not (project / "book.yaml").is_file():
        generate(args.copies, project)
    out = work / f"out-{args.copies}x"
    html_book, options = prepare(project, out)
    shutil.rmtree(out / ".cache" / pdf.GROUP_STAGE, ignore_errors=True)
    groups: list[tuple[float, int]] = []
    print(f"{args.copies}x book, {len(html_book.pages)} XHTML pages in {len(pdf.groups(html_book))} groups\n")
    print("| run | CPU s (all processes) | wall s | pages | PDF size |\n|---|---|---|---|---|")
    with _counting(groups):
        run("cold", html_book, options, out)
    run("cached", html_book, options, out)
    chapter = max((p for p in html_book.pages if p.kind == "chapter"), key=lambda p: html_book.path(p).stat().st_size)
    path = html_book.path(chapter)
    path.write_text(path.read_text("utf-8").replace("</p>", EDIT + "</p>", 1), "utf-8")
    run(f"one chapter edited ({chapter.href})", html_book, options, out)
    print("\nCPU seconds of each layout in the cold run (a group, the contents, the folio sheet), largest first:")
    print(", ".join(f"{seconds:.2f} ({pages} p.)" for seconds, pages in sorted(groups, reverse=True)))


def prepare(project: Path, out: Path, directory: Path | None = None):
    """The book's intermediate HTML, made by bookforge's own stages (the editorial pass from out's cache if there),
    in ``directory`` (``out/html`` unless given)."""
    spec = manifest.load(project)
    book = readers.read_book(spec)
    out.mkdir(parents=True, exist_ok=True)
    book, _ = pipeline._edit(book, spec, out)
    directory = directory or out / "html"
    shutil.rmtree(directory, ignore_errors=True)
    html_book = html.write(book, pipeline.styles_folder(project, False), directory, project=spec.root,
                           link_notes=spec.data.print.links)
    return html_book, pdf.PdfOptions(spec.print_spec(), book.metadata.modified)


def run(name: str, html_book, options, out: Path) -> None:
    started_cpu, started = _cpu(), time.perf_counter()
    with workers.engine_started():  # stopped and reaped at the end, so its workers' CPU counts in RUSAGE_CHILDREN
        result = pdf.render(html_book, out / "book.pdf", options, out)
    size = (out / "book.pdf").stat().st_size
    print(f"| {name} | {_cpu() - started_cpu:.2f} | {time.perf_counter() - started:.2f} | {result.pages} | "
          f"{size / 1024:,.0f} KB |", flush=True)


def _cpu() -> float:
    """User and system time of this process and of its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _counting:
    """Note the CPU time and page count of every layout made meanwhile (the workers send theirs back)."""

    def __init__(self, found: list[tuple[float, int]]):
        self.found, self.map = found, pdf._map

    def __enter__(self):
        pdf._map = lambda pool, function, items, size=lambda item: 0: [
            self._note(*timed) for timed in self.map(pool, functools.partial(_timed, function), items, size)]
        return self

    def _note(self, laid, seconds: float):
        if isinstance(laid, compositor.Laid):  # not the outline, which is nested in a worker too
            self.found.append((seconds, len(laid.pages)))
        return laid

    def __exit__(self, *exc):
        pdf._map = self.map
        return False


def _timed(function, job):
    """A group's layout and the CPU seconds it took (in a worker: a module-level function, so the pool can send it)."""
    started = time.process_time()
    laid = function(job)
    return laid, time.process_time() - started


if __name__ == "__main__":
    main()
