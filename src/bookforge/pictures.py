"""Pictures fit for each book, made at build time from the originals in the project, which are never changed.

The intermediate XHTML names one file per picture, ``images/<name>``: the EPUB carries there the version
made for screens, and the print renderer is served the print version of the same name from
``print/images/`` (``for_print``), so one XHTML still feeds both books.  Each pair of versions is made
once for an original's content and the print geometry, and kept in the build cache (``.cache/pictures``).

Both versions are the picture as it was meant to be seen: turned as its EXIF orientation says, its first
frame (of an animation), in sRGB (an embedded ICC profile converted, CMYK included; a CMYK picture
without one by Pillow's conversion), 8 bits a channel (16-bit scaled down), flattened on white where it
is transparent (paper is white, and a reading system's night mode would lose dark lines on a
transparent ground), greys kept grey.  No metadata is written: EXIF (GPS positions, camera serial
numbers), XMP, ICC profiles and comments stay in the original.  A photograph becomes a JPEG, line art
(a few flat colours: diagrams, screenshots, drawings) a PNG, told apart by the picture's colours.

Print: the stylesheet would set a picture at its pixels at the CSS 96 px an inch, no wider than the text
block and no taller than ``HEIGHT_SHARE`` of it; a picture below ``PPI_LEAST`` there is set smaller, at
``PPI_LEAST`` (never enlarged past it), and listed as low resolution with its page; its pixels are
reduced to at most ``PPI_MOST`` at the size it is set (``print.css`` in build/html gets a width for each
picture).  EPUB: at most ``SCREEN_LONG_SIDE`` pixels on the long side.  After the layout the PDF is read
back (``Placed``) for the page and the resolution each picture was set at, and ``pictures-report.json``
lists them with the EPUB's pictures and their size.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from bookforge import cache
from bookforge.diagnostics import Diagnostic, note, warning
from bookforge.renderers.print_spec import GUTTER_BANDS, POINTS_PER_INCH, PrintSpec

STAGE = "pictures"
KEPT = 8192  # cache entries: every picture of a large blog, twice over
PRINT_FOLDER = "print"  # build/html/print/images/x.jpg: the print version of build/html/images/x.jpg
REPORT_NAME = "pictures-report.json"
CSS_PX = 96  # pixels an inch, as CSS (and so a reading system or the stylesheet alone) sets a picture
PPI_LEAST, PPI_MOST = 150, 300
HEIGHT_SHARE = 0.8  # of the text block's height: room is left for the caption on the picture's page
SCREEN_LONG_SIDE = 1600  # pixels: what the stores advise for an EPUB's pictures
SCREEN_JPEG = {"quality": 85, "optimize": True}
PRINT_JPEG = {"quality": 92, "optimize": True, "subsampling": 0}  # full colour resolution for the press
SAMPLE = 256  # the side of the sample whose colours tell line art from a photograph
LINE_ART_COLOURS = 4096  # line art has at most this many colours in the sample …
LINE_ART_SHARE = 0.5  # … and its 16 commonest cover at least this share of it
SHOWN = 20  # low-resolution pictures listed on the terminal; the report has them all


@dataclass(frozen=True)
class Geometry:
    """The print edition's text block, in inches: as wide as it gets (the narrowest gutter), as narrow (the
    widest), and as tall."""

    widest: float
    narrowest: float
    height: float

    @classmethod
    def of(cls, spec: PrintSpec) -> Geometry:
        m = spec.margins
        width = spec.trim.width / POINTS_PER_INCH - m.inside - m.outside
        gutters = [inches for _, inches in GUTTER_BANDS]
        return cls(width - min(gutters), width - max(gutters), spec.trim.height / POINTS_PER_INCH - m.top - m.bottom)


@dataclass(frozen=True)
class Versions:
    """An original's two versions and what was done to make them."""

    kind: str  # photograph | line art
    suffix: str  # .jpg | .png: both versions are of one format
    screen: bytes  # the EPUB's
    press: bytes  # the print edition's
    pixels: tuple[int, int]  # the original's, as it stands
    screen_pixels: tuple[int, int]
    press_pixels: tuple[int, int]
    width: float  # inches the print edition sets it at
    natural: float  # inches the stylesheet alone would set it at
    notes: tuple[str, ...]  # what was converted, flattened, left out

    @property
    def low(self) -> bool:
        """Set smaller than the page would set it, for want of pixels."""
        return self.width < self.natural


@dataclass
class Placed:
    """A picture of the book: its original, its href in the XHTML, its versions, where the print edition set it."""

    source: str  # the original, relative to the project
    href: str
    versions: Versions
    original_bytes: int
    also: list[str] = field(default_factory=list)  # other originals of the same content, which share its href
    pages: list[str] = field(default_factory=list)  # the folios of the pages it is set on
    ppi: float = 0.0  # the lowest resolution it is set at in the PDF (0: not found there)
    set_width: float = 0.0  # inches, where it was set at that resolution


class Pictures:
    """The book's pictures, for one build: made for both books with the HTML, then found in the PDF."""

    def __init__(self, spec: PrintSpec, store: Path | None):
        self.geometry, self.store = Geometry.of(spec), store
        self.placed: list[Placed] = []

    def place(self, originals: dict[str, Path], directory: Path) -> dict[str, str]:
        """Write each original's versions into ``directory`` (the EPUB's under ``images/``, print's under
        ``print/images/``) and each one's width into its print stylesheet; map each project path to its href."""
        if not originals:
            return {}
        paths = list(dict.fromkeys(originals.values()))
        with ThreadPoolExecutor(2) as pool:  # Pillow lets go of the GIL while it decodes, resizes and encodes
            made = dict(zip(paths, pool.map(self._versions, paths)))
        hrefs, taken, same = {}, set(), {}
        sources = {path: value for value, path in reversed(originals.items())}  # each original's first name
        for path in paths:
            versions = made[path]
            if versions in same:  # the same picture under another name: one file in each book
                hrefs[path] = same[versions].href
                same[versions].also.append(sources[path])
                continue
            href = _free_href(path.stem, versions.suffix, taken)
            taken.add(href)
            for target, data in ((directory / href, versions.screen), (directory / PRINT_FOLDER / href, versions.press)):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            hrefs[path] = href
            same[versions] = Placed(sources[path], href, versions, path.stat().st_size)
            self.placed.append(same[versions])
        from bookforge.html import PRINT_CSS

        with (directory / PRINT_CSS).open("a", encoding="utf-8") as css:
            css.write("\n/* Each picture's width in print (bookforge/pictures.py): at least 150 ppi, never wider than "
                      "the text block. */\n")
            for placed in self.placed:
                css.write(f'figure.image img[src="{placed.href}"] {{ width: {placed.versions.width:.3f}in; }}\n')
        return {value: hrefs[path] for value, path in originals.items()}

    def _versions(self, path: Path) -> Versions:
        data = path.read_bytes()
        key = cache.key(STAGE, hashlib.sha256(data).hexdigest(), self.geometry, cache.versions("pillow"),
                        code=[Path(__file__)])
        found = cache.load(self.store, STAGE, key, Versions) if self.store else None
        if found is not None:
            return found
        made = prepare(data, self.geometry)
        if self.store:
            try:
                cache.store(self.store, STAGE, key, made, keep=KEPT, later=True)
            except OSError:
                pass  # a cache that cannot be written only makes the next build slower
        return made

    def report(self, book, pdf: Path, labels: tuple[str, ...], directory: Path) -> list[Diagnostic]:
        """Find each picture in the PDF (its pages, the resolution it is set at), write ``pictures-report.json``
        into ``directory``, and say what a reader of the build should know: the low-resolution pictures."""
        if not self.placed:
            return []
        _find_in(pdf, self.placed, labels)
        where = _where(book)
        (directory / REPORT_NAME).write_text(_report_json(self.placed, where), encoding="utf-8")
        return _diagnostics(self.placed, where)


def for_print(root: Path, path: Path) -> Path:
    """The file the print renderer is served for ``path`` in the book's folder ``root``: a picture's print
    version when it has one (``images/x.jpg`` -> ``print/images/x.jpg``), else ``path`` itself."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return path
    press = root / PRINT_FOLDER / relative
    return press if relative.parts[:1] == ("images",) and press.is_file() else path


def prepare(data: bytes, geometry: Geometry) -> Versions:
    """An original's versions for the screen and the press (the module's docstring says how)."""
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the import's check kept the pixel limit
        with Image.open(io.BytesIO(data)) as original:
            notes += _metadata(original)
            pixels = original.size[::-1] if original.getexif().get(0x0112, 1) in (5, 6, 7, 8) else original.size
            width, natural = _print_width(pixels, geometry)
            press_width = math.ceil(min(width, geometry.narrowest) * PPI_MOST)
            wanted = max(press_width / pixels[0], SCREEN_LONG_SIDE / max(pixels))
            if original.format == "JPEG" and wanted < 0.5:  # decoded at the eighth, quarter or half it needs at least
                original.draft(None, (math.ceil(original.width * wanted), math.ceil(original.height * wanted)))
            picture = _normal(original, notes)
    kind = "line art" if _line_art(picture) else "photograph"
    suffix = ".png" if kind == "line art" else ".jpg"
    press = _scaled(picture, press_width / picture.width)
    screen = _scaled(picture, SCREEN_LONG_SIDE / max(picture.size))
    return Versions(kind, suffix, _encoded(screen, suffix, SCREEN_JPEG), _encoded(press, suffix, PRINT_JPEG),
                    pixels, screen.size, press.size, round(width, 3), round(natural, 3), tuple(notes))


def _metadata(picture: Image.Image) -> list[str]:
    """What the original carries that neither version will: its EXIF (with a GPS position? a serial number?),
    XMP, ICC profile and comments."""
    exif = picture.getexif()
    found = []
    if exif:
        said = [what for tag, what in ((0x8825, "a GPS position"), (0xA431, "the camera's serial number"),
                                       (0x010F, "the camera's make")) if tag in exif or tag in exif.get_ifd(0x8769)]
        found.append("EXIF" + (f" (with {', '.join(said)})" if said else ""))
    found += [name for key, name in (("xmp", "XMP"), ("XML:com.adobe.xmp", "XMP"), ("comment", "a comment"))
              if picture.info.get(key)]
    return [f"metadata left out: {', '.join(dict.fromkeys(found))}"] if found else []


def _normal(picture: Image.Image, notes: list[str]) -> Image.Image:
    """The picture as it was meant to be seen, in 8-bit sRGB or grey, opaque on white."""
    frames = getattr(picture, "n_frames", 1)
    if frames > 1:
        picture.seek(0)
        notes.append(f"the first of its {frames} frames (an animation)")
    if picture.getexif().get(0x0112, 1) != 1:
        notes.append("turned as its EXIF orientation says")
    picture = ImageOps.exif_transpose(picture)
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        deep = picture.getextrema()[1] > 255
        picture = picture.convert("I").point(lambda value: value * (1 / 256) if deep else value).convert("L")
        if deep:
            notes.append("16 bits a channel made 8")
    if picture.mode in ("P", "PA", "LA", "La", "RGBa") or "transparency" in picture.info:
        picture = picture.convert("RGBA")
    if picture.mode == "CMYK" or picture.info.get("icc_profile"):
        picture = _srgb(picture, notes)
    if picture.mode == "RGBA":
        picture = _on_white(picture, notes)
    return picture if picture.mode in ("L", "RGB") else picture.convert("RGB")


def _srgb(picture: Image.Image, notes: list[str]) -> Image.Image:
    """Converted to sRGB from its embedded profile; CMYK without one by Pillow's own conversion."""
    profile = picture.info.get("icc_profile")
    mode = "RGBA" if picture.mode in ("RGBA", "LA", "PA") else "RGB" if picture.mode != "L" else "L"
    if profile and picture.mode in ("RGB", "RGBA", "CMYK"):
        try:
            converted = ImageCms.profileToProfile(picture, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                                  ImageCms.createProfile("sRGB"), outputMode=mode)
            notes.append(f"{picture.mode} converted to sRGB by its colour profile")
            return converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            notes.append(f"its colour profile could not be used ({exc}): its colours taken as they are")
    if picture.mode == "CMYK":
        notes.append("CMYK converted to RGB without a colour profile")
        return picture.convert("RGB")
    return picture


def _on_white(picture: Image.Image, notes: list[str]) -> Image.Image:
    alpha = picture.getchannel("A")
    if alpha.getextrema()[0] < 255:
        notes.append("transparency flattened on white")
    ground = Image.new("RGB", picture.size, "white")
    ground.paste(picture.convert("RGB"), mask=alpha)
    return ground


def _line_art(picture: Image.Image) -> bool:
    """A few flat colours (a diagram, a screenshot, a drawing) rather than a photograph's many."""
    sample = picture.copy()
    sample.thumbnail((SAMPLE, SAMPLE), Image.Resampling.NEAREST)  # the picture's own colours, none blended
    colours = sample.getcolors(LINE_ART_COLOURS)
    if colours is None:
        return False
    commonest = sum(sorted((count for count, _ in colours), reverse=True)[:16])
    return commonest >= LINE_ART_SHARE * sample.width * sample.height


def _print_width(pixels: tuple[int, int], geometry: Geometry) -> tuple[float, float]:
    """The width in inches print sets a picture at, and the width the stylesheet alone would: its pixels at
    CSS_PX an inch, within the text block (``HEIGHT_SHARE`` of its height); no wider than PPI_LEAST allows."""
    width, height = pixels
    natural = min(width / CSS_PX, geometry.widest, geometry.height * HEIGHT_SHARE * width / height)
    return min(natural, width / PPI_LEAST), natural


def _scaled(picture: Image.Image, scale: float) -> Image.Image:
    """The picture made ``scale`` times its size, when that makes it smaller (it is never enlarged)."""
    if scale >= 1:
        return picture
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encoded(picture: Image.Image, suffix: str, jpeg: dict) -> bytes:
    """The picture as a JPEG or a PNG (one of at most 256 colours as a palette), with no metadata."""
    picture = picture.copy()
    picture.info = {}  # nothing of the original's travels: no EXIF, ICC, XMP, text, resolution
    buffer = io.BytesIO()
    if suffix == ".jpg":
        picture.save(buffer, "JPEG", **jpeg)
        return buffer.getvalue()
    colours = picture.getcolors(256)
    if colours is not None and picture.mode == "RGB":
        palette = picture.quantize(len(colours), method=Image.Quantize.MAXCOVERAGE)
        if palette.convert("RGB").tobytes() == picture.tobytes():  # exactly its colours: lossless, and smaller
            picture = palette
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _free_href(stem: str, suffix: str, taken: set[str]) -> str:
    """``images/<stem><suffix>``, numbered when another picture has that name already."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "picture"
    number = 1
    while True:
        href = f"images/{stem}{suffix}" if number == 1 else f"images/{stem}-{number}{suffix}"
        if href not in taken:
            return href
        number += 1


def _find_in(pdf: Path, placed: list[Placed], labels: tuple[str, ...]) -> None:
    """Each picture's pages and the resolution it is set at there, read from the PDF's drawing of it."""
    import pikepdf

    known = _Known(placed)
    with pikepdf.open(pdf) as document:
        for number, page in enumerate(document.pages):
            for image, width, height in _drawn(page.obj, pikepdf.Matrix()):
                one = known.which(image)
                if one is None or width <= 0:
                    continue
                ppi = int(image.get("/Width", 0)) / (width / POINTS_PER_INCH)
                label = labels[number] if number < len(labels) else str(number + 1)
                if label not in one.pages:
                    one.pages.append(label)
                if not one.ppi or ppi < one.ppi:
                    one.ppi, one.set_width = ppi, width / POINTS_PER_INCH


def _drawn(holder, matrix):
    """Every image a page (or a form on it) draws: (image, width, height in points), from its content stream."""
    import pikepdf

    resources = holder.get("/Resources", pikepdf.Dictionary())
    objects = resources.get("/XObject", pikepdf.Dictionary())
    stack, ctm = [], matrix
    for operands, operator in pikepdf.parse_content_stream(holder):
        name = str(operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q" and stack:
            ctm = stack.pop()
        elif name == "cm":
            ctm = pikepdf.Matrix(*[float(o) for o in operands]) @ ctm
        elif name == "Do" and operands and operands[0] in objects:
            drawn = objects[operands[0]]
            if drawn.get("/Subtype") == "/Image":
                yield drawn, math.hypot(ctm.a, ctm.b), math.hypot(ctm.c, ctm.d)
            elif drawn.get("/Subtype") == "/Form":
                inner = pikepdf.Matrix(*[float(v) for v in drawn.get("/Matrix", [1, 0, 0, 1, 0, 0])]) @ ctm
                yield from _drawn(drawn, inner)


class _Known:
    """Which picture an image of the PDF is: the one of its size, or, of several, the one whose bytes (a JPEG,
    which WeasyPrint embeds as it is) or pixels (a PNG, which it encodes again) it holds.  Each image of the
    PDF is told once, however many pages draw it."""

    def __init__(self, placed: list[Placed]):
        self.by_size: dict[tuple[int, int], list[Placed]] = {}
        for one in placed:
            self.by_size.setdefault(one.versions.press_pixels, []).append(one)
        self.told: dict[tuple[int, int], Placed | None] = {}
        self.digests: dict[int, str] = {}

    def which(self, image) -> Placed | None:
        key = image.objgen
        if key not in self.told:
            self.told[key] = self._tell(image)
        return self.told[key]

    def _tell(self, image) -> Placed | None:
        candidates = self.by_size.get((int(image.get("/Width", 0)), int(image.get("/Height", 0))), [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        import pikepdf

        if image.get("/Filter") == "/DCTDecode":
            found = hashlib.sha256(image.read_raw_bytes()).hexdigest()
            return next((one for one in candidates if hashlib.sha256(one.versions.press).hexdigest() == found), None)
        found = hashlib.sha256(pikepdf.PdfImage(image).as_pil_image().convert("RGB").tobytes()).hexdigest()
        return next((one for one in candidates if self._pixels(one) == found), None)

    def _pixels(self, one: Placed) -> str:
        if id(one) not in self.digests:
            with Image.open(io.BytesIO(one.versions.press)) as press:
                self.digests[id(one)] = hashlib.sha256(press.convert("RGB").tobytes()).hexdigest()
        return self.digests[id(one)]


def _where(book) -> dict[str, str]:
    """Where each picture first stands in the book's sources: 'chapters/x.html:12'."""
    found = {}
    for chapter in book.chapters():
        blocks = [*chapter.body, *(b for c in chapter.all_comments() for b in c.blocks)]
        for block in blocks:
            for mark in (m for m in block.marks if m.kind == "image"):
                found.setdefault(mark.value, str(block.source))
    return found


def _report_json(placed: list[Placed], where: dict[str, str]) -> str:
    screen = sum(len(p.versions.screen) for p in placed)
    entries = [{
        "original": p.source, **({"same picture": p.also} if p.also else {}), "where": where.get(p.source, ""),
        "href": p.href, "kind": p.versions.kind,
        "pixels": list(p.versions.pixels), "bytes": p.original_bytes,
        "epub": {"pixels": list(p.versions.screen_pixels), "bytes": len(p.versions.screen)},
        "print": {"pixels": list(p.versions.press_pixels), "width in": p.versions.width,
                  "set width in": round(p.set_width, 3), "ppi": round(p.ppi), "pages": p.pages,
                  "low resolution": p.versions.low, **({"width the page gives in": p.versions.natural}
                                                       if p.versions.low else {})},
        "notes": list(p.versions.notes)} for p in placed]
    counts = {"pictures": len(placed), "photographs": sum(1 for p in placed if p.versions.kind == "photograph"),
              "line art": sum(1 for p in placed if p.versions.kind == "line art"),
              "low resolution": sum(1 for p in placed if p.versions.low), "epub bytes": screen,
              "original bytes": sum(p.original_bytes for p in placed),
              "lowest ppi in print": round(min((p.ppi for p in placed if p.ppi), default=0))}
    return json.dumps({"counts": counts, "pictures": entries}, indent=2, ensure_ascii=False) + "\n"


def _diagnostics(placed: list[Placed], where: dict[str, str]) -> list[Diagnostic]:
    low = [p for p in placed if p.versions.low]
    photographs = sum(1 for p in placed if p.versions.kind == "photograph")
    said = [note("P-100", f"pictures: {len(placed)} ({photographs} photographs as JPEG, {len(placed) - photographs} "
                 f"line art as PNG); in the EPUB {_megabytes(sum(len(p.versions.screen) for p in placed))} (the "
                 f"originals: {_megabytes(sum(p.original_bytes for p in placed))}); in print {len(low)} set smaller "
                 f"for want of pixels (see {REPORT_NAME})", "build")]
    for one in low[:SHOWN]:
        path, _, line = where.get(one.source, one.source).rpartition(":")
        said.append(note("P-101", f"{one.source} ({one.versions.pixels[0]} × {one.versions.pixels[1]} px) is set "
                         f"{one.versions.width:.2f} in wide ({_pages(one.pages)}), at {PPI_LEAST} ppi: the page would give it "
                         f"{one.versions.natural:.2f} in, which takes a picture {math.ceil(one.versions.natural * PPI_LEAST)} "
                         "px wide", path or one.source, int(line) if line.isdigit() else None))
    if len(low) > SHOWN:
        said.append(note("P-101", f"… and {len(low) - SHOWN} more low-resolution pictures (see {REPORT_NAME})", "build"))
    for one in (p for p in placed if p.ppi and p.ppi < PPI_LEAST - 0.5):
        path, _, line = where.get(one.source, one.source).rpartition(":")
        said.append(warning("P-102", f"{one.source} is set at {one.ppi:.0f} ppi ({_pages(one.pages)}), below "
                            f"the {PPI_LEAST} ppi print needs", path or one.source, int(line) if line.isdigit() else None))
    return said


def _pages(labels: list[str]) -> str:
    """'page 12', 'pages 12, 40 and 41', 'pages 12, 40, 41 and 9 more'."""
    if not labels:
        return "not found in the PDF"
    if len(labels) == 1:
        return f"page {labels[0]}"
    if len(labels) <= 3:
        return f"pages {', '.join(labels[:-1])} and {labels[-1]}"
    return f"pages {', '.join(labels[:3])} and {len(labels) - 3} more"


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"
