"""The capture reader: plain-text captures of a blog post page read into a Chapter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bookforge.diagnostics import ReaderError, Severity
from bookforge.model import Block, BlockKind, SourceLocation
from bookforge.readers import capture

CHAPTERS = Path(__file__).parents[1] / "chapters"
BULLET_LINE = re.compile(r"^( +)• ")
REL = "chapters/post.txt"


def capture_text(*lines: str) -> str:
    """The lines of a capture, numbered from 1 as given, joined the way the captures are: no final newline."""
    return "\n".join(lines)


def read(tmp_path: Path, text: str | bytes, name: str = "post.txt"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return capture.read(path, f"chapters/{name}")


def problems(tmp_path: Path, text: str | bytes) -> list[tuple[str, int]]:
    with pytest.raises(ReaderError) as info:
        read(tmp_path, text)
    for diagnostic in info.value.diagnostics:
        assert diagnostic.path == REL
        assert diagnostic.severity is Severity.ERROR
    return [(d.code, d.line) for d in info.value.diagnostics]


def at(line: int) -> SourceLocation:
    return SourceLocation(REL, line)


def shape(comments) -> list:
    """Comment trees as (bullet line, [replies…]) so nesting can be compared at a glance."""
    return [(c.source.line, shape(c.replies)) for c in comments]


def paragraph(line: int, *lines: str) -> Block:
    return Block(BlockKind.PARAGRAPH, lines, at(line))


# --- title, body -------------------------------------------------------------------------


def test_title_from_line_one_and_body_paragraphs_with_their_lines(tmp_path):
    chapter = read(tmp_path, capture_text(
        "A Post Title",                      # 1
        "",                                  # 2
        "First paragraph, line one,",        # 3
        "and its second line.",              # 4
        "",                                  # 5
        "",                                  # 6
        "Second paragraph.",                 # 7
        "",                                  # 8
        "  • A comment.",                    # 9
        "",                                  # 10
        "Leave a Comment",                   # 11
    ))
    assert chapter.title == "A Post Title"
    assert chapter.slug == "post"
    assert chapter.source == at(1)
    assert chapter.body == (
        paragraph(3, "First paragraph, line one,", "and its second line."),
        paragraph(7, "Second paragraph."),
    )


# --- nesting -----------------------------------------------------------------------------


def test_replies_attach_to_the_nearest_shallower_bullet_even_when_a_level_is_skipped(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                              # 1
        "",                                   # 2
        "Body.",                              # 3
        "",                                   # 4
        "  • A, top level.",                  # 5
        "",                                   # 6
        "    • B, reply to A.",               # 7
        "",                                   # 8
        "        • C, skips a level: reply to B.",  # 9
        "",                                   # 10
        "      • D, shallower than C: reply to B.",  # 11
        "",                                   # 12
        "    • E, reply to A.",               # 13
        "",                                   # 14
        "  • F, a new thread.",               # 15
        "",                                   # 16
        "      • G, skips a level: reply to F.",  # 17
        "",                                   # 18
        "Leave a Comment",                    # 19
    ))
    assert shape(chapter.comments) == [
        (5, [(7, [(9, []), (11, [])]), (13, [])]),
        (15, [(17, [])]),
    ]
    c = chapter.comments[0].replies[0].replies[0]
    assert c.blocks == (paragraph(9, "C, skips a level: reply to B."),)


def test_blank_lines_inside_a_comment_split_paragraphs_but_not_the_comment(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                                      # 1
        "",                                           # 2
        "  • First paragraph of the comment,",        # 3
        "    still the first paragraph.",             # 4
        "",                                           # 5
        "    After one blank line.",                  # 6
        "",                                           # 7
        "",                                           # 8
        "    After two blank lines.",                 # 9
        "",                                           # 10
        "    • A reply,",                             # 11
        "",                                           # 12
        "",                                           # 13
        "      with two paragraphs.",                 # 14
        "",                                           # 15
        "  • The next comment.",                      # 16
        "",                                           # 17
        "Leave a Comment",                            # 18
    ))
    assert shape(chapter.comments) == [(3, [(11, [])]), (16, [])]
    first = chapter.comments[0]
    assert first.blocks == (
        paragraph(3, "First paragraph of the comment,", "still the first paragraph."),
        paragraph(6, "After one blank line."),
        paragraph(9, "After two blank lines."),
    )
    assert first.replies[0].blocks == (paragraph(11, "A reply,"), paragraph(14, "with two paragraphs."))


# --- lists and subheads ------------------------------------------------------------------


def test_numbered_lines_between_a_lead_in_and_a_closing_line_become_a_list(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                        # 1
        "",                             # 2
        "  • Some thoughts:",           # 3
        "    1. First point.",          # 4
        "    2. Second point.",         # 5
        "    3. Third point.",          # 6
        "    That is all.",             # 7
        "",                             # 8
        "Leave a Comment",              # 9
    ))
    assert chapter.comments[0].blocks == (
        paragraph(3, "Some thoughts:"),
        Block(BlockKind.LIST, ("1. First point.", "2. Second point.", "3. Third point."), at(4)),
        paragraph(7, "That is all."),
    )


def test_a_numbered_list_in_its_own_paragraph(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                                    # 1
        "",                                         # 2
        "  • Questions I have.",                    # 3
        "",                                         # 4
        "    (1) Would it be appropriate?",         # 5
        "    (2) Would it help?",                   # 6
        "",                                         # 7
        "Leave a Comment",                          # 8
    ))
    assert chapter.comments[0].blocks == (
        paragraph(3, "Questions I have."),
        Block(BlockKind.LIST, ("(1) Would it be appropriate?", "(2) Would it help?"), at(5)),
    )


def test_numbering_inside_one_line_or_a_single_numbered_line_stays_a_paragraph(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                                                        # 1
        "",                                                             # 2
        "Why do they resist? 1. They don’t feel it. 2. They fear it.",  # 3
        "",                                                             # 4
        "  • 1. They don’t feel it. 2. They fear it. 3. Both.",         # 5
        "",                                                             # 6
        "    1. Only one numbered line here.",                          # 7
        "    and then plain text.",                                     # 8
        "",                                                             # 9
        "Leave a Comment",                                              # 10
    ))
    assert chapter.body == (paragraph(3, "Why do they resist? 1. They don’t feel it. 2. They fear it."),)
    assert chapter.comments[0].blocks == (
        paragraph(5, "1. They don’t feel it. 2. They fear it. 3. Both."),
        paragraph(7, "1. Only one numbered line here.", "and then plain text."),
    )


def test_a_part_line_opening_a_multi_line_paragraph_is_a_subhead(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                                                     # 1
        "",                                                          # 2
        "  • How to process the end of therapy",                     # 3
        "",                                                          # 4
        "    Part 1–It makes sense to my therapist, but I don’t get it!",  # 5
        "    This evening, I made a search.",                        # 6
        "    It led me here.",                                       # 7
        "",                                                          # 8
        "    Part 2: “It would not be advantageous”",                # 9
        "    She said that.",                                        # 10
        "",                                                          # 11
        "Leave a Comment",                                           # 12
    ))
    assert chapter.comments[0].blocks == (
        paragraph(3, "How to process the end of therapy"),
        Block(BlockKind.SUBHEAD, ("Part 1–It makes sense to my therapist, but I don’t get it!",), at(5)),
        paragraph(6, "This evening, I made a search.", "It led me here."),
        Block(BlockKind.SUBHEAD, ("Part 2: “It would not be advantageous”",), at(9)),
        paragraph(10, "She said that."),
    )


def test_a_part_line_alone_in_its_paragraph_is_not_a_subhead(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                              # 1
        "",                                   # 2
        "  • Part 3–A paragraph of one line.",  # 3
        "",                                   # 4
        "Leave a Comment",                    # 5
    ))
    assert chapter.comments[0].blocks == (paragraph(3, "Part 3–A paragraph of one line."),)


# --- characters --------------------------------------------------------------------------


def test_no_break_spaces_emoji_and_curly_quotes_survive(tmp_path):
    body = "Why resist the good\u00a0fork? “Quoted” and ‘single’ – it’s fine."
    comment = "Great writing again! 🙂 In my case\u00a0 it worked 😀 and then it didn’t 🙁"
    chapter = read(tmp_path, capture_text(
        "Shame – and “Attachment”",   # 1
        "",                           # 2
        body,                         # 3
        "",                           # 4
        "  • " + comment,             # 5
        "",                           # 6
        "Leave a Comment",            # 7
    ))
    assert chapter.title == "Shame – and “Attachment”"
    assert chapter.body[0].lines == (body,)
    assert chapter.comments[0].blocks[0].lines == (comment,)


def test_runs_of_plain_spaces_collapse_but_no_break_spaces_do_not(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                                          # 1
        "",                                               # 2
        "One sentence.  Another.\u00a0\u00a0Kept.",       # 3
        "",                                               # 4
        "  • Reply.   Spaced.",                           # 5
        "",                                               # 6
        "Leave a Comment",                                # 7
    ))
    assert chapter.body[0].lines == ("One sentence. Another.\u00a0\u00a0Kept.",)
    assert chapter.comments[0].blocks[0].lines == ("Reply. Spaced.",)


# --- tail, ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["", "\n"], ids=["no-final-newline", "final-newline"])
def test_leave_a_comment_ends_up_in_the_tail_not_in_the_last_comment(tmp_path, ending):
    chapter = read(tmp_path, capture_text(
        "Title",                      # 1
        "",                           # 2
        "  • First.",                 # 3
        "",                           # 4
        "    • Last reply,",          # 5
        "      its second line.",     # 6
        "",                           # 7
        "Leave a Comment",            # 8
    ) + ending)
    assert chapter.tail == (paragraph(8, "Leave a Comment"),)
    last = chapter.comments[-1].replies[-1]
    assert last.blocks == (paragraph(5, "Last reply,", "its second line."),)
    assert all("Leave a Comment" not in block.text for c in chapter.all_comments() for block in c.blocks)


def test_comment_ids_are_slug_and_bullet_line(tmp_path):
    chapter = read(tmp_path, capture_text(
        "Title",                  # 1
        "",                       # 2
        "  • One,",               # 3
        "    two lines.",         # 4
        "",                       # 5
        "    • A reply.",         # 6
        "",                       # 7
        "  • Another.",           # 8
        "",                       # 9
        "Leave a Comment",        # 10
    ), name="Shame and Attachment.txt")
    assert chapter.slug == "shame-and-attachment"
    assert [(c.id, c.source) for c in chapter.all_comments()] == [
        ("shame-and-attachment-c3", SourceLocation("chapters/Shame and Attachment.txt", 3)),
        ("shame-and-attachment-c6", SourceLocation("chapters/Shame and Attachment.txt", 6)),
        ("shame-and-attachment-c8", SourceLocation("chapters/Shame and Attachment.txt", 8)),
    ]


def test_crlf_line_ends_read_like_lf(tmp_path):
    lines = ["Title", "", "Body.", "", "  • A comment,", "    continued.", "", "Leave a Comment"]
    chapter = read(tmp_path, "\r\n".join(lines))
    assert chapter.title == "Title"
    assert chapter.body == (paragraph(3, "Body."),)
    assert chapter.comments[0].blocks == (paragraph(5, "A comment,", "continued."),)
    assert chapter.tail == (paragraph(8, "Leave a Comment"),)


# --- malformed captures ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\nBody.\n\n  • A comment.", "   \nBody."],
                         ids=["empty-file", "empty-first-line", "blank-first-line"])
def test_no_title(tmp_path, text):
    assert problems(tmp_path, text) == [("R-001", 1)]


def test_indented_text_before_the_first_bullet(tmp_path):
    assert problems(tmp_path, capture_text(
        "Title",                  # 1
        "",                       # 2
        "Body.",                  # 3
        "  indented body text",   # 4
        "",                       # 5
        "  • A comment.",         # 6
    )) == [("R-002", 4)]


def test_continuation_line_indented_less_than_its_bullet_needs(tmp_path):
    text = capture_text(
        "Title",                  # 1
        "",                       # 2
        "  • A comment,",         # 3
        "    continued.",         # 4
        "",                       # 5
        "    • A reply,",         # 6
        "    not indented enough.",  # 7
    )
    with pytest.raises(ReaderError) as info:
        read(tmp_path, text)
    assert [str(d) for d in info.value.diagnostics] == [
        "chapters/post.txt:7: error [R-011] line indented 4 spaces inside the comment at line 6, which needs 6",
    ]
    assert info.value.exit_code == 3


def test_unindented_text_followed_by_more_bullets(tmp_path):
    assert problems(tmp_path, capture_text(
        "Title",                  # 1
        "",                       # 2
        "  • A comment.",         # 3
        "",                       # 4
        "Stray text",             # 5
        "more stray text",        # 6
        "",                       # 7
        "  • Another comment.",   # 8
    )) == [("R-012", 5)]


@pytest.mark.parametrize("indent", ["\t", "  \t", "\t  "])
def test_tab_in_the_indentation(tmp_path, indent):
    assert problems(tmp_path, capture_text(
        "Title",                        # 1
        "",                             # 2
        "  • A comment,",               # 3
        indent + "continued with a tab.",  # 4
    )) == [("R-013", 4)]


def test_tab_before_a_bullet(tmp_path):
    assert problems(tmp_path, capture_text(
        "Title",                  # 1
        "",                       # 2
        "  • A comment.",         # 3
        "",                       # 4
        "\t• A reply.",           # 5
    )) == [("R-013", 5)]


@pytest.mark.parametrize("bullet", ["  •", "  • ", "    •  "])
def test_bullet_with_no_text(tmp_path, bullet):
    assert problems(tmp_path, capture_text(
        "Title",                  # 1
        "",                       # 2
        "  • A comment.",         # 3
        "",                       # 4
        bullet,                   # 5
        "",                       # 6
        "  • Another comment.",   # 7
    )) == [("R-014", 5)]


def test_bullet_whose_text_starts_on_the_next_line_is_not_empty(tmp_path):
    chapter = read(tmp_path, capture_text("Title", "", "  •", "    The text.", "", "Leave a Comment"))
    assert chapter.comments[0].blocks == (paragraph(4, "The text."),)


def test_invalid_utf8_reports_the_line_of_the_bad_byte(tmp_path):
    data = "Title\n\nBody.\n\n  • A comment,\n    caf".encode("utf-8") + b"\xe9 au lait.\n"
    with pytest.raises(ReaderError) as info:
        read(tmp_path, data)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("R-000", 6)
    assert "0xe9" in diagnostic.message


def test_invalid_utf8_after_a_byte_order_mark(tmp_path):
    data = b"\xef\xbb\xbf" + b"Title\n\xff\n"
    with pytest.raises(ReaderError) as info:
        read(tmp_path, data)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("R-000", 2)
    assert "0xff" in diagnostic.message


def test_a_byte_order_mark_is_not_part_of_the_title(tmp_path):
    chapter = read(tmp_path, b"\xef\xbb\xbfTitle\n\n  \xe2\x80\xa2 A comment.")
    assert chapter.title == "Title"


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    found = problems(tmp_path, capture_text(
        "",                       # 1  no title
        "Body.",                  # 2
        "  indented body",        # 3  R-002
        "",                       # 4
        "  • A comment,",         # 5
        "  too shallow.",         # 6  R-011
        "",                       # 7
        "    •",                  # 8  R-014
        "\t  tabbed",             # 9  R-013
        "",                       # 10
        "Stray",                  # 11 R-012
        "  • More.",              # 12
    ))
    assert sorted(found, key=lambda problem: problem[1]) == [
        ("R-001", 1), ("R-002", 3), ("R-011", 6), ("R-014", 8), ("R-013", 9), ("R-012", 11),
    ]


# --- the real book -----------------------------------------------------------------------

CHAPTER_FILES = sorted(CHAPTERS.glob("*.txt"))


def read_real(path: Path):
    return capture.read(path, f"chapters/{path.name}")


def bullet_lines(path: Path) -> list[tuple[int, int]]:
    """(line number, indentation) of every bullet line in a capture."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [(n, len(m.group(1))) for n, line in enumerate(lines, 1) if (m := BULLET_LINE.match(line))]


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_real_chapter_has_one_comment_per_bullet_line(path):
    chapter = read_real(path)
    assert [c.source.line for c in chapter.all_comments()] == [n for n, _ in bullet_lines(path)]
    last_line = path.read_text(encoding="utf-8").count("\n") + 1
    assert chapter.tail == (Block(BlockKind.PARAGRAPH, ("Leave a Comment",), SourceLocation(chapter.source.path, last_line)),)


def test_real_book_has_221_comments_in_five_chapters():
    assert len(CHAPTER_FILES) == 5
    assert sum(len(list(read_real(p).all_comments())) for p in CHAPTER_FILES) == 221


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_real_comments_start_at_their_source_line(path):
    source = path.read_text(encoding="utf-8").split("\n")
    for comment in read_real(path).all_comments():
        line = re.sub(r" {2,}", " ", source[comment.source.line - 1])
        assert BULLET_LINE.match(line), comment.id
        first_words = " ".join(comment.blocks[0].lines[0].split(" ")[:4])
        assert first_words in line, comment.id


def skipped_levels(path: Path) -> list[tuple[int, int]]:
    """(reply line, parent line) for each bullet indented more than one level (2 spaces)
    deeper than the bullet just above it; the parent is the nearest shallower bullet above."""
    bullets = bullet_lines(path)
    found = []
    for i, (line, indent) in enumerate(bullets):
        if i and indent > bullets[i - 1][1] + 2:
            parent = next(n for n, d in reversed(bullets[:i]) if d < indent)
            found.append((line, parent))
    return found


def parents(chapter) -> dict[int, int]:
    return {r.source.line: c.source.line for c in chapter.all_comments() for r in c.replies}


def test_real_reply_that_skips_a_level_attaches_to_the_nearest_shallower_bullet():
    path = CHAPTERS / "attachment-to-your-therapist.txt"
    examples = skipped_levels(path)
    # Checked by hand: line 350 is an 8-space reply right below the 4-space reply at line 348.
    assert (350, 348) in examples
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[347].startswith("    • ") and lines[349].startswith("        • ")
    found = parents(read_real(path))
    for reply, parent in examples:
        assert found[reply] == parent


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_every_real_level_skip_attaches_to_the_nearest_shallower_bullet(path):
    found = parents(read_real(path))
    for reply, parent in skipped_levels(path):
        assert found[reply] == parent
