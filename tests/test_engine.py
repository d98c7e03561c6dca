"""WeasyPrint's internals that bookforge relies on, each named here.  They are reached through one module,
``renderers/engine.py``: a WeasyPrint that drops or changes one fails this file, in one place, while builds lay
the book out the plain way meanwhile, with a note (tests/test_shortcuts.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bookforge.renderers import engine

SOURCES = Path(engine.__file__).resolve().parents[1]  # src/bookforge
NAMED = {  # each internal, and what bookforge does with it
    "weasyprint.layout.inline.split_first_line": "wrapped to hang a line's trailing space and bound hyphen ladders",
    "weasyprint.layout.inline.iter_line_boxes": "wrapped to count a paragraph's hyphenated lines",
    "weasyprint.layout.block.iter_line_boxes": "the same, where the block layout calls it",
    "weasyprint.layout.make_all_pages": "wrapped to watch the pagination page by page (an edit's splice)",
    "weasyprint.css.CSS": "wrapped to parse each stylesheet once per worker (page_rules and the other keywords)",
    "weasyprint.formatting_structure.boxes.TextBox": "the page-list's first words, the proof's lines",
    "weasyprint.formatting_structure.boxes.LineBox": "the proof's line numbers",
    "weasyprint.formatting_structure.boxes.InlineBox": "the proof's marks of edited words",
    "weasyprint.formatting_structure.boxes.BlockBox": "the proof's marks of removed text",
    "weasyprint.formatting_structure.boxes.MarginBox": "running heads and folios, left out of the text",
    "weasyprint.anchors.make_page_bookmark_tree": "the joined groups' outline, nested as WeasyPrint nests it",
    "weasyprint.matrix.Matrix": "its argument",
    "weasyprint.text.ffi.ffi": "HarfBuzz: the font file a group's face was cut from, a face cut once for all",
    "weasyprint.text.ffi.harfbuzz": "the same",
    "weasyprint.text.ffi._dlopen": "HarfBuzz's library, for two functions WeasyPrint does not declare",
    "weasyprint.text.fonts.get_hb_object_data": "a face's font file's bytes",
    "weasyprint.pdf.fonts.Font": "a face cut as WeasyPrint cuts it",
    "weasyprint.pdf.fonts.Font.clean": "the same",
}
READ = {  # the attributes of WeasyPrint's objects that bookforge reads, by the class they are read on
    "Page": ("_page_box",), "PageBox": ("page_type", "content_box_x", "content_box_y", "height"),
    "PageType": ("name", "side", "blank"),
    "Box": ("element", "element_tag", "children", "descendants", "style", "string_set", "position_x", "position_y",
            "width", "baseline", "margin_width", "margin_height", "border_height"),
    "TextBox": ("text",), "LayoutContext": ("page_maker", "reported_footnotes", "broken_out_of_flow", "running_elements"),
    "HTML": ("etree_element",), "Document": ("fonts",),
    "Font": ("name", "index", "hb_face", "bitmap", "missing", "used_in_forms", "tables", "to_unicode", "file_content"),
}
PROBE = """<html lang="en"><head><style>
@page { size: 4in 3in; @bottom-center { content: counter(page); } }
h1 { string-set: title content(text); }
.note { float: footnote; }
</style></head><body><h1>A title</h1><p>A paragraph <em>with emphasis</em> and a note<span class="note">The note.</span>
set over more than one line of the page, which is small.</p></body></html>"""


def test_the_engine_names_every_internal_the_project_relies_on():
    assert set(engine.INTERNALS) == set(NAMED)
    assert {f"{owner}.{name}" for owner, names in READ.items() for name in names} == set(engine.ATTRIBUTES)


def test_this_weasyprint_has_every_internal_with_the_parameters_bookforge_passes_and_every_patch_is_installed():
    assert engine.missing() == [] and engine.UNPATCHED == []


def test_no_module_but_the_engine_imports_weasyprint():
    found = []
    for path in sorted(SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(SOURCES)}: {name}" for name in names if name.split(".")[0] == "weasyprint"]
    assert found and all(line.startswith("renderers/engine.py:") for line in found), found


def test_every_internal_reached_is_named_and_every_named_one_is_reached():
    reached = {name for path in SOURCES.rglob("*.py")
               for name in re.findall(r"""internal\(\s*["'](weasyprint\.[\w.]+)["']""", path.read_text("utf-8"))}
    assert reached == set(engine.INTERNALS)


def test_each_attribute_bookforge_reads_is_on_a_real_layout():
    """A small page with a running head, a footnote, a named string and emphasis, laid out and drawn: each
    attribute bookforge reads is found on an object of the class it is read on."""
    source = engine.weasyprint.HTML(string=PROBE)
    document = source.render()
    document.write_pdf()
    pages = document.pages
    page_boxes = [engine.page_box(page) for page in pages]
    boxes = [box for page_box in page_boxes for box in page_box.descendants()]
    objects = {"Page": pages, "PageBox": page_boxes, "PageType": [box.page_type for box in page_boxes],
               "Box": boxes, "TextBox": [box for box in boxes if type(box).__name__ == "TextBox"],
               "LayoutContext": [engine._pagination.context], "HTML": [source], "Document": [document],
               "Font": list(document.fonts.values())}
    lacking = [f"{owner}.{name}" for owner, names in READ.items() for name in names
               if not any(hasattr(found, name) for found in objects[owner])]
    assert all(objects.values()) and lacking == []
