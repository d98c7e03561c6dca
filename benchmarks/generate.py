"""Make an N-times book for the benchmarks: the project's posts repeated N times as chapters.

Copy 1 is the project itself, byte for byte.  Every further copy maps each word of its text to
another word of the book's own vocabulary, one fixed permutation per copy among words of the same
length and about as frequent in the book: line lengths, paragraphs, comment threads and capture
format stay as they were (so the pages fill as the real book's do), common words stay common and
rare ones (the misspellings among them) rare, so the editorial pass has about as much to do per
chapter, while no comment of one copy repeats a comment of another (so it finds no new
duplicates).  The same N always gives the same bytes.

    python benchmarks/generate.py 20 /tmp/book-20x        # then: bookforge build -C /tmp/book-20x
"""

from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[^\W\d_]+")


def generate(copies: int, target: Path, project: Path = PROJECT) -> Path:
    """Write the ``copies``-times book into ``target`` (emptied first) and return it."""
    if copies < 1:
        raise ValueError("copies must be 1 or more")
    manifest_text = (project / "book.yaml").read_text(encoding="utf-8")
    manifest = yaml.safe_load(manifest_text)
    sources = [chapter["source"] for part in manifest["parts"] for chapter in part["chapters"]]
    texts = {source: (project / source).read_text(encoding="utf-8") for source in sources}
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if (project / "styles").is_dir():
        shutil.copytree(project / "styles", target / "styles")
    vocabulary = Counter(word.lower() for text in texts.values() for word in WORD.findall(text))
    for copy in range(copies):
        mapping = _permutation(vocabulary, copy)
        for source, text in texts.items():
            path = target / _copy_name(source, copy)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_translate(text, mapping), encoding="utf-8")
    if copies == 1:
        (target / "book.yaml").write_text(manifest_text, encoding="utf-8")
    else:
        manifest["parts"] = [
            {**part, "title": part["title"] + (f" {copy + 1}" if copy else ""),
             "chapters": [{**chapter, "source": _copy_name(chapter["source"], copy)} for chapter in part["chapters"]]}
            for copy in range(copies) for part in manifest["parts"]]
        manifest["title"] = f"{manifest['title']} ({copies}x)"
        manifest.pop("slug", None)
        (target / "book.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _copy_name(source: str, copy: int) -> str:
    """chapters/post.txt for the first copy, chapters/post-2.txt for the second, and so on."""
    if not copy:
        return source
    path = Path(source)
    return (path.parent / f"{path.stem}-{copy + 1}{path.suffix}").as_posix()


def _permutation(vocabulary: Counter[str], copy: int) -> dict[str, str]:
    """Copy 0: every word to itself.  Copy k: a shuffle, seeded by k, of each group of words of one
    length whose counts in the book lie within the same power of two."""
    if not copy:
        return {}
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for word, count in sorted(vocabulary.items()):
        groups[len(word), int(math.log2(count))].append(word)
    mapping = {}
    for (length, band), words in sorted(groups.items()):
        shuffled = words[:]
        random.Random(f"bookforge-benchmark:{copy}:{length}:{band}").shuffle(shuffled)
        mapping.update(zip(words, shuffled))
    return mapping


def _translate(text: str, mapping: dict[str, str]) -> str:
    """Every word replaced by its image, in the original's case; the closing 'Leave a Comment' line kept."""
    if not mapping:
        return text
    body, newline, last = text.rpartition("\n")
    return WORD.sub(lambda match: _cased(mapping[match.group().lower()], match.group()), body) + newline + last


def _cased(word: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return word.upper()
    if like[0].isupper():
        return word[0].upper() + word[1:]
    return word


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("copies", type=int, help="how many times the posts are repeated (1: the project itself)")
    parser.add_argument("target", type=Path, help="the project folder to write (replaced if it exists)")
    parser.add_argument("--project", type=Path, default=PROJECT, help="the book to repeat [default: this checkout]")
    args = parser.parse_args(argv)
    generate(args.copies, args.target, args.project)
    print(f"wrote {args.target}: {args.copies}x the posts of {args.project}")


if __name__ == "__main__":
    sys.exit(main())
