"""The word lists against spylls, and what loading each source of words costs.

1. Equivalence: for every distinct word of the five posts (``chapters/*.txt``), of the WordPress
   theme unit test export (``tests/fixtures/wordpress-theme-unit-test.xml``) and of wordfreq's
   50,000 commonest English words, each as written and in lower case, Title case and capitals,
   ``lexicon.known`` and ``lexicon.known_to_all`` (the shipped word lists) must answer as spylls'
   ``Dictionary.lookup`` on the same dictionaries does.  Prints the count of disagreements and
   the first few.
2. ``lexicon.zipf`` (wordfreq's answers, compiled into a table) must equal ``wordfreq.zipf_frequency`` for
   every word of wordfreq's English list and every word of (1).
3. Loading: the CPU seconds of each way of loading the spelling pass's dictionaries, side by side
   in fresh processes, alternating, median of 3.

    PYTHONPATH=src python benchmarks/lexicon.py
"""

from __future__ import annotations

import html
import re
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[^\s\"“”()\[\]{}<>,;:!?…*/=&|]+")
LOADS = {
    "spylls (both dictionaries)": "lx.hunspell()",
    "word lists (both)": "lx.word_lists()",
    "symspell's index (before)": "SymSpell(2, 5).load_dictionary(str(resources.files('symspellpy') / VOCABULARY), 0, 1)",
    "vocabulary for a 5-letter word": "[lx.vocabulary(n) for n in range(3, 8)]",
    "bigrams": "lx.bigrams()",
    "misspellings": "lx.misspellings()",
    "wordfreq's first answer": "lx.zipf('therapist')",
    "all the pass loads (now)": "lx.word_lists(); [lx.vocabulary(n) for n in range(30)]; lx.bigrams(); lx.misspellings(); "
                                "lx.zipf('the')",
}


def words() -> set[str]:
    from wordfreq import top_n_list

    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT / "chapters").glob("*.txt"))]
    texts.append(html.unescape(re.sub(r"<[^>]+>", " ", (PROJECT / "tests/fixtures/wordpress-theme-unit-test.xml")
                                      .read_text(encoding="utf-8"))))
    found = {m.group().strip(".'’-") for text in texts for m in WORD.finditer(text)}
    found |= set(top_n_list("en", 50_000))
    return {v for w in found if w for v in (w, w.lower(), w.title(), w.upper())}


def disagreements(checked: list[str]) -> list[tuple[str, list[bool], list[bool]]]:
    from bookforge.editorial import lexicon as lx

    found = []
    for word in checked:
        answers = [d.lookup(word) for d in lx.hunspell()]
        if (any(answers), all(answers)) != (lx.known(word), lx.known_to_all(word)):
            found.append((word, answers, [w.accepts(word) for w in lx.word_lists()]))
    return found


def mend_spylls_lowercase_index() -> None:
    """spylls 0.1.7 indexes each lower-case stem under each of its letters (readers/dic.py: ``lower = ... else word``
    is a string, then iterated), so an upper-case word read as a one-letter stem plus affixes ("AED" as a+ed) matches
    any stem holding that letter.  Index each stem under its lower-case form, as the code means to."""
    from collections import defaultdict

    from spylls.hunspell.algo.capitalization import Type

    from bookforge.editorial import lexicon as lx

    for dictionary in lx.hunspell():
        index = defaultdict(list)
        for word in dictionary.dic.words:
            for lower in ([word.stem] if word.captype == Type.NO else dictionary.aff.casing.lower(word.stem)):
                index[lower].append(word)
        dictionary.dic.lowercase_index = index
    lx.known.cache_clear()  # words with digits were looked up in spylls itself
    lx.known_to_all.cache_clear()


def equivalence() -> int:
    checked = sorted(words())
    found = disagreements(checked)
    print(f"{len(checked):,} words checked against spylls' lookup: {len(found)} disagreements, "
          f"{sum(w.isupper() for w, _, _ in found)} of them in capitals")
    for word, spylls, lists in found[:8]:
        print(f"  {word!r}: spylls {spylls}, word lists {lists}")
    mend_spylls_lowercase_index()
    found = disagreements(checked)
    print(f"against spylls with its lower-case index mended: {len(found)} disagreements")
    for word, spylls, lists in found[:20]:
        print(f"  {word!r}: spylls {spylls}, word lists {lists}")
    return len(found)


def typos(count: int = 3000) -> set[str]:
    """Deterministic typing errors in common words: a swap, a dropped, doubled or changed letter, one or two of them."""
    import random

    from wordfreq import top_n_list

    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz"
    found = set()
    for word in rng.sample([w for w in top_n_list("en", 20_000) if w.isalpha() and len(w) > 2], count):
        for _ in range(rng.choice((1, 2))):
            i = rng.randrange(len(word) - 1)
            word = rng.choice((word[:i] + word[i + 1] + word[i] + word[i + 2:], word[:i] + word[i + 1:],
                               word[:i] + word[i] + word[i:], word[:i] + rng.choice(letters) + word[i + 1:]))
        found.add(word)
    return found


def close_words() -> int:
    """``lexicon.close_words`` (rapidfuzz over the vocabulary) against symspellpy's lookup, which it replaces."""
    from importlib import resources

    from symspellpy import SymSpell, Verbosity

    from bookforge.editorial import lexicon as lx

    speller = SymSpell(max_dictionary_edit_distance=lx.MAX_EDITS, prefix_length=5)
    speller.load_dictionary(str(resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"), 0, 1)
    unknown = {w.lower() for w in words() if w.isalpha() and not lx.known(w.lower())}
    queries = sorted(unknown | typos())
    differ = []
    for word in queries:
        found = speller.lookup(word, Verbosity.ALL, max_edit_distance=lx.MAX_EDITS, transfer_casing=False)
        expected = tuple(s.term for s in found if s.term != word and lx.known(s.term))
        if set(expected) != set(lx.close_words(word)):
            differ.append((word, expected, lx.close_words(word)))
    print(f"\nclose_words: {len(queries):,} words ({len(unknown):,} unknown words of the texts, the rest typos of common words): "
          f"{len(differ)} give other candidates than symspell")
    for word, expected, got in differ[:10]:
        print(f"  {word!r}: symspell {expected}, rapidfuzz {got}")
    return len(differ)


def frequencies() -> int:
    """``lexicon.zipf`` (the compiled table, else wordfreq) against ``wordfreq.zipf_frequency`` itself, for every word
    of wordfreq's English list and every word checked above."""
    from wordfreq import get_frequency_dict, zipf_frequency

    from bookforge.editorial import lexicon as lx

    checked = sorted(set(get_frequency_dict("en")) | words())
    differ = [w for w in checked if repr(lx.zipf(w)) != repr(zipf_frequency(w, "en"))]
    asked = sum(lx.frequencies().words.get(w) is None and not lx.PLAIN.fullmatch(w) for w in checked)
    print(f"\nzipf: {len(checked):,} words (wordfreq's English list and the words above), {asked:,} of them asked of "
          f"wordfreq itself: {len(differ)} differ from wordfreq.zipf_frequency")
    for word in differ[:10]:
        print(f"  {word!r}: table {lx.zipf(word)}, wordfreq {zipf_frequency(word, 'en')}")
    return len(differ)


def load_seconds(expression: str) -> float:
    code = ("import time; from importlib import resources; from bookforge.editorial import lexicon as lx; "
            "import spylls.hunspell; from symspellpy import SymSpell; "
            "VOCABULARY = 'frequency_dictionary_en_82_765.txt'; "
            f"t = time.process_time(); {expression}; print(time.process_time() - t)")
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def loading(runs: int = 3) -> None:
    times = {name: [] for name in LOADS}
    for _ in range(runs):
        for name, expression in LOADS.items():
            times[name].append(load_seconds(expression))
    print(f"\nloading, CPU seconds, median of {runs} fresh processes:")
    for name, seconds in times.items():
        print(f"  {name:32} {statistics.median(seconds):6.3f}")


if __name__ == "__main__":
    failures = equivalence() + close_words() + frequencies()
    loading()
    sys.exit(1 if failures else 0)
