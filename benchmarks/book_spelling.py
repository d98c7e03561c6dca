"""The spelling pass on this book as a new user meets it: book.yaml without the style sheet, word list,
keep/drop lists and links.

    PYTHONPATH=src python benchmarks/book_spelling.py [--show]

Runs the editorial pass (the build's edit stage) on a copy of the project and scores its
automatic fixes against benchmarks/book-misspellings.tsv, the sure non-word misspellings of
the five posts.  Prints how many are fixed, fixed wrongly, suggested or missed, and every
automatic spelling fix that is not on the list, for a reader to check by eye.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

from bookforge import editorial, manifest, readers

ROOT = Path(__file__).resolve().parent.parent


def bare_project(folder: Path) -> Path:
    shutil.copy(ROOT / "book.yaml", folder / "book.yaml")
    shutil.copytree(ROOT / "chapters", folder / "chapters")
    yaml = YAML()
    data = yaml.load((folder / "book.yaml").read_text(encoding="utf-8"))
    section = data.get("editorial") or {}
    for key in ("style_sheet", "links"):
        section.pop(key, None)
    section.get("spelling", {}).pop("words", None)
    for key in ("keep", "drop"):
        (section.get("repeats") or {}).pop(key, None)
    with (folder / "book.yaml").open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="also print the misspellings left unfixed")
    args = parser.parse_args()
    gold = {}
    for line in (ROOT / "benchmarks" / "book-misspellings.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, number, wrong, right = line.split("\t")
            gold[source, int(number), wrong] = right
    with tempfile.TemporaryDirectory() as tmp:
        spec = manifest.load(bare_project(Path(tmp)))
        _, ledger = editorial.edit(readers.read_book(spec), spec.editorial)
    fixes = {(c.source.path, c.source.line, c.before): c.after for c in ledger.changes
             if c.kind == "typo_fixed" and c.reason in ("spelling", "capitalization")}
    suggested = {(s.source.path, s.source.line, s.word) for s in ledger.suggestions}
    suggested_words = {s.word.lower() for s in ledger.suggestions}
    right = [k for k in gold if fixes.get(k) == gold[k]]
    wrong = [k for k in gold if k in fixes and fixes[k] != gold[k]]
    left = [k for k in gold if k not in fixes]
    print(f"sure non-word misspellings: {len(gold)}")
    print(f"fixed right:  {len(right)} ({len(right) / len(gold):.0%})")
    print(f"fixed wrong:  {len(wrong)}")
    print(f"left to the editor as a suggestion: {sum(k[2].lower() in suggested_words for k in left)}"
          f" of {len(left)} unfixed")
    for k in wrong:
        print(f"  WRONG {k[0]}:{k[1]} {k[2]} -> {fixes[k]} (meant {gold[k]})")
    if args.show:
        for k in left:
            print(f"  unfixed {k[0]}:{k[1]} {k[2]} (meant {gold[k]}){' suggested' if k[2].lower() in suggested_words else ''}")
    others = [(k, v) for k, v in fixes.items() if k not in gold]
    print(f"automatic fixes not on the list, to read: {len(others)}")
    for (source, number, before), after in others:
        print(f"  {source}:{number} {before} -> {after}")
    print(f"suggestions: {len(ledger.suggestions)} words, {len(suggested)} places shown")


if __name__ == "__main__":
    main()
