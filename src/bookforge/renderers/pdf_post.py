"""What the PDF needs after WeasyPrint has written it, done with pikepdf.

WeasyPrint writes no ``/PageLabels``, so a viewer would show "5" where the page says
"v"; and a PDF/X file gets a random XMP document id.  Here the labels are added from the
real layout and the file is saved with ids derived from its content: same book, same bytes.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf


def finish(data: bytes, target: Path, front_matter_pages: int, identifier: str, bleed_points: float) -> None:
    """Write ``data`` to ``target`` with page labels (roman for the front matter, then arabic from 1)
    and every page's BleedBox ``bleed_points`` past its TrimBox."""
    import pikepdf  # imported when a PDF is written, not at start-up: a rebuild that reuses the layout never needs it

    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.PageLabels = pdf.make_indirect(page_labels(front_matter_pages))
        for page in pdf.pages:
            page.BleedBox = _grown(page.TrimBox, bleed_points)
        _stable_document_id(pdf, identifier)
        pdf.save(target, deterministic_id=True)


def page_labels(front_matter_pages: int) -> pikepdf.Dictionary:
    """A /PageLabels number tree: i, ii, … for the first pages, then 1, 2, …"""
    import pikepdf

    body = [front_matter_pages, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    if not front_matter_pages:
        return pikepdf.Dictionary(Nums=pikepdf.Array(body))
    return pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.r), *body]))


def _grown(box: pikepdf.Array, points: float) -> pikepdf.Array:
    """WeasyPrint puts the BleedBox up to 10 pt past the trim whatever the bleed; printers want the bleed itself."""
    import pikepdf

    left, bottom, right, top = (float(x) for x in box)
    return pikepdf.Array([left - points, bottom - points, right + points, top + points])


def _stable_document_id(pdf: pikepdf.Pdf, identifier: str) -> None:
    """PDF/X's XMP carries a random xmpMM:DocumentID; make it one derived from the book's identifier."""
    if "/Metadata" not in pdf.Root:
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if "xmpMM:DocumentID" in meta:
            meta["xmpMM:DocumentID"] = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}"
