"""The layout engine: WeasyPrint, imported with bookforge's patches to it installed
(``hang_trailing_space``, ``limit_ladders``, ``share_stylesheets``, ``watch_pagination``), and the English
hyphenation patterns read (``read_hyphenation_patterns``).

This is the one module that reaches into WeasyPrint.  Its public API (``HTML``, ``CSS``, ``Document``, the URL
fetcher, the font configuration) is used as documented; everything else bookforge relies on is named in
``INTERNALS`` (modules, functions and classes, with the parameters bookforge calls them with) and
``ATTRIBUTES`` (what it reads on WeasyPrint's pages, boxes and fonts), and reached through ``internal``.
A WeasyPrint that lacks one of them fails ``tests/test_engine.py``, which names each; meanwhile a build
leaves the patch that needs it uninstalled and lays the book out as one plain document (``missing``;
``pdf.render``), with a note, so a book still comes out.

Importing this module imports WeasyPrint, which takes half a second, so only the processes that
lay pages out import it: the PDF's layout workers are forked from a server process that imports
it while the editorial pass runs (``workers.engine_started``), and the build's own process never waits for it.

Without the HarfBuzz-Subset library WeasyPrint warns on import and on every font; that is a
slower path, not a fault in the book, so the import's warning is silenced and the layout's
becomes one note (X-101, ``compositor._CollectedWarnings``).
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HYPHEN = "\u2010"  # the hyphen WeasyPrint sets at a break (print.css's hyphenate-character)
MAX_LADDER = 2  # hyphenated line endings in a row, at most
HYPHENATION = ("en_US", "en_GB")  # the patterns read before the workers are forked: the English the editorial pass knows
HARFBUZZ = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")  # as WeasyPrint opens it

INTERNALS: dict[str, tuple[str, ...] | None] = {  # WeasyPrint's own code bookforge reaches into: the parameters it uses
    "weasyprint.layout.inline.split_first_line":  # wrapped: hang_trailing_space, limit_ladders
        ("text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"),
    "weasyprint.layout.inline.iter_line_boxes":  # wrapped: limit_ladders
        ("context", "box", "position_y", "bottom_space", "skip_stack", "containing_block", "absolute_boxes",
         "fixed_boxes", "first_letter_style", "first_line_style"),
    "weasyprint.layout.block.iter_line_boxes":  # the same function, as the block layout holds it
        ("context", "box", "position_y", "bottom_space", "skip_stack", "containing_block", "absolute_boxes",
         "fixed_boxes", "first_letter_style", "first_line_style"),
    "weasyprint.layout.make_all_pages": ("context", "root_box", "html", "pages"),  # wrapped: watch_pagination
    "weasyprint.css.CSS":  # wrapped: share_stylesheets, which passes the keywords only a document's parsing passes
        ("guess", "filename", "url", "file_obj", "string", "encoding", "base_url", "url_fetcher", "_check_mime_type",
         "media_type", "font_config", "counter_style", "color_profiles", "matcher", "page_rules", "layers"),
    "weasyprint.formatting_structure.boxes.TextBox": None,  # the boxes a page is made of: the page-list, the proof
    "weasyprint.formatting_structure.boxes.LineBox": None,
    "weasyprint.formatting_structure.boxes.InlineBox": None,
    "weasyprint.formatting_structure.boxes.BlockBox": None,
    "weasyprint.formatting_structure.boxes.MarginBox": None,
    "weasyprint.anchors.make_page_bookmark_tree":  # the outline of the joined groups: compositor.outline
        ("page", "skipped_levels", "last_by_depth", "previous_level", "page_number", "matrix"),
    "weasyprint.matrix.Matrix": None,
    "weasyprint.text.ffi.ffi": None,  # HarfBuzz, for the faces the joined groups share: embedded_faces, subset_face
    "weasyprint.text.ffi.harfbuzz": None,
    "weasyprint.text.ffi._dlopen": ("ffi",),
    "weasyprint.text.fonts.get_hb_object_data": ("hb_object",),
    "weasyprint.pdf.fonts.Font": None,
    "weasyprint.pdf.fonts.Font.clean": ("self", "to_unicode", "hinting"),
}
ATTRIBUTES = (  # what bookforge reads on WeasyPrint's objects (checked on a real layout by tests/test_engine.py)
    "Page._page_box", "PageBox.page_type", "PageType.name", "PageType.side", "PageType.blank",  # a page's kind
    "Box.element", "Box.element_tag", "Box.children", "Box.descendants", "Box.style", "Box.string_set",
    "TextBox.text", "Box.position_x", "Box.position_y", "Box.width", "Box.baseline", "Box.margin_width",
    "Box.margin_height", "Box.border_height", "PageBox.content_box_x", "PageBox.content_box_y", "PageBox.height",
    "LayoutContext.page_maker", "LayoutContext.reported_footnotes", "LayoutContext.broken_out_of_flow",
    "LayoutContext.running_elements", "HTML.etree_element", "Document.fonts", "Font.name", "Font.index",
    "Font.hb_face", "Font.bitmap", "Font.missing", "Font.used_in_forms", "Font.tables", "Font.to_unicode",
    "Font.file_content",
)


class Missing(LookupError):
    """This WeasyPrint lacks an internal bookforge relies on, or has it with other parameters."""


with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    import weasyprint  # noqa: F401  (what this module is for: ``engine.weasyprint``)
    from weasyprint.text.fonts import FontConfiguration  # noqa: F401  (public: ``engine.FontConfiguration``)


def internal(name: str) -> Any:
    """WeasyPrint's ``name``, one of ``INTERNALS``; ``Missing`` when this WeasyPrint has it not, or takes other
    parameters than the ones bookforge passes."""
    if name not in _found:
        _found[name] = _resolved(name, INTERNALS[name])
    if _found[name] is None:
        raise Missing(name)
    return _found[name]


_found: dict[str, Any] = {}


def _resolved(name: str, parameters: tuple[str, ...] | None) -> Any:
    """The object named ``name`` (a module, then attributes), if it takes ``parameters`` first (and any other with a
    default); None if not."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
            break
        except ImportError:
            continue
    else:
        return None
    for attribute in parts[split:]:
        found = getattr(found, attribute, None)
        if found is None:
            return None
    if parameters is not None:
        try:
            given = list(inspect.signature(found).parameters.values())
        except (TypeError, ValueError):
            return None
        named = [p.name for p in given]
        positional = [p for p in given if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if named[:len(parameters)] != list(parameters) or any(p.default is p.empty for p in positional[len(parameters):]):
            return None
    return found


def missing() -> list[str]:
    """The internals this WeasyPrint lacks (``INTERNALS``): a build then lays the book out as one plain document."""
    found = []
    for name in INTERNALS:
        try:
            internal(name)
        except Missing:
            found.append(name)
    return found


def page_box(page) -> Any:
    """The box tree of a page of a laid-out document (``Page._page_box``): the page, its margin boxes, its text."""
    return page._page_box


def page_kind(page) -> tuple[str, str, bool]:
    """A laid-out page's named page ('' for none), its side (left, right) and whether it is blank."""
    kind = page._page_box.page_type
    return kind.name or "", kind.side, kind.blank


def hang_trailing_space() -> None:
    """Keep WeasyPrint (62-70) from breaking a line after its first word when the text ends in a space.

    Text followed by an inline element (``<span class="whole">``, an edit span, emphasis) ends in
    the space before it.  WeasyPrint's ``split_first_line`` measures that space, which hangs at a
    line's end, so text whose words fit but whose space does not is taken for a line that cannot
    be split, and is broken after its first word: one word alone on a line mid-paragraph
    (benchmarks/lone_word.py shows it).  When the words without the space fit, the text is laid out
    unbroken, as Pango had it; the inline element after it then finds the line's last break
    point as usual.  A line that already holds more than one word is left as it is, unmeasured again:
    the fault only ever breaks after the first word, and most lines hold many.  Installed once, on
    WeasyPrint's layout module only.
    """
    split = internal("weasyprint.layout.inline.split_first_line")
    if getattr(split, "hangs_trailing_space", False):
        return

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        if _ladder.full and style["hyphens"] == "auto":
            style = style.copy()
            style["hyphens"] = "manual"  # soft hyphens still count, as in a paragraph set .whole
        line = split(text, style, context, max_width, justification_spacing, is_line_start=is_line_start, minimum=minimum)
        words = text.rstrip(" ")
        if line[2] is None or words == text or max_width is None or style["white_space"] not in ("normal", "pre-line"):
            return line
        if " " in text[:line[2]].strip(" "):
            return line  # the line holds more than its first word: not the fault, and no second measure
        fitted = split(words, style, context, max_width, justification_spacing, is_line_start=is_line_start, minimum=minimum)
        if fitted[2] is not None or fitted[3] > max_width:
            return line
        return split(text, style, context, None, justification_spacing, is_line_start=is_line_start, minimum=minimum)

    split_first_line.hangs_trailing_space, split_first_line.__wrapped__ = True, split  # what it wraps: its signature
    importlib.import_module("weasyprint.layout.inline").split_first_line = split_first_line


_ladder = SimpleNamespace(full=False)  # True while a line is set that follows MAX_LADDER hyphenated ones


def limit_ladders() -> None:
    """Hyphenate no line that follows two hyphenated lines of the same paragraph on the same page.

    WeasyPrint hyphenates each line on its own and has no ``hyphenate-limit-lines``; a ladder of three
    or more hyphens at the right margin is a fault a printer's proofreader marks.  WeasyPrint's line
    iterator is wrapped: it counts the hyphenated endings in a row as the lines of a paragraph come,
    and sets the next line without automatic hyphenation once there are two (``split_first_line``
    above reads the flag).  The count starts again on each page, where a paragraph's lines are taken
    up again, so a ladder never needs a second layout of the page or the book.  Installed once.
    """
    iterate = internal("weasyprint.layout.inline.iter_line_boxes")
    internal("weasyprint.layout.block.iter_line_boxes")
    if getattr(iterate, "limits_ladders", False):
        return

    def iter_line_boxes(context, box, *args, **kwargs):
        lines, run = iterate(context, box, *args, **kwargs), 0
        while True:
            outer, _ladder.full = _ladder.full, run >= MAX_LADDER
            try:
                line, resume_at = next(lines)
            except StopIteration:
                return
            finally:
                _ladder.full = outer
            run = run + 1 if _ends_hyphenated(line) else 0
            yield line, resume_at

    iter_line_boxes.limits_ladders, iter_line_boxes.__wrapped__ = True, iterate
    for module in ("weasyprint.layout.inline", "weasyprint.layout.block"):
        importlib.import_module(module).iter_line_boxes = iter_line_boxes


def _ends_hyphenated(line) -> bool:
    """Whether a line's text ends with the hyphen set at a break (its last text that is not empty)."""
    return _last_text(line).endswith(HYPHEN)


def _last_text(box) -> str:
    if isinstance(getattr(box, "text", None), str):
        return box.text
    for child in reversed(getattr(box, "children", ())):
        if text := _last_text(child):
            return text
    return ""


_shared = SimpleNamespace(key=None, fonts=None, sheets={}, digests={})  # this process's stylesheets, fonts' files' hashes, for one book's resources


def share_stylesheets() -> None:
    """Parse each of the book's stylesheets once per worker process, not once per document.

    A group, a folio sheet and the front matter are each a document, and WeasyPrint parses every
    stylesheet a document links to (tokens, declarations, selectors) for each: about 40 ms a
    document, more than a folio sheet's whole layout.  WeasyPrint's ``CSS`` is wrapped where it
    finds a document's stylesheets: a stylesheet parsed for ``fonts_for``'s font configuration is
    kept, and given again to the next document that links to it, with its ``@page`` rules added to
    that document's as parsing would add them.  A stylesheet that defines cascade layers, counter
    styles or colour profiles (which parsing writes into the document) or ``@import``s is parsed
    each time as before.  Installed once.
    """
    parse = internal("weasyprint.css.CSS")
    if getattr(parse, "shares_stylesheets", False):
        return

    def shared_css(*, page_rules=None, counter_style=None, color_profiles=None, layers=None, **source):
        key = tuple((name, value) for name, value in sorted(source.items()) if name not in ("url_fetcher", "font_config"))
        if source.get("font_config") is _shared.fonts is not None and "matcher" not in source:  # not an @import
            if key not in _shared.sheets:
                _shared.sheets[key] = _parsed_alone(parse, source)
            if sheet := _shared.sheets[key]:
                if page_rules is not None:
                    page_rules.extend(sheet.page_rules)
                return sheet
        return parse(page_rules=page_rules, counter_style=counter_style, color_profiles=color_profiles, layers=layers,
                     **source)

    shared_css.shares_stylesheets, shared_css.__wrapped__ = True, parse
    importlib.import_module("weasyprint.css").CSS = shared_css


def _parsed_alone(parse, source: dict):
    """The stylesheet parsed for no document; None when parsing would write into the document more than its
    ``@page`` rules (cascade layers, counter styles, colour profiles), so that it must be parsed for each."""
    found: tuple[dict, dict] = ({}, {})
    sheet = parse(counter_style=found[0], color_profiles=found[1], **source)
    return None if any(found) or sheet.layers else sheet


def fonts_for(resources: Any):
    """The font configuration the stylesheets of a book with these ``resources`` (a key of its stylesheets and
    fonts) are kept for in this process: the same one for each of its documents, a new one for another book."""
    if _shared.key != resources or _shared.fonts is None:
        _shared.key, _shared.fonts, _shared.sheets, _shared.digests = resources, FontConfiguration(), {}, {}
    return _shared.fonts


def stylesheet(**source):
    """A stylesheet of the book's, kept for its documents as those it links to are (``share_stylesheets``)."""
    return importlib.import_module("weasyprint.css").CSS(**source)


def embedded_faces(document) -> list[tuple[str, str, int, tuple[int, ...]]]:
    """The faces ``document``'s PDF embeds cut from a font file to the glyphs it sets, as (PDF name, SHA-256 of
    the file, face index, the glyph ids it keeps): those the book's PDF can cut again, once, for all its groups
    (``subset_face``).  A face WeasyPrint makes otherwise (bitmap glyphs drawn as a Type 3 font, a variable
    font made static, glyphs missing from it, glyphs drawn in a form) is left out, and keeps its group's."""
    found: dict[tuple[str, str, int], set[int]] = {}
    for font in document.fonts.values():
        if font.bitmap or font.missing or font.used_in_forms or "fvar" in font.tables or not font.to_unicode:
            continue
        found.setdefault((font.name.decode("utf-8").lstrip("/"), _file_digest(font.hb_face), font.index),
                         set()).update(font.to_unicode)
    return [(*face, tuple(sorted(glyphs))) for face, glyphs in sorted(found.items())]


def _file_digest(face) -> str:
    """The SHA-256 of the font file a HarfBuzz face was read from: hashed once for each file this process
    holds in memory (Pango keeps a font's file for the font configuration's life)."""
    import hashlib

    ffi, harfbuzz = internal("weasyprint.text.ffi.ffi"), internal("weasyprint.text.ffi.harfbuzz")
    get_hb_object_data = internal("weasyprint.text.fonts.get_hb_object_data")
    blob = harfbuzz.hb_face_reference_blob(face)
    length = ffi.new("unsigned int *")
    where = (int(ffi.cast("uintptr_t", harfbuzz.hb_blob_get_data(blob, length))), length[0])
    harfbuzz.hb_blob_destroy(blob)
    if where not in _shared.digests:
        _shared.digests[where] = hashlib.sha256(get_hb_object_data(face)).hexdigest()
    return _shared.digests[where]


def subset_face(path: str, index: int, glyphs: list[int]) -> bytes | None:
    """Face ``index`` of the font file at ``path`` cut to ``glyphs`` (glyph ids, kept where they are) as
    WeasyPrint cuts it for a PDF, with its own code (colour glyphs emptied, as it draws them as images);
    None when WeasyPrint could not cut it."""
    Font = internal("weasyprint.pdf.fonts.Font")
    ffi, harfbuzz = internal("weasyprint.text.ffi.ffi"), internal("weasyprint.text.ffi.harfbuzz")
    data = Path(path).read_bytes()
    cut = Font.__new__(Font)  # WeasyPrint's font, without the Pango font it is made from: only what cutting reads
    cut.hb_face, cut.file_content, cut.index, cut.family = _hb_face(data, index), data, index, Path(path).stem
    if cut.hb_face is None:
        return None
    count, tags, name = ffi.new("unsigned int *", 100), ffi.new("hb_tag_t[100]"), ffi.new("char[4]")
    harfbuzz.hb_face_get_table_tags(cut.hb_face, 0, count, tags)
    cut.tables = []
    for n in range(count[0]):
        harfbuzz.hb_tag_to_string(tags[n], name)
        cut.tables.append(ffi.string(name).decode())
    cut.png = harfbuzz.hb_ot_color_has_png(cut.hb_face)
    cut.svg = harfbuzz.hb_ot_color_has_svg(cut.hb_face)
    cut.colr = harfbuzz.hb_version_atleast(7, 0, 0) and bool(
        harfbuzz.hb_ot_color_has_paint(cut.hb_face) or harfbuzz.hb_ot_color_has_layers(cut.hb_face))
    cut.missing, cut.variations = {}, {}
    internal("weasyprint.pdf.fonts.Font.clean")(cut, dict.fromkeys(glyphs, ""), hinting=False)
    return None if cut.file_content is data else cut.file_content


def _hb_face(data: bytes, index: int):
    """A HarfBuzz face of ``data``'s face ``index``, or None if it holds no glyph.  WeasyPrint makes its faces
    from Pango fonts and declares no way to make one from bytes: the two functions are declared here, on its FFI."""
    ffi, harfbuzz = internal("weasyprint.text.ffi.ffi"), internal("weasyprint.text.ffi.harfbuzz")
    if _harfbuzz.faces is None:
        ffi.cdef("hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode, void *user_data, "
                 "void *destroy); hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);")
        _harfbuzz.faces = internal("weasyprint.text.ffi._dlopen")(ffi, *HARFBUZZ)
    blob = _harfbuzz.faces.hb_blob_create(data, len(data), 0, ffi.NULL, ffi.NULL)  # 0: HarfBuzz copies the bytes
    face = ffi.gc(_harfbuzz.faces.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    harfbuzz.hb_blob_destroy(blob)
    return face if harfbuzz.hb_face_get_glyph_count(face) else None


_harfbuzz = SimpleNamespace(faces=None)


def watch_pagination() -> None:
    """Let bookforge watch WeasyPrint's pagination page by page, and stop it.

    After each page, ``_pagination.watch(index, page)`` is called while the state WeasyPrint will
    lay the next page out from is at hand (``page_state``); when it returns True the document
    ends there, as if it had no more pages.  Each call of the pagination counts in
    ``_pagination.rounds``: WeasyPrint paginates a document again when a page's content waits for
    a later page's number, and such a document is always laid out whole.
    """
    paginate = internal("weasyprint.layout.make_all_pages")
    if getattr(paginate, "watched", False):
        return

    def make_all_pages(context, root_box, html, pages):
        _pagination.rounds += 1
        _pagination.context, _pagination.root = context, root_box
        for index, page in enumerate(paginate(context, root_box, html, pages)):
            yield page
            if _pagination.watch is not None and _pagination.watch(index, page):
                context.page_maker = context.page_maker[:index + 2]
                context.page_maker[index + 1][-1]["content_changed"] = False  # nothing left to make again
                return

    make_all_pages.watched, make_all_pages.__wrapped__ = True, paginate
    importlib.import_module("weasyprint.layout").make_all_pages = make_all_pages


_pagination = SimpleNamespace(watch=None, rounds=0, context=None, root=None)


def page_state(context, index: int) -> str:
    """Where WeasyPrint lays the page after page ``index`` out from, as text to compare with another layout's:
    the place in the document, the page break and side, the page counters and page groups, and whether
    anything (a footnote, a float, a running element) is carried over; the pages' count left out."""
    import json

    resume_at, next_page, right_page, (quotes, counters, scopes, groups), _ = context.page_maker[index + 1]
    carried = carried_over(context)
    counters = {name: value for name, value in counters.items() if name != "pages"}
    return json.dumps(_plain((resume_at, next_page, right_page, quotes, counters, scopes, groups, carried)),
                      sort_keys=True, separators=(",", ":"))


def next_start(context, index: int) -> Any:
    """Where in the document the page after page ``index`` starts (WeasyPrint's ``resume_at``; None at the end)."""
    return context.page_maker[index + 1][0]


def carried_over(context) -> bool:
    """Whether anything goes on to the next page besides the flow: a footnote or float that did not fit, a running
    element (the dictionary of them also holds the names looked up, with nothing in them)."""
    running = any(any(pages.values()) for pages in context.running_elements.values())
    return bool(context.reported_footnotes or context.broken_out_of_flow or running)


def _plain(value: Any) -> Any:
    """``value`` made of lists, dicts with text keys, and scalars, the same for equal values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def read_hyphenation_patterns() -> None:
    """Read the English hyphenation patterns once, here, in the process the layout workers are forked from.

    Each worker would otherwise read them (pyphen, 0.08 s a language) before its first hyphenated
    line; pyphen keeps what it has read for every ``Pyphen`` made afterwards, so the workers find them
    read.  A book in another language has its patterns read by each worker, as before.
    """
    import pyphen

    for language in HYPHENATION:
        pyphen.Pyphen(lang=language)


WITHOUT = {  # what the book loses when a patch is left out
    "hang_trailing_space": "a line may break after its first word before an inline element",
    "limit_ladders": "more than two lines in a row may end in a hyphen",
    "share_stylesheets": "each document parses the stylesheets again",
    "watch_pagination": "an edited chapter is laid out whole",
}


def _install(*patches) -> list[str]:
    """Install each patch; one whose internals this WeasyPrint lacks is left out: what that costs the book."""
    left_out = []
    for patch in patches:
        try:
            patch()
        except Missing as lacking:
            left_out.append(f"WeasyPrint {weasyprint.__version__} lacks {lacking}: {WITHOUT[patch.__name__]}")
    return left_out


UNPATCHED = _install(hang_trailing_space, limit_ladders, share_stylesheets, watch_pagination)  # none, with the WeasyPrint tested
read_hyphenation_patterns()
