"""How much of an edited chapter is laid out again: edits at random places of the longest chapters, each laid
out again from the chapter's previous layout (``compositor.lay_out_again``) and, to compare, whole.

    PYTHONPATH=src python benchmarks/edit_layout.py                 # the included book
    PYTHONPATH=src python benchmarks/edit_layout.py --copies 2      # a book from generate.py (words permuted)

For each edit (a sentence added, a few words taken out, a paragraph added; at a place drawn with a fixed
seed) it prints the chapter's pages, the pages laid out (from the first, up to where the pagination meets
the previous layout again) and drawn (those the edit changed), the CPU seconds of the layout again and of a
whole layout, and whether the spliced chapter equals the whole layout (every page's content, every fact
the book takes from the layout, the glyphs each font sets).  The layout runs in this process, one edit after another.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the sibling script)
from layout import prepare  # noqa: E402

from bookforge import cache, html  # noqa: E402
from bookforge.renderers import compositor, pdf, print_spec  # noqa: E402

FACTS = ("pages", "targets", "bookmarks", "starts", "untraced", "printed", "strings", "breaks", "elements")
SENTENCE_END = re.compile(r"[a-z]\. [A-Z]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="the N-times book to measure [default: 1]")
    parser.add_argument("--chapters", type=int, default=2, help="the longest chapters to edit [default: 2]")
    parser.add_argument("--edits", type=int, default=4, help="edits of each kind per chapter [default: 4]")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bookforge-edit-layout-"))
    try:
        project = work / "book"
        generate(args.copies, project)
        html_book, options = prepare(project, work / "out")
        jobs = _chapter_jobs(html_book, options, args.chapters)
        rows = [row for job in jobs for row in _edits(job, html_book.directory, options, args.edits, random.Random(args.seed))]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.copies}x book; {len(rows)} edits in its {len(jobs)} longest chapters (seed {args.seed})\n")
    print("| edit | chapter pages | laid out | drawn | CPU again | CPU whole | same as whole |\n|---|---|---|---|---|---|---|")
    for row in rows:
        print("| {} | {} | {} | {} | {:.2f} s | {:.2f} s | {} |".format(*row))
    again, whole = sum(row[4] for row in rows), sum(row[5] for row in rows)
    print(f"\nall edits: {again:.1f} s of CPU laid out again against {whole:.1f} s whole ({again / whole:.2f}×); "
          f"median pages laid out {statistics.median(row[2] for row in rows)} of "
          f"{statistics.median(row[1] for row in rows)}; the same as whole: {sum(row[6] == 'yes' for row in rows)} of {len(rows)}")


def _chapter_jobs(html_book, options, count: int) -> list[compositor.Job]:
    """The layout jobs of the ``count`` longest chapters, as the PDF renderer makes them."""
    typesetting = pdf._Typesetting(html_book, options, None, None)
    page = print_spec.page_css(options.spec, print_spec.gutter(pdf.estimated_pages(html_book, options.spec)))
    documents = sorted((typesetting._document(group) for group in pdf.groups(html_book)[1:]), key=len, reverse=True)
    return [compositor.Job(xml, (page, typesetting.no_folio), None, False) for xml in documents[:count]]


def _edits(job: compositor.Job, directory: Path, options, count: int, chance: random.Random):
    arguments = dict(directory=directory, date=options.date, resources=cache.tree(directory, skip=".xhtml"),
                     print_css=html.PRINT_CSS)
    before = compositor.lay_out(job, **arguments)
    ends = [m.start() + 1 for m in SENTENCE_END.finditer(job.xml)]
    paragraphs = [m.start() for m in re.finditer("<p>", job.xml)]
    kinds = {
        "a sentence added": lambda at: _at(job.xml, ends, at, lambda x, n: x[:n] + " The author added this one." + x[n:]),
        "words taken out": lambda at: _at(job.xml, ends, at, lambda x, n: x[:n + 1] + x[n + 30:]),
        "a paragraph added": lambda at: _at(job.xml, paragraphs, at, lambda x, n: x[:n] + "<p>A paragraph the author "
                                            "added, long enough to take two lines of the page and push the text after "
                                            "it down.</p>" + x[n:]),
    }
    for kind, edit in kinds.items():
        for _ in range(count):
            at = chance.random()
            edited = replace(job, xml=edit(at))
            started = time.process_time()
            piece = compositor.lay_out_again(edited, compositor.Since(before.elements, before.breaks), **arguments)
            again = time.process_time() - started
            started = time.process_time()
            whole = compositor.lay_out(edited, **arguments)
            whole_cpu = time.process_time() - started
            if piece is None:
                yield (f"{kind} at {at:.0%}", len(whole.pages), len(whole.pages), len(whole.pages), again + whole_cpu,
                       whole_cpu, "laid out whole")
                continue
            patched = pdf._patched(before, piece)
            same = (all(getattr(patched, f) == getattr(whole, f) for f in FACTS) and patched.faces == whole.faces
                    and _streams(patched.pdf) == _streams(whole.pdf))
            yield (f"{kind} at {at:.0%}", len(before.pages), piece.first + len(piece.laid.pages), len(piece.laid.pages),
                   again, whole_cpu, "yes" if same else "NO")


def _at(xml: str, places: list[int], fraction: float, change) -> str:
    return change(xml, places[min(len(places) - 1, int(len(places) * fraction))])


def _streams(data: bytes) -> list[bytes]:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as document:
        return [page.obj.Contents.read_bytes() for page in document.pages]


if __name__ == "__main__":
    main()
