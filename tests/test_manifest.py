"""The manifest: book.yaml validated, with every problem reported as book.yaml:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookforge import manifest
from bookforge.diagnostics import ManifestError, Severity
from conftest import MINIMAL_BOOK_YAML

PROJECT = Path(__file__).parents[1]
TOP_LEVEL_KEYS = ("title, subtitle, slug, authors, language, identifier, isbn, publisher, date, rights, description, "
                  "subjects, series, cover, credits, about_author, print, parts, editorial")

GOOD = MINIMAL_BOOK_YAML


def make_project(root: Path, book_yaml: str) -> Path:
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "chapters" / "x.txt").write_text("A Post\n\nBody.\n\n  • A comment.\n\nLeave a Comment", encoding="utf-8")
    (root / "book.yaml").write_text(book_yaml, encoding="utf-8")
    return root


def errors(root: Path, book_yaml: str) -> list[str]:
    make_project(root, book_yaml)
    with pytest.raises(ManifestError) as info:
        manifest.load(root)
    assert info.value.exit_code == 2
    assert all(d.severity is Severity.ERROR and d.path == "book.yaml" for d in info.value.diagnostics)
    return [str(d) for d in info.value.diagnostics]


def test_a_good_manifest_loads(tmp_path):
    make_project(tmp_path, GOOD)
    loaded = manifest.load(tmp_path)
    assert loaded.slug == "test-book"
    [part] = loaded.parts
    assert (part.title, part.line) == ("Part One", 6)
    [chapter] = part.chapters
    assert (chapter.relpath, chapter.path, chapter.line) == ("chapters/x.txt", (tmp_path / "chapters/x.txt").resolve(), 8)
    assert loaded.metadata().authors[0].file_as == "Author, Ann"


# --- unknown, missing and mistyped keys --------------------------------------------------


def test_unknown_top_level_key_points_at_the_key_and_suggests_a_name(tmp_path):
    assert errors(tmp_path, GOOD.replace("language: en\n", "language: en\npublsher: Someone\n")) == [
        f"book.yaml:5:1: error [M-010] unknown key 'publsher' (expected one of: {TOP_LEVEL_KEYS}); did you mean 'publisher'?",
    ]


def test_misspelt_title_is_reported_once_as_unknown_with_the_right_spelling(tmp_path):
    text = "# A comment first\n" + GOOD.replace("title: Test Book", "titel: Test Book")
    assert errors(tmp_path, text) == [
        "book.yaml:2:1: error [M-010] unknown key 'titel' "
        f"(expected one of: {TOP_LEVEL_KEYS}); did you mean 'title'?",
    ]


def test_unknown_key_without_a_close_match_gets_no_suggestion(tmp_path):
    assert errors(tmp_path, GOOD + "colour: red\n") == [
        f"book.yaml:9:1: error [M-010] unknown key 'colour' (expected one of: {TOP_LEVEL_KEYS})",
    ]


def test_unknown_key_inside_a_chapter_entry(tmp_path):
    text = GOOD + "        titel: Another Title\n"
    assert errors(tmp_path, text) == [
        "book.yaml:9:9: error [M-010] unknown key 'titel' (expected one of: source, title); did you mean 'title'?",
    ]


def test_unknown_key_inside_an_author(tmp_path):
    text = GOOD.replace("  - name: Ann Author\n", "  - name: Ann Author\n    fileas: Author, Ann\n")
    assert errors(tmp_path, text) == [
        "book.yaml:4:5: error [M-010] unknown key 'fileas' (expected one of: name, file_as, role); did you mean 'file_as'?",
    ]


def test_missing_required_key(tmp_path):
    assert errors(tmp_path, GOOD.replace("language: en\n", "")) == [
        "book.yaml:1:1: error [M-011] missing key 'language' in the manifest",
    ]


def test_missing_key_in_a_chapter_entry_points_at_the_entry(tmp_path):
    text = GOOD.replace("      - source: chapters/x.txt\n", "      - title: Only a Title\n")
    assert errors(tmp_path, text) == [
        "book.yaml:8:9: error [M-011] missing key 'source' in parts[0].chapters[0]",
    ]


def test_parts_must_be_a_list(tmp_path):
    text = GOOD[: GOOD.index("parts:")] + "parts: 3\n"
    assert errors(tmp_path, text) == [
        "book.yaml:5:8: error [M-012] parts: input should be a valid list (got 3)",
    ]


def test_authors_must_be_a_list(tmp_path):
    text = GOOD.replace("authors:\n  - name: Ann Author\n", 'authors: "x"\n')
    assert errors(tmp_path, text) == [
        "book.yaml:2:10: error [M-012] authors: input should be a valid list (got 'x')",
    ]


def test_a_part_needs_at_least_one_chapter(tmp_path):
    text = GOOD.replace("    chapters:\n      - source: chapters/x.txt\n", "    chapters: []\n")
    assert errors(tmp_path, text) == [
        "book.yaml:7:15: error [M-012] parts[0].chapters: list should have at least 1 item after validation, not 0",
    ]


@pytest.mark.parametrize("tag", ["english", "en_US", "e", "en-"])
def test_bad_language_tag(tmp_path, tag):
    [message] = errors(tmp_path, GOOD.replace("language: en", f"language: {tag}"))
    assert message.startswith("book.yaml:4:11: error [M-012] language: string should match pattern ")
    assert message.endswith(f"(got '{tag}')")


@pytest.mark.parametrize("tag", ["en", "en-US", "de-CH-1996", "ast"])
def test_good_language_tags(tmp_path, tag):
    make_project(tmp_path, GOOD.replace("language: en", f"language: {tag}"))
    assert manifest.load(tmp_path).metadata().language == tag


# --- chapter sources ---------------------------------------------------------------------


def test_source_that_does_not_exist(tmp_path):
    assert errors(tmp_path, GOOD.replace("chapters/x.txt", "chapters/missing.txt")) == [
        "book.yaml:8:17: error [M-020] source 'chapters/missing.txt': no such file",
    ]


def test_source_that_leaves_the_project(tmp_path):
    project = tmp_path / "project"
    (tmp_path / "outside.txt").write_text("Outside\n\nBody.", encoding="utf-8")
    assert errors(project, GOOD.replace("chapters/x.txt", "../outside.txt")) == [
        "book.yaml:8:17: error [M-020] source '../outside.txt' leaves the project folder",
    ]


def test_absolute_source_path(tmp_path):
    absolute = (tmp_path / "chapters" / "x.txt").resolve()
    assert errors(tmp_path, GOOD.replace("chapters/x.txt", str(absolute))) == [
        f"book.yaml:8:17: error [M-020] source '{absolute}' must be a path relative to the project, not an absolute path",
    ]


def test_source_used_twice(tmp_path):
    text = GOOD + "  - title: Part Two\n    chapters:\n      - source: ./chapters/../chapters/x.txt\n"
    assert errors(tmp_path, text) == [
        "book.yaml:11:17: error [M-020] source './chapters/../chapters/x.txt' is already used as a chapter ('chapters/x.txt', book.yaml line 8)",
    ]


# --- the file itself ---------------------------------------------------------------------


def test_invalid_yaml_reports_the_parser_position(tmp_path):
    text = "title: Test Book\nauthors:\n  - name: Ann Author\n language: en\n"
    assert errors(tmp_path, text) == [
        "book.yaml:4:2: error [M-003] not valid YAML: expected <block end>, but found '<block mapping start>'",
    ]


def test_unclosed_flow_sequence(tmp_path):
    text = "title: Test Book\nauthors: [Ann, Bob\nlanguage: en\n"
    assert errors(tmp_path, text) == [
        "book.yaml:3:9: error [M-003] not valid YAML: expected ',' or ']', but got ':'",
    ]


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"], ids=["empty", "newline", "comment"])
def test_empty_manifest(tmp_path, text):
    assert errors(tmp_path, text) == [
        "book.yaml:1:1: error [M-002] the manifest is empty: expected title, authors, language and parts",
    ]


def test_manifest_that_is_not_a_mapping(tmp_path):
    assert errors(tmp_path, "- title\n- parts\n") == [
        "book.yaml:1:1: error [M-002] the manifest must be a mapping of keys (title, authors, language, parts, …)",
    ]


def test_duplicate_key(tmp_path):
    assert errors(tmp_path, GOOD.replace("language: en\n", "language: en\ntitle: Another Title\n")) == [
        "book.yaml:5:1: error [M-004] duplicate key 'title'",
    ]


def test_duplicate_key_inside_an_entry(tmp_path):
    text = GOOD.replace("  - name: Ann Author\n", "  - name: Ann Author\n    name: Bob Author\n")
    assert errors(tmp_path, text) == ["book.yaml:4:5: error [M-004] duplicate key 'name'"]


def test_no_manifest_at_all(tmp_path):
    with pytest.raises(ManifestError) as info:
        manifest.load(tmp_path)
    assert [str(d) for d in info.value.diagnostics] == [f"book.yaml: error [M-001] no book.yaml here (looked in {tmp_path})"]


# --- several problems at once ------------------------------------------------------------


def test_every_schema_problem_is_reported_in_one_run(tmp_path):
    text = """\
title: Test Book
authors: "x"
language: en
title: Twice
publsher: Someone
parts:
  - title: Part One
    chapters:
      - source: chapters/x.txt
        titel: Y
"""
    assert sorted(errors(tmp_path, text)) == [
        "book.yaml:10:9: error [M-010] unknown key 'titel' (expected one of: source, title); did you mean 'title'?",
        "book.yaml:2:10: error [M-012] authors: input should be a valid list (got 'x')",
        "book.yaml:4:1: error [M-004] duplicate key 'title'",
        f"book.yaml:5:1: error [M-010] unknown key 'publsher' (expected one of: {TOP_LEVEL_KEYS}); did you mean 'publisher'?",
    ]


def test_every_source_problem_is_reported_in_one_run(tmp_path):
    project = tmp_path / "project"
    text = GOOD.replace("language: en\n", "language: en\nlanguage: en\n") + (
        "      - source: chapters/missing.txt\n"
        "      - source: ../outside.txt\n"
        "      - source: chapters/x.txt\n"
    )
    assert errors(project, text) == [
        "book.yaml:5:1: error [M-004] duplicate key 'language'",
        "book.yaml:10:17: error [M-020] source 'chapters/missing.txt': no such file",
        "book.yaml:11:17: error [M-020] source '../outside.txt' leaves the project folder",
        "book.yaml:12:17: error [M-020] source 'chapters/x.txt' is already used as a chapter ('chapters/x.txt', book.yaml line 9)",
    ]


def test_a_schema_problem_and_a_missing_source_are_reported_together(tmp_path):
    text = GOOD.replace("chapters/x.txt", "chapters/missing.txt") + "publsher: Someone\n"
    # in the order they stand in the file
    assert [message.split(" error ")[1][:7] for message in errors(tmp_path, text)] == ["[M-020]", "[M-010]"]


# --- the real project --------------------------------------------------------------------


def test_the_real_manifest_loads():
    loaded = manifest.load(PROJECT)
    assert [part.title for part in loaded.parts] == ["The Question", "What Stands in the Way", "Looking Back"]
    assert [c.relpath for part in loaded.parts for c in part.chapters] == [
        "chapters/attachment-to-your-therapist.txt",
        "chapters/healing-a-damaged-self.txt",
        "chapters/shame-and-attachment-to-your-therapist.txt",
        "chapters/emotions-to-avoid-or-to-heal.txt",
        "chapters/update-on-attachment-to-therapist.txt",
    ]
    assert all(c.path == (PROJECT / c.relpath).resolve() for part in loaded.parts for c in part.chapters)
    metadata = loaded.metadata()
    assert metadata.title == "Attachment to Your Therapist"
    assert metadata.subtitle == "A Conversation"
    assert [(a.name, a.file_as, a.role) for a in metadata.authors] == [("Jeffrey Smith", "Smith, Jeffrey", "aut")]
    assert metadata.language == "en-US"
    assert metadata.slug == "attachment-to-your-therapist"
    assert metadata.identifier == "urn:uuid:1f0d2678-6d88-4bda-ad08-ca24d38a3262"


# --- store metadata: ISBN, series, cover ---------------------------------------------------


@pytest.mark.parametrize("isbn", ["978-0-306-40615-7", "9780306406157", "0-306-40615-2", "978 0 306 40615 7"])
def test_an_isbn_becomes_the_identifier_as_13_digits(tmp_path, isbn):
    make_project(tmp_path, GOOD + f"isbn: {isbn}\n")
    metadata = manifest.load(tmp_path).metadata()
    assert (metadata.isbn, metadata.identifier) == ("9780306406157", "urn:isbn:9780306406157")


@pytest.mark.parametrize("isbn", ["978-0-306-40615-8", "0-306-40615-3", "12345", "978030640615X"])
def test_an_isbn_with_a_wrong_check_digit_or_length_is_refused(tmp_path, isbn):
    assert errors(tmp_path, GOOD + f"isbn: {isbn}\n") == [
        f"book.yaml:9:7: error [M-040] isbn '{isbn}' is not a valid ISBN-13 or ISBN-10: wrong length, characters or check digit",
    ]


def test_a_series_with_its_number(tmp_path):
    make_project(tmp_path, GOOD + "series:\n  name: Moments of Change\n  position: 2\n")
    series = manifest.load(tmp_path).metadata().series
    assert (series.name, series.position) == ("Moments of Change", 2)


def test_a_series_number_must_be_positive_and_its_keys_known(tmp_path):
    assert errors(tmp_path, GOOD + "series:\n  name: S\n  position: 0\n  volume: 3\n") == [
        "book.yaml:11:13: error [M-012] series.position: input should be greater than or equal to 1 (got 0)",
        "book.yaml:12:3: error [M-010] unknown key 'volume' (expected one of: name, position)",
    ]


def test_a_cover_image_inside_the_project(tmp_path):
    make_project(tmp_path, GOOD + "cover: images/front.jpg\n")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "front.jpg").write_bytes(b"\xff\xd8")
    assert manifest.load(tmp_path).metadata().cover == (tmp_path / "images" / "front.jpg").resolve()


@pytest.mark.parametrize(("cover", "problem"), [
    ("missing.jpg", "cover 'missing.jpg': no such file"),
    ("../outside.jpg", "cover '../outside.jpg' leaves the project folder"),
    ("chapters/x.txt", "cover 'chapters/x.txt': a cover must be a JPEG or PNG image (.jpg, .jpeg, .png)"),
])
def test_a_cover_is_checked_like_a_chapter_source(tmp_path, cover, problem):
    (tmp_path / "outside.jpg").write_bytes(b"\xff\xd8")
    assert errors(tmp_path / "project", GOOD + f"cover: {cover}\n") == [f"book.yaml:9:8: error [M-021] {problem}"]
