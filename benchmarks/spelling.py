"""Spelling benchmark: inject misspellings into the five posts' sentences and score the spelling pass.

    PYTHONPATH=src python benchmarks/spelling.py [--per-kind 150] [--seed 9] [--show]

Each error is injected into a sentence of the posts, and the pass checks that whole sentence
(``Speller.check``), as it does in a book: it sees the words around the error, no style sheet
and no word list.  Two sources of errors, none taken from this book's own mistakes:
- real misspellings from codespell's list, only the held-out fifth (a hash of the word) that the
  spelling pass is run *without*, each put in place of its right word where the posts use it;
- generated typing errors on the posts' own words: swaps, drops, doubles, neighbouring keys,
  joins ("mytherapist"), splits ("with out"), lower-case "i", missing apostrophes.

A *non-word* error is one the pass cannot know as a word (Hunspell does not know it and it is
rare in wordfreq; for a missing apostrophe, Hunspell alone: "dont" is common on the web but
no word); the acceptance figures are for these.  An injected error that is itself a
real word ("form" for "from") is counted apart as ``real_word``, and so are splits, whose two
halves are real words: the pass may only suggest those.  Prints, per kind, recall (fixed to
the right word), precision (right among the fixes) and how many were suggested with the right
word among the candidates instead.
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
NON_WORD = ("codespell_held_out", "swap", "drop", "double", "neighbour", "join", "lower_i", "apostrophe")
APOSTROPHES = {"don't": "dont", "I'm": "Im", "you're": "youre", "didn't": "didnt", "that's": "thats", "I've": "Ive",
               "can't": "cant", "doesn't": "doesnt", "isn't": "isnt", "I'd": "i'd", "wasn't": "wasnt"}


def held_out(word: str) -> bool:
    return zlib.crc32(word.encode()) % 5 == 0


def sentences() -> list[str]:
    """The posts' sentences of four words or more, with straight apostrophes."""
    found = []
    for path in sorted((ROOT / "chapters").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").replace("’", "'").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip().removeprefix("• ")):
                if len(sentence.split()) >= 4:
                    found.append(sentence)
    return found


def non_word(word: str) -> bool:
    return not lx.known(word.lower()) and lx.zipf(word.lower()) < 3


def typing_error(kind: str, word: str, rng: random.Random) -> str | None:
    i = rng.randrange(1, len(word)) if len(word) > 1 else 0
    if kind == "swap" and len(word) > 2:
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]
    if kind == "drop" and len(word) > 2:
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "neighbour":
        near = [c for c in "abcdefghijklmnopqrstuvwxyz" if spelling._adjacent(word[i], c)]
        return word[:i] + rng.choice(near) + word[i + 1:] if near else None
    return None


def words_of(sentence: str) -> list[re.Match]:
    return [m for m in spelling._words(sentence) if m.group().isalpha() and m.group().islower()]


def cases(per_kind: int, rng: random.Random, listed: dict[str, tuple[str, ...]]):
    """(kind, sentence with the error, (start, end) of the error in it, the sentence's text there as it was)."""
    text = sentences()

    def inject(sentence: str, start: int, end: int, wrong: str):
        return sentence[:start] + wrong + sentence[end:], (start, start + len(wrong)), sentence[start:end]

    by_word: dict[str, list[tuple[str, re.Match]]] = {}
    for sentence in text:
        for m in words_of(sentence):
            by_word.setdefault(m.group(), []).append((sentence, m))
    table = sorted((w, fixes[0]) for w, fixes in listed.items()
                   if held_out(w) and len(fixes) == 1 and fixes[0] in by_word and w.isalpha())
    for wrong, right in rng.sample(table, min(per_kind, len(table))):
        sentence, m = rng.choice(by_word[right])
        yield ("codespell_held_out" if non_word(wrong) else "real_word"), *inject(sentence, m.start(), m.end(), wrong)
    for kind in ("swap", "drop", "double", "neighbour"):
        made = 0
        while made < per_kind:
            sentence = rng.choice(text)
            found = words_of(sentence)
            if not found:
                continue
            m = rng.choice(found)
            wrong = typing_error(kind, m.group(), rng)
            if wrong and wrong != m.group():
                made += 1
                yield (kind if non_word(wrong) else "real_word"), *inject(sentence, m.start(), m.end(), wrong)
    joins, splits = [], []
    for sentence in text:
        found = words_of(sentence)
        for a, b in zip(found, found[1:]):
            if a.group() in spelling.FUNCTION_WORDS and len(b.group()) > 3 and sentence[a.end():b.start()] == " ":
                joins.append((sentence, a, b))
        for m in found:
            w = m.group()
            for i in range(2, len(w) - 1):
                if lx.zipf(w) >= 3 and spelling._splittable(w[:i], w[i:]):
                    splits.append((sentence, m, i))
    for sentence, a, b in rng.sample(joins, per_kind):
        wrong = a.group() + b.group()
        yield ("join" if non_word(wrong) else "real_word"), *inject(sentence, a.start(), b.end(), wrong)
    for sentence, m, i in rng.sample(splits, min(per_kind, len(splits))):
        yield "split", *inject(sentence, m.start(), m.end(), f"{m.group()[:i]} {m.group()[i:]}")
    for right, wrong in APOSTROPHES.items():
        places = [(s, m) for s in text for m in re.finditer(rf"(?<![\w']){re.escape(right)}(?![\w'])", s)]
        for sentence, m in rng.sample(places, min(3, len(places))):
            # "cant" is a word; "dont" is not, though wordfreq has seen it often
            kind = ("lower_i" if wrong == "i'd" else "apostrophe") if not lx.known(wrong.lower()) else "real_word"
            yield kind, *inject(sentence, m.start(), m.end(), wrong)
    places = [(s, m) for s in text for m in re.finditer(r"(?<![\w'])I(?![\w'])", s)]
    for sentence, m in rng.sample(places, 10):
        yield "lower_i", *inject(sentence, m.start(), m.end(), "i")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--show", action="store_true", help="print every wrong automatic fix")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    full = lx.misspellings()
    kept = {w: f for w, f in full.items() if not held_out(w)}
    lx.misspellings = lambda: kept  # the pass never sees the held-out fifth
    speller = spelling.Speller(SpellingConfig(), set())
    tally: dict[str, list[int]] = {}
    for kind, sentence, (start, end), right in cases(args.per_kind, rng, full):
        found = next((f for f in speller.check(sentence) if f.start <= start < f.end), None)
        verdict = found.verdict if found else None
        fixed = isinstance(verdict, str)
        verdict = verdict.replace("’", "'") if fixed else tuple(c.replace("’", "'") for c in verdict or ())
        good = fixed and sentence[:found.start] + verdict + sentence[found.end:] == sentence[:start] + right + sentence[end:]
        if args.show and fixed and not good:
            print(f"  wrong fix ({kind}): {sentence[max(0, start - 30):end + 30]!r}: {found.word} -> {verdict}, meant {right}")
        suggested = not fixed and bool(verdict) and any(
            sentence[:found.start] + c + sentence[found.end:] == sentence[:start] + right + sentence[end:] for c in verdict)
        t = tally.setdefault(kind, [0, 0, 0, 0])  # injected, fixed, fixed right, suggested with the right word
        for k, v in enumerate((1, fixed, good, suggested)):
            t[k] += v
    print(f"seed {args.seed}")
    print(f"{'kind':<20}{'injected':>9}{'fixed':>7}{'right':>7}{'recall':>8}{'precision':>10}{'suggested':>10}")

    def row(name: str, n: int, fixed: int, good: int, suggested: int) -> None:
        print(f"{name:<20}{n:>9}{fixed:>7}{good:>7}{good / n:>8.2f}{(good / fixed if fixed else 1):>10.3f}{suggested:>10}")

    for kind in (*NON_WORD, "split", "real_word"):
        if kind in tally:
            row(kind, *tally[kind])
        if kind == NON_WORD[-1]:
            row("all non-word", *[sum(tally[k][i] for k in NON_WORD if k in tally) for i in range(4)])


if __name__ == "__main__":
    main()
