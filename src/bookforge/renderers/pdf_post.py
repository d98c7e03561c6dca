"""What the PDF needs after WeasyPrint has written it, done with pikepdf.

WeasyPrint writes no ``/PageLabels``, so a viewer would show "5" where the page says
"v"; and a PDF/X file gets a random XMP document id.  Here the labels are added from the
real layout and the file is saved with ids derived from its content: same book, same bytes.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

INTERNAL = "bookforge-internal:"  # the URI a group's link to an id carries until the groups are joined


def finish(data: bytes, target: Path, front_matter_pages: int, identifier: str, bleed_points: float) -> None:
    """Write ``data`` to ``target`` with page labels (roman for the front matter, then arabic from 1)
    and every page's BleedBox ``bleed_points`` past its TrimBox."""
    import pikepdf  # imported when a PDF is written, not at start-up: a rebuild that reuses the layout never needs it

    with pikepdf.open(io.BytesIO(data)) as pdf:
        _save(pdf, target, front_matter_pages, identifier, bleed_points)


def finish_joined(parts: list[tuple[bytes, int, bytes]], targets: dict[str, tuple[int, float, float]],
                  outline: list, target: Path, front_matter_pages: int, identifier: str, bleed_points: float) -> None:
    """Join the groups' PDFs (``parts``: each PDF, its page count and its folio sheet) into one book and
    write it to ``target``.

    The first part (the front matter) is the base, so the document's information and language are
    its.  A group of an odd page count is followed by its folio sheet's blank verso; every other
    page gets its sheet page laid over it (the folio).  Each ``bookforge-internal:`` link
    becomes a link to its target's page (``targets``: id -> page, x, y), and the outline is the
    whole book's (``outline``: WeasyPrint's bookmark trees, page numbers counted in the book)."""
    import pikepdf

    with contextlib.ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(parts[0][0])))
        for number, (data, count, sheet) in enumerate(parts):
            first = len(pdf.pages) if number else 0
            if number:
                pdf.pages.extend(stack.enter_context(pikepdf.open(io.BytesIO(data))).pages)
            folios = stack.enter_context(pikepdf.open(io.BytesIO(sheet)))
            for at, (page, folio) in enumerate(zip(pdf.pages[first:], folios.pages), start=first + 1):
                _overlay(pdf, page, folio, pikepdf.Name(f"/Folio{at}"))
            if count % 2:
                pdf.pages.append(folios.pages[-1])
        _resolve_links(pdf, targets)
        _replace_outline(pdf, outline)
        _save(pdf, target, front_matter_pages, identifier, bleed_points)


def _overlay(pdf: pikepdf.Pdf, page: pikepdf.Page, sheet: pikepdf.Page, name: pikepdf.Name) -> None:
    """``sheet`` drawn over ``page``, trim on trim, under a name of our choosing: pikepdf's own ``add_overlay``
    names it at random, and the same book must give the same bytes."""
    form = pdf.copy_foreign(sheet.as_form_xobject())
    page.add_resource(form, "/XObject", name=name)
    placement = page.calc_form_xobject_placement(form, name, _rectangle(page.trimbox))
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement, prepend=False)
    page.contents_coalesce()


def _rectangle(box: pikepdf.Array) -> pikepdf.Rectangle:
    import pikepdf

    return pikepdf.Rectangle(*(float(v) for v in box))


def _resolve_links(pdf: pikepdf.Pdf, targets: dict[str, tuple[int, float, float]]) -> None:
    """Every link to ``bookforge-internal:<id>`` made a link to the page and spot where the id stands."""
    import pikepdf

    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != "/URI" or not str(action.URI).startswith(INTERNAL):
                continue
            found = targets.get(str(action.URI)[len(INTERNAL):])
            if found is None:  # a link to an id the book does not hold: as WeasyPrint does, no link
                del annotation["/A"]
                continue
            number, x, y = found
            annotation.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=_destination(pdf, number, x, y))


def _destination(pdf: pikepdf.Pdf, number: int, x: float, y: float) -> pikepdf.Array:
    import pikepdf

    return pikepdf.Array([pdf.pages[number].obj, pikepdf.Name.XYZ, round(x, 3), round(y, 3), 0])


def _replace_outline(pdf: pikepdf.Pdf, outline: list) -> None:
    """The book's outline instead of the front matter's: the bookmarks of every group."""
    import pikepdf

    def items(trees):
        for title, (number, x, y), children, state in trees:
            item = pikepdf.OutlineItem(title, _destination(pdf, number, x, y))
            item.children.extend(items(children))
            item.is_closed = state == "closed"
            yield item

    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        del pdf.Root.Names["/Dests"]  # the front matter's named destinations: every link now points at its page
    with pdf.open_outline() as book_outline:
        book_outline.root.clear()
        book_outline.root.extend(items(outline))


def _save(pdf: pikepdf.Pdf, target: Path, front_matter_pages: int, identifier: str, bleed_points: float) -> None:
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
