"""The English the spelling pass knows: field dictionaries, loaded once per process.

- Hunspell's en_US and en_GB dictionaries say whether a word is English, with its affixes and
  its British spelling.  They ship with bookforge (``dictionaries/``, from Debian's
  ``hunspell-en-us`` and ``hunspell-en-gb``), so every machine makes the same book;
  ``BOOKFORGE_HUNSPELL`` names another folder holding ``en_US.dic/.aff`` and ``en_GB.dic/.aff``.
  ``spylls`` (a pure-Python Hunspell) reads them once, when they change, and expands each into
  every word form it accepts as written (``tools/expand_dictionaries.py``; 167k American and 263k
  British forms); a build then loads those word lists in a tenth of a second, where parsing the
  dictionaries took 2.4 s, and answers as ``spylls``' lookup does: with Hunspell's case rules
  ("Paris", "PARIS", not "paris"), its break at hyphens, its numbers and, for words with digits
  (the ordinals "21st"), spylls itself.
- codespell's list of common misspellings ("teh->the", "becuase->because") is a
  high-precision first rule: a word on it is corrected as the list says when the list
  gives one answer.
- symspellpy's shipped frequency dictionary gives the candidates within two edits (found by
  rapidfuzz, see ``close_words``), and its bigram dictionary the words that go together ("each week").
- wordfreq says how common a word is in written English (Zipf scale: 7 is "the", 3 is rare).
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path

from bookforge.diagnostics import BookforgeError, error

PACKAGED = Path(__file__).with_name("dictionaries")
DICTIONARIES = ("en_US", "en_GB")
WORD_LIST_FORMAT = 1
NUMBER = re.compile(r"^\d+(\.\d+)?$")  # Hunspell takes any number as a word (spylls' NUMBER_REGEXP)
MAX_BREAKS = 10  # how deep Hunspell breaks a word at its break points (spylls' break_word)
MAX_EDITS = 2


class MissingDictionary(BookforgeError):
    """The Hunspell dictionaries are not where BOOKFORGE_HUNSPELL says: the build stops and says what is missing."""


@contextmanager
def _bulk_load() -> Iterator[None]:
    """Make hundreds of thousands of objects that live as long as the process without the garbage collector
    looking for cycles among them as they are made: that costs a fifth of the loading time."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def folder() -> Path:
    """Where the Hunspell dictionaries are: BOOKFORGE_HUNSPELL's folder, else the ones bookforge ships."""
    return Path(os.environ["BOOKFORGE_HUNSPELL"]) if os.environ.get("BOOKFORGE_HUNSPELL") else PACKAGED


def _dictionary_path(name: str) -> Path:
    path = folder() / name
    if not (path.with_suffix(".dic").exists() and path.with_suffix(".aff").exists()):
        raise MissingDictionary([error("S-001", f"the Hunspell dictionary {name} (.dic and .aff) is not in {folder()}: "
                                       "set BOOKFORGE_HUNSPELL to a folder holding en_US and en_GB, or unset it to use "
                                       "the dictionaries bookforge ships", "book.yaml")])
    return path


def source_digest(path: Path) -> str:
    """The hash of a dictionary's .aff and .dic: a word list made from other files is stale."""
    digest = hashlib.sha256()
    for suffix in (".aff", ".dic"):
        digest.update(path.with_suffix(suffix).read_bytes())
    return digest.hexdigest()


def sources() -> dict[str, str]:
    """Each dictionary in use with the hash of its files: what the editorial result depends on besides code and text."""
    return {name: source_digest(_dictionary_path(name)) for name in DICTIONARIES}


@cache
def hunspell():
    """The dictionaries as spylls reads them (2.4 s): for making the word lists, and for words with digits."""
    from spylls.hunspell import Dictionary

    paths = [_dictionary_path(name) for name in DICTIONARIES]
    with warnings.catch_warnings():  # spylls leaves its .aff and .dic files for the garbage collector to close
        warnings.simplefilter("ignore", ResourceWarning)
        dictionaries = tuple(Dictionary.from_files(str(path)) for path in paths)
        gc.collect()
    return dictionaries


@dataclass(frozen=True)
class WordList:
    """One Hunspell dictionary as the set of word forms it accepts as written, with the rules to look a word up in it."""

    index: int  # the dictionary's place in DICTIONARIES
    words: frozenset[str]
    iconv: tuple[tuple[str, str], ...]  # characters the dictionary reads as others (’ as ')
    breaks: tuple[re.Pattern, ...]  # where a word may be broken into words checked one by one (hyphens)

    def accepts(self, word: str) -> bool:
        """What spylls' ``Dictionary.lookup`` answers for the word."""
        for before, after in self.iconv:
            word = word.replace(before, after)
        if NUMBER.fullmatch(word):
            return True
        return any(all(self._accepts_part(part) for part in parts if part) for parts in self._breakings(word))

    def _breakings(self, text: str, depth: int = 0) -> Iterator[list[str]]:
        """The word whole, then every way of breaking it at its break points ("pre-processed-meat")."""
        if depth > MAX_BREAKS:
            return
        yield [text]
        for pattern in self.breaks:
            for m in pattern.finditer(text):
                for rest in self._breakings(text[m.end(1):], depth + 1):
                    yield [text[:m.start(1)], *rest]

    def _accepts_part(self, word: str) -> bool:
        """Hunspell's case rules: "apple" is also "Apple" and "APPLE", "Paris" also "PARIS", "McDonald" also "MCDONALD"."""
        if word in self.words:
            return True
        if any(ch.isdigit() for ch in word):  # only the ordinals' compound rules ("21st") make words the list cannot hold
            return any(hunspell()[self.index].lookuper.good_forms(word))
        if word.islower():
            return False
        if word.isupper():
            return word.lower() in self.words or word.lower() in self._lowered
        if word[:1].isupper():
            return (word.lower() if word[1:].islower() else word[:1].lower() + word[1:]) in self.words
        return False

    @cached_property
    def _lowered(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.words if not w.islower())


def expand(index: int) -> tuple[dict, list[str]]:
    """Every word form a dictionary accepts as written (its "unmunched" list), with the lookup rules, as spylls reads them.

    Each stem is taken with its suffixes (and theirs), its prefixes and both, as the .aff allows;
    each form is kept only when spylls' own lookup, without case variants, accepts it.
    """
    dictionary = hunspell()[index]
    aff = dictionary.aff
    _supported(dictionary)
    forms = set()
    for word in dictionary.dic.words:
        forms |= _forms(word, aff)
    accepted = sorted(form for form in forms if dictionary.lookuper(form, capitalization=False))
    header = {"format": WORD_LIST_FORMAT, "dictionary": DICTIONARIES[index],
              "source": source_digest(_dictionary_path(DICTIONARIES[index])),
              "iconv": aff.ICONV.pairs if aff.ICONV else [], "break": [b.regexp.pattern for b in aff.BREAK]}
    return header, accepted


def _supported(dictionary) -> None:
    """A word list holds what a dictionary says only if it compounds nothing but words with digits (the ordinals)."""
    aff = dictionary.aff
    used = [name for name in ("FORBIDDENWORD", "KEEPCASE", "NEEDAFFIX", "CIRCUMFIX", "COMPOUNDFLAG", "COMPOUNDBEGIN",
                              "COMPOUNDMIDDLE", "COMPOUNDEND", "IGNORE", "CHECKSHARPS") if getattr(aff, name)]
    compounding = set().union(*(rule.flags for rule in aff.COMPOUNDRULE)) | ({aff.ONLYINCOMPOUND} - {None})
    letters_only = [w.stem for w in dictionary.dic.words if w.flags & compounding and not any(c.isdigit() for c in w.stem)]
    if used or letters_only or any("_" in a for pair in (aff.ICONV.pairs if aff.ICONV else []) for a in pair):
        raise MissingDictionary([error("S-002", f"the Hunspell dictionary in {folder()} uses {', '.join(used or letters_only[:3])}, "
                                       "which bookforge's word lists cannot hold: use the dictionaries bookforge ships", "book.yaml")])


def _forms(word, aff) -> set[str]:
    """The stem, with each suffix it takes (and theirs), each prefix, and both where both allow it."""
    forms = {word.stem}
    suffixed = []
    for suffix in (s for flag in word.flags for s in aff.SFX.get(flag, ())):
        once = _suffixed(word.stem, suffix)
        if once is None:
            continue
        suffixed.append((once, suffix))
        for second in (s for flag in suffix.flags for s in aff.SFX.get(flag, ())):
            twice = _suffixed(once, second)
            if twice is not None:
                suffixed.append((twice, suffix))
    forms |= {text for text, _ in suffixed}
    for prefix in (p for flag in word.flags | {f for _, s in suffixed for f in s.flags} for p in aff.PFX.get(flag, ())):
        forms.add(_prefixed(word.stem, prefix))
        if prefix.crossproduct:
            forms |= {_prefixed(text, prefix) for text, suffix in suffixed if suffix.crossproduct}
    forms.discard(None)
    return forms


def _suffixed(stem: str, suffix) -> str | None:
    if stem.endswith(suffix.strip) and suffix.cond_regexp.search(stem):
        return stem[:len(stem) - len(suffix.strip)] + suffix.add
    return None


def _prefixed(stem: str, prefix) -> str | None:
    if stem.startswith(prefix.strip) and prefix.cond_regexp.search(stem):
        return prefix.add + stem[len(prefix.strip):]
    return None


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bookforge" / "dictionaries"


def write_word_list(header: dict, words: list[str], target: Path) -> None:
    text = json.dumps(header, ensure_ascii=False) + "\n" + "\n".join(words)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))  # mtime 0: the same bytes on every machine
    partial.replace(target)


def _read_word_list(path: Path, source: str) -> tuple[dict, list[str]] | None:
    try:
        header_line, _, words = gzip.decompress(path.read_bytes()).decode("utf-8").partition("\n")
        header = json.loads(header_line)
    except (OSError, ValueError, EOFError):
        return None
    if header.get("format") != WORD_LIST_FORMAT or header.get("source") != source:
        return None
    return header, words.split("\n")


@cache
def word_lists() -> tuple[WordList, ...]:
    """The dictionaries' word lists: the shipped ones, else made once (a minute) into the user's cache folder."""
    with _bulk_load():
        return tuple(_word_list(index, name) for index, name in enumerate(DICTIONARIES))


def _word_list(index: int, name: str) -> WordList:
    path = _dictionary_path(name)
    source = source_digest(path)
    cached = cache_folder() / f"{name}-{source[:16]}.words.gz"
    found = _read_word_list(path.with_suffix(".words.gz"), source) or _read_word_list(cached, source)
    if found is None:
        found = expand(index)
        try:
            write_word_list(*found, cached)
        except OSError:
            pass  # a read-only home: the list is made again next time
    header, words = found
    return WordList(index, frozenset(words), tuple(map(tuple, header["iconv"])), tuple(re.compile(p) for p in header["break"]))


@lru_cache(maxsize=None)
def known(word: str) -> bool:
    """Whether Hunspell's American or British dictionary accepts the word as written."""
    return any(w.accepts(word) for w in word_lists())


@lru_cache(maxsize=None)
def known_to_all(word: str) -> bool:
    return all(w.accepts(word) for w in word_lists())


@lru_cache(maxsize=None)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency  # imported at first use: a build that reuses the edit stage never needs it

    return zipf_frequency(word, "en")


@cache
def misspellings() -> dict[str, tuple[str, ...]]:
    """codespell's common misspellings: word -> its corrections (one when the list is sure)."""
    table: dict[str, tuple[str, ...]] = {}
    data = resources.files("codespell_lib") / "data" / "dictionary.txt"
    with _bulk_load():
        for line in data.read_text(encoding="utf-8").splitlines():
            wrong, _, right = line.partition("->")
            fixes = tuple(f.strip() for f in right.split(",") if f.strip())
            if wrong.islower() and fixes:
                table[wrong] = fixes
    return table


@cache
def vocabulary() -> dict[int, tuple[list[str], list[int]]]:
    """symspellpy's frequency dictionary (82,765 words and their counts) by length: the words a misspelling may stand for."""
    by_length: dict[int, tuple[list[str], list[int]]] = {}
    data = (resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8").split()
    with _bulk_load():
        for term, count in zip(data[0::2], data[1::2]):
            terms, counts = by_length.setdefault(len(term), ([], []))
            terms.append(term)
            counts.append(int(count))
    return by_length


@cache
def bigrams() -> dict[tuple[str, str], int]:
    """symspellpy's bigram dictionary: how often each pair of words was seen together."""
    data = (resources.files("symspellpy") / "frequency_bigramdictionary_en_243_342.txt").read_text(encoding="utf-8").split()
    with _bulk_load():
        return dict(zip(zip(data[0::3], data[1::3]), map(int, data[2::3])))


@lru_cache(maxsize=None)
def close_words(word: str) -> tuple[str, ...]:
    """The words of symspell's dictionary within two edits of ``word`` that Hunspell also knows, nearest and commonest first.

    Edits are counted as symspell counts them (optimal string alignment: insert, delete, substitute
    or swap two neighbours); rapidfuzz compares the word with every word of a length two edits can
    reach, in C, which for the few hundred words a book doubts is faster than loading symspell's index.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = []
    for length in range(len(word) - MAX_EDITS, len(word) + MAX_EDITS + 1):
        terms, counts = vocabulary().get(length, ((), ()))
        found += [(distance, -counts[index], term) for term, distance, index
                  in process.extract(word, terms, scorer=OSA.distance, score_cutoff=MAX_EDITS, limit=None)]
    return tuple(term for _, _, term in sorted(found) if term != word and known(term))
