"""The English the spelling pass knows: field dictionaries, loaded once per process.

- Hunspell's en_US and en_GB dictionaries say whether a word is English, with its affixes and
  its British spelling.  They ship with bookforge (``dictionaries/``, from Debian's
  ``hunspell-en-us`` and ``hunspell-en-gb``), so every machine makes the same book;
  ``BOOKFORGE_HUNSPELL`` names another folder holding ``en_US.dic/.aff`` and ``en_GB.dic/.aff``.
  ``spylls`` (a pure-Python Hunspell) reads them once, when they change, and expands each into
  every word form it accepts as written (``tools/expand_dictionaries.py``; 167k American and 263k
  British forms); a build then loads those word lists in milliseconds, where parsing the
  dictionaries took 2.4 s, and answers as ``spylls``' lookup does: with Hunspell's case rules
  ("Paris", "PARIS", not "paris"), its break at hyphens, its numbers and, for words with digits
  (the ordinals "21st"), spylls itself.
- codespell's list of common misspellings ("teh->the", "becuase->because") is a
  high-precision first rule: a word on it is corrected as the list says when the list
  gives one answer.
- symspellpy's shipped frequency dictionary gives the candidates within two edits (found by
  rapidfuzz, see ``close_words``), and its bigram dictionary the words that go together ("each week").
- wordfreq says how common a word is in written English (Zipf scale: 7 is "the", 3 is rare).
- cspell's word lists (``dictionaries/cspell/``, vendored from its npm packages) name the terms of
  software ("ncurses", "stdout", "dlls"), file types and programming languages, and people's and
  companies' names: a word on them is right as written (``terms``).

Each of these is compiled into marisa tries, which a build reads and checks in milliseconds where the
sets and dicts took 0.7 s: the wheel ships them built (``tables/``, made by ``hatch_build.py``), and a
table the wheel does not hold for the running code (a source checkout, an editable install, other
library versions) is compiled once per machine into the user's cache folder (see ``_table``).
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import importlib.util
import json
import os
import re
import sys
import warnings
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import marisa_trie

from bookforge.diagnostics import BookforgeError, error

PACKAGED = Path(__file__).with_name("dictionaries")
SHIPPED = Path(__file__).with_name("tables")  # the tables built with the wheel (hatch_build.py), looked up by key
CSPELL = PACKAGED / "cspell"
NAME_LISTS = ("companies", "people-names")  # cspell's lists of names: a word on them is right when capitalised
TERM = re.compile(r"[A-Za-z]{3,}(?:'[A-Za-z]+)?")  # an entry the speller can meet as one word
DICTIONARIES = ("en_US", "en_GB")
WORD_LIST_FORMAT = 1
TABLE_FORMAT = 1  # the layout of a compiled table and how each is made from its source: a change makes them anew
PLAIN = re.compile(r"[a-z]+")  # a word wordfreq reads as itself, one token (see ``zipf``)
NUMBER = re.compile(r"^\d+(\.\d+)?$")  # Hunspell takes any number as a word (spylls' NUMBER_REGEXP)
MAX_BREAKS = 10  # how deep Hunspell breaks a word at its break points (spylls' break_word)
MAX_EDITS = 2


class MissingDictionary(BookforgeError):
    """The Hunspell dictionaries are not where BOOKFORGE_HUNSPELL says: the build stops and says what is missing."""


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
    words: marisa_trie.Trie
    lowered: marisa_trie.Trie  # the words not in lower case, lowered: "PARIS" looks up "paris" here
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
            return word.lower() in self.words or word.lower() in self.lowered
        if word[:1].isupper():
            return (word.lower() if word[1:].islower() else word[:1].lower() + word[1:]) in self.words
        return False


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


def word_list_bytes(header: dict, words: list[str]) -> bytes:
    text = json.dumps(header, ensure_ascii=False) + "\n" + "\n".join(words)
    return gzip.compress(text.encode("utf-8"), 9, mtime=0)  # mtime 0: the same bytes on every machine


def write_word_list(header: dict, words: list[str], target: Path) -> None:
    _replace(target, word_list_bytes(header, words))


def _replace(target: Path, data: bytes) -> None:
    """Write a file whole or not at all: into a file of this process's own, then renamed over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _read_word_list(data: bytes) -> tuple[dict, list[str]] | None:
    try:
        header_line, _, words = gzip.decompress(data).decode("utf-8").partition("\n")
        header = json.loads(header_line)
    except (OSError, ValueError, EOFError):
        return None
    return (header, words.split("\n")) if isinstance(header, dict) else None


@cache
def word_lists() -> tuple[WordList, ...]:
    """The dictionaries' word lists: the shipped ones, else made once (a minute) into the user's cache folder."""
    return tuple(_word_list(index, name) for index, name in enumerate(DICTIONARIES))


def _word_list(index: int, name: str) -> WordList:
    path = _dictionary_path(name)
    source = source_digest(path)
    cached = cache_folder() / f"{name}-{source[:16]}.words.gz"
    for listed in (path.with_suffix(".words.gz"), cached):
        try:
            found = _table("words", listed.read_bytes(), _compile_word_list)
        except OSError:
            continue
        if found and found[0].get("format") == WORD_LIST_FORMAT and found[0].get("source") == source:
            return _as_word_list(index, *found)
    data = word_list_bytes(*expand(index))
    try:
        _replace(cached, data)
    except OSError:
        pass  # a read-only home: the list is made again next time
    return _as_word_list(index, *_table("words", data, _compile_word_list))


def _compile_word_list(data: bytes) -> tuple[dict, list[Part]] | None:
    """A word list's words, and those not in lower case lowered, as tries; its header (source, iconv, breaks) as notes."""
    found = _read_word_list(data)
    if found is None:
        return None
    header, words = found
    return header, [marisa_trie.Trie(words), marisa_trie.Trie({w.lower() for w in words if not w.islower()})]


def _as_word_list(index: int, header: dict, parts: list[Part]) -> WordList:
    return WordList(index, *parts, tuple(map(tuple, header["iconv"])), tuple(re.compile(p) for p in header["break"]))


# The compiled tables.  Each source of words (a word list, codespell's list, symspell's bigrams, wordfreq's English
# list) is compiled into marisa tries (and arrays of the values, by each key's id in its trie) named by a hash of the
# source's bytes, TABLE_FORMAT, the byte order and the versions that made it.  The wheel ships every table
# ``read_all`` reads, compiled when the wheel is built (hatch_build.py), in SHIPPED; a table not there under the key
# the running code computes is compiled once per machine into the cache folder.  A build reads a table whole, checks
# its bytes against the SHA-256 its header gives and only then hands them to marisa: a table missing, cut short,
# edited or made from another source is passed over, never read, and compiled into the cache folder.

Part = marisa_trie.Trie | marisa_trie.BytesTrie | array


def _table(kind: str, source: bytes, make: Callable[[bytes], tuple[dict, list[Part]] | None],
           *made_with: str) -> tuple[dict, list[Part]] | None:
    """The notes and parts ``make`` compiles from ``source``: shipped with the wheel, else from the cache folder, else
    made, stored there and read back (so a build reads what it stored); None when ``make`` finds the source unusable."""
    named = json.dumps([kind, TABLE_FORMAT, _installed("marisa_trie")[1], sys.byteorder, *made_with]).encode("utf-8")
    key = hashlib.sha256(named + hashlib.sha256(source).digest()).hexdigest()
    name = f"{kind}-{key[:32]}.marisa"
    path = cache_folder() / name
    found = _read_table(SHIPPED / name, key) or _read_table(path, key)
    if found is None:
        made = make(source)
        if made is None:
            return None
        data = _table_bytes(key, *made)
        try:
            _replace(path, data)
        except OSError:
            pass  # a read-only cache folder: the table is made again next time
        found = _parse_table(data, key)
    return found


def _table_bytes(key: str, notes: dict, parts: list[Part]) -> bytes:
    """A JSON header line (format, key, notes, each part's kind and length, the SHA-256 of the rest), then the parts."""
    blobs = [_part_bytes(part) for part in parts]
    payload = b"".join(blob for _, blob in blobs)
    header = {"format": TABLE_FORMAT, "key": key, "notes": notes, "parts": [[kind, len(blob)] for kind, blob in blobs],
              "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + payload


def _part_bytes(part: Part) -> tuple[str, bytes]:
    if isinstance(part, array):
        return f"array:{part.typecode}", part.tobytes()
    return type(part).__name__, part.tobytes()


def _read_table(path: Path, key: str) -> tuple[dict, list[Part]] | None:
    """A stored table, or None when it is missing, unreadable, cut short, edited or made for another key."""
    try:
        return _parse_table(path.read_bytes(), key)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError):  # marisa says RuntimeError
        return None


def _parse_table(data: bytes, key: str) -> tuple[dict, list[Part]]:
    header_line, _, payload = data.partition(b"\n")
    header = json.loads(header_line)
    if header["format"] != TABLE_FORMAT or header["key"] != key or hashlib.sha256(payload).hexdigest() != header["sha256"]:
        raise ValueError("a stale or damaged table")
    parts, offset = [], 0
    for kind, length in header["parts"]:
        parts.append(_part(kind, payload[offset:offset + length]))
        offset += length
    if offset != len(payload):
        raise ValueError("a table's parts do not fill it")
    return header["notes"], parts


def _part(kind: str, blob: bytes) -> Part:
    if kind in ("Trie", "BytesTrie"):
        return getattr(marisa_trie, kind)().frombytes(blob)
    if kind.startswith("array:"):
        values = array(kind.removeprefix("array:"))
        values.frombytes(blob)
        return values
    raise ValueError(f"a table part of unknown kind {kind!r}")


def _keyed(table: dict[str, object]) -> tuple[marisa_trie.Trie, list]:
    """A trie of the table's keys, and its values in the order of the keys' ids in the trie."""
    keys = marisa_trie.Trie(table)
    values = [None] * len(keys)
    for key, number in keys.items():
        values[number] = table[key]
    return keys, values


@cache
def _installed(module: str) -> tuple[Path, str]:
    """A library's folder and the name of its .dist-info folder (its version), found without importing it: importing
    wordfreq costs a tenth of a second, and a build that finds every table needs none of these libraries' code."""
    spec = importlib.util.find_spec(module)
    place = Path(spec.submodule_search_locations[0]) if spec.submodule_search_locations else Path(spec.origin)
    info = sorted(p.name for p in place.parent.glob(f"{module}-*.dist-info"))
    return place, info[-1] if info else ""


def read_all() -> None:
    """Read every table the spelling pass looks words up in (a few hundredths of a second), as a process does
    before it forks one that checks chapters beside it (``chapters``): neither reads them again.  What this reads
    is what the wheel ships: hatch_build.py runs it to compile them."""
    word_lists(), misspellings(), bigrams(), frequencies(), _vocabulary_table(), terms()


@dataclass(frozen=True)
class Terms:
    """cspell's word lists, in lower case: technical terms (any case) and names (right when capitalised)."""

    terms: marisa_trie.Trie
    names: marisa_trie.Trie

    def term(self, lower: str) -> bool:
        return lower in self.terms

    def name(self, lower: str) -> bool:
        return lower in self.names


@cache
def terms() -> Terms:
    """cspell's technical terms and names, from the lists in ``dictionaries/cspell/`` (each file's path and bytes)."""
    files = sorted(p for p in CSPELL.rglob("*.txt*") if p.is_file())
    source = b"".join(f"{p.relative_to(CSPELL).as_posix()}\n{p.stat().st_size}\n".encode("utf-8") + p.read_bytes()
                      for p in files)
    return Terms(*_table("terms", source, _compile_terms)[1])


def _compile_terms(data: bytes) -> tuple[dict, list[Part]]:
    """The entries of cspell's lists that are words (not "!forbidden", "AES128" or "--flag"), lowered."""
    found: tuple[set[str], set[str]] = (set(), set())
    offset = 0
    while offset < len(data):  # each file: its path and its size on a line each, then its bytes
        name, size, rest = data[offset:].split(b"\n", 2)
        content = rest[:int(size)]
        offset += len(name) + len(size) + 2 + int(size)
        text = (gzip.decompress(content) if name.endswith(b".gz") else content).decode("utf-8")
        kind = found[1] if name.decode("utf-8").split("/")[0] in NAME_LISTS else found[0]
        kind.update(line.strip().lower() for line in text.splitlines() if TERM.fullmatch(line.strip()))
    return {}, [marisa_trie.Trie(found[0]), marisa_trie.Trie(found[1])]


@lru_cache(maxsize=None)
def known(word: str) -> bool:
    """Whether Hunspell's American or British dictionary accepts the word as written."""
    return any(w.accepts(word) for w in word_lists())


def beginning(prefix: str, most: int = 50) -> list[str]:
    """Up to ``most`` words of the American dictionary that begin with ``prefix`` (a marisa prefix search)."""
    return word_lists()[0].words.keys(prefix)[:most]


@lru_cache(maxsize=None)
def known_to_all(word: str) -> bool:
    return all(w.accepts(word) for w in word_lists())


@dataclass(frozen=True)
class Frequencies:
    """wordfreq's answer for each word of its English list: Zipf frequencies times ``scale``, by the word's id in ``words``."""

    words: marisa_trie.Trie
    zipfs: array
    scale: int
    absent: float  # wordfreq's answer for a word of plain letters that is not on its list


@lru_cache(maxsize=None)
def zipf(word: str) -> float:
    """``wordfreq.zipf_frequency(word, "en")``.  The compiled table answers for the words of wordfreq's list (it holds
    wordfreq's own answer for each) and for any other word of plain lower-case letters, which wordfreq reads as one
    token it does not know; anything else ("i'am", capitals, digits) is asked of wordfreq, imported then."""
    table = frequencies()
    if table is not None:
        number = table.words.get(word)
        if number is not None:
            return table.zipfs[number] / table.scale
        if PLAIN.fullmatch(word):
            return table.absent
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@cache
def frequencies() -> Frequencies | None:
    """The compiled table of wordfreq's English list, or None when wordfreq keeps it elsewhere than it does today."""
    place, version = _installed("wordfreq")
    try:
        found = _table("zipf", (place / "data" / "large_en.msgpack.gz").read_bytes(), _compile_frequencies, version)
    except OSError:
        return None
    if found is None:
        return None
    notes, (words, zipfs) = found
    return Frequencies(words, zipfs, notes["scale"], notes["absent"])


def _compile_frequencies(data: bytes) -> tuple[dict, list[Part]] | None:
    """wordfreq's answer for every word of its English list (3.5 s, once), and for a word of plain letters not on it."""
    import wordfreq

    source = Path(wordfreq.available_languages()["en"])
    if source.read_bytes() != data:
        return None
    listed = wordfreq.get_frequency_dict("en")
    words, zipfs = _keyed({word: wordfreq.zipf_frequency(word, "en") for word in listed})
    absent = next(w for w in ("q" * n for n in range(8, 64)) if w not in listed)
    exact = all(round(z * 100) / 100 == z and 0 <= z * 100 < 65536 for z in zipfs)  # Zipf is rounded to 2 decimals
    values = array("H", [round(z * 100) for z in zipfs]) if exact else array("d", zipfs)
    return {"scale": 100 if exact else 1, "absent": wordfreq.zipf_frequency(absent, "en")}, [words, values]


@dataclass(frozen=True)
class Misspellings(Mapping):
    """codespell's list as a mapping: misspelled word -> its corrections, from a trie of each word with them."""

    fixes: marisa_trie.BytesTrie  # word -> its corrections, joined by commas

    def __getitem__(self, word: str) -> tuple[str, ...]:
        found = self.fixes.get(word) if isinstance(word, str) else None
        if not found:
            raise KeyError(word)
        return tuple(found[0].decode("utf-8").split(","))

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self.fixes

    def __iter__(self) -> Iterator[str]:
        return iter(self.fixes.keys())

    def __len__(self) -> int:
        return len(self.fixes)


@cache
def misspellings() -> Misspellings:
    """codespell's common misspellings: word -> its corrections (one when the list is sure)."""
    _, parts = _table("misspellings", (_installed("codespell_lib")[0] / "data" / "dictionary.txt").read_bytes(),
                          _compile_misspellings)
    return Misspellings(*parts)


def _compile_misspellings(data: bytes) -> tuple[dict, list[Part]]:
    table = {}
    for line in data.decode("utf-8").splitlines():
        wrong, _, right = line.partition("->")
        fixes = [f.strip() for f in right.split(",") if f.strip()]
        if wrong.islower() and fixes:
            table[wrong] = ",".join(fixes)
    return {}, [marisa_trie.BytesTrie((word, fixes.encode("utf-8")) for word, fixes in table.items())]


@lru_cache(maxsize=None)
def vocabulary(length: int) -> tuple[list[str], list[int]]:
    """The words of one length in symspellpy's frequency dictionary (82,765 words), and their counts: the words a
    misspelling may stand for.  Read from the trie length by length, as ``close_words`` asks."""
    terms, counts = _vocabulary_table()
    found = terms.items(f"{length}:")
    return [term.partition(":")[2] for term, _ in found], [counts[number] for _, number in found]


@cache
def _vocabulary_table() -> tuple[marisa_trie.Trie, array]:
    source = (_installed("symspellpy")[0] / "frequency_dictionary_en_82_765.txt").read_bytes()
    return tuple(_table("vocabulary", source, _compile_vocabulary)[1])


def _compile_vocabulary(data: bytes) -> tuple[dict, list[Part]]:
    fields = data.decode("utf-8").split()
    terms, counts = _keyed({f"{len(term)}:{term}": int(count) for term, count in zip(fields[0::2], fields[1::2])})
    return {}, [terms, array("q", counts)]


@dataclass(frozen=True)
class Bigrams(Mapping):
    """symspell's bigram counts as a mapping: (first, second) -> how often the pair was seen, from a trie of the pairs."""

    pairs: marisa_trie.Trie  # "first second"
    counts: array  # by the pair's id in ``pairs``
    words: marisa_trie.Trie  # every word of a pair

    def _number(self, pair: object) -> int | None:
        return self.pairs.get(" ".join(pair)) if isinstance(pair, tuple) and len(pair) == 2 else None

    def __getitem__(self, pair: tuple[str, str]) -> int:
        number = self._number(pair)
        if number is None:
            raise KeyError(pair)
        return self.counts[number]

    def __contains__(self, pair: object) -> bool:
        return self._number(pair) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return (tuple(pair.split(" ")) for pair in self.pairs.keys())

    def __len__(self) -> int:
        return len(self.pairs)


@cache
def bigrams() -> Bigrams:
    """symspellpy's bigram dictionary: how often each pair of words was seen together."""
    source = (_installed("symspellpy")[0] / "frequency_bigramdictionary_en_243_342.txt").read_bytes()
    _, parts = _table("bigrams", source, _compile_bigrams)
    return Bigrams(*parts)


def _compile_bigrams(data: bytes) -> tuple[dict, list[Part]]:
    fields = data.decode("utf-8").split()
    seen = list(zip(fields[0::3], fields[1::3], fields[2::3]))
    pairs, counts = _keyed({f"{a} {b}": int(n) for a, b, n in seen})
    return {}, [pairs, array("q", counts), marisa_trie.Trie([a for a, _, _ in seen] + [b for _, b, _ in seen])]


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
        terms, counts = vocabulary(length)
        found += [(distance, -counts[index], term) for term, distance, index
                  in process.extract(word, terms, scorer=OSA.distance, score_cutoff=MAX_EDITS, limit=None)]
    return tuple(term for _, _, term in sorted(found) if term != word and known(term))
