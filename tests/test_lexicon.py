"""The spelling data compiled into marisa tries (editorial/lexicon.py): the same answers as the sources they are
compiled from, on the book's words and on the sources themselves, and a damaged table made again, never read."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from itertools import chain
from pathlib import Path

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from bookforge.editorial import lexicon

PROJECT = Path(__file__).resolve().parents[1]
LOADED = (lexicon.word_lists, lexicon.misspellings, lexicon.bigrams, lexicon._vocabulary_table, lexicon.vocabulary,
          lexicon.frequencies, lexicon.zipf, lexicon.known, lexicon.known_to_all)


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """An empty cache folder of the test's own, no tables shipped (as in a source checkout, whatever installed the
    code under test: CI tests the wheel) and nothing loaded: every table is compiled there afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(lexicon, "SHIPPED", tmp_path / "shipped")
    _forget()
    yield tmp_path / "cache" / "bookforge" / "dictionaries"
    _forget()


def _forget() -> None:
    for cached in LOADED:
        cached.cache_clear()


def _book_words() -> set[str]:
    """Every word of the five posts as the spelling pass looks words up: as written, in lower case, straight apostrophes."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((PROJECT / "chapters").glob("*.txt")))
    found = set(re.findall(r"[A-Za-z]+(?:[’'][A-Za-z]+)*", text))
    return found | {w.lower().replace("’", "'") for w in found}


def _source(module: str, name: str) -> str:
    return (lexicon._installed(module)[0] / name).read_text(encoding="utf-8")


def _answers(words: list[str]) -> list[object]:
    """What each structure answers for the words, and for the pairs of neighbouring words."""
    pairs = list(zip(words, words[1:]))
    return [[lexicon.known(w) for w in words], [lexicon.known_to_all(w) for w in words],
            [lexicon.misspellings().get(w) for w in words], [lexicon.bigrams().get(p) for p in pairs],
            [w in lexicon.bigrams().words for w in words], [lexicon.zipf(w) for w in words],
            [lexicon.vocabulary(n) for n in range(1, 30)]]


def test_the_tables_answer_as_their_sources_do():
    """Each structure against its source read here directly: codespell's list, symspell's bigrams and frequency
    dictionary and the shipped word lists in full, wordfreq for every word of the book and every 40th of its list."""
    fixes = {}
    for line in _source("codespell_lib", "data/dictionary.txt").splitlines():
        wrong, _, right = line.partition("->")
        if wrong.islower() and right.strip(", "):
            fixes[wrong] = tuple(f.strip() for f in right.split(",") if f.strip())
    assert dict(lexicon.misspellings().items()) == fixes and len(lexicon.misspellings()) == len(fixes)

    fields = _source("symspellpy", "frequency_bigramdictionary_en_243_342.txt").split()
    seen = {(a, b): int(n) for a, b, n in zip(fields[0::3], fields[1::3], fields[2::3])}
    bigrams = lexicon.bigrams()
    assert len(bigrams) == len(seen) and all(bigrams[pair] == count for pair, count in seen.items())
    assert set(bigrams.words.keys()) == set(chain.from_iterable(seen))
    assert ("each", "week") in bigrams and ("each week", "") not in bigrams and bigrams.get(("each",)) is None

    fields = _source("symspellpy", "frequency_dictionary_en_82_765.txt").split()
    for length in range(0, 40):
        listed = sorted((t, int(c)) for t, c in zip(fields[0::2], fields[1::2]) if len(t) == length)
        assert sorted(zip(*lexicon.vocabulary(length))) == listed, length

    for words in lexicon.word_lists():
        name = lexicon.DICTIONARIES[words.index]
        listed = gzip.decompress((lexicon.PACKAGED / f"{name}.words.gz").read_bytes()).decode("utf-8").split("\n")[1:]
        assert set(words.words.keys()) == set(listed)
        assert set(words.lowered.keys()) == {w.lower() for w in listed if not w.islower()}

    book = sorted(_book_words())
    assert len(book) > 4000  # the five posts hold about 5,000
    for word in book:
        assert (word in lexicon.misspellings(), lexicon.misspellings().get(word)) == (word in fixes, fixes.get(word))
    for pair in zip(book, book[1:]):
        assert lexicon.bigrams().get(pair) == seen.get(pair)
    sample = sorted(get_frequency_dict("en"))[::40]
    for word in chain(book, sample, ["qqqqqqqqqqqqqqq", "i'am", "Therapist", "don’t", "21st", ""]):
        assert repr(lexicon.zipf(word)) == repr(zipf_frequency(word, "en")), word


def test_a_damaged_table_is_made_again_and_answers_the_same(own_cache):
    """Each compiled table cut short, a byte changed, overwritten, or its trie garbled under a header whose SHA-256
    agrees (so only marisa itself can tell): the next process makes it again, says nothing, and answers the same."""
    words = sorted(_book_words())[:3000]
    first = _answers(words)
    tables = {p.name.split("-")[0]: p for p in own_cache.glob("*.marisa")}
    assert sorted(tables) == ["bigrams", "misspellings", "vocabulary", "words", "zipf"]
    made = {p: p.read_bytes() for p in own_cache.glob("*.marisa")}
    lists = sorted(p for p in made if p.name.startswith("words-"))
    assert len(lists) == 2

    lists[0].write_bytes(made[lists[0]][:len(made[lists[0]]) // 2])  # cut short
    changed = bytearray(made[lists[1]])
    changed[-100] ^= 1
    lists[1].write_bytes(bytes(changed))  # one bit flipped
    tables["misspellings"].write_bytes(b"not a table at all")
    tables["zipf"].write_bytes(b"")
    header_line, _, payload = made[tables["bigrams"]].partition(b"\n")
    header = json.loads(header_line)
    garbled = b"\x00" * 64 + payload[64:]
    header["sha256"] = hashlib.sha256(garbled).hexdigest()
    tables["bigrams"].write_bytes(json.dumps(header).encode() + b"\n" + garbled)  # a consistent file marisa rejects
    (header_line, _, payload) = made[tables["vocabulary"]].partition(b"\n")
    header = json.loads(header_line)
    header["parts"][0][1] += 8  # the parts no longer where the header says
    tables["vocabulary"].write_bytes(json.dumps(header).encode() + b"\n" + payload)

    _forget()
    assert _answers(words) == first
    assert {p: p.read_bytes() for p in own_cache.glob("*.marisa")} == made  # each made again, the same bytes


def test_a_table_is_read_not_made_when_it_is_sound(own_cache, monkeypatch):
    """The second process reads what the first stored, compiling nothing."""
    lexicon.misspellings()
    stored = list(own_cache.glob("misspellings-*.marisa"))
    assert len(stored) == 1
    _forget()
    monkeypatch.setattr(lexicon, "_compile_misspellings", lambda data: pytest.fail("compiled again"))
    assert lexicon.misspellings()["teh"] == ("the",)
