"""The print specification: trim, margins, gutter, bleed and marks of the printed book.

These vary from book to book, so print.css does not hard-code them: ``page_css`` writes
a small ``@page`` stylesheet from a ``PrintSpec`` that the PDF renderer adds to the
book's own stylesheets.  The gutter depends on the final page count, in KDP's bands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POINTS_PER_INCH = 72.0
POINTS = {"in": POINTS_PER_INCH, "mm": POINTS_PER_INCH / 25.4, "cm": POINTS_PER_INCH / 2.54, "pt": 1.0}
BLEED_INCHES = 0.125  # what Lulu, KDP and IngramSpark ask for on every side
MARKS_INCHES = 0.5  # with crop marks the sheet reaches this far past the trim, so the marks clear the bleed

# KDP's minimum inside margin for a page count up to the first number; past the last band the widest holds.
GUTTER_BANDS = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))

def length_in_points(text: str) -> float:
    """'6in' -> 432.0; also mm, cm and pt.  Raises ValueError on anything else."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*", text)
    if not match:
        raise ValueError("not a length such as 6in, 152mm, 15.2cm or 432pt")
    return float(match.group(1)) * POINTS[match.group(2)]


@dataclass(frozen=True)
class Trim:
    """The size of the page once cut, in points."""

    width: float
    height: float

    @classmethod
    def parse(cls, width: str, height: str) -> Trim:
        return cls(length_in_points(width), length_in_points(height))


TRIM_PRESETS = {"5x8": ("5in", "8in"), "5.5x8.5": ("5.5in", "8.5in"), "6x9": ("6in", "9in"), "A5": ("148mm", "210mm")}


@dataclass(frozen=True)
class Margins:
    """The text block's margins in inches; ``inside`` is what stands beside the gutter, which comes on top."""

    top: float = 0.85  # the running head stands in it, about half an inch from the trim
    bottom: float = 0.85
    outside: float = 0.8  # trade books run 0.625-0.875 in; the proof's notes stand here
    inside: float = 0.5


@dataclass(frozen=True)
class PrintSpec:
    """How the book is printed: everything ``book.yaml``'s ``print:`` section can say."""

    trim: Trim = Trim.parse(*TRIM_PRESETS["6x9"])
    profile: str = "pod"  # print on demand: no marks, bleed if asked; offset: crop marks and bleed
    bleed: bool = False
    pdf_variant: str | None = None
    margins: Margins = Margins()

    @property
    def bleed_inches(self) -> float:
        return BLEED_INCHES if self.bleed or self.profile == "offset" else 0.0

    @property
    def crop_marks(self) -> bool:
        return self.profile == "offset"

    @property
    def sheet_inches(self) -> float:
        """How far the PDF's sheet (its MediaBox) reaches past the trim: the bleed, or room for the marks."""
        return MARKS_INCHES if self.crop_marks else self.bleed_inches


def gutter(pages: int) -> float:
    """The gutter in inches that KDP asks for at least, for a book of ``pages`` pages."""
    return next((inches for limit, inches in GUTTER_BANDS if pages <= limit), GUTTER_BANDS[-1][1])


def page_css(spec: PrintSpec, gutter_inches: float) -> str:
    """The @page rules for ``spec``: trim, mirrored margins with the gutter inside, bleed and marks."""
    m = spec.margins
    inside = m.inside + gutter_inches
    return "\n".join([
        "@page {",
        f"  size: {spec.trim.width:g}pt {spec.trim.height:g}pt;",
        f"  margin-top: {m.top:g}in; margin-bottom: {m.bottom:g}in;",
        f"  bleed: {spec.sheet_inches:g}in;",
        f"  marks: {'crop' if spec.crop_marks else 'none'};",
        "}",
        f"@page :left {{ margin-left: {m.outside:g}in; margin-right: {inside:g}in; }}",
        f"@page :right {{ margin-left: {inside:g}in; margin-right: {m.outside:g}in; }}",
        "",
    ])
