"""Property-based fuzzing of captures and book.yaml with hypothesis: no traceback, ever, and no word lost.

Each example is a small project of its own: a book.yaml with a random title, style sheet, spam
patterns and chapter file names, and random captures (bullets at random depths, blank lines,
control characters, markup, emoji).  It runs the stages that read and change text (manifest,
reader, editorial pass, intermediate XHTML, report) in-process, which is what makes 2,000
examples affordable; a few examples go through the whole build, EPUB and PDF included.
Either the build stops with diagnostics that name a file (and, for book.yaml and the captures,
a line), or every word of every capture is in the book's XHTML or in the editorial report.

BOOKFORGE_FUZZ_EXAMPLES sets the number of examples: 2,000 in CI (CI=true), 300 otherwise; the README
has the command for a longer run.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st


def rarely(hostile, usual, one_in: int = 10):
    """``hostile`` in about one draw in ``one_in``, ``usual`` otherwise: most examples should get through to the book."""
    return st.sampled_from([False] * (one_in - 1) + [True]).flatmap(lambda chosen: hostile if chosen else usual)


from bookforge import editorial, html, manifest, readers
from bookforge.diagnostics import BookforgeError
from bookforge.editorial import report
from bookforge.pipeline import BuildOptions, styles_folder, build

EXAMPLES = int(os.environ.get("BOOKFORGE_FUZZ_EXAMPLES", "2000" if os.environ.get("CI") else "300"))
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None  # memory, not disk
WORD = re.compile(r"[^\W\d_]+")

VOCABULARY = ("therapist attachment feel feeling session week love trust shame heal healing because really think know "
              "never always mother father child years time help people would could about after again anger").split()
random_word = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßø"), min_size=1, max_size=9)
letters = rarely(random_word, st.sampled_from(VOCABULARY), 4)
oddities = st.sampled_from(["•", "\u00a0", "🙂", "😀", "“", "”", "’", "'", '"', "...", "--", "–", "<b>", "&amp;", "&",
                            "\t", "***", "[…]", "http://x.com/a", "1.", "Part 1 –", "JS", "Dear", "\u00ad", "\ufeff",
                            "\u2028", "<script>", "]]>", "{{ x }}", "is is", "teh", "dont"])
controls = st.sampled_from(["\x00", "\x0c", "\x1b", "\x7f", "\x85"])
anything = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12)
phrase = st.lists(st.one_of(letters, letters, letters, letters, oddities, anything), min_size=1, max_size=12).map(
    lambda words: " ".join(words).strip(" \t") or "word")


rare_control = rarely(controls, st.just(""), 200)


@st.composite
def capture(draw) -> str:
    """A capture: a title, body paragraphs, bullets at random indents with continuation lines, a tail."""
    lines = [draw(phrase)]
    for _ in range(draw(st.integers(0, 4))):
        lines += ["", draw(phrase) + draw(rare_control)]
    for _ in range(draw(st.integers(0, 8))):
        indent = draw(rarely(st.sampled_from([3, 0]), st.sampled_from([2, 4, 6, 8, 10])))
        lines += ["", " " * indent + "• " + draw(phrase) + draw(rare_control)]
        for _ in range(draw(st.integers(0, 2))):
            lines.append(" " * (indent + draw(rarely(st.sampled_from([1, 4]), st.just(2)))) + draw(phrase))
    if draw(st.booleans()):
        lines += ["", "Leave a Comment"]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def project(draw) -> tuple[dict, list[tuple[str, str]]]:
    """book.yaml's data and the chapter files (name, capture)."""
    names = draw(st.lists(rarely(st.sampled_from(["Post", "contents", "part-1", "a b", "x!"]), letters),
                          min_size=1, max_size=3, unique_by=str.casefold))
    chapters = [(f"{name}.txt", draw(capture())) for name in names]
    data = {
        "title": draw(st.one_of(phrase, st.text(min_size=1, max_size=300))),
        "authors": [{"name": draw(st.one_of(letters, phrase))}],
        "language": "en",
        "parts": [{"title": draw(st.one_of(letters, phrase)), "chapters": [{"source": f"chapters/{n}"} for n, _ in chapters]}],
        "editorial": {
            "style_sheet": draw(rarely(st.dictionaries(st.sampled_from(["", " ", "the"]), st.just("the"), max_size=1),
                                       st.dictionaries(letters, letters.map(lambda w: w + "x"), max_size=3))),
            "leftovers": {"spam": draw(st.lists(rarely(st.sampled_from([r"(", r"(?<!x)y", r"[a-"]),
                                                       st.sampled_from([r"(a+)+$", r"\bviagra\b", r"^\w+ \w+$"])), max_size=2))},
        },
    }
    return data, chapters


PIXEL_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def write_project(root: Path, data: dict, chapters: list[tuple[str, str]]) -> None:
    """The project on disk, with a one-pixel cover so that no example spends its time drawing one."""
    data = {**data, "cover": "cover.png"}
    (root / "cover.png").write_bytes(PIXEL_PNG)
    (root / "chapters").mkdir(parents=True)
    for name, text in chapters:
        (root / "chapters" / name).write_bytes(text.encode("utf-8"))
    (root / "book.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def assert_placed(diagnostics) -> None:
    """Every diagnostic names a file; those about book.yaml and the captures, a line too."""
    for diagnostic in diagnostics:
        assert diagnostic.path, diagnostic
        if diagnostic.path == "book.yaml" or diagnostic.path.startswith("chapters/"):
            assert diagnostic.line is not None, diagnostic


def reported(out: Path) -> list[str]:
    """Every string in the editorial report."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
    return list(strings(json.loads((out / "editorial-report.json").read_text(encoding="utf-8"))))


def capture_words(chapters: list[tuple[str, str]]) -> set[str]:
    return {word.casefold() for _, text in chapters for word in WORD.findall(text)}


def found_words(*texts: str) -> set[str]:
    return {word.casefold() for text in texts for word in WORD.findall(text)}


@contextmanager
def on_disk(example) -> Iterator[Path]:
    data, chapters = example
    with tempfile.TemporaryDirectory(prefix="bookforge-fuzz-", dir=SCRATCH) as folder:
        write_project(Path(folder), data, chapters)
        yield Path(folder)


def assert_every_word_kept(chapters: list[tuple[str, str]], book: list[str], out: Path) -> None:
    missing = capture_words(chapters) - found_words(*book, *reported(out))
    assert not missing, f"words in neither the book nor the report: {sorted(missing)[:10]}"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(project())
def test_no_traceback_and_every_word_in_the_book_or_the_report(example):
    with on_disk(example) as root:
        try:
            spec = manifest.load(root)
            book = readers.read_book(spec)
            edited, ledger = editorial.edit(book, spec.editorial)
            written = html.write(edited, styles_folder(root, False), root / "build" / "html")
            report.write(edited, ledger, root / "build")
        except BookforgeError as exc:
            assert_placed(exc.diagnostics)
            event(f"refused: {exc.diagnostics[0].code}")
            return
        event("built")
        assert_every_word_kept(example[1], [path.read_text(encoding="utf-8") for path in written.directory.glob("*.xhtml")],
                               root / "build")


@settings(max_examples=int(os.environ.get("BOOKFORGE_FUZZ_BUILDS", "3")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(project())
def test_whole_builds_give_an_epub_with_every_word_or_diagnostics(example):
    with on_disk(example) as root:
        try:
            result = build(BuildOptions(root))
        except BookforgeError as exc:
            assert_placed(exc.diagnostics)
            return
        with zipfile.ZipFile(result.epub) as epub:
            pages = [epub.read(name).decode("utf-8") for name in epub.namelist() if name.endswith(".xhtml")]
        assert_every_word_kept(example[1], pages, root / "build")
