"""Pictures fit for each book (``pictures.py``): made at build time from the originals, which stay as they were.

``prepare`` is tested on pictures made here (a CMYK JPEG, a 16-bit PNG, transparency, EXIF with a GPS
position, an animation); then a small book with four pictures is built twice in-process, the second time
with ``prepare`` unable to run, so its pictures must come from the cache, and its EPUB, PDF and report are read.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from bookforge import pictures
from bookforge.pictures import Geometry, prepare
from bookforge.pipeline import BuildOptions, build
from bookforge.renderers.print_spec import PrintSpec
from conftest import MINIMAL_BOOK_YAML, PROJECT
from picture_server import encoded, line_art, photograph

GEOMETRY = Geometry.of(PrintSpec())  # 6 × 9 in: a text block 3.825 to 4.325 in wide, 7.3 in tall
SERIAL = "SN-9876543"


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def with_exif(picture: Image.Image, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(0x8769)[0xA431] = SERIAL
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # a latitude
    return encoded(picture, "JPEG", quality=90, exif=exif.tobytes())


def test_a_camera_original_is_sized_for_each_book_and_keeps_none_of_its_metadata():
    original = with_exif(photograph((6000, 4000)), orientation=6)  # taken with the camera on its side
    assert SERIAL.encode() in original
    made = prepare(original, GEOMETRY)
    screen, press = opened(made.screen), opened(made.press)
    assert (made.kind, made.suffix, screen.format, press.format) == ("photograph", ".jpg", "JPEG", "JPEG")
    assert made.pixels == (4000, 6000) and screen.size == (1067, 1600)  # turned upright; 1600 px on the long side
    # as wide as the page gives a picture of this shape (80 % of the text block's height), and at most 300 ppi there
    # even when the gutter is widest and the text block narrowest (3.825 in: the stylesheet keeps it within)
    assert made.width == round(7.3 * 0.8 * 4000 / 6000, 3) and press.size[0] == math.ceil(3.825 * 300)
    for data in (made.screen, made.press):
        assert SERIAL.encode() not in data and b"Camera Maker" not in data and not dict(opened(data).getexif())
        assert "icc_profile" not in opened(data).info
    assert made.notes == ("metadata left out: EXIF (with a GPS position, the camera's serial number, the camera's make)",
                          "turned as its EXIF orientation says")


def test_a_small_picture_is_set_smaller_at_150_ppi_and_is_low_resolution():
    made = prepare(encoded(line_art((400, 300)), "PNG"), GEOMETRY)
    assert (made.kind, made.suffix, made.low) == ("line art", ".png", True)
    assert made.width == pytest.approx(400 / 150, abs=0.001) and made.natural == pytest.approx(400 / 96, abs=0.001)
    assert opened(made.press).size == opened(made.screen).size == (400, 300)  # never enlarged
    large = prepare(encoded(photograph((1400, 900)), "JPEG"), GEOMETRY)
    assert not large.low and large.width == GEOMETRY.widest  # 1400 px over 4.325 in: 324 ppi, enough


def test_cmyk_16_bit_palette_and_transparent_pictures_become_8_bit_rgb_or_grey_on_white():
    cmyk = photograph((900, 600)).convert("CMYK")
    made = prepare(encoded(cmyk, "JPEG", quality=95), GEOMETRY)
    assert opened(made.screen).mode == opened(made.press).mode == "RGB"
    assert made.notes == ("CMYK converted to RGB without a colour profile",)
    expected = cmyk.convert("RGB").resize((9, 6)).getpixel((4, 3))
    assert all(abs(a - b) <= 12 for a, b in zip(opened(made.screen).resize((9, 6)).getpixel((4, 3)), expected))

    deep = Image.new("I;16", (300, 200))
    deep.putdata([65535 if x < 150 else 32768 for y in range(200) for x in range(300)])
    made = prepare(encoded(deep, "PNG"), GEOMETRY)
    assert opened(made.screen).mode == "L" and opened(made.screen).getpixel((0, 0)) == 255
    assert opened(made.screen).getpixel((299, 0)) == 128 and made.notes == ("16 bits a channel made 8",)

    made = prepare(encoded(line_art((600, 400), transparent=True), "PNG"), GEOMETRY)
    assert opened(made.screen).convert("RGB").getpixel((599, 399)) == (255, 255, 255)  # was transparent
    assert made.notes == ("transparency flattened on white",) and made.kind == "line art"


def test_an_animation_gives_its_first_frame():
    frames = [line_art((200, 150)).convert("P")]
    frames.append(Image.new("RGB", (200, 150), "black").convert("P"))
    made = prepare(encoded(frames[0], "GIF", save_all=True, append_images=frames[1:]), GEOMETRY)
    assert made.notes == ("the first of its 2 frames (an animation)",)
    assert opened(made.screen).convert("RGB").getpixel((199, 0)) == (255, 255, 255)


CHAPTER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Pictures</title></head>
<body><article class="post">
<p>Before the pictures.</p>
<figure><img src="images/harbour.jpg" alt="The harbour at dawn"/><figcaption>The harbour, seen from the hill.</figcaption></figure>
<p>Between them.</p>
<figure><img src="images/diagram.png" alt="A diagram of the parts"/><figcaption>The parts, and how they fit.</figcaption></figure>
<figure><img src="images/press.jpg" alt="A photograph made for the press"/></figure>
<figure><img src="images/logo.png" alt="A logo on a transparent ground"/></figure>
<p>After the pictures.</p>
</article></body></html>
"""
BOOK_YAML = MINIMAL_BOOK_YAML.replace("chapters/x.txt", "chapters/pictures.html")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A book of four pictures built twice: the second time ``prepare`` fails if called (the cache has them)."""
    project = tmp_path_factory.mktemp("pictures") / "book"
    images = project / "chapters/images"
    images.mkdir(parents=True)
    (project / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    (project / "chapters/pictures.html").write_text(CHAPTER, encoding="utf-8")
    (images / "harbour.jpg").write_bytes(with_exif(photograph((3000, 2000))))
    (images / "diagram.png").write_bytes(encoded(line_art((400, 300)), "PNG"))
    (images / "press.jpg").write_bytes(encoded(photograph((1500, 1000), 2).convert("CMYK"), "JPEG"))
    (images / "logo.png").write_bytes(encoded(line_art((800, 400), transparent=True), "PNG"))
    originals = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in images.iterdir()}
    build(BuildOptions(project))
    (project / "chapters/pictures.html").write_text(CHAPTER.replace("After the pictures.", "After them."), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pictures, "prepare", lambda *args: pytest.fail("a picture was made again, not taken from the cache"))
        result = build(BuildOptions(project))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in images.iterdir()} == originals
    return {"project": project, "result": result, "out": project / "build",
            "report": json.loads((project / "build/pictures-report.json").read_text(encoding="utf-8"))}


def test_the_epub_carries_each_picture_once_made_for_screens(book):
    with zipfile.ZipFile(book["out"] / "test-book.epub") as archive:  # EPUBCheck: test_pictures_theme.py
        names = sorted(n for n in archive.namelist() if "images/" in n)
        found = {n.rsplit("/", 1)[1]: opened(archive.read(n)) for n in names}
        page = archive.read("EPUB/pictures.xhtml").decode("utf-8")
    assert sorted(found) == ["cover.jpg", "diagram.png", "harbour.jpg", "logo.png", "press.jpg"]
    assert (found["harbour.jpg"].format, found["harbour.jpg"].size) == ("JPEG", (1600, 1067))
    assert not dict(found["harbour.jpg"].getexif())
    assert found["press.jpg"].mode == "RGB" and found["logo.png"].convert("RGB").getpixel((799, 399)) == (255, 255, 255)
    assert 'src="images/harbour.jpg" alt="The harbour at dawn"' in page
    assert (book["out"] / "html/print/images/harbour.jpg").is_file()  # print's own, which the EPUB does not carry


def test_every_picture_is_set_between_150_and_300_ppi_in_print_with_its_caption_on_its_page(book):
    drawn = []
    with pdfplumber.open(book["out"] / "test-book.pdf") as pdf:
        for number, page in enumerate(pdf.pages):
            text = page.extract_text()
            for image in page.images:
                drawn.append((round(image["srcsize"][0] / (image["width"] / 72)), number, text))
    assert len(drawn) == 4
    assert all(150 <= ppi <= 300 for ppi, _, _ in drawn), [ppi for ppi, _, _ in drawn]
    pages = {ppi: text for ppi, _, text in drawn}
    assert "The parts, and how they fit." in pages[150]  # the low-resolution diagram, kept with its caption


def test_the_report_lists_the_low_resolution_picture_with_its_page(book):
    report = book["report"]
    assert report["counts"] | {"epub bytes": 0, "original bytes": 0} == {
        "pictures": 4, "photographs": 2, "line art": 2, "low resolution": 1, "epub bytes": 0, "original bytes": 0,
        "lowest ppi in print": 150}
    diagram = next(p for p in report["pictures"] if p["href"] == "images/diagram.png")
    assert diagram["print"]["low resolution"] and diagram["print"]["ppi"] == 150 and len(diagram["print"]["pages"]) == 1
    assert diagram["where"] == "chapters/pictures.html:7"
    said = [str(d) for d in book["result"].diagnostics if d.code.startswith("P-")]
    assert said[1] == (f"chapters/pictures.html:7: note [P-101] chapters/images/diagram.png (400 × 300 px) is set 2.67 in "
                       f"wide (page {diagram['print']['pages'][0]}), at 150 ppi: the page would give it 4.17 in, which "
                       "takes a picture 626 px wide")
    assert said[0].startswith("build: note [P-100] pictures: 4 (2 photographs as JPEG, 2 line art as PNG); in the EPUB ")
    assert len(said) == 2


def test_one_picture_under_two_names_is_one_file_and_two_pictures_of_one_name_are_two(tmp_path):
    same, other = encoded(photograph((800, 600)), "JPEG"), encoded(photograph((800, 600), 2), "JPEG")
    for name, data in (("a/one.jpg", same), ("b/two.jpg", same), ("c/one.jpg", other)):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "html/css").mkdir(parents=True)
    (tmp_path / "html/css/print.css").write_text("", encoding="utf-8")
    shown = pictures.Pictures(PrintSpec(), None)
    hrefs = shown.place({name: tmp_path / name for name in ("a/one.jpg", "b/two.jpg", "c/one.jpg")}, tmp_path / "html")
    assert hrefs == {"a/one.jpg": "images/one.jpg", "b/two.jpg": "images/one.jpg", "c/one.jpg": "images/one-2.jpg"}
    assert [(p.source, p.also) for p in shown.placed] == [("a/one.jpg", ["b/two.jpg"]), ("c/one.jpg", [])]
    assert sorted(p.name for p in (tmp_path / "html/images").iterdir()) == ["one-2.jpg", "one.jpg"]
    assert (tmp_path / "html/css/print.css").read_text(encoding="utf-8").count("figure.image img[src=") == 2


def test_a_picture_a_stylesheet_sets_under_150_ppi_is_a_warning_with_its_page(tmp_path):
    """The resolution is read from the PDF, not assumed: a project stylesheet that stretches every picture shows."""
    project = tmp_path / "book"
    (project / "chapters/images").mkdir(parents=True)
    (project / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    diagram = next(line for line in CHAPTER.splitlines() if "diagram.png" in line)
    (project / "chapters/pictures.html").write_text(CHAPTER.replace(diagram, "").replace("<p>Between them.</p>", diagram),
                                                    encoding="utf-8")  # the diagram first, at line 6
    (project / "chapters/images/diagram.png").write_bytes(encoded(line_art((400, 300)), "PNG"))
    for name in ("harbour.jpg", "press.jpg", "logo.png"):
        (project / "chapters/images" / name).write_bytes(encoded(photograph((2000, 1500)), "JPEG"))
    styles = PROJECT / "styles"  # the checkout's: an installed bookforge has its copy inside the package
    shutil.copytree(styles, project / "styles")
    with (project / "styles/print.css").open("a", encoding="utf-8") as css:
        css.write("\nfigure.image img { width: 100% !important; }\n")
    result = build(BuildOptions(project))
    said = [str(d) for d in result.diagnostics if d.code == "P-102"]
    assert len(said) == 1 and said[0].startswith("chapters/pictures.html:6: warning [P-102] chapters/images/diagram.png is "
                                                 "set at 9")  # 400 px over about 4.3 in
    assert said[0].endswith("), below the 150 ppi print needs") and "(page " in said[0]
