"""Keep rules (book.yaml ``editorial.keep``, what ``bookforge review`` writes when the editor rejects a change): every kind
of applied change is undone where a rule names its text, on the whole book and chapter by chapter through the cache."""

from __future__ import annotations

import pytest

from bookforge.editorial import chapters, edit
from bookforge.editorial.config import EditorialConfig
from bookforge.model import Author, Book, Metadata, Part, SourceLocation
from bookforge.readers import capture

META = Metadata("A Case", None, "a-case", (Author("Jeffrey Smith", "Smith, Jeffrey"),), "en", "urn:uuid:x",
                None, None, None, None)
LINE = 'I dont know why the the dlls broke -- they said "it works" and wonderfull things.'
CAPTURE = f"""a post about the dlls

{LINE}

  • My therapist is is kind. I beleive she cares. Its very sweet.

  • My therapist is is kind too.

Leave a Comment"""
SHEET = {"wonderfull": "wonderful", "Its very sweet": "It’s very sweet"}


@pytest.fixture
def book(tmp_path) -> Book:
    (tmp_path / "post1.txt").write_text(CAPTURE, encoding="utf-8")
    chapter = capture.read(tmp_path / "post1.txt", "chapters/post1.txt")
    return Book(META, (Part("Part", "part-1", (chapter,), SourceLocation("book.yaml", 1)),))


def text(book: Book) -> list[str]:
    [chapter] = book.chapters()
    return [chapter.title, *(line for b in chapter.body for line in b.lines),
            *(line for c in chapter.all_comments() for b in c.blocks for line in b.lines)]


def test_without_rules_every_change_is_made(book):
    edited, ctx = edit(book, EditorialConfig(style_sheet=SHEET))
    assert text(edited) == ["A Post About the Dlls", "I don’t know why the dlls broke—they said “it works” and wonderful things.",
                            "My therapist is kind. I believe she cares. It’s very sweet.", "My therapist is kind too."]
    assert {(c.reason, c.before) for c in ctx.changes if c.kind == "typo_fixed"} == {
        ("style_sheet", "wonderfull"), ("style_sheet", "Its very sweet"), ("doubled_word", "the the"), ("spelling", "dont"),
        ("doubled_word", "is is"), ("spelling", "beleive")}


KEEP = ["dont", "THE THE", "wonderfull", "Its very sweet", "beleive", {"text": "is is", "at": "chapters/post1.txt:5"},
        {"text": "a post about the dlls", "at": "chapters/post1.txt"}]


def test_a_rule_keeps_each_kind_of_change_as_written_and_the_report_says_so(book):
    edited, ctx = edit(book, EditorialConfig(style_sheet=SHEET, keep=KEEP))
    assert text(edited) == ["a post about the dlls", "I dont know why the the dlls broke—they said “it works” and wonderfull things.",
                            "My therapist is is kind. I beleive she cares. Its very sweet.",
                            "My therapist is kind too."]  # "is is" is kept on line 5 only
    assert [(c.kind, c.reason, c.source.line) for c in ctx.changes if c.kind != "text_removed"] == [
        ("text_replaced", "typography", 3), ("typo_fixed", "doubled_word", 7)]
    assert [n.message for n in ctx.notes] == [
        "the title “a post about the dlls” kept as written (title_case; book.yaml editorial.keep)",
        "“wonderfull” kept as written, not changed to “wonderful” (style_sheet; book.yaml editorial.keep)",
        "“Its very sweet” kept as written, not changed to “It’s very sweet” (style_sheet; book.yaml editorial.keep)",
        "“the the” kept as written, not changed to “the” (doubled_word; book.yaml editorial.keep)",
        "“dont” kept as written, not changed to “don’t” (spelling; book.yaml editorial.keep)",
        "“is is” kept as written, not changed to “is” (doubled_word; book.yaml editorial.keep)",
        "“beleive” kept as written, not changed to “believe” (spelling; book.yaml editorial.keep)"]
    marks = [(m.kind, m.value) for c in next(edited.chapters()).all_comments() for b in c.blocks for m in b.marks]
    assert marks == [("fix", "is is")]  # the kept edits leave no mark for the proof either


def test_a_retypeset_line_is_kept_whole_by_its_text(book):
    edited, ctx = edit(book, EditorialConfig(style_sheet=SHEET, keep=[{"text": LINE, "at": "chapters/post1.txt:3"}]))
    assert text(edited)[1] == 'I don’t know why the dlls broke -- they said "it works" and wonderful things.'
    assert "typography" not in {c.reason for c in ctx.changes}


def test_chapter_by_chapter_and_from_the_cache_the_rules_give_the_same_book_and_ledger(book, tmp_path):
    config = EditorialConfig(style_sheet=SHEET, keep=KEEP)
    whole, ledger = edit(book, config)
    out = tmp_path / "out"
    out.mkdir()
    for cache in (None, out, out):  # none, then made, then read
        edited, by_chapter = chapters.edit(book, config, cache, "key")
        assert edited == whole and by_chapter.changes == ledger.changes and by_chapter.notes == ledger.notes


def test_a_rule_drops_a_suggestion_of_words_right_as_written(tmp_path):
    (tmp_path / "post1.txt").write_text("A Post\n\nI see her each weak on Monday.\n\nLeave a Comment", encoding="utf-8")
    book = Book(META, (Part("Part", "part-1", (capture.read(tmp_path / "post1.txt", "chapters/post1.txt"),),
                            SourceLocation("book.yaml", 1)),))
    assert [(s.word, s.kind) for s in edit(book, EditorialConfig())[1].suggestions] == [("each weak", "real_word")]
    _, ctx = edit(book, EditorialConfig(keep=[{"text": "each weak", "at": "chapters/post1.txt:3"}]))
    assert ctx.suggestions == [] and [n.message for n in ctx.notes] == [
        "“each weak” right as written, not suggested (book.yaml editorial.keep)"]
