"""The built PDF beside the book's XHTML laid out as one plain document: do the grouped layout's shortcuts agree?

    PYTHONPATH=src python benchmarks/plain_layout.py PROJECT_OR_BUILD_DIR [--project DIR] [--keep DIR]

The build lays the PDF out in groups (a document per chapter, in worker processes), numbers the pages with folio
sheets laid over them, splices an edited chapter's new pages between its previous ones, and takes groups from
its cache (README, "How the PDF is laid out").  Each is a shortcut to the pages WeasyPrint gives the book as one
document.  This lays the build's own XHTML (``build/html``, its page-list markers taken out) out as one document
with ``pdf.plain`` (no groups, no folio sheets, no splice, no cache) and compares the two PDFs: the page count,
and each page's text (as poppler's ``pdftotext`` reads it, white space left out, running heads and folios
included).  It prints one line:

    grouped 186 pages, plain 186 pages: 0 pages differ

and, when pages differ, the first few differences.  ``compare(path)`` returns the same as a ``Comparison``, and
``agreement(project)`` its line, for ``benchmarks/corpus.py``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layout import prepare  # noqa: E402  (the sibling script)

from bookforge import manifest  # noqa: E402
from bookforge.renderers import pdf, workers  # noqa: E402

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
SHOWN = 3  # differences printed


@dataclass(frozen=True)
class Comparison:
    """The built (grouped) PDF against the plain one-document layout of the same XHTML."""

    grouped: int  # pages
    plain: int
    differing: tuple[int, ...]  # pages (from 1) whose text differs, among those both have
    differences: tuple[str, ...]  # the first of them: page, and the text around the first difference in each PDF
    stale: tuple[str, ...]  # XHTML files of the build that the sources no longer give (a build older than its sources)

    @property
    def agree(self) -> bool:
        return self.grouped == self.plain and not self.differing

    def line(self) -> str:
        found = f"grouped {self.grouped} pages, plain {self.plain} pages: {len(self.differing)} pages differ"
        if self.differing:
            found += f" ({', '.join(map(str, self.differing[:20]))}{', …' if len(self.differing) > 20 else ''})"
        if self.stale:
            found += f"; the build is older than its sources ({', '.join(self.stale[:5])})"
        return found


def compare(path: Path, project: Path | None = None, keep: Path | None = None) -> Comparison:
    """Lay out the XHTML of the book built at ``path`` (a project, or its build folder; ``project`` for a build
    folder outside its project) as one plain document and compare it with the built PDF; ``keep`` is a folder to
    leave the plain PDF and its XHTML in."""
    project, out = (Path(project).resolve(), Path(path).resolve()) if project else _folders(Path(path).resolve())
    spec = manifest.load(project)
    built = out / f"{spec.metadata().slug}.pdf"
    if not built.is_file():
        raise SystemExit(f"{built}: no built PDF (run bookforge build first)")
    work = keep or Path(tempfile.mkdtemp(prefix="bookforge-plain-"))
    try:
        html_book, options = prepare(project, out, work / "html")  # the page order and metadata, from the sources
        stale = _built_xhtml(out / "html", html_book)
        target = work / "plain.pdf"
        with workers.engine_started():
            pdf.plain(html_book, target, options)
        return _compared(built, target, stale)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def agreement(project: Path) -> str:
    """``compare``'s line for a built ``project`` (``benchmarks/corpus.py`` calls it): never raises, says what
    failed instead."""
    try:
        return compare(project).line()
    except (Exception, SystemExit) as exc:  # a table row, whatever happened
        return f"not compared: {type(exc).__name__}: {exc}"


def _folders(path: Path) -> tuple[Path, Path]:
    """The project and its build folder, from either."""
    if (path / "book.yaml").is_file():
        return path, path / "build"
    if (path.parent / "book.yaml").is_file():
        return path.parent, path
    raise SystemExit(f"{path}: neither a project (with book.yaml) nor a project's build folder")


def _built_xhtml(built: Path, html_book) -> tuple[str, ...]:
    """Put the build's own XHTML, its page-list taken out, in place of the XHTML the sources give now; the files in
    which the two differ (none unless the sources changed since the build)."""
    stale = []
    for page in html_book.pages:
        tree = etree.parse(str(built / page.href))
        for marker in [m for m in tree.iter(f"{{{XHTML}}}span") if m.get(f"{{{OPS}}}type") == "pagebreak"]:
            _lift(marker)
        for page_list in [n for n in tree.iter(f"{{{XHTML}}}nav") if n.get(f"{{{OPS}}}type") == "page-list"]:
            page_list.getparent().remove(page_list)  # with its tail, the line break the page-list brought
        now = html_book.path(page)
        if _canonical(etree.parse(str(now))) != _canonical(tree):
            stale.append(page.href)
        tree.write(str(now), encoding="utf-8", xml_declaration=True)
    return tuple(stale)


def _lift(element) -> None:
    """Take ``element`` out of its tree, its tail joined to the text before it (a page-break marker splits a
    text in two)."""
    parent, previous = element.getparent(), element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def _canonical(tree) -> bytes:
    return etree.tostring(tree, method="c14n")


def _compared(built: Path, plain: Path, stale: tuple[str, ...]) -> Comparison:
    grouped, alone = _page_texts(built), _page_texts(plain)
    differing = [n for n, (a, b) in enumerate(zip(grouped, alone), start=1) if a != b]
    return Comparison(len(grouped), len(alone), tuple(differing),
                      tuple(_difference(n, grouped[n - 1], alone[n - 1]) for n in differing[:SHOWN]), stale)


def _page_texts(path: Path) -> list[str]:
    """Each page's text as poppler's ``pdftotext`` reads it, without white space.  (pypdf misreads the text of a face
    WeasyPrint encodes with a CMap of its own, as it does one with a character the face lacks.)"""
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext is missing: install poppler-utils")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]  # a form feed ends each page


def _difference(page: int, grouped: str, plain: str) -> str:
    """Where two pages' texts first part: a few characters of each around it."""
    match = difflib.SequenceMatcher(None, grouped, plain, autojunk=False)
    tag, first, last, other_first, other_last = next(op for op in match.get_opcodes() if op[0] != "equal")
    return (f"page {page}: grouped …{grouped[max(0, first - 30):min(last, first + 50) + 10]}… | "
            f"plain …{plain[max(0, other_first - 30):min(other_last, other_first + 50) + 10]}…")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="a built project, or its build folder")
    parser.add_argument("--project", type=Path, default=None, help="the project, when PATH is a build folder outside it")
    parser.add_argument("--keep", type=Path, default=None, help="leave the plain PDF and its XHTML in this folder")
    args = parser.parse_args(argv)
    found = compare(args.path, args.project, args.keep)
    print(found.line())
    for difference in found.differences:
        print(f"  {difference}")


if __name__ == "__main__":
    main()
