"""What the PDF needs after WeasyPrint has written it, done with pikepdf.

WeasyPrint writes no ``/PageLabels``, so a viewer would show "5" where the page says
"v"; and a PDF/X file gets a random XMP document id.  Here the labels are added from the
real layout and the file is saved with ids derived from its content: same book, same bytes.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

INTERNAL = "bookforge-internal:"  # the URI a group's link to an id carries until the groups are joined
PDF_NAME = rb"/([^\s/\[\]()<>{}%]+)"  # a name in a content stream, without its slash
NAME = re.compile(PDF_NAME)  # a name in a content stream: a resource it draws with, among others
CHOSEN = re.compile(PDF_NAME + rb"\s+[-\d.]+\s+Tf")  # a font chosen in a content stream
HEXES = re.compile(rb"<([0-9a-fA-F]*)>")  # the glyphs a text-showing operator sets, in hexadecimal
BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")  # a glyph and its text in a ToUnicode map
TO_UNICODE_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
"""  # as WeasyPrint writes it
TO_UNICODE_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
FONT_FILES = ("/FontFile2", "/FontFile3")


def finish(data: bytes, target: Path, front_matter_pages: int, identifier: str, bleed_points: float) -> None:
    """Write ``data`` to ``target`` with page labels (roman for the front matter, then arabic from 1)
    and every page's BleedBox ``bleed_points`` past its TrimBox."""
    import pikepdf  # imported when a PDF is written, not at start-up: a rebuild that reuses the layout never needs it

    with pikepdf.open(io.BytesIO(data)) as pdf:
        _save(pdf, target, front_matter_pages, identifier, bleed_points)


def finish_joined(parts: list[tuple[bytes, int, bytes]], targets: dict[str, tuple[int, float, float]],
                  outline: list, target: Path, front_matter_pages: int, identifier: str, bleed_points: float,
                  faces: dict[str, tuple[frozenset[int], Callable[[], bytes | None]]] | None = None) -> None:
    """Join the groups' PDFs (``parts``: each PDF, its page count and its folio sheet) into one book and
    write it to ``target``.

    The first part (the front matter) is the base, so the document's information and language are
    its.  A group of an odd page count is followed by its folio sheet's blank verso; every other
    page gets its sheet page laid over it (the folio).  Each ``bookforge-internal:`` link
    becomes a link to its target's page (``targets``: id -> page, x, y), and the outline is the
    whole book's (``outline``: WeasyPrint's bookmark trees, page numbers counted in the book).  Each face
    in ``faces`` is embedded once, for every group (``merge_faces``)."""
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
        if faces:
            merge_faces(pdf, faces)
        _own_resources(pdf)
        _save(pdf, target, front_matter_pages, identifier, bleed_points)


def _own_resources(pdf: pikepdf.Pdf) -> None:
    """Give each page a resource dictionary of its own, holding what its content names, and the same object
    for the same content under the same name wherever it came from.

    WeasyPrint gives all the pages of a document one dictionary (and the folios laid over them add
    theirs to it): the book's objects would then depend on how its pages were grouped for layout.
    The entries of a page's forms and patterns are theirs, and are left as they are."""
    import pikepdf

    one = _OneObject()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is None:
            continue
        named = set(NAME.findall(_content(page.obj)))
        own = pikepdf.Dictionary()
        for kind, entries in sorted(resources.items()):
            if not isinstance(entries, pikepdf.Dictionary):
                own[kind] = entries
                continue
            kept = {key: one(kind, key, value) for key, value in sorted(entries.items()) if key[1:].encode() in named}
            if kept:
                own[kind] = pikepdf.Dictionary(kept)
        page.obj.Resources = own


def _content(page: pikepdf.Dictionary) -> bytes:
    import pikepdf

    contents = page.get("/Contents")
    if contents is None:
        return b""
    return b"".join(part.read_bytes() for part in contents) if isinstance(contents, pikepdf.Array) else contents.read_bytes()


class _OneObject:
    """The one object the book keeps for a resource: the first met under its name with its content.  Two
    objects are compared only when they come under one name (each group's copy of an image, say), by their
    streams' bytes and their entries, followed down."""

    def __init__(self):
        self.chosen: dict[tuple[int, int], pikepdf.Object] = {}
        self.named: dict[tuple[str, str], list] = {}
        self.prints: dict[tuple[int, int], tuple] = {}

    def __call__(self, kind: str, key: str, value: pikepdf.Object) -> pikepdf.Object:
        if not value.is_indirect:
            return value
        if value.objgen not in self.chosen:
            met = self.named.setdefault((kind, key), [])
            same = [other for other in met if self._print(other) == self._print(value)]
            if not same:
                met.append(value)
            self.chosen[value.objgen] = same[0] if same else value
        return self.chosen[value.objgen]

    def _print(self, value) -> tuple:
        import pikepdf

        if isinstance(value, pikepdf.Object) and value.is_indirect:
            if value.objgen not in self.prints:
                self.prints[value.objgen] = ("cycle", value.objgen)  # an object that holds itself
                self.prints[value.objgen] = self._content_print(value)
            return self.prints[value.objgen]
        return self._content_print(value)

    def _content_print(self, value) -> tuple:
        import pikepdf

        if isinstance(value, pikepdf.Stream):
            return ("stream", value.read_raw_bytes(), tuple((k, self._print(v)) for k, v in sorted(value.stream_dict.items())))
        if isinstance(value, pikepdf.Dictionary):
            return ("dict", tuple((k, self._print(v)) for k, v in sorted(value.items())))
        if isinstance(value, pikepdf.Array):
            return ("array", tuple(self._print(v) for v in value))
        return ("value", repr(value))


def merge_faces(pdf: pikepdf.Pdf, faces: dict[str, tuple[frozenset[int], Callable[[], bytes | None]]]) -> None:
    """One font for each face of ``faces`` (PDF name -> the glyph ids the book sets in it, and a call that
    gives the face's font file cut to them), whichever groups' PDFs embed it.

    Each group's PDF embeds its own subset of a face, glyph ids kept as in the font file: the face
    cut once to the glyphs of every group, with their widths and their text joined, replaces them
    all.  The book's PDF then depends on the glyphs its pages set, not on how its pages were
    grouped to be laid out: the widths and text of glyphs no page sets any more (a copy from an
    edited chapter's previous layout still lists them) are left out.  A face whose copies disagree (a
    width, a glyph's text, any other entry), or lack a glyph the pages set, keeps its copies; so does a
    group's copy that WeasyPrint encoded with a CMap of its own, as it does a face a character is missing
    from (the others are still made one)."""
    uses = _font_uses(pdf)
    copies: dict[str, dict[tuple[int, int], pikepdf.Object]] = {}
    for _, _, font in uses:
        copies.setdefault(str(font.BaseFont).lstrip("/"), {}).setdefault(font.objgen, font)
    replacements = {}
    for name in sorted(set(copies) & set(faces)):
        glyphs, program = faces[name]
        found = [copy for copy in copies[name].values() if _font_parts(copy) is not None]  # a copy WeasyPrint encoded
        joined = _joined_font(found) if found else None  # its own way (a character the face lacks) keeps its place
        if joined is None or not glyphs <= set(joined[0]) | set(joined[1]) or (cut := program()) is None:
            continue
        widths, texts = ({glyph: value for glyph, value in part.items() if glyph in glyphs} for part in joined)
        font = _rebuilt_font(pdf, found[0], widths, texts, cut)
        replacements.update({copy.objgen: font for copy in found})
    for fonts, key, font in uses:
        if font.objgen in replacements:
            fonts[key] = replacements[font.objgen]


def _font_uses(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Dictionary, pikepdf.Name, pikepdf.Object]]:
    """Every composite font the pages and their forms use: the font dictionary naming it, the name, the font."""
    uses = []
    for resources in _all_resources(pdf):
        fonts = resources.get("/Font")
        for key, font in (fonts.items() if fonts is not None else ()):
            if font.get("/Subtype") == "/Type0" and font.is_indirect:
                uses.append((fonts, key, font))
    return uses


def _all_resources(pdf: pikepdf.Pdf):
    """The resource dictionaries of every page and of every form and pattern drawn in them, each once."""
    seen: set = set()
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if resources is None or (resources.is_indirect and resources.objgen in seen):
            continue
        if resources.is_indirect:
            seen.add(resources.objgen)
        yield resources
        for kind in ("/XObject", "/Pattern"):
            pending += [item.get("/Resources") for item in resources.get(kind, {}).values() if hasattr(item, "get")]


def _joined_font(copies: list[pikepdf.Object]) -> tuple[dict[int, float], dict[int, bytes]] | None:
    """The widths and texts of all ``copies`` of a face, joined: None if they disagree or are not as
    WeasyPrint writes them (one CID font, identity-mapped, widths in runs, a ToUnicode of single glyphs)."""
    widths: dict[int, float] = {}
    texts: dict[int, bytes] = {}
    shape = None
    for font in copies:
        found = _font_parts(font)
        if found is None or (shape is not None and found[2] != shape):
            return None
        for glyph, width in found[0].items():
            if widths.setdefault(glyph, width) != width:
                return None
        for glyph, text in found[1].items():
            if texts.setdefault(glyph, text) != text:
                return None
        shape = found[2]
    return widths, texts


def _font_parts(font: pikepdf.Object) -> tuple[dict[int, float], dict[int, bytes], str] | None:
    """A composite font's widths, its ToUnicode texts, and all its other entries (as text, to compare)."""
    import pikepdf

    descendants = font.get("/DescendantFonts")
    if descendants is None or len(descendants) != 1 or "/ToUnicode" not in font or font.get("/Encoding") != "/Identity-H":
        return None
    cid_font = descendants[0]
    descriptor = cid_font.get("/FontDescriptor")
    if cid_font.get("/CIDToGIDMap") != "/Identity" or descriptor is None or "/CIDSet" in descriptor:
        return None
    if sum(key in descriptor for key in FONT_FILES) != 1:
        return None
    widths: dict[int, float] = {}
    entries = list(cid_font.get("/W", []))
    for first, run in zip(entries[::2], entries[1::2]):
        if not isinstance(run, pikepdf.Array):
            return None
        widths.update({int(first) + n: float(width) for n, width in enumerate(run)})
    data = font.ToUnicode.read_bytes()
    if b"beginbfrange" in data:
        return None
    texts = {int(glyph, 16): text.lower() for glyph, text in BFCHAR.findall(data)}
    shape = repr((sorted((k, repr(v)) for k, v in font.items() if k not in ("/DescendantFonts", "/ToUnicode")),
                  sorted((k, repr(v)) for k, v in cid_font.items() if k not in ("/W", "/FontDescriptor")),
                  sorted((k, repr(v)) for k, v in descriptor.items() if k not in ("/FontBBox", "/Flags", *FONT_FILES))))
    return widths, texts, shape


def _rebuilt_font(pdf: pikepdf.Pdf, model: pikepdf.Object, widths: dict[int, float], texts: dict[int, bytes],
                  program: bytes) -> pikepdf.Object:
    """A copy of the composite font ``model`` holding ``program`` (the face cut to the glyphs of ``widths``),
    with those widths and texts, its bounding box and fixed-pitch flag as WeasyPrint sets them for them."""
    import pikepdf

    cid_model = model.DescendantFonts[0]
    descriptor = pikepdf.Dictionary(cid_model.FontDescriptor)
    [kind] = [key for key in FONT_FILES if key in descriptor]
    stream = pikepdf.Stream(pdf, program)
    if kind == "/FontFile3":
        stream.Subtype = pikepdf.Name.OpenType
    else:
        stream.Length1 = len(program)
    descriptor[kind] = pdf.make_indirect(stream)
    box = [float(value) for value in descriptor.FontBBox]
    descriptor.FontBBox = pikepdf.Array([box[0], box[1], max(widths.values(), default=0), box[3]])
    fixed = len(widths) > 1 and len(set(widths.values())) == 1
    descriptor.Flags = (int(descriptor.Flags) & ~1) | int(fixed)
    cid_font = pikepdf.Dictionary(cid_model)
    cid_font.FontDescriptor = pdf.make_indirect(descriptor)
    cid_font.W = _width_runs(widths)
    font = pikepdf.Dictionary(model)
    font.DescendantFonts = pikepdf.Array([pdf.make_indirect(cid_font)])
    font.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(texts)))
    return pdf.make_indirect(font)


def _width_runs(widths: dict[int, float]) -> pikepdf.Array:
    """The /W array as WeasyPrint writes it: each run of consecutive glyph ids as ``first [w w …]``."""
    import pikepdf

    entries: list = []
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            entries += [glyph, []]
        entries[-1].append(_number(widths[glyph]))
    return pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item for item in entries])


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _to_unicode(texts: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes it: each glyph's text, a hundred glyphs to a block."""
    glyphs = sorted(texts)
    blocks = []
    for start in range(0, len(glyphs), 100):
        batch = glyphs[start:start + 100]
        lines = b"".join(b"<%04x> <%s>\n" % (glyph, texts[glyph]) for glyph in batch)
        blocks.append(b"%d beginbfchar\n%sendbfchar\n" % (len(batch), lines))
    return TO_UNICODE_HEAD + b"".join(blocks) + TO_UNICODE_TAIL


def spliced(pieces: list[tuple[bytes, int, int]]) -> bytes:
    """One PDF of the pages [first, stop) of each of ``pieces`` (PDFs of one group's pages, drawn apart), in
    order: the first piece's PDF with its other pages taken out, so that its catalog, its document information
    and its version are the group's, as a PDF of the whole group has them."""
    import pikepdf

    with contextlib.ExitStack() as stack:
        (data, first, stop), *rest = pieces
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(data)))
        del pdf.pages[stop:]
        del pdf.pages[:first]
        for data, first, stop in rest:
            pdf.pages.extend(stack.enter_context(pikepdf.open(io.BytesIO(data))).pages[first:stop])
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def glyphs_set(data: bytes, first: int, stop: int) -> dict[str, set[int]]:
    """The glyph ids the pages [first, stop) of the PDF ``data`` set in each composite font (by PDF name), read
    from their content as WeasyPrint writes it: ``/Font size Tf`` then ``[<glyph>kerning<glyph>…] TJ``, each
    glyph four hexadecimal digits."""
    import pikepdf

    found: dict[str, set[int]] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[first:stop]:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            names = {key[1:].encode(): str(font.BaseFont).lstrip("/") for key, font in fonts.items()}
            pieces = CHOSEN.split(_content(page.obj))  # text before the first choice, then (font, text set in it)…
            for key, shown in zip(pieces[1::2], pieces[2::2]):
                digits = b"".join(HEXES.findall(shown))
                if key in names and digits:
                    glyphs = bytes.fromhex(digits.decode("ascii"))
                    found.setdefault(names[key], set()).update(struct.unpack(f">{len(glyphs) // 2}H", glyphs))
    return found


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
    """Write the book, its bytes from its objects alone, not from how its pieces' PDFs were numbered, packed or
    identified: each object on its own (no object streams, which qpdf keeps or fills in the pieces' order),
    and both file identifiers made from the content (the first would be the first piece's)."""
    import pikepdf

    pdf.Root.PageLabels = pdf.make_indirect(page_labels(front_matter_pages))
    for page in pdf.pages:
        page.BleedBox = _grown(page.TrimBox, bleed_points)
    _stable_document_id(pdf, identifier)
    if "/ID" in pdf.trailer:
        del pdf.trailer.ID
    pdf.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)


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
