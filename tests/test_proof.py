"""The proof edition's stylesheet: a corrected word keeps its original in the margin, a removed
comment leaves a boxed note where it stood."""

from __future__ import annotations

import io
import shutil

from pypdf import PdfReader

from bookforge.renderers.pdf import _weasyprint
from conftest import PROJECT

PAGE = """<html lang="en"><head><meta charset="utf-8"/>
<link rel="stylesheet" href="css/book.css"/><link rel="stylesheet" href="css/print.css"/>
<link rel="stylesheet" href="css/proof.css"/></head><body><section class="chapter">
<p>A reader submitted this <span class="proof-fix" data-before="wonderfull">wonderful</span> comment.</p>
<aside class="proof-note" data-kind="comment_removed" data-reason="exact_duplicate">Removed: a repeat.</aside>
</section></body></html>"""


def test_proof_marks_stand_in_the_margin_and_where_the_comment_was(tmp_path):
    shutil.copytree(PROJECT / "styles", tmp_path / "css")
    shutil.copytree(PROJECT / "styles" / "fonts", tmp_path / "fonts")
    weasyprint = _weasyprint()
    page_rules = weasyprint.CSS(string="@page { size: 6in 9in; margin: 0.75in 0.6in 0.8in 0.75in; }")
    data = weasyprint.HTML(string=PAGE, base_url=(tmp_path / "page.xhtml").as_uri()).write_pdf(stylesheets=[page_rules])
    placed = {}

    def keep(text, cm, tm, font, size):
        if text.strip():
            placed[text.strip()] = cm[4] + tm[4]

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=keep)
    text_block_right = (6 - 0.6) * 72
    assert placed["wonderfull"] > text_block_right  # the original, out in the margin
    note = " ".join(placed)
    assert "Removed: a repeat." in note and "exact_duplicate" in note.lower()  # the note, with its reason
