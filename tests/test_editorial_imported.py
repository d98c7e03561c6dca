"""The editorial passes on imported posts, whose comments carry their writers' names: a double post by one
commenter, and comment lines that only point at the web page's furniture."""

from __future__ import annotations

from pathlib import Path

from bookforge.editorial import Context, leftovers, repeats
from bookforge.editorial.config import EditorialConfig
from bookforge.model import Author, Book, Metadata, Part, SourceLocation
from bookforge.readers import html as html_reader

META = Metadata("A Blog", None, "a-blog", (Author("Kate Writer", "Writer, Kate"),), "en", "urn:uuid:y",
                None, None, None, None)


def imported(tmp_path: Path, comments: str, body: str = "<p>Body.</p>") -> Book:
    """A book of one imported post with these comments (``<article class="comment">`` elements), read by the real reader."""
    path = tmp_path / "a-post.html"
    path.write_text('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>A Post</title>\n</head>\n<body>\n'
                    f'<article class="post">\n{body}\n</article>\n<section class="comments">\n{comments}</section>\n'
                    "</body>\n</html>\n", encoding="utf-8")
    chapter = html_reader.read(path, "chapters/a-post.html")
    return Book(META, (Part("Part", "part-1", (chapter,), SourceLocation("book.yaml", 1)),))


def comment(number: int, author: str, text: str, replies: str = "") -> str:
    return (f'<article class="comment" id="comment-{number}" data-author="{author}" data-date="2009-05-13T10:00:00Z">'
            f"<p>{text}</p>{replies}</article>\n")


def run(pass_, book: Book, **config) -> tuple[Book, Context]:
    ctx = Context(EditorialConfig(**config), "Kate Writer")
    return pass_.run(book, ctx), ctx


def ids(book: Book) -> list[str]:
    return [c.id.rsplit("-", 1)[1] for ch in book.chapters() for c in ch.all_comments()]


# -- one commenter's double post -----------------------------------------------------------------

def test_one_commenter_posting_the_same_short_comment_twice_is_a_repeat(tmp_path):
    """A real blog printed "Runa · 13 May 2009 — Sounds just like It's Learning ;)" twice: ten words, under the
    twelve-word minimum meant for different readers' thanks."""
    said = "Sounds just like It's Learning ;) (http://www.itslearning.com)"
    book, ctx = run(repeats, imported(tmp_path, comment(2, "Runa", said) + comment(3, "Rob", "Version 9 handles it.")
                                      + comment(90, "Runa", said)))
    assert ids(book) == ["c2", "c3"]
    assert [(c.reason, c.source.line, c.kept.line) for c in ctx.changes] == [("exact_duplicate", 14, 12)]


def test_two_readers_thanks_and_one_readers_thanks_in_two_threads_are_not_repeats(tmp_path):
    thanks = "Thank you so much for this post!"
    book, ctx = run(repeats, imported(tmp_path, comment(2, "Ann", thanks) + comment(3, "Bea", thanks)
                                      + comment(4, "Cy", "A question?", comment(5, "Ann", "Thanks, Cy."))
                                      + comment(6, "Di", "Another question?", comment(7, "Ann", "Thanks, Cy."))
                                      + comment(8, "", "Nice.") + comment(9, "", "Nice.")))
    assert ids(book) == ["c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"] and ctx.changes == []


def test_one_commenter_answering_one_comment_twice_with_the_same_words_is_a_repeat(tmp_path):
    book, ctx = run(repeats, imported(tmp_path, comment(4, "Cy", "A question?", comment(5, "Ann", "Thanks, Cy.")
                                                        + comment(6, "ANN ", "Thanks, Cy!"))))
    assert ids(book) == ["c4", "c5"] and [c.reason for c in ctx.changes] == ["exact_duplicate"]


# -- pointers at the web page's furniture -------------------------------------------------------------

def lines(book: Book) -> dict[str, list[str]]:
    return {c.id.rsplit("-", 1)[1]: [line for b in c.blocks for line in b.lines] for ch in book.chapters() for c in ch.all_comments()}


def test_a_pointer_at_the_page_furniture_is_removed_as_navigation_and_recorded(tmp_path):
    book, ctx = run(leftovers, imported(tmp_path, (
        comment(2, "Kate", "In the Self-Evaluation (SPSE, see link on right), item 17 says so.")
        + comment(3, "Ann", "I loved this.<br/>See the sidebar.<br/>More soon.")
        + comment(4, "Bea", "Great post. Click the link above.")
        + comment(5, "Cy", "Check out the RSS feed in the sidebar.")),
        body="<p>As Benjamin Horst says (see blogroll), few measures are accurate.</p>"))
    found = [(c.kind, c.reason, c.before) for c in ctx.changes]
    assert found == [("text_removed", "navigation", "(see blogroll)"), ("text_removed", "navigation", ", see link on right"),
                     ("text_removed", "navigation", "See the sidebar."), ("text_removed", "navigation", "Click the link above."),
                     ("comment_removed", "navigation", "Check out the RSS feed in the sidebar.")]
    [chapter] = book.chapters()
    assert chapter.body[0].lines == ("As Benjamin Horst says, few measures are accurate.",)
    assert lines(book) == {"c2": ["In the Self-Evaluation (SPSE), item 17 says so."], "c3": ["I loved this.", "More soon."],
                           "c4": ["Great post."]}
    # a line that was nothing but the pointer leaves its paragraph in two, each at its own place in the source
    assert [(b.lines, b.source.line) for c in chapter.all_comments() if c.id.endswith("c3") for b in c.blocks] == [
        (("I loved this.",), 13), (("More soon.",), 15)]


def test_directions_in_an_app_a_link_the_book_keeps_and_longer_sentences_are_not_pointers(tmp_path):
    said = {"c2": ["Click the button on the right.", "Then see above."],
            "c3": ["Click the link below:", "http://example.com/tool"],
            "c4": ["Click the link above. It is at http://example.com/a."],
            "c5": ["The links on the right side of the page are the ones I read every morning before work."],
            "c6": ["(Tom, see the tab on the left of the editor.)"]}
    book, ctx = run(leftovers, imported(tmp_path, "".join(comment(int(k[1:]), "Ann", "<br/>".join(v)) for k, v in said.items())))
    assert lines(book) == said and ctx.changes == []


def test_the_editor_keeps_a_pointer_or_a_comment_with_a_keep_rule_or_its_id(tmp_path):
    comments = comment(2, "Kate", "In the Self-Evaluation (SPSE, see link on right), item 17.") + comment(3, "Cy", "See the sidebar.")
    book, ctx = run(leftovers, imported(tmp_path, comments), keep=[{"text": ", see link on right", "at": "chapters/a-post.html:12"}],
                    leftovers={"keep": ["a-post-c3"]})
    assert lines(book) == {"c2": ["In the Self-Evaluation (SPSE, see link on right), item 17."], "c3": ["See the sidebar."]}
    assert ctx.changes == [] and [n.kind for n in ctx.notes] == ["kept_as_written"]
