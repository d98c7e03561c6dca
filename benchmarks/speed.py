"""How fast bookforge builds, beside the pandoc pair, and how it scales: prints Markdown tables for the README.

    PYTHONPATH=src python benchmarks/speed.py                       # both parts, 5 runs, 1x 20x 50x
    PYTHONPATH=src python benchmarks/speed.py --parts compare --runs 3
    PYTHONPATH=src python benchmarks/speed.py --parts scale --scales 1,20

It times whatever bookforge the PYTHONPATH gives (``python -m bookforge build``), always on a copy
of the book made by ``generate.py`` in a scratch folder, never in the checkout.

*compare*: the pandoc pair (pandoc Markdown -> EPUB, pandoc Markdown -> standalone HTML, WeasyPrint
-> a 6 x 9 in PDF in EB Garamond, one after another, on the same posts written as Markdown) and
bookforge's cold build, no-change rebuild and one-sentence edit in one chapter, in alternating
runs; medians and ratios.  *scale*: the 1x, 20x and 50x books built cold once each: time, peak
RSS (of the build's process tree, from ``wait4``) and pages per second, beside the pandoc pair on
the same text.  Without pandoc on the PATH the pandoc pair is skipped, with a message.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the sibling script)

BULLET = re.compile(r"^( *)• (.*)$")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
EDIT_SENTENCE = " The benchmark added this sentence."
PDF_CSS = """\
@page {{ size: 6in 9in; margin: 0.75in 0.7in 0.8in; @bottom-center {{ content: counter(page); }} }}
{fonts}
body {{ font-family: "EB Garamond", "Noto Color Emoji", serif; font-size: 11pt; line-height: 1.35; hyphens: auto;
        max-width: none; margin: 0; padding: 0; }}
h1 {{ break-before: right; }}
"""


@dataclass(frozen=True)
class Measure:
    seconds: float  # wall time
    cpu: float  # user + system time of the command and its children: less shaken by a busy machine
    peak_rss: int  # bytes: the largest resident set of the command's processes


def run(command: list[str], log: Path) -> Measure:
    """Run ``command`` to the end, its output into ``log``; its wall and CPU time and peak RSS (from wait4)."""
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{tail}")
    return Measure(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


# ---- the pandoc pair ---------------------------------------------------------------------------

def pandoc_missing() -> str | None:
    """Why the pandoc pair cannot run here, or None when it can."""
    if not shutil.which("pandoc"):
        return "pandoc is not on the PATH (Debian: apt-get install pandoc): the pandoc pair is skipped"
    if importlib.util.find_spec("weasyprint") is None:
        return "WeasyPrint is not importable: the pandoc pair is skipped"
    return None


def markdown_book(project: Path) -> Path:
    """The book's posts as one Markdown file (parts as level-1, posts as level-2 headings, comments as
    nested lists) with a print stylesheet beside it: the pandoc pair's input."""
    manifest = yaml.safe_load((project / "book.yaml").read_text(encoding="utf-8"))
    authors = ", ".join(author["name"] for author in manifest["authors"])
    lines = ["---", f"title: {_quoted(manifest['title'])}", f"author: {_quoted(authors)}",
             f"lang: {manifest['language']}", "---", ""]
    for part in manifest["parts"]:
        lines += [f"# {_escaped(part['title'])}", ""]
        for chapter in part["chapters"]:
            lines += capture_markdown((project / chapter["source"]).read_text(encoding="utf-8")) + [""]
    folder = project / "pandoc"
    folder.mkdir(exist_ok=True)
    book = folder / "book.md"
    book.write_text("\n".join(lines), encoding="utf-8")
    fonts = sorted((project / "styles" / "fonts").glob("*.[ot]tf"))
    faces = "\n".join(_font_face(path) for path in fonts)
    (folder / "print.css").write_text(PDF_CSS.format(fonts=faces), encoding="utf-8")
    return book


def capture_markdown(text: str) -> list[str]:
    """One capture as Markdown: its first line a heading, body paragraphs as they are, each comment a
    list item nested under the nearest shallower bullet, its further paragraphs inside the item."""
    lines = text.split("\n")
    found = [f"## {_escaped(lines[0])}", ""]
    open_bullets: list[int] = []  # indents of the bullets the current line may belong to
    inside = ""
    for line in lines[1:]:
        bullet = BULLET.match(line)
        if bullet:
            indent = len(bullet.group(1))
            while open_bullets and open_bullets[-1] >= indent:
                open_bullets.pop()
            prefix = "    " * len(open_bullets)
            open_bullets.append(indent)
            found.append(f"{prefix}- {_escaped(bullet.group(2))}")
            inside = prefix + "  "
        elif not line.strip():
            found.append("")
        elif open_bullets and line.startswith(" "):
            found.append(inside + _escaped(line.strip()))
        else:
            open_bullets = []
            found.append(_escaped(line))
    return found


def _escaped(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\u00a0", " ")).lstrip()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _font_face(path: Path) -> str:
    family = "Noto Color Emoji" if "Emoji" in path.stem else "EB Garamond"
    style = "italic" if "Italic" in path.stem else "normal"
    weight = "bold" if "Bold" in path.stem else "normal"
    return (f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
            f"font-style: {style}; font-weight: {weight}; }}")


def pandoc_pair(book: Path, logs: Path) -> Measure:
    """pandoc -> EPUB, pandoc -> standalone HTML, WeasyPrint -> PDF, one after another: total time, largest RSS."""
    folder = book.parent
    steps = [
        ["pandoc", str(book), "-o", str(folder / "book.epub")],
        ["pandoc", "--standalone", str(book), "-o", str(folder / "book.html")],
        [sys.executable, "-m", "weasyprint", "-s", str(folder / "print.css"), str(folder / "book.html"),
         str(folder / "book.pdf")],
    ]
    measures = [run(step, logs / f"pandoc-{number}.log") for number, step in enumerate(steps)]
    return Measure(sum(m.seconds for m in measures), sum(m.cpu for m in measures), max(m.peak_rss for m in measures))


# ---- bookforge -----------------------------------------------------------------------------------

def bookforge(project: Path, logs: Path, name: str) -> Measure:
    return run([sys.executable, "-m", "bookforge", "build", "-C", str(project), "-o", str(project / "build")],
               logs / f"bookforge-{name}.log")


def cold(project: Path, logs: Path) -> Measure:
    shutil.rmtree(project / "build", ignore_errors=True)
    return bookforge(project, logs, "cold")


def edit_one_sentence(project: Path) -> None:
    """Add a sentence to (or take it back from) the first long paragraph of prose in the first chapter's post:
    one that opens with a letter, so not a banner ("*** Now Available …"), which the editorial pass removes
    as a web leftover and would then keep as text, changing more than a sentence."""
    manifest = yaml.safe_load((project / "book.yaml").read_text(encoding="utf-8"))
    path = project / manifest["parts"][0]["chapters"][0]["source"]
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines)
                  if n > 0 and line[:1].isalpha() and len(line.split()) > 15)
    line = lines[number]
    lines[number] = line.removesuffix(EDIT_SENTENCE) if line.endswith(EDIT_SENTENCE) else line + EDIT_SENTENCE
    path.write_text("\n".join(lines), encoding="utf-8")


def pdf_pages(project: Path) -> int:
    """The page count of the print PDF bookforge built."""
    (pdf,) = [path for path in (project / "build").glob("*.pdf") if not path.stem.endswith("-proof")]
    return _pdf_pages(pdf)


def _pdf_pages(path: Path) -> int:
    import pikepdf  # a bookforge dependency: count the pages as the file says

    with pikepdf.open(path) as document:
        return len(document.pages)


# ---- the two parts ---------------------------------------------------------------------------

def compare(work: Path, runs: int, pandoc: bool) -> str:
    """Alternating runs of the pandoc pair and bookforge's cold build, no-change rebuild and one-sentence edit."""
    project = generate(1, work / "book-1x")
    logs = work / "logs"
    book = markdown_book(project) if pandoc else None
    times: dict[str, list[Measure]] = {"pandoc": [], "cold": [], "rebuild": [], "edit": []}
    for number in range(runs):
        def ours():
            times["cold"].append(cold(project, logs))
            times["rebuild"].append(bookforge(project, logs, "rebuild"))
            edit_one_sentence(project)
            times["edit"].append(bookforge(project, logs, "edit"))

        def theirs():
            if book:
                times["pandoc"].append(pandoc_pair(book, logs))

        for step in (theirs, ours) if number % 2 == 0 else (ours, theirs):
            step()
        print(f"  run {number + 1}/{runs} done", file=sys.stderr)
    rows = ["| build | median wall time | range | median CPU time | ratio (wall; CPU) |", "|---|---|---|---|---|"]
    names = {"pandoc": "pandoc pair (EPUB + standalone HTML + WeasyPrint PDF)", "cold": "bookforge, cold build",
             "rebuild": "bookforge, no-change rebuild", "edit": "bookforge, one sentence edited in one chapter"}
    bases = {"pandoc": "pandoc", "cold": "pandoc", "rebuild": "cold", "edit": "cold"}
    against = {"pandoc": "the pandoc pair", "cold": "a cold build"}
    for name, measures in times.items():
        base = times[bases[name]]
        ratio = f"{_ratio(measures, base, 'seconds')}; {_ratio(measures, base, 'cpu')} {against[bases[name]]}" if base else ""
        if measures:
            wall = [m.seconds for m in measures]
            rows.append(f"| {names[name]} | {statistics.median(wall):.2f} s | {min(wall):.2f}–{max(wall):.2f} s | "
                        f"{statistics.median(m.cpu for m in measures):.2f} s | {ratio} |")
    return "\n".join(rows)


def _ratio(measures: list[Measure], base: list[Measure], what: str) -> str:
    return f"{statistics.median(getattr(m, what) for m in measures) / statistics.median(getattr(m, what) for m in base):.2f}×"


def scale(work: Path, scales: list[int], pandoc: bool) -> None:
    """One cold build of each N-times book, then the pandoc pair on it: time, peak RSS, pages per second.

    Each row is printed as soon as it is measured: a 50x book takes long enough to be stopped half-way.
    """
    print("| book | build | pages | wall time (CPU) | × its first book's time (wall; CPU) | peak RSS | pages/s (per CPU s) |\n"
          "|---|---|---|---|---|---|---|",
          flush=True)
    first: dict[str, tuple[int, Measure]] = {}
    for copies in scales:
        project = generate(copies, work / f"book-{copies}x")
        chapters = sorted((project / "chapters").glob("*.txt"))
        words = sum(len(path.read_text(encoding="utf-8").split()) for path in chapters)
        book = f"{copies}x: {len(chapters)} chapters, {words:,} words"
        ours = cold(project, work / "logs")
        pages = pdf_pages(project)
        _scale_row(book, "bookforge, cold", pages, ours, first)
        if pandoc:
            theirs = pandoc_pair(markdown_book(project), work / "logs")
            _scale_row(book, "pandoc pair", _pdf_pages(project / "pandoc" / "book.pdf"), theirs, first)
        if copies != 1:
            shutil.rmtree(project, ignore_errors=True)  # a 50x book and its build take a lot of room


def _scale_row(book: str, build: str, pages: int, measure: Measure, first: dict[str, tuple[int, Measure]]) -> None:
    copies = int(book.split("x")[0])
    base = first.setdefault(build, (copies, measure))
    relative = (f"{measure.seconds / base[1].seconds:.1f}×; CPU {measure.cpu / base[1].cpu:.1f}× ({base[0]}x)"
                if base[0] != copies else "1.0×")
    print(f"| {book} | {build} | {pages:,} | {measure.seconds:.1f} s ({measure.cpu:.1f} s) | {relative} | "
          f"{_megabytes(measure.peak_rss)} | {pages / measure.seconds:.1f} ({pages / measure.cpu:.1f}) |", flush=True)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def setting() -> str:
    """What the figures were taken with, for the line under the tables."""
    spec = importlib.util.find_spec("bookforge")
    if spec is None:
        raise SystemExit("bookforge is not importable: set PYTHONPATH=src (or install it) and run again")
    pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout.split("\n")[0] \
        if shutil.which("pandoc") else "no pandoc"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"bookforge from {Path(spec.origin).parent}; {pandoc}; Python {platform.python_version()}; "
            f"{os.cpu_count()} cores; load average at start {load}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="compare,scale",
                        help="which parts to run, comma-separated: compare, scale [default: both]")
    parser.add_argument("--runs", type=int, default=5, help="runs of each build in the comparison [default: 5]")
    parser.add_argument("--scales", default="1,20,50", help="the N-times books to build [default: 1,20,50]")
    parser.add_argument("--no-pandoc", action="store_true", help="leave the pandoc pair out")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder [default: a new one in /tmp]")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    if parts - {"compare", "scale"} or args.runs < 1:
        parser.error("--parts takes compare and/or scale; --runs at least 1")
    print(f"_{setting()}_\n")
    missing = None if args.no_pandoc else pandoc_missing()
    if missing:
        print(f"_{missing}._\n")
    pandoc = not args.no_pandoc and missing is None
    work = args.work or Path(tempfile.mkdtemp(prefix="bookforge-speed-"))
    (work / "logs").mkdir(parents=True, exist_ok=True)
    try:
        if "compare" in parts:
            print(f"The included book, {args.runs} alternating runs:\n\n{compare(work, args.runs, pandoc)}\n", flush=True)
        if "scale" in parts:
            scales = [int(n) for n in args.scales.split(",")]
            print("Cold builds of the N-times book (one run each):\n", flush=True)
            scale(work, scales, pandoc)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
