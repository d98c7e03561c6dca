"""`bookforge review` driven with scripted answers: decisions land in book.yaml, comments survive, the next pass applies them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bookforge import editorial, manifest, readers
from bookforge.cli import main

BOOK_YAML = """\
# A test book: this comment must survive the review.
title: Test Book
authors:
  - name: Ann Author  # the author
language: en
parts:
  - title: Part One
    chapters:
      - source: chapters/x.txt

# The editor's corrections.
editorial:
  style_sheet:
    wonderfull: wonderful  # kept as it was
"""

CAPTURE = ("A Post\n\nThe message, veralized, was clear.\n\n"
           "  • My dollscapes are small rooms I build.\n\nLeave a Comment")


def edited(project: Path):
    spec = manifest.load(project)
    return editorial.edit(readers.read_book(spec), spec.editorial)[1]


def test_review_writes_an_accepted_correction_and_a_right_word_into_book_yaml_and_the_next_pass_applies_them(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.txt").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    before = edited(tmp_path)
    assert [(s.word, s.candidates[:2]) for s in before.suggestions] == [("veralized", ("verbalized", "realized")),
                                                                        ("dollscapes", ())]

    result = CliRunner().invoke(main, ["review", "-C", str(tmp_path)], input="1\nr\n")
    assert result.exit_code == 0, result.output
    assert "The message, veralized, was clear." in result.output
    assert "1 corrections added to the style sheet, 1 words added to the word list" in result.output

    text = (tmp_path / "book.yaml").read_text(encoding="utf-8")
    assert text.startswith("# A test book: this comment must survive the review.\n")
    for kept in ("  - name: Ann Author  # the author\n", "# The editor's corrections.\n",
                 "    wonderfull: wonderful  # kept as it was\n", "    veralized: verbalized\n"):
        assert kept in text
    assert manifest.load(tmp_path).editorial.spelling.words == ["dollscapes"]

    after = edited(tmp_path)
    assert after.suggestions == []
    assert [(c.reason, c.before, c.after) for c in after.changes if c.kind == "typo_fixed"] == [
        ("style_sheet", "veralized", "verbalized")]


def test_review_skips_and_quits_without_touching_book_yaml(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.txt").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "-C", str(tmp_path)], input="s\nq\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "book.yaml").read_text(encoding="utf-8") == BOOK_YAML
