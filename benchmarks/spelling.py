"""Spelling benchmark: inject misspellings into the five posts' sentences and score the spelling pass.

    PYTHONPATH=src python benchmarks/spelling.py [--per-kind 150] [--seed 9]

Two sources of errors, none taken from this book:
- real misspellings from codespell's list, only the held-out fifth (a hash of the word) that the
  spelling pass is run *without*, so the pass cannot have seen them;
- generated typing errors on the posts' own words: swaps, drops, doubles, neighbouring keys,
  joins, lower-case "i", missing apostrophes.
Each injected word is judged in its sentence (the words before and after), with no style sheet
and no word list.  Prints recall (fixed to the right word) and precision (right among the fixes).
"""

from __future__ import annotations

import argparse
import random
import re
import zlib
from pathlib import Path

from bookforge.editorial import lexicon as lx
from bookforge.editorial import spelling
from bookforge.editorial.config import SpellingConfig

ROOT = Path(__file__).resolve().parent.parent


def held_out(word: str) -> bool:
    return zlib.crc32(word.encode()) % 5 == 0


def contexts() -> list[tuple[str, str, str]]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "chapters").glob("*.txt")))
    tokens = re.findall(r"[a-z’']+|[^\sa-z]", text.replace("’", "'"))
    return [(tokens[i - 1], tokens[i], tokens[i + 1]) for i in range(1, len(tokens) - 1)
            if tokens[i].isalpha() and len(tokens[i]) >= 3 and lx.known(tokens[i])]


def typing_error(kind: str, word: str, rng: random.Random) -> str | None:
    rows = spelling.KEYBOARD
    i = rng.randrange(1, len(word)) if len(word) > 1 else 0
    if kind == "swap" and len(word) > 2:
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    if kind == "drop" and len(word) > 3:
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "neighbour":
        near = [c for c in "abcdefghijklmnopqrstuvwxyz" if spelling._adjacent(word[i], c)]
        return word[:i] + rng.choice(near) + word[i + 1:] if near else None
    return None


def cases(per_kind: int, rng: random.Random, listed: dict[str, tuple[str, ...]]):
    ctx = contexts()
    table = [(w, fixes[0]) for w, fixes in listed.items()
             if held_out(w) and len(fixes) == 1 and lx.known(fixes[0]) and " " not in fixes[0]]
    for wrong, right in rng.sample(table, per_kind):
        yield "codespell_held_out", ("", wrong, ""), right
    for kind in ("swap", "drop", "double", "neighbour"):
        made = 0
        while made < per_kind:
            before, word, after = rng.choice(ctx)
            wrong = typing_error(kind, word, rng)
            if wrong and wrong != word and not lx.known(wrong) and lx.zipf(wrong) < 3:
                made += 1
                yield kind, (before, wrong, after), word
    pairs = [(a, b) for a, b, _ in ctx if a.isalpha() and a in spelling.FUNCTION_WORDS and len(b) > 3]
    for before, word in rng.sample(pairs, per_kind):
        yield "join", ("", before + word, ""), f"{before} {word}"
    for kind, wrong, right in (("lower_i", "i", "I"), ("apostrophe", "dont", "don't"), ("apostrophe", "im", "I'm"),
                               ("apostrophe", "youre", "you're"), ("apostrophe", "didnt", "didn't"),
                               ("apostrophe", "thats", "that's"), ("apostrophe", "ive", "I've"), ("lower_i", "i'd", "I'd")):
        yield kind, ("", wrong, ""), right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--show", action="store_true", help="print every wrong automatic fix")
    parser.add_argument("--margin", type=float, default=SpellingConfig().margin, help="the spelling.margin setting to try")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    full = lx.misspellings()
    lx.misspellings = lambda: {w: f for w, f in full.items() if not held_out(w)}  # the pass never sees the held-out fifth
    speller = spelling.Speller(SpellingConfig(margin=args.margin), set())
    tally: dict[str, list[int]] = {}
    for kind, (before, wrong, after), right in cases(args.per_kind, rng, full):
        verdict = speller.judge(wrong, before, after)
        fixed = isinstance(verdict, str)
        good = fixed and verdict.replace("’", "'") == right
        if args.show and fixed and not good:
            print(f"  wrong fix ({kind}): {before} [{wrong}] {after} -> {verdict}, meant {right}")
        t = tally.setdefault(kind, [0, 0, 0, 0])  # injected, fixed, fixed right, suggested with the right word first-4
        t[0] += 1
        t[1] += fixed
        t[2] += good
        t[3] += (not fixed) and bool(verdict) and right in [c.replace("’", "'") for c in verdict]
    print(f"{'kind':<20}{'injected':>9}{'fixed':>7}{'right':>7}{'recall':>8}{'precision':>10}{'suggested':>10}")
    total = [0, 0, 0, 0]
    for kind, (n, fixed, good, suggested) in tally.items():
        total = [a + b for a, b in zip(total, (n, fixed, good, suggested))]
        print(f"{kind:<20}{n:>9}{fixed:>7}{good:>7}{good / n:>8.2f}{(good / fixed if fixed else 1):>10.3f}{suggested:>10}")
    n, fixed, good, suggested = total
    print(f"{'all':<20}{n:>9}{fixed:>7}{good:>7}{good / n:>8.2f}{good / fixed:>10.3f}{suggested:>10}")


if __name__ == "__main__":
    main()
