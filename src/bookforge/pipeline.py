"""The build: manifest -> readers -> Book -> intermediate HTML -> PDF -> page-list -> EPUB, each stage timed.

Everything is made in a generation folder inside the output folder and published as a set
(``output.publish``) only when every stage has succeeded, so a failed or killed build never
leaves a half-written or mixed book.  An operating system's refusal (a full disk, a read-only
folder) ends the build with a diagnostic, never a traceback.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from bookforge import cache, editorial, html, manifest, model, output, pictures, provenance, readers
from bookforge.editorial import Context, chapters, lexicon, report
from bookforge.diagnostics import (BookforgeError, Diagnostic, ManifestError, OutputError, RenderError, Severity,
                                   error)
from bookforge.model import Book
from bookforge.renderers import epub, pagelist, pdf, proof, workers


@dataclass(frozen=True)
class BuildOptions:
    project: Path
    out: Path | None = None  # default: <project>/build
    proof: bool = False  # also write <slug>-proof.pdf, the proofreaders' edition

    @property
    def out_dir(self) -> Path:
        return self.out or self.project / "build"


@dataclass
class BuildResult:
    book: Book | None = None
    editorial: str = ""  # the editorial pass's counts, in a line
    epub: Path | None = None
    pdf: Path | None = None
    pdf_pages: int = 0
    proof: Path | None = None
    proof_pages: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


Progress = Callable[[str, str, float], None]  # (event, stage, seconds): event is "start" or "done"


Seal = Callable[[Path, "BuildResult"], None]  # (generation folder, result): called just before it is published


def build(options: BuildOptions, progress: Progress = lambda event, stage, seconds: None,
          seal: Seal = lambda generation, result: None) -> BuildResult:
    """Build the book; ``seal`` may add a file to the generation (the build's record, ``stamp.seal``) before it is published."""
    result = BuildResult()

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        progress("start", name, 0.0)
        started = time.perf_counter()
        yield
        result.timings.append((name, time.perf_counter() - started))
        progress("done", name, result.timings[-1][1])

    project = options.project.resolve()
    with workers.engine_started(), cache.written():  # WeasyPrint imported on another core, cache entries written by a thread
        return _build(project, options, result, stage, seal)


def _build(project: Path, options: BuildOptions, result: BuildResult, stage, seal: Seal) -> BuildResult:
    with stage("manifest"):
        spec = manifest.load(project)
        styles = styles_folder(project, options.proof)
    with stage("read"):
        book = readers.read_book(spec)
    out = options.out_dir.resolve()
    try:
        with output.locked(out):
            output.sweep(out)
            _make(book, spec, styles, options, out, stage, result, seal)
    except OSError as exc:
        raise OutputError([output.fault(exc, out)]) from None
    return result


def _make(book: Book, spec: manifest.Manifest, styles: Path, options: BuildOptions, out: Path, stage, result: BuildResult,
          seal: Seal) -> None:
    """Every stage after reading, into a new generation folder, published as a set when all have succeeded."""
    with stage("edit"):
        book, ledger = _edit(book, spec, out)
        result.book, result.editorial = book, report.summary(ledger)
    staging = output.new_generation(out)
    published = False
    try:
        shown = pictures.Pictures(spec.print_spec(), out)  # each fit for each book, and where print set it
        with stage("html"):
            html_book = html.write(book, styles, staging / "html", project=spec.root, link_notes=spec.data.print.links,
                                   pictures=shown)
            result.diagnostics += html_book.notes
        print_options = pdf.PdfOptions(spec.print_spec(), book.metadata.modified)
        # the report is written, and the EPUB's fonts cut, on the CPU the layout leaves idle
        with ThreadPoolExecutor(1) as aside, epub.fonts_cut_ahead(html_book, out) as fonts_cut:
            reported = aside.submit(report.write, book, ledger, staging)
            with stage("pdf"):
                pdf_result, pagination = _typeset("pdf", html_book, staging / f"{book.metadata.slug}.pdf", print_options,
                                                  out, result)
                result.diagnostics += shown.report(book, pdf_result.path, pagination.labels if pagination else (), staging)
            with stage("page-list"):
                html_book, found = _render(lambda: pagelist.mark(html_book, pagination), "page-list")
                result.diagnostics += found
            with stage("epub"):
                fonts_cut()
                epub_path = _render(lambda: epub.render(html_book, staging / f"{book.metadata.slug}.epub", out), "EPUB")
            reported.result()
        if options.proof:
            with stage("proof"):
                slug = f"PROOF · {book.metadata.modified:%Y-%m-%d} · {provenance.sources(spec)}"
                target = staging / f"{book.metadata.slug}-proof.pdf"
                marks_css = (styles / Path(html.PROOF_CSS).name).read_text("utf-8")
                result.proof_pages = _render(lambda: proof.render(
                    pdf_result.path, pdf_result.printed, book, html_book.directory, marks_css, slug, report.LABELS, target),
                    "proof")
            result.proof = out / target.name
        result.epub, result.pdf, result.pdf_pages = out / epub_path.name, out / pdf_result.path.name, pdf_result.pages
        result.diagnostics += cache.damaged()  # the cache's check failed: those results were made again
        seal(staging, result)
        output.publish(out, staging)
        published = True
    finally:
        if not published:
            shutil.rmtree(staging, ignore_errors=True)


def _edit(book: Book, spec: manifest.Manifest, out: Path):
    """The editorial pass: its stored result when the book, its settings and the pass's code are unchanged,
    else done chapter by chapter, each chapter's work taken from the cache when what it reads is unchanged."""
    code = [*Path(editorial.__file__).parent.glob("*.py"), Path(model.__file__)]
    versions = cache.versions("spylls", "symspellpy", "codespell", "wordfreq", "rapidfuzz")
    common = cache.key(spec.editorial.model_dump_json(), versions, lexicon.sources(), code=code)
    return cache.cached(out, "edit", cache.key(common, *_pieces(book)), tuple[Book, Context],
                        lambda: chapters.edit(book, spec.editorial, out, common), later=True)[0]


def _pieces(book: Book) -> Iterator[object]:
    """The book in pieces that together say all of it, for a key made without the whole book's repr at once
    (a 50x book's is hundreds of megabytes): the book without its parts, then each part without its chapters
    and its chapters."""
    yield replace(book, parts=())
    for part in book.parts:
        yield replace(part, chapters=())
        yield from part.chapters


def styles_folder(project: Path, proof: bool) -> Path:
    """The project's own styles/ folder, else the stylesheets and fonts that come with bookforge
    (inside the installed package, or beside src/ when bookforge runs from a source checkout).
    Every file in it is checked before anything is built (``html.style_files``)."""
    own = project / "styles"
    if own.is_symlink() or own.exists():
        if not own.resolve().is_relative_to(project):
            raise ManifestError([error("M-032", f"styles/ is a symbolic link to {own.resolve()}, outside the "
                                       "project: refused", "styles")])
        if not own.is_dir():
            raise ManifestError([error("M-030", "styles is not a folder", "styles")])
        html.style_files(own, (html.PROOF_CSS,) if proof else ())
        return own
    packaged = Path(str(resources.files("bookforge") / "styles"))
    checkout = Path(__file__).resolve().parents[2] / "styles"
    return next(candidate for candidate in (packaged, checkout) if (candidate / "book.css").is_file())


def _render(step: Callable, what: str):
    """Run a renderer; turn an unexpected failure into a diagnostic rather than a traceback."""
    try:
        return step()
    except (BookforgeError, OSError):
        raise  # an OSError is the system's refusal (full disk, say): reported as such by build()
    except Exception as exc:  # a renderer's library failed: say which output and why
        raise RenderError([error("X-900", f"the {what} could not be written: {type(exc).__name__}: {exc}", "build")]) from exc


def _typeset(name: str, html_book: html.HtmlBook, target: Path, options: pdf.PdfOptions, out: Path, result: BuildResult):
    """Render one PDF, or take it from the cache when the same XHTML, CSS, fonts and options made it before.

    Returns the PDF (without its layout) and where its pages begin; keeps its warnings and
    fails the build on its errors.
    """
    def render():
        made = _render(lambda: pdf.render(html_book, target, options, out), "PDF")
        if any(d.severity is Severity.ERROR for d in made.diagnostics):
            raise RenderError(list(made.diagnostics))
        return target.read_bytes(), made

    code = Path(pdf.__file__).parent.glob("*.py")
    digest = cache.key(cache.tree(html_book.directory), options, cache.versions("weasyprint", "pikepdf"), code=code)
    (data, made), reused = cache.cached(out, name, digest, tuple[bytes, pdf.PdfResult], render)
    if reused:
        target.write_bytes(data)
    result.diagnostics += [d for d in made.diagnostics if d not in result.diagnostics]
    return replace(made, path=target), made.pagination
