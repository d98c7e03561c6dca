"""`bookforge review` driven with scripted answers: decisions land in book.yaml, comments survive, the next build applies them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from bookforge import editorial, manifest, readers, review
from bookforge.cli import main
from conftest import PROJECT, SLUG

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


def small_book(tmp_path: Path, capture: str = CAPTURE) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.txt").write_text(capture, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    return tmp_path


def test_review_writes_an_accepted_correction_and_a_right_word_into_book_yaml_and_the_next_pass_applies_them(tmp_path):
    small_book(tmp_path)
    before = edited(tmp_path)
    assert [(s.word, s.candidates[:2]) for s in before.suggestions] == [("veralized", ("verbalized", "realized")),
                                                                        ("dollscapes", ())]

    result = CliRunner().invoke(main, ["review", "--suggestions", "-C", str(tmp_path)], input="1\nr\n")
    assert result.exit_code == 0, result.output
    assert "The message, veralized, was clear." in result.output
    assert "book.yaml: 0 keep rules, 1 correction in the style sheet, 1 word in the word list, 0 comments kept" in result.output

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


def test_review_walks_the_fixes_and_the_removals_too_and_filters_them(tmp_path):
    capture = "A Post\n\nThe message was wonderfull.\n\n  • A comment.\n\nLeave a Comment"
    small_book(tmp_path, capture)
    result = CliRunner().invoke(main, ["review", "--removals", "-C", str(tmp_path)], input="k\n")
    assert result.exit_code == 0, result.output
    assert "[1/1] chapters/x.txt:7: text removed: comment form" in result.output and "Leave a Comment" in result.output
    assert manifest.load(tmp_path).editorial.keep[0].model_dump() == {"text": "Leave a Comment", "at": "chapters/x.txt:7"}
    result = CliRunner().invoke(main, ["review", "--fixes", "-C", str(tmp_path)], input="r\n")
    assert "[1/1] chapters/x.txt:3: words corrected: style sheet" in result.output  # the only fix of the book
    after = edited(tmp_path)
    assert [c for c in after.changes if c.kind in ("typo_fixed", "text_removed")] == []
    assert [n.kind for n in after.notes] == ["kept_as_written", "kept_as_written"]
    assert (tmp_path / "chapters" / "x.txt").read_text(encoding="utf-8") == capture  # the sources are never edited


def test_review_refuses_a_chapter_the_book_does_not_have(tmp_path):
    small_book(tmp_path)
    result = CliRunner().invoke(main, ["review", "--chapter", "nope", "-C", str(tmp_path)])
    assert result.exit_code != 0 and "no chapter nope in the book; its chapters are x" in result.output


def test_review_skips_and_quits_without_touching_book_yaml(tmp_path):
    small_book(tmp_path)
    result = CliRunner().invoke(main, ["review", "--suggestions", "-C", str(tmp_path)], input="s\nq\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "book.yaml").read_text(encoding="utf-8") == BOOK_YAML


# -- the included book: reject a fix, keep a removed comment, accept a suggestion, build again ---------------------

def build(project: Path, out: Path) -> dict:
    run = subprocess.run([sys.executable, "-m", "bookforge", "build", "-q", "-C", str(project), "-o", str(out)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return json.loads((out / "editorial-report.json").read_text(encoding="utf-8"))


def chapter_page(out: Path, slug: str) -> etree._Element:
    with zipfile.ZipFile(out / f"{SLUG}.epub") as epub:
        return etree.fromstring(epub.read(f"EPUB/{slug}.xhtml"))


def page_text(page: etree._Element) -> str:
    return " ".join("".join(page.itertext()).split())


def test_on_the_included_book_the_next_build_applies_a_rejected_fix_a_kept_comment_and_an_accepted_suggestion(tmp_path):
    project, out = tmp_path / "book", tmp_path / "out"
    project.mkdir()
    shutil.copy(PROJECT / "book.yaml", project)
    for folder in ("chapters", "styles"):
        shutil.copytree(PROJECT / folder, project / folder)
    first = build(project, out)  # the build's caches are warm when book.yaml changes

    found = review.items(project)
    fix = next(n for n, item in enumerate(found) if item.group == "fix" and item.subject.reason == "spelling")
    word = next(n for n, item in enumerate(found) if item.group == "suggestion" and item.subject.candidates)
    comment = next(n for n, item in enumerate(found) if item.group == "removal" and item.subject.kind == "comment_removed")
    answers = {fix: "r", word: "1", comment: "k"}
    script = "".join(answers.get(n, "s") + "\n" for n in range(max(answers) + 1)) + "q\n"
    result = CliRunner().invoke(main, ["review", "-C", str(project)], input=script)
    assert result.exit_code == 0, result.output
    assert "book.yaml: 1 keep rule, 1 correction in the style sheet, 0 words in the word list, 1 comment kept" in result.output

    text = (project / "book.yaml").read_text(encoding="utf-8")
    comments = [line.strip() for line in (PROJECT / "book.yaml").read_text(encoding="utf-8").split("\n") if line.strip().startswith("#")]
    assert comments and [c for c in comments if c not in text] == []  # every comment line of book.yaml is still there

    rejected, accepted, kept = found[fix].subject, found[word].subject, found[comment].subject
    second = build(project, out)

    def changes(report: dict, kind: str) -> set[tuple]:
        return {(c["source"], c["line"], c["before"], c["after"]) for c in report["changes"] if c["kind"] == kind}

    where = (rejected.source.path, rejected.source.line, rejected.before, rejected.after)
    assert where in changes(first, "typo_fixed") and where not in changes(second, "typo_fixed")
    assert f"“{rejected.before}” kept as written, not changed to “{rejected.after}” (spelling; book.yaml editorial.keep)" in [
        n["message"] for n in second["notes"]]
    assert rejected.before in page_text(chapter_page(out, rejected.chapter))

    correction = (accepted.source.path, accepted.source.line, accepted.word, accepted.candidates[0])
    assert correction in changes(second, "typo_fixed") and accepted.word not in [s["word"] for s in second["suggestions"]]
    following = accepted.sentence.split(accepted.word, 1)[1].split()[0]
    assert f"{accepted.candidates[0]} {following}" in page_text(chapter_page(out, found[word].chapter))

    removed = {c["comment"] for c in second["changes"] if c["kind"] == "comment_removed"}
    assert kept.comment in {c["comment"] for c in first["changes"] if c["kind"] == "comment_removed"} and kept.comment not in removed
    assert chapter_page(out, kept.chapter).xpath(f"//*[@id='{kept.comment}']")
    # nothing else changed: the other removals, and every other fix, are as the first build made them
    assert len(removed) == len({c["comment"] for c in first["changes"] if c["kind"] == "comment_removed"}) - 1
    sheet = {c for c in changes(second, "typo_fixed") if c[2] == accepted.word}  # the new style-sheet entry, wherever it applies
    assert correction in sheet and changes(second, "typo_fixed") - sheet == changes(first, "typo_fixed") - {where}


def test_the_html_report_filters_the_same_groups_and_gives_each_decisions_book_yaml(tmp_path):
    """The piece of book.yaml under a fix in the HTML report, pasted under book.yaml's ``editorial:``, rejects that fix."""
    from html import unescape

    from bookforge.editorial import report

    small_book(tmp_path, "A Post\n\nThe message, veralized, was wonderfull.\n\n  • A comment.\n\nLeave a Comment")
    spec = manifest.load(tmp_path)
    book, ledger = editorial.edit(readers.read_book(spec), spec.editorial)
    html = report.write(book, ledger, tmp_path)[1].read_text(encoding="utf-8")
    assert '<option value="fix">fixes applied</option>' in html and '<option value="removal">removals</option>' in html
    rows = [row for row in html.split("<tr ")[1:] if "data-group" in row]
    assert [row.split('data-group="')[1].split('"')[0] for row in rows] == ["removal", "fix", "suggestion"]
    fix = rows[1]
    assert "book.yaml to reject it" in fix
    snippet = unescape(fix.split("<pre>")[1].split("</pre>")[0])
    assert snippet == "editorial:\n  keep:\n    - text: wonderfull\n      at: chapters/x.txt:3\n"
    (tmp_path / "book.yaml").write_text(BOOK_YAML + snippet.split("\n", 1)[1], encoding="utf-8")  # pasted under editorial:
    after = edited(tmp_path)
    assert [c for c in after.changes if c.kind == "typo_fixed"] == [] and [n.kind for n in after.notes] == ["kept_as_written"]
