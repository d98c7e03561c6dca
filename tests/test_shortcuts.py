"""The print PDF's shortcuts (the groups and their folio sheets, the splice of an edited chapter, the page-list, the
cache) each check themselves; when a check fails the book is made the plain way, with a note that says why, and
has the pages WeasyPrint gives it as one plain document.  And the faults real blogs met: an empty element in a
post, a chapter whose last footnotes ran onto a page of their own."""

from __future__ import annotations

import datetime
import functools
import io
import multiprocessing
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from bookforge import html, manifest, pipeline, readers
from bookforge.diagnostics import Severity
from bookforge.renderers import compositor, engine, pagelist, print_spec, proof, workers
from bookforge.renderers import pdf as renderer
from bookforge.renderers.compositor import Laid, PageKind

BOOK_YAML = """\
title: Shortcuts
authors:
  - name: Ann Author
language: en
parts:
  - title: Posts
    chapters:
      - source: chapters/one.html
      - source: chapters/two.html
"""
SENTENCE = ("The post goes on after the empty code block, with words enough to fill a line or two of the page, and "
            "a link to <a href=\"https://example.org/{n}\">a page of its own</a> now and then. ")
FALLBACKS = ("X-203", "X-204", "X-205", "X-206", "X-207")  # the notes and warnings of a shortcut that failed its check


def _chapter(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>{title}</title></head>\n'
            f'<body><article class="post">\n{body}\n</article></body></html>\n')


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A two-chapter book whose first chapter holds an empty code block (a post whose code an export lost) and
    whose chapters carry links, printed as footnotes: its XHTML and the PDF options."""
    project = tmp_path_factory.mktemp("shortcuts") / "book"
    (project / "chapters").mkdir(parents=True)
    (project / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    paragraphs = [f"<p>{SENTENCE.format(n=n) * 4}</p>" for n in range(24)]
    (project / "chapters" / "one.html").write_text(
        _chapter("One", '<p>Code follows.</p>\n<pre lang="xml"></pre>\n' + "\n".join(paragraphs)), encoding="utf-8")
    (project / "chapters" / "two.html").write_text(_chapter("Two", "\n".join(paragraphs[:8])), encoding="utf-8")
    spec = manifest.load(project)
    written = html.write(readers.read_book(spec), pipeline.styles_folder(project, False), project / "html",
                         project=project)
    return written, renderer.PdfOptions(spec.print_spec(), datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))


def _render(html_book, options, target: Path, store: Path | None = None, lay_out=renderer.render):
    with workers.engine_started():
        return lay_out(html_book, target, options, store)


@pytest.fixture(scope="module")
def grouped(tiny, tmp_path_factory):
    """The tiny book laid out as a build lays it out: in groups, numbered by folio sheets."""
    return _render(*tiny, tmp_path_factory.mktemp("grouped") / "grouped.pdf")


@pytest.fixture(scope="module")
def plain(tiny, tmp_path_factory):
    """The tiny book laid out as one plain document (no groups, no folio sheets, no splice, no cache)."""
    return _render(*tiny, tmp_path_factory.mktemp("plain") / "plain.pdf", lay_out=renderer.plain)


def _texts(path: Path) -> list[str]:
    """Each page's text, white space left out (the folio a sheet lays over a page included)."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(path).pages]


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_the_grouped_layout_gives_the_pages_of_the_plain_layout(grouped, plain):
    assert _texts(grouped.path) == _texts(plain.path) and len(_texts(plain.path)) > 8
    assert not set(_codes(grouped)) & set(FALLBACKS) and not set(_codes(plain)) & set(FALLBACKS)


def test_an_empty_element_is_laid_out_as_the_empty_element_it_is(tiny, grouped, tmp_path):
    """WeasyPrint reads the document as HTML: an empty ``<code/>`` there opened a code element that every later
    paragraph of the chapter was set in (formatting elements are reopened), and the page-list, tracing each
    page's first word through that tree, failed with IndexError."""
    with pikepdf.open(grouped.path) as pdf:
        faces = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.get("/Font", {}).values()}
    assert faces and not [face for face in faces if "Mono" in face]  # no text of the book is code
    written, _ = tiny
    copy = replace(written, directory=tmp_path / "html")
    shutil.copytree(written.directory, copy.directory)
    marked, found = pagelist.mark(copy, grouped.pagination)
    assert len(marked.page_list) == grouped.pages and not [d for d in found if d.severity is not Severity.NOTE]


def _sheet_job(tiny, kinds: tuple[PageKind, ...], start: int):
    written, options = tiny
    typesetting = renderer._Typesetting(written, options, None, None)
    page = print_spec.page_css(options.spec, print_spec.gutter(100))
    group = Laid(b"", kinds, (), (), (), (), proof.PrintLayout((), ()), (), ())
    return typesetting, typesetting._folio_sheet(group, start, 8, page)


def test_a_folio_sheet_follows_a_page_of_footnotes_then_the_blank_verso(tiny):
    """WeasyPrint counts a page that holds nothing but the footnotes left over at a document's end as blank; the
    group's verso after it is blank too.  The sheet makes two blank pages in a row with spare pages between them,
    which it does not keep and the page counter skips."""
    kinds = (PageKind("opener", "right", False), PageKind("", "left", False), PageKind("", "right", True))
    typesetting, job = _sheet_job(tiny, kinds, 24)
    written, options = tiny
    sheet = compositor.lay_out(job, written.directory, options.date, typesetting.resources, html.PRINT_CSS)
    assert [renderer._furniture(k) for k in sheet.pages] == [renderer._furniture(k) for k in renderer._even_kinds(kinds)]
    assert [page.extract_text().strip() for page in PdfReader(io.BytesIO(sheet.pdf)).pages] == ["17", "18", "", ""]


def test_when_a_folio_sheet_fails_its_check_the_book_is_laid_out_plain_with_a_note(tiny, plain, tmp_path, monkeypatch):
    folio_sheet = renderer._Typesetting._folio_sheet
    monkeypatch.setattr(renderer._Typesetting, "_folio_sheet",  # a sheet one page short of its group
                        lambda self, group, *rest: folio_sheet(self, replace(group, pages=group.pages[:-1]), *rest))
    made = _render(*tiny, tmp_path / "book.pdf")
    [fell_back] = [d for d in made.diagnostics if d.code == "X-203"]
    assert fell_back.severity is Severity.NOTE and "folio sheet of pages" in fell_back.message
    assert _texts(made.path) == _texts(plain.path)


def test_a_weasyprint_without_an_internal_the_groups_need_lays_the_book_out_plain_with_a_note(tiny, plain, tmp_path,
                                                                                              monkeypatch):
    """The layout workers forked from this process, which knows of one internal more than WeasyPrint has."""
    monkeypatch.setattr(workers, "process_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setitem(engine.INTERNALS, "weasyprint.layout.page.make_every_page_at_once", None)
    assert engine.missing() == ["weasyprint.layout.page.make_every_page_at_once"]
    made = _render(*tiny, tmp_path / "book.pdf")
    [fell_back] = [d for d in made.diagnostics if d.code == "X-203"]
    assert "lacks weasyprint.layout.page.make_every_page_at_once" in fell_back.message
    assert _texts(made.path) == _texts(plain.path)


def _edited(tiny, tmp_path: Path):
    """A copy of the tiny book's XHTML, and a function that adds a sentence to its first chapter."""
    written, _ = tiny
    copy = replace(written, directory=tmp_path / "html")
    shutil.copytree(written.directory, copy.directory)
    chapter = copy.path(next(page for page in copy.pages if page.kind == "chapter"))

    def edit():
        text = chapter.read_text("utf-8")
        chapter.write_text(text.replace("</p>", " The author added this sentence.</p>", 3), "utf-8")
    return copy, edit


def test_a_splice_that_fails_its_check_lays_the_edited_group_out_whole_with_a_note(tiny, tmp_path, monkeypatch):
    written, options = tiny
    copy, edit = _edited(tiny, tmp_path)
    store = tmp_path / "build"
    _render(copy, options, tmp_path / "before.pdf", store)
    edit()
    monkeypatch.setattr(renderer, "_seam", lambda old, piece: "a seam made to fail")
    again = _render(copy, options, tmp_path / "again.pdf", store)
    [redone] = [d for d in again.diagnostics if d.code == "X-204"]
    assert "a seam made to fail" in redone.message and "one.xhtml" in redone.message
    cold = _render(copy, options, tmp_path / "cold.pdf")
    assert again.path.read_bytes() == cold.path.read_bytes()


def test_a_partial_layout_that_fails_in_the_worker_is_redone_whole(tiny, monkeypatch):
    written, options = tiny
    typesetting = renderer._Typesetting(written, options, None, None)
    page = print_spec.page_css(options.spec, print_spec.gutter(100))
    group = renderer.groups(written)[2]
    job = compositor.Job(typesetting._document(group), (page, typesetting.no_folio), None, False)
    lay_out = functools.partial(compositor.lay_out, directory=written.directory, date=options.date,
                                resources=typesetting.resources, print_css=html.PRINT_CSS)
    whole = lay_out(job)

    def failing(*args):
        raise IndexError("a page the watch did not expect")

    monkeypatch.setattr(compositor, "lay_out_again", failing)
    redone = compositor.lay_out_edited((job, compositor.Since(whole.elements, whole.breaks)), written.directory,
                                       options.date, typesetting.resources, html.PRINT_CSS)
    assert isinstance(redone, compositor.Redone) and "IndexError: a page the watch did not expect" in redone.reason
    assert redone.laid == whole


def test_a_page_list_that_cannot_be_placed_is_left_out_with_a_warning_and_the_xhtml_untouched(tiny, plain, tmp_path,
                                                                                              monkeypatch):
    written, _ = tiny
    copy = replace(written, directory=tmp_path / "html")
    shutil.copytree(written.directory, copy.directory)
    before = {path.name: path.read_bytes() for path in copy.directory.glob("*.xhtml")}

    def failing(tree, breaks):
        raise KeyError("contents")

    monkeypatch.setattr(pagelist, "_add_page_list", failing)
    marked, found = pagelist.mark(copy, plain.pagination)
    [left_out] = [d for d in found if d.code == "X-206"]
    assert left_out.severity is Severity.WARNING and "KeyError" in left_out.message
    assert marked.page_list == () and {p.name: p.read_bytes() for p in copy.directory.glob("*.xhtml")} == before


def test_a_page_start_the_xhtml_does_not_hold_stands_with_the_next_page_and_is_warned(tiny, plain, tmp_path):
    written, _ = tiny
    copy = replace(written, directory=tmp_path / "html")
    shutil.copytree(written.directory, copy.directory)
    starts = list(plain.pagination.starts)
    number = next(n for n, start in enumerate(starts) if start is not None and n > 4)
    starts[number] = replace(starts[number], path=(*starts[number].path, 40, 2))  # an element the XHTML has not
    marked, found = pagelist.mark(copy, replace(plain.pagination, starts=tuple(starts)))
    assert [d.message for d in found if d.code == "X-201"] == [pagelist.untraced_warning(number + 1).message]
    lost, following = (marked.page_list[n].href.split("#") for n in (number, number + 1))
    assert len(marked.page_list) == len(starts) and lost[0] == following[0]
    marker = etree.parse(str(copy.directory / lost[0])).getroot().xpath(f"//*[@id='{lost[1]}']")[0]
    assert marker.getnext().get("id") == following[1] and not (marker.tail or "").strip()  # right before the next


def test_the_included_book_takes_every_shortcut(built):
    """No note or warning of a shortcut that failed its check: the included book is laid out in groups."""
    assert not [line for line in built.stderr.splitlines() if any(f"[{code}]" in line for code in FALLBACKS)]
