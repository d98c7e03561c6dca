"""The build as the author runs it: the command's report, the outputs, and a small case book
whose intermediate XHTML is checked against golden files.

Set BOOKFORGE_REGEN_GOLDENS=1 to rewrite the goldens after a deliberate change, then review the diff.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bookforge.pipeline import BuildOptions, build
from bookforge.renderers.compositor import book_fetcher
from conftest import PROJECT

CASES = Path(__file__).parent / "cases"
PAGE_BREAK = re.compile(r'<span epub:type="pagebreak" [^>]*/>')

# The captures as published; chapters/ must hold them byte for byte (the editorial pass changes text, not files).
CAPTURES = {
    "shame-and-attachment-to-your-therapist.txt": "f5940f383821603f4cb02bb173dcfb8863a6af0cf460a39a7bcc104f06a29119",
    "attachment-to-your-therapist.txt": "07eacff51e719dc2bab6667adee1e0cedf2fb8ac733e993bfd4ad98876007501",
    "emotions-to-avoid-or-to-heal.txt": "13b8535d58595e3cbbf26e5f1960e1f7aab77804fa4b1cbad368751f98ae5fbb",
    "update-on-attachment-to-therapist.txt": "8b5dceac2e1ad27e1e621893be2ba0691e5085ed4d9bca5483697d09613da468",
    "healing-a-damaged-self.txt": "ec69238215ea1a25776ae418e7108b82d8d27a820b4cad23a74f4866898c8828",
}


def test_chapters_are_the_captures_byte_for_byte():
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (PROJECT / "chapters").glob("*.txt")}
    assert found == CAPTURES


def test_build_reports_each_stage_time_the_outputs_and_the_page_count(built):
    lines = built.stdout.splitlines()
    stages = [line.split()[0] for line in lines if re.fullmatch(r"\s+[\w-]+\s+\d+\.\d\d s", line)]
    assert stages == ["stamp", "manifest", "read", "edit", "html", "pdf", "page-list", "epub", "proof"]
    assert "5 chapters, 213 comments" in built.stdout  # 221 in the captures, 8 removed by the editorial pass
    assert "editorial: 8 comments removed" in built.stdout
    assert f"wrote {built.epub}" in built.stdout
    pages = re.search(rf"wrote {re.escape(str(built.pdf))} \((\d+) pages\)", built.stdout)
    assert pages and int(pages.group(1)) > 50
    # no warning from any library; at most the note that a system library for speed is missing
    assert [line for line in built.stderr.splitlines() if "note [X-101]" not in line] == []


def test_build_leaves_only_the_outputs(built):
    names = [built.epub.name, built.pdf.name, built.proof.name, "html", "editorial-report.json", "editorial-report.html"]
    generation = os.readlink(built.out / ".current")
    assert sorted(p.name for p in built.out.iterdir()) == sorted([*names, ".cache", ".current", ".lock", generation])
    assert sorted(p.name for p in (built.out / generation).iterdir()) == sorted([*names, ".stamp.json"])
    assert all(os.readlink(built.out / name) == f".current/{name}" for name in names)


def test_a_rebuild_reuses_the_editorial_pass_and_the_layout_and_gives_the_same_book(small):
    project, first = small
    out = project / "build"
    before = {name: (out / name).read_bytes() for name in ("editorial-report.json", "a-small-case.pdf", "a-small-case.epub")}
    again = build(BuildOptions(project))
    times, first_times = dict(again.timings), dict(first.timings)
    assert times["edit"] < first_times["edit"] and times["pdf"] < first_times["pdf"] / 5
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in (out / ".cache").iterdir()) == ["edit", "edit-chapter", "edit-spelling", "epub-font", "pdf", "pdf-group", "pdf-previous"]


def test_the_epub_fonts_are_cut_while_the_pdf_is_laid_out(tmp_path, monkeypatch):
    # A worker cuts them into the cache ahead (epub.fonts_cut_ahead): the EPUB stage, here unable to cut one,
    # only takes them from there, and they are subsets.
    from bookforge.renderers import fonts

    project = tmp_path / "small"
    shutil.copytree(CASES / "small", project)
    monkeypatch.setattr(fonts, "_subset", lambda *args: pytest.fail("the EPUB stage cut a font itself"))
    build(BuildOptions(project))
    with zipfile.ZipFile(project / "build" / "a-small-case.epub") as epub:
        carried = {Path(name).name: epub.getinfo(name).file_size for name in epub.namelist() if name.endswith(".otf")}
    assert carried and all(size < (PROJECT / "styles" / "fonts" / name).stat().st_size for name, size in carried.items())


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    project = tmp_path_factory.mktemp("small") / "small"
    shutil.copytree(CASES / "small", project)
    return project, build(BuildOptions(project))


def test_small_book_builds_without_warnings(small):
    project, result = small
    assert [d for d in result.diagnostics if d.code != "X-101"] == []
    assert (project / "build" / "a-small-case.epub").is_file()
    assert result.pdf_pages >= 5


@pytest.mark.parametrize("name", ["quirks", "hostile"])
def test_chapter_xhtml_matches_its_golden_file(small, name):
    project, _ = small
    written = (project / "build" / "html" / f"{name}.xhtml").read_text(encoding="utf-8")
    written = PAGE_BREAK.sub("", written)  # where print pages begin depends on print.css: see test_pagelist.py
    golden = CASES / "small" / "expected" / f"{name}.xhtml"
    if os.environ.get("BOOKFORGE_REGEN_GOLDENS"):
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


def test_hostile_markup_in_a_capture_is_printed_as_text_never_obeyed(small):
    project, _ = small
    page = (project / "build" / "html" / "hostile.xhtml").read_text(encoding="utf-8")
    text = re.sub(r"</?span\b[^>]*>", "", page)  # the edit and whole-word spans the book's own markup adds
    assert "&lt;script&gt;" not in text  # the chapter title comes from book.yaml here
    assert '&lt;img src="file:///etc/passwd"&gt;' in text  # printed as written: a tag written as text is code
    assert "&lt;style&gt;body{display:none}&lt;/style&gt;" in text
    assert not re.search(r"<(script|style|iframe|img)\b", page)


def test_the_pdf_fetches_nothing_outside_the_book(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "ok.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    fetch = book_fetcher(tmp_path / "html")
    assert fetch((tmp_path / "html" / "ok.css").as_uri()).read() == b"p {}"
    for url in [(tmp_path / "secret.txt").as_uri(), (tmp_path / "html" / ".." / "secret.txt").as_uri(),
                "http://example.com/x.css", "file:///etc/passwd"]:
        with pytest.raises(ValueError, match="only the book's own files"):
            fetch(url)


def test_a_refused_resource_is_a_warning_in_a_real_layout_not_a_crash(tmp_path, caplog):
    """WeasyPrint itself calls the fetcher; a refusal must come back as its usual warning."""
    import weasyprint

    (tmp_path / "secret.png").write_bytes(b"not for the book")
    page = f'<p>x<img src="{(tmp_path / "secret.png").as_uri()}"/><img src="http://example.com/a.png"/></p>'
    (tmp_path / "html").mkdir()
    weasyprint.HTML(string=page, base_url=(tmp_path / "html").as_uri() + "/",
                    url_fetcher=book_fetcher(tmp_path / "html")).render()
    refused = [r.getMessage() for r in caplog.records if "only the book's own files" in r.getMessage()]
    assert len(refused) == 2
