"""The English the spelling pass knows: field dictionaries, loaded once per process.

- Hunspell's en_US and en_GB dictionaries (read by ``spylls``, a pure-Python Hunspell) say
  whether a word is English, with its affixes and its British spelling.
- codespell's list of common misspellings ("teh->the", "becuase->because") is a
  high-precision first rule: a word on it is corrected as the list says when the list
  gives one answer.
- symspellpy's shipped frequency dictionary gives the candidates within two edits, fast,
  and its bigram dictionary the words that go together ("each week").
- wordfreq says how common a word is in written English (Zipf scale: 7 is "the", 3 is rare).

The Hunspell files come from Debian's ``hunspell-en-us`` and ``hunspell-en-gb`` packages
(``/usr/share/hunspell``); ``BOOKFORGE_HUNSPELL`` names another folder holding them.
"""

from __future__ import annotations

import gc
import os
import warnings
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from wordfreq import zipf_frequency

from bookforge.diagnostics import BookforgeError, error

HUNSPELL_DIRS = ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell")
DICTIONARIES = ("en_US", "en_GB")
MAX_EDITS = 2


class MissingDictionary(BookforgeError):
    """The Hunspell dictionaries are not installed: the build stops and says what to install."""


@cache
def hunspell():
    from spylls.hunspell import Dictionary

    folders = [os.environ["BOOKFORGE_HUNSPELL"]] if os.environ.get("BOOKFORGE_HUNSPELL") else list(HUNSPELL_DIRS)
    found = []
    for name in DICTIONARIES:
        path = next((Path(f) / name for f in folders if (Path(f) / f"{name}.dic").exists()), None)
        if path is None:
            raise MissingDictionary([error("S-001", f"the Hunspell dictionary {name} is not in {', '.join(folders)}: "
                                           "install Debian's hunspell-en-us and hunspell-en-gb, or set BOOKFORGE_HUNSPELL",
                                           "book.yaml")])
        found.append(path)
    with warnings.catch_warnings():  # spylls leaves its .aff and .dic files for the garbage collector to close
        warnings.simplefilter("ignore", ResourceWarning)
        dictionaries = tuple(Dictionary.from_files(str(path)) for path in found)
        gc.collect()
    return dictionaries


@lru_cache(maxsize=None)
def known(word: str) -> bool:
    """Whether Hunspell's American or British dictionary accepts the word as written (in lower case)."""
    return any(d.lookup(word) for d in hunspell())


@lru_cache(maxsize=None)
def known_to_all(word: str) -> bool:
    return all(d.lookup(word) for d in hunspell())


@lru_cache(maxsize=None)
def zipf(word: str) -> float:
    return zipf_frequency(word, "en")


@cache
def misspellings() -> dict[str, tuple[str, ...]]:
    """codespell's common misspellings: word -> its corrections (one when the list is sure)."""
    table: dict[str, tuple[str, ...]] = {}
    data = resources.files("codespell_lib") / "data" / "dictionary.txt"
    for line in data.read_text(encoding="utf-8").splitlines():
        wrong, _, right = line.partition("->")
        fixes = tuple(f.strip() for f in right.split(",") if f.strip())
        if wrong.islower() and fixes:
            table[wrong] = fixes
    return table


@cache
def symspell():
    from symspellpy import SymSpell

    speller = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=5)  # loads in 3 s rather than 7
    speller.load_dictionary(str(resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"), 0, 1)
    return speller


@cache
def bigrams() -> dict[tuple[str, str], int]:
    counts = {}
    data = resources.files("symspellpy") / "frequency_bigramdictionary_en_243_342.txt"
    for line in data.read_text(encoding="utf-8").splitlines():
        first, second, count = line.split()
        counts[(first, second)] = int(count)
    return counts


@lru_cache(maxsize=None)
def close_words(word: str) -> tuple[str, ...]:
    """Dictionary words within two edits (Damerau) of ``word``, as symspell finds them, that Hunspell also knows."""
    from symspellpy import Verbosity

    found = symspell().lookup(word, Verbosity.ALL, max_edit_distance=MAX_EDITS, transfer_casing=False)
    return tuple(s.term for s in found if s.term != word and known(s.term))
