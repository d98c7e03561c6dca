"""The print PDF laid out in groups (front matter, parts, chapters, back matter) and joined: the same book
as one document would be, its cross-references kept, its bytes independent of how the pages were grouped,
and an edit re-lays only what it touches, in a chapter only the pages it moves."""

from __future__ import annotations

import datetime
import functools
import io
import os
import re
import shutil
from dataclasses import replace

import pikepdf
import pytest
from pypdf import PdfReader

from bookforge import cache, html, manifest, pipeline, readers
from bookforge.pipeline import BuildOptions, build
from bookforge.renderers import pdf as renderer
from bookforge.renderers import compositor, print_spec, workers
from bookforge.renderers.pdf import GROUP_STAGE
from conftest import PROJECT
from test_build import CASES
from test_pdf import _zones

EDITED = "space and emoji 🙂."


def _targets(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[int]:
    """The page (from 0) each link on ``page`` leads to inside the PDF."""
    numbers = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
    found = []
    for annotation in page.obj.get("/Annots", ()):
        action = annotation.get("/A")
        if action is not None and action.S == "/GoTo":
            found.append(numbers[action.D[0].objgen])
    return found


def test_the_contents_links_lead_to_the_pages_whose_numbers_it_prints(built):
    reader = PdfReader(built.pdf)
    labels = reader.page_labels
    with pikepdf.open(built.pdf) as pdf:
        [contents] = [n for n, page in enumerate(reader.pages) if _zones(page)["block"].startswith("Contents")]
        printed = re.findall(r"[A-Z][^\n]*?[ .]*?\.[ .]*(\d+)", _zones(reader.pages[contents])["block"])
        targets = _targets(pdf, pdf.pages[contents])
        assert len(printed) >= 7 and len(targets) >= len(printed)
        assert set(printed) <= {labels[n] for n in targets}  # the parts' entries print no number but link too
        uris = [str(a.A.URI) for page in pdf.pages for a in page.obj.get("/Annots", ())
                if "/A" in a and a.A.S == "/URI"]
        assert not [uri for uri in uris if not uri.startswith(("http://", "https://", "mailto:"))]


def test_every_group_opens_on_a_recto(built):
    """Parts, chapters and back matter open on a right-hand page (odd in the PDF), as in a single document."""
    zones = [_zones(page) for page in PdfReader(built.pdf).pages]
    openers = [n for n, page in enumerate(zones)  # a part's title page ("Part One"), not a reader's "Part 1—It makes…"
               if re.match(r"Part [A-Z]\w*\n", page["block"]) or page["block"].startswith(("Credits", "About the Author"))]
    assert len(openers) == 5
    assert all(n % 2 == 0 for n in openers), [n + 1 for n in openers]


def _drawn(font, glyph: str) -> list:
    from fontTools.pens.recordingPen import RecordingPen

    pen = RecordingPen()
    font.getGlyphSet()[glyph].draw(pen)
    return pen.value


def test_each_face_is_embedded_once_for_all_groups_and_draws_every_glyph_as_the_books_font_file(built):
    """The groups' subsets of a face are cut again as one (pdf_post.merge_faces): one font program per face, holding
    every glyph a page sets (its widths and its text), each drawn as in the font file bookforge ships."""
    import io

    from fontTools.ttLib import TTFont

    originals = [TTFont(path) for path in sorted((built.html / "fonts").glob("*.otf"))]
    with pikepdf.open(built.pdf) as pdf:
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type0"]
        garamond = [font for font in fonts if "EB-Garamond" in str(font.BaseFont)]
        assert len(garamond) >= 2
        assert len({str(font.BaseFont) for font in garamond}) == len(garamond)  # 23 groups, one copy of each face
        for font in garamond:
            cid_font = font.DescendantFonts[0]
            entries = list(cid_font.W)
            widths = {int(first) + n for first, run in zip(entries[::2], entries[1::2]) for n in range(len(run))}
            texts = {int(glyph, 16) for glyph in re.findall(rb"<([0-9a-f]{4})> <", font.ToUnicode.read_bytes())}
            assert widths <= texts <= widths | {0} and len(widths) > 50  # .notdef: a character the face lacks
            program = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile3.read_bytes()))
            order = program.getGlyphOrder()
            [original] = [o for o in originals if o["name"].getDebugName(6) == program["name"].getDebugName(6)]
            for glyph in sorted(texts):
                assert _drawn(program, order[glyph]) == _drawn(original, original.getGlyphOrder()[glyph]), glyph
            unused = [n for n in range(len(order)) if n not in texts and _drawn(program, order[n])]
            assert not unused[1:]  # nothing but the glyphs set (and .notdef's box)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """The small book built, a sentence added to one chapter, built again; and the edited sources built cold."""
    project = tmp_path_factory.mktemp("incremental") / "small"
    shutil.copytree(CASES / "small", project)
    build(BuildOptions(project))
    folder = project / "build" / cache.FOLDER / GROUP_STAGE
    before = {path.name for path in folder.iterdir()}
    chapter = project / "chapters" / "quirks.txt"
    text = chapter.read_text(encoding="utf-8")
    assert EDITED in text
    chapter.write_text(text.replace(EDITED, EDITED + " The edit added this sentence to the chapter."), encoding="utf-8")
    again = build(BuildOptions(project))
    laid = {path.name for path in folder.iterdir()} - before
    cold_project = tmp_path_factory.mktemp("cold") / "small"
    shutil.copytree(project, cold_project, ignore=shutil.ignore_patterns("build"))
    cold = build(BuildOptions(cold_project))
    return again, cold, laid, len(before)


def test_an_edited_chapter_is_laid_out_again_alone(edited):
    again, cold, laid, groups_before = edited
    # the edited chapter; the contents and the folio sheet only if its page count moved the numbers
    assert 1 <= len(laid) <= 3 < groups_before


def test_the_incremental_build_is_byte_identical_to_a_cold_build_of_the_edited_sources(edited):
    again, cold, laid, _ = edited
    assert again.pdf.read_bytes() == cold.pdf.read_bytes()
    assert again.epub.read_bytes() == cold.epub.read_bytes()
    assert again.pdf.read_bytes() != b""


def test_the_book_in_one_document_and_in_groups_has_the_same_pages_folios_and_first_words(tmp_path):
    """PDF/UA keeps the book one document (one structure tree); its pages must be the grouped book's."""
    project = tmp_path / "small"
    shutil.copytree(CASES / "small", project)
    grouped = build(BuildOptions(project, tmp_path / "grouped"))
    with (project / "book.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  pdf_variant: pdf/ua-1\n")
    whole = build(BuildOptions(project, tmp_path / "whole"))
    first, second = PdfReader(grouped.pdf), PdfReader(whole.pdf)
    assert len(first.pages) == len(second.pages)
    assert first.page_labels == second.page_labels
    assert [_squeezed(page) for page in first.pages] == [_squeezed(page) for page in second.pages]


def _squeezed(page) -> dict[str, str]:
    """A page's running head, text and folio without white space (a tagged PDF's text breaks lines elsewhere)."""
    return {zone: re.sub(r"\s+", "", text) for zone, text in _zones(page).items()}



def test_the_layout_workers_come_from_the_fork_server_with_weasyprint_and_a_dead_worker_fails_the_map():
    from concurrent.futures.process import BrokenProcessPool

    with workers.engine_started(), renderer._workers() as pool:
        # The server imported WeasyPrint, and the patch with it, and read the English hyphenation patterns
        # before forking the worker: a job lays out at once.  It imported nothing the workers do not use
        # (the templates, the editorial pass, pydantic), which would only slow the server's start.
        probe = ("[name in __import__('sys').modules for name in ('weasyprint', 'bookforge.renderers.engine',"
                 " 'bookforge.renderers.compositor', 'bookforge.html', 'bookforge.editorial', 'pydantic', 'jinja2')]"
                 " + [len(__import__('pyphen').hdcache)]")
        assert renderer._map(pool, eval, [probe]) == [[True, True, True, False, False, False, False, 2]]
        # A worker that dies (killed, out of memory) ends the map with an error instead of being replaced forever.
        with pytest.raises(BrokenProcessPool):
            renderer._map(pool, os._exit, [3])


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    """The included book's XHTML (unedited: the layout is what is tested) and the documents of its groups,
    as the PDF renderer makes them."""
    folder = tmp_path_factory.mktemp("sheets")
    spec = manifest.load(PROJECT)
    written = html.write(readers.read_book(spec), pipeline.styles_folder(PROJECT, False), folder / "html", project=PROJECT)
    options = renderer.PdfOptions(spec.print_spec(), datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    typesetting = renderer._Typesetting(written, options, None, None)
    page = print_spec.page_css(options.spec, print_spec.gutter(100))
    made = [compositor.Job(typesetting._document(group), (page, typesetting.no_folio), None, False)
            for group in renderer.groups(written)[1:4]]
    return written.directory, typesetting.resources, options.date, made, written, options


def _parses(monkeypatch) -> list[int]:
    """Count the stylesheets WeasyPrint parses from now on."""
    import weasyprint

    count = [0]
    parse = weasyprint.preprocess_stylesheet

    def counted(*args, **kwargs):
        count[0] += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "preprocess_stylesheet", counted)
    return count


def test_a_worker_parses_the_books_stylesheets_once_and_lays_out_as_if_it_parsed_them_for_each_document(jobs,
                                                                                                     monkeypatch):
    directory, resources, date, (part, chapter, other), *_ = jobs
    lay_out = functools.partial(compositor.lay_out, directory=directory, date=date, print_css=html.PRINT_CSS)
    alone = lay_out(chapter, resources=[*resources, ("a new book", "")])  # a book of its own: parsed anew
    parses = _parses(monkeypatch)
    lay_out(part, resources=resources)
    first = parses[0]
    assert first >= 3  # the shared and the print stylesheets, and the page rule the renderer adds
    after = lay_out(chapter, resources=resources)
    lay_out(other, resources=resources)
    assert parses[0] == first  # the next documents of the same book parse none
    assert after == alone and after.pdf == alone.pdf and len(after.pages) > 10


def test_a_stylesheet_whose_parsing_writes_into_the_document_is_parsed_for_each_document(jobs, monkeypatch):
    directory, resources, date, (part, *_), *_ = jobs
    layered = replace(part, css=(*part.css, "@layer trade { p { hyphens: manual } }"))
    lay_out = functools.partial(compositor.lay_out, directory=directory, date=date, resources=resources,
                                print_css=html.PRINT_CSS)
    lay_out(layered)
    parses = _parses(monkeypatch)
    lay_out(layered)
    lay_out(layered)
    assert parses[0] == 2  # the layered one, each time (and the others never again)


def test_a_chapter_drawn_in_two_pieces_gives_the_book_the_bytes_of_the_chapter_drawn_whole(jobs, tmp_path):
    """The joined PDF depends on the pages, not on how they were grouped for layout: its fonts are cut once
    per face and each page has its own resources.  A chapter whose pages are drawn as two documents, each
    embedding its own font subsets and resources, and spliced, gives the book the same bytes."""
    written, options = jobs[4], jobs[5]
    with workers.engine_started(), renderer._workers() as pool:
        typesetting = renderer._Typesetting(written, options, None, pool)
        laid_out: dict[int, compositor.Job] = {}
        lay_out = typesetting._lay_out

        def recorded(jobs_):
            results = lay_out(jobs_)
            laid_out.update({id(laid): job for job, laid in zip(jobs_, results)})
            return results

        typesetting._lay_out = recorded
        joined = typesetting.grouped()
        books = []
        chapter = max(range(len(joined.laid)), key=lambda n: len(joined.laid[n].pages))
        whole = joined.laid[chapter]
        half = len(whole.pages) // 2
        job = laid_out[id(whole)]
        draw = functools.partial(compositor.lay_out, directory=written.directory, date=options.date,
                                 resources=typesetting.resources, print_css=html.PRINT_CSS)
        pieces = renderer._map(pool, draw, [replace(job, keep=tuple(range(half))),
                                                     replace(job, keep=tuple(range(half, len(whole.pages))))])
        assert [len(p.pages) for p in pieces] == [half, len(whole.pages) - half] and half > 10
        assert all(piece.faces != whole.faces for piece in pieces)  # each piece embeds subsets of its own glyphs
        cut = renderer.spliced([(piece, 0) for piece in pieces])
        assert (cut.pages, cut.targets, cut.bookmarks, cut.starts, cut.printed, cut.strings) == \
            (whole.pages, whole.targets, whole.bookmarks, whole.starts, whole.printed, whole.strings)
        for laid in (joined.laid, [*joined.laid[:chapter], cut, *joined.laid[chapter + 1:]]):
            target = tmp_path / f"book-{len(books)}.pdf"
            renderer._Joined(laid, joined.sheets, joined.labels, joined.front).finish(
                target, written.metadata.identifier, 0.0, pool, typesetting.font_files(), options.date)
            books.append(target.read_bytes())
    assert len(books[0]) > 100_000 and books[0] == books[1]


def _streams(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() for page in pdf.pages]


def _sentence_end(xml: str, fraction: float) -> int:
    ends = [m.start() + 1 for m in re.finditer(r"[a-z]\. [A-Z]", xml)]
    return ends[int(len(ends) * fraction)]


def _paragraph(xml: str, number: int) -> int:
    return [m.start() for m in re.finditer("<p>", xml)][number]


EDITS = {  # what an author does to a chapter between two builds, at its start, middle and end
    "a sentence added early": lambda x: x[:_sentence_end(x, 0.02)] + " The author added this sentence." + x[_sentence_end(x, 0.02):],
    "a sentence added midway": lambda x: x[:_sentence_end(x, 0.45)] + " The author added this one." + x[_sentence_end(x, 0.45):],
    "a word added midway": lambda x: x[:_sentence_end(x, 0.5) - 1] + " too" + x[_sentence_end(x, 0.5) - 1:],
    "a paragraph added": lambda x: x[:_paragraph(x, 3)] + "<p>A paragraph the author added, long enough to take two lines " \
                                   "of the page and push the text after it down.</p>" + x[_paragraph(x, 3):],
    "words taken out midway": lambda x: x[:_sentence_end(x, 0.59) + 1] + x[_sentence_end(x, 0.59) + 30:],
    "a linked paragraph added to a chapter with footnotes": lambda x: x[:_paragraph(x, 3)] + (
        '<p>A paragraph the author added, with a link<span class="link-note">https://example.org/new</span>, which '
        'numbers every footnote after it again.</p>') + x[_paragraph(x, 3):],
    "words taken out late": lambda x: x[:_sentence_end(x, 0.85)] + x[_sentence_end(x, 0.85) + 40:],
}


def _footnoted(xml: str) -> str:
    """The chapter as a blog full of links is set (print.links: footnotes): a link's address as a footnote at the
    end of every third paragraph."""
    paragraphs = xml.split("</p>")
    return "</p>".join(f'{text}<span class="link-note">https://example.org/linked/{n}</span>' if n % 3 == 0 else text
                       for n, text in enumerate(paragraphs[:-1])) + "</p>" + paragraphs[-1]


@pytest.fixture(scope="module")
def copyedited(tmp_path_factory):
    """The included book's XHTML after the editorial pass (its marks of changes, which the proof places, in it)."""
    folder = tmp_path_factory.mktemp("copyedited")
    spec = manifest.load(PROJECT)
    book, _ = pipeline._edit(readers.read_book(spec), spec, folder)
    written = html.write(book, pipeline.styles_folder(PROJECT, False), folder / "html", project=PROJECT)
    return written, renderer.PdfOptions(spec.print_spec(), datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_edit_lays_out_only_the_pages_it_moves_and_gives_the_chapter_a_whole_layout_gives(copyedited, edit):
    """The longest chapter laid out, edited, laid out again from its previous layout: from its first page only
    as far as the edit moves the pages (the pagination stops where a page starts as before, past the edit),
    only the changed pages drawn, spliced between the previous ones: every page's content and every fact
    the book takes from the layout are those of the edited chapter laid out whole."""
    written, options = copyedited
    typesetting = renderer._Typesetting(written, options, None, None)
    directory, resources, date = written.directory, typesetting.resources, options.date
    page = print_spec.page_css(options.spec, print_spec.gutter(renderer.estimated_pages(written, options.spec)))
    longest = max(renderer.groups(written)[1:], key=lambda group: len(typesetting._document(group)))
    job = compositor.Job(typesetting._document(longest), (page, typesetting.no_folio), None, False)
    if "footnotes" in edit:
        job = replace(job, xml=_footnoted(job.xml))
    draw = functools.partial(compositor.lay_out, directory=directory, date=date, resources=resources, print_css=html.PRINT_CSS)
    before = draw(job)
    edited = replace(job, xml=EDITS[edit](job.xml))
    assert edited.xml != job.xml and len(before.pages) > 30
    whole = draw(edited)
    piece = compositor.lay_out_again(edited, compositor.Since(before.elements, before.breaks), directory, date, resources,
                                     html.PRINT_CSS)
    assert piece is not None
    if "footnotes" not in edit:  # a new footnote numbers every later one again: those pages are all new
        assert piece.stop - piece.first < len(before.pages) or len(whole.pages) != len(before.pages)  # the rest moved
    if edit == "a sentence added early":
        assert piece.stop <= 5  # the text after the sentence meets its old pages again within a few pages
    patched = renderer._patched(before, piece)
    for fact in ("pages", "targets", "bookmarks", "starts", "untraced", "printed", "strings", "breaks", "elements"):
        assert getattr(patched, fact) == getattr(whole, fact), fact
    assert _streams(patched.pdf) == _streams(whole.pdf)
    assert {face[:3]: face[3] for face in patched.faces} == {face[:3]: face[3] for face in whole.faces}
