"""Where the PDF stage's time goes, and what laying chapters out in worker processes would save.

    PYTHONPATH=src python benchmarks/layout.py               # the included book
    PYTHONPATH=src python benchmarks/layout.py --copies 20   # the 20x book from generate.py

A measured prototype for benchmarks/NOTES-parallel-layout.md, not a renderer: it uses bookforge's
stages and the PDF renderer's internals (``pdf._combine``), so it follows the checkout it runs
against and may need adjusting when those change.  It times

1. the whole book as bookforge lays it out today (one combined document): WeasyPrint's layout
   (``render``), drawing the PDF with its fonts subset (``write_pdf``) and the pikepdf pass;
2. the same pages cut into one document per group (front matter, each part or chapter page, back
   matter), laid out and drawn one after another: the sum, and the slowest group;
3. the same groups in a pool of worker processes (forked after WeasyPrint is imported), and
   pikepdf joining their PDFs into one: wall time, and the size the repeated font subsets add.

The groups' folios restart at 1 and their contents page has no targets: the figures are the cost
of the layout, not a book to ship (the design note says how the cross-references would be kept).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the sibling script)

from bookforge import html, manifest, pipeline, readers  # noqa: E402
from bookforge.renderers import pdf, pdf_post  # noqa: E402
from bookforge.renderers.print_spec import gutter, page_css  # noqa: E402

_job: dict = {}  # what the forked workers share: the HTML book, the options, the page CSS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="the N-times book to measure [default: 1]")
    parser.add_argument("--workers", type=int, default=2, help="worker processes [default: 2]")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (a build's edit cache there is reused)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bookforge-layout-"))
    project = work / f"book-{args.copies}x"
    if not (project / "book.yaml").is_file():
        generate(args.copies, project)
    html_book, options = prepare(project, work / f"out-{args.copies}x")
    weasyprint = pdf._weasyprint()

    print(f"{args.copies}x book, {len(html_book.pages)} XHTML pages, {args.workers} workers; "
          f"CPU seconds of this process (or of the worker), except where it says wall\n")
    groups = split(html_book)
    _job.update(html=html_book, options=options, css=page_css(options.spec, gutter(0)))
    lay_out_group(groups[-1])  # warm up: fontconfig, the hyphenation dictionary, the user-agent stylesheet
    whole = lay_out_whole(weasyprint, html_book, options)
    _job["css"] = page_css(options.spec, gutter(whole["pages"]))
    sequential = [lay_out_group(group) for group in groups]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        parallel = pool.map(lay_out_group, groups, chunksize=1)
    parallel_wall = time.perf_counter() - started
    joined, join_seconds = join([result["pdf"] for result in parallel])

    layout = [r["layout"] for r in sequential]
    draw = [r["draw"] for r in sequential]
    print("| step | seconds |\n|---|---|")
    print(f"| whole book: layout (`render`, {whole['passes']} gutter pass(es), {whole['pages']} pages) | {whole['layout']:.2f} |")
    print(f"| whole book: drawing the PDF and subsetting its fonts (`write_pdf`) | {whole['draw']:.2f} |")
    print(f"| whole book: page labels and ids (pikepdf) | {whole['post']:.2f} |")
    print(f"| {len(groups)} groups one after another: layout, sum | {sum(layout):.2f} |")
    print(f"| … drawing, sum | {sum(draw):.2f} |")
    print(f"| … slowest group: layout + drawing | {max(a + b for a, b in zip(layout, draw)):.2f} |")
    print(f"| … median group: layout + drawing | {statistics.median(a + b for a, b in zip(layout, draw)):.2f} |")
    print(f"| {len(groups)} groups in {args.workers} worker processes: wall time | {parallel_wall:.2f} (wall) |")
    print(f"| joining their PDFs with pikepdf | {join_seconds:.2f} |")
    group_pages = sum(r["pages"] for r in sequential)
    print(f"\npages: whole book {whole['pages']}, groups together {group_pages} "
          f"(each group starts on a recto and ends even, so blank versos are added)")
    print(f"PDF size: whole book {whole['size'] / 1024:,.0f} KB, joined groups {len(joined) / 1024:,.0f} KB "
          f"(each group embeds its own font subsets)")
    ideal = max(sum(layout + draw) / args.workers, max(a + b for a, b in zip(layout, draw)))
    print(f"whole-book pdf stage {whole['layout'] + whole['draw'] + whole['post']:.2f} s CPU; groups on "
          f"{args.workers} idle cores at best {ideal:.2f} s + join {join_seconds:.2f} s; "
          f"measured here {parallel_wall:.2f} s wall + join")


def prepare(project: Path, out: Path):
    """The book's intermediate HTML, made by bookforge's own stages (the editorial pass from out's cache if there)."""
    spec = manifest.load(project)
    book = readers.read_book(spec)
    out.mkdir(parents=True, exist_ok=True)
    book, _ = pipeline._edit(book, spec, out)
    directory = out / "html"
    if directory.exists():
        import shutil

        shutil.rmtree(directory)
    html_book = html.write(book, pipeline._styles(project, False), directory)
    return html_book, pdf.PdfOptions(spec.print_spec(), book.metadata.modified)


def lay_out_whole(weasyprint, html_book, options) -> dict:
    """The renderer's own path, step by step: its layout loop (gutter bands), write_pdf, the pikepdf pass."""
    source = weasyprint.HTML(string=_xml(pdf._combine(html_book, options)), base_url=_base(html_book),
                             url_fetcher=pdf.book_fetcher(html_book.directory))
    passes = []
    original = source.render

    def counted(*args, **kwargs):
        passes.append(True)
        return original(*args, **kwargs)

    source.render = counted
    started = time.process_time()
    layout = pdf._lay_out(weasyprint, source, options)
    laid_out = time.process_time() - started
    started = time.process_time()
    data = layout.write_pdf(pdf_variant=options.spec.pdf_variant)
    drawn = time.process_time() - started
    started = time.process_time()
    target = Path(tempfile.mkdtemp()) / "book.pdf"
    pdf_post.finish(data, target, pdf._front_matter_pages(layout), html_book.metadata.identifier, 0)
    post = time.process_time() - started
    return {"layout": laid_out, "passes": len(passes), "draw": drawn, "post": post, "pages": len(layout.pages),
            "size": target.stat().st_size}


def split(html_book) -> list[tuple[int, ...]]:
    """Page groups that each begin on a recto: the front matter, every part and chapter page, the back matter."""
    groups: list[list[int]] = [[]]
    for number, page in enumerate(html_book.pages):
        if page.matter == "bodymatter" or (page.matter == "backmatter" and groups[-1] and
                                           html_book.pages[groups[-1][-1]].matter != "backmatter"):
            groups.append([])
        groups[-1].append(number)
    return [tuple(group) for group in groups if group]


def lay_out_group(group: tuple[int, ...]) -> dict:
    """One group laid out and drawn as a document of its own (in a worker, or in this process)."""
    import weasyprint

    html_book, options = _job["html"], _job["options"]
    part = replace(html_book, pages=tuple(html_book.pages[n] for n in group))
    source = weasyprint.HTML(string=_xml(pdf._combine(part, options)), base_url=_base(html_book),
                             url_fetcher=pdf.book_fetcher(html_book.directory))
    started = time.process_time()
    layout = source.render(stylesheets=[weasyprint.CSS(string=_job["css"])])
    laid_out = time.process_time() - started
    started = time.process_time()
    data = layout.write_pdf(pdf_variant=options.spec.pdf_variant)
    return {"layout": laid_out, "draw": time.process_time() - started, "pages": len(layout.pages), "pdf": data}


def join(documents: list[bytes]) -> tuple[bytes, float]:
    import pikepdf

    started = time.process_time()
    joined = pikepdf.new()
    opened = [pikepdf.open(io.BytesIO(data)) for data in documents]
    for document in opened:
        joined.pages.extend(document.pages)
    out = io.BytesIO()
    joined.save(out)
    return out.getvalue(), time.process_time() - started


def _xml(document) -> str:
    from lxml import etree

    return etree.tostring(document, encoding="unicode", method="xml")


def _base(html_book) -> str:
    return (html_book.directory / "book.xhtml").as_uri()


if __name__ == "__main__":
    main()
