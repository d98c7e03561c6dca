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
