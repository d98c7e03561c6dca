"""The printed contents page, measured in the real PDF: even dot leaders and right-aligned page numbers.

WeasyPrint sets leader dots on a grid counted from the line's end and drops those the page number
would cover, so with numbers of different widths the dots used to stop at different places.  The
number now stands in a box of fixed width (print.css), and these tests measure the result from
the characters' positions (pdfplumber), entry by entry.
"""

from __future__ import annotations

from collections import defaultdict

import pdfplumber
import pytest

TOLERANCE = 0.5  # points: well under the width of one leader dot (about 1.5 pt)


@pytest.fixture(scope="module")
def entries(built):
    """(text, last leader dot's right edge, page number's left edge, right edge) of each contents entry with a leader."""
    with pdfplumber.open(built.pdf) as pdf:
        page = next(p for p in pdf.pages if (p.extract_text() or "").startswith("Contents"))
        rows = defaultdict(list)
        for char in page.chars:
            rows[round(char["bottom"])].append(char)
    found = []
    for baseline in sorted(rows):
        chars = sorted(rows[baseline], key=lambda c: c["x0"])
        text = "".join(c["text"] for c in chars)
        digits = len(text) - len(text.rstrip("0123456789"))
        if not digits or ". ." not in text:
            continue  # a part's heading, the title or the page's own folio
        number, before = chars[-digits:], chars[:-digits]
        last_dot = max(c["x1"] for c in before if c["text"] == ".")
        found.append((text, last_dot, number[0]["x0"], number[-1]["x1"]))
    return found


def test_every_entry_has_a_leader_and_a_page_number(entries):
    # Five chapters, the credits and the author's page; numbers of one, two and three digits.
    assert len(entries) == 7
    widths = {len(text) - len(text.rstrip("0123456789")) for text, *_ in entries}
    assert widths == {1, 2, 3}


def test_every_leader_ends_at_the_same_column(entries):
    ends = [last_dot for _, last_dot, _, _ in entries]
    assert max(ends) - min(ends) <= TOLERANCE, [(text[:30], round(end, 2)) for text, end, _, _ in entries]


def test_the_page_numbers_are_right_aligned_and_clear_of_the_dots(entries):
    rights = [right for *_, right in entries]
    assert max(rights) - min(rights) <= TOLERANCE
    # The widest number still leaves a space between the last dot and its first figure.
    assert min(left - last_dot for _, last_dot, left, _ in entries) >= 2.0
