"""The spelling tables built with the wheel (hatch_build.py): bookforge's wheel, built from this checkout as
``pip install .`` builds it, holds every table the spelling pass reads; installed, its first build with an empty cache
compiles nothing and reads every table from the package; a damaged shipped table, or one made for another key,
is compiled into the user's cache instead, silently, and the book comes out the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bookforge.editorial import lexicon
from conftest import MINIMAL_BOOK_YAML

PROJECT = Path(__file__).resolve().parents[1]
TABLES = Path("bookforge", "editorial", "tables")
CHAPTER = """\
A Post About Spelling

I recieve teh letters every week, and I beleive the colour of the paper matters to the reader.

  • Definately a good point: the neighbour's dog agrees.
"""

# Run in the installed package: every table read_all reads, and where it was read from.
READ_ALL = """\
import json
from bookforge.editorial import lexicon
read, original = [], lexicon._read_table
def recorded(path, key):
    found = original(path, key)
    if found is not None:
        read.append(str(path))
    return found
lexicon._read_table = recorded
lexicon.read_all()
print(json.dumps({"lexicon": lexicon.__file__, "read": read}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel pip builds from this checkout (hatchling's PEP 517 hook, which runs hatch_build.py), unpacked as an
    install puts it in site-packages."""
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-c", "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))",
                          str(out)], cwd=PROJECT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    assert "could not be compiled" not in run.stderr, run.stderr
    site = out / "site"
    with zipfile.ZipFile(out / run.stdout.split()[-1]) as wheel:
        wheel.extractall(site)
    return site


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "book"
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.yaml").write_text(MINIMAL_BOOK_YAML, encoding="utf-8")
    (folder / "chapters" / "x.txt").write_text(CHAPTER, encoding="utf-8")
    return folder


def _run(site: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    """Python with the unpacked wheel ahead of this checkout, and a cache folder of its own (XDG_CACHE_HOME)."""
    env = {name: value for name, value in os.environ.items() if name != "BOOKFORGE_HUNSPELL"}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(cache))
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=600)


def _build(site: Path, cache: Path, project: Path, out: Path) -> dict:
    run = _run(site, cache, "-m", "bookforge", "build", "-q", "-C", str(project), "-o", str(out))
    assert run.returncode == 0 and run.stderr == "", run.stderr
    return json.loads((out / "editorial-report.json").read_text(encoding="utf-8"))


def _read_all(site: Path, cache: Path) -> list[Path]:
    run = _run(site, cache, "-c", READ_ALL)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    found = json.loads(run.stdout)
    assert Path(found["lexicon"]) == site / TABLES.parent / "lexicon.py"  # the installed package, not this checkout
    return [Path(p) for p in found["read"]]


def _stored(cache: Path) -> dict[str, bytes]:
    folder = cache / "bookforge" / "dictionaries"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_a_first_build_reads_every_table_from_the_package(installed, project, tmp_path):
    """With an empty cache, the build fixes the typos and writes nothing into the cache's dictionaries folder, and
    every table read_all reads (every table lexicon knows, today's and any added later) comes from the package: the
    shipped tables are exactly those, each under the key the installed code computes."""
    shipped = sorted((installed / TABLES).glob("*.marisa"))
    kinds = [p.name.split("-")[0] for p in shipped]
    assert kinds.count("words") == len(lexicon.DICTIONARIES)
    assert {"bigrams", "misspellings", "vocabulary", "zipf"} <= set(kinds)
    cache = tmp_path / "cache"
    report = _build(installed, cache, project, tmp_path / "out")
    assert {(c["before"], c["after"]) for c in report["changes"] if c["before"] in ("recieve", "teh")} >= {
        ("recieve", "receive"), ("teh", "the")}
    assert _stored(cache) == {}
    assert sorted(_read_all(installed, cache)) == shipped
    assert _stored(cache) == {}


def test_a_damaged_or_foreign_shipped_table_is_compiled_into_the_cache(installed, project, tmp_path):
    """A shipped table cut short, one with a bit flipped, and one holding another table's bytes under its name: the
    build says nothing, makes the same book, and compiles exactly those three into the cache, byte for byte what the
    wheel shipped; the sound ones are still read from the package."""
    sound = _build(installed, tmp_path / "sound-cache", project, tmp_path / "sound")
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    shipped = {p.name: p.read_bytes() for p in (site / TABLES).glob("*.marisa")}
    tables = {p.name.split("-")[0]: p for p in sorted((site / TABLES).glob("*.marisa"))}  # one of the two word lists
    tables["zipf"].write_bytes(shipped[tables["zipf"].name][:1000])
    flipped = bytearray(shipped[tables["words"].name])
    flipped[-100] ^= 1
    tables["words"].write_bytes(bytes(flipped))
    tables["vocabulary"].write_bytes(shipped[tables["misspellings"].name])
    damaged = {tables[kind].name for kind in ("zipf", "words", "vocabulary")}

    cache = tmp_path / "cache"
    assert _build(site, cache, project, tmp_path / "out") == sound
    _read_all(site, cache)
    assert _stored(cache) == {name: shipped[name] for name in damaged}
    assert {p.name for p in _read_all(site, cache) if p.parent == site / TABLES} == set(shipped) - damaged


def test_a_shipped_table_is_used_only_under_the_running_codes_key(installed, tmp_path, monkeypatch):
    """The shipped tables, looked up by this checkout's code: read under the key it computes, compiling nothing; then
    by code whose key differs (another TABLE_FORMAT, as another marisa-trie, wordfreq or source would make it): none
    is read from the package, the table is compiled into the cache."""
    monkeypatch.setattr(lexicon, "SHIPPED", installed / TABLES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with monkeypatch.context() as patched:
        patched.setattr(lexicon, "_compile_misspellings", lambda data: pytest.fail("compiled, not read"))
        assert _misspelling("teh") == ("the",)
    assert _stored(tmp_path / "cache") == {}

    monkeypatch.setattr(lexicon, "TABLE_FORMAT", lexicon.TABLE_FORMAT + 1)
    assert _misspelling("teh") == ("the",)
    assert [name.split("-")[0] for name in _stored(tmp_path / "cache")] == ["misspellings"]


def _misspelling(word: str) -> tuple[str, ...]:
    """codespell's corrections for the word, from the table as the code reads it now (nothing kept from before)."""
    lexicon.misspellings.cache_clear()
    try:
        return lexicon.misspellings()[word]
    finally:
        lexicon.misspellings.cache_clear()
