"""What the build's edit stage costs: a cold build, a rebuild with nothing changed, a rebuild after one sentence
(with a typo) was added to a paragraph of the first chapter, and after that a new name in the last chapter.

    PYTHONPATH=src python benchmarks/edit_stage.py                # the included book
    PYTHONPATH=src python benchmarks/edit_stage.py --copies 20    # the 20x book from generate.py
    PYTHONPATH=/work/main/src python benchmarks/edit_stage.py     # another checkout's code, for a side-by-side

Each build runs the edit stage (``pipeline._edit``: the editorial pass, or the cache's entries) in a fresh
process, on a copy of the project with its own build folder, and prints its CPU seconds (the figure a busy
machine disturbs least) and how many chapters' entries it made anew (``build/.cache/edit-chapter``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the sibling script)

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = " It is a quiet plase to rest."  # "plase": a typo the spelling pass must look at
NAME = " We asked Zorbenstein about it."  # a word the book now uses as a name
ONE_BUILD = """
import sys, time
from pathlib import Path
from bookforge import manifest, pipeline, readers
spec = manifest.load(Path(sys.argv[1]))
book = readers.read_book(spec)
started = time.process_time()
pipeline._edit(book, spec, Path(sys.argv[1]) / "build")
print(time.process_time() - started)
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="the N-times book to measure [default: 1]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bookforge-edit-stage-") as scratch:
        project = Path(scratch) / "book"
        if args.copies == 1:
            shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns("build", ".git", "tests", "benchmarks"))
        else:
            generate(args.copies, project)
        sources = sorted((project / "chapters").glob("*"))
        print(f"{'build':<44} {'edit stage CPU':>15} {'chapter entries made':>21}")
        for label, change in (("cold (empty cache)", None), ("nothing changed", None),
                              ("one sentence added in the first chapter", (_first_chapter(project), SENTENCE)),
                              ("a new name in the last chapter", (sources[-1], NAME))):
            if change:
                _add_to_a_paragraph(*change)
            before = _entries(project)
            seconds = float(subprocess.run([sys.executable, "-c", ONE_BUILD, str(project)], check=True, capture_output=True,
                                           text=True).stdout.split()[-1])
            print(f"{label:<44} {seconds:>13.2f} s {len(_entries(project) - before):>21}")


def _first_chapter(project: Path) -> Path:
    text = (project / "book.yaml").read_text("utf-8")
    return project / text.split("- source: ", 1)[1].split("\n", 1)[0].strip()


def _add_to_a_paragraph(path: Path, sentence: str) -> None:
    """The sentence at the end of the first long paragraph of the file."""
    lines = path.read_text("utf-8").split("\n")
    number = next(n for n, line in enumerate(lines) if len(line) > 200 and line.rstrip().endswith("."))
    lines[number] = lines[number].rstrip() + sentence
    path.write_text("\n".join(lines), "utf-8")


def _entries(project: Path) -> set[Path]:
    return set((project / "build" / ".cache" / "edit-chapter").glob("*.entry"))


if __name__ == "__main__":
    main()
