"""The proof's margin notes: stacked so that none overlaps another, all inside the trim."""

from __future__ import annotations

from bookforge.renderers.proof import Box, Frame, Note, note_box, stack

TRIM = Box(0, 0, 432, 648)


def _notes(targets):
    return [Note("x", number, "fix", 0, target, "", "chapters/x.txt:1") for number, target in enumerate(targets, start=1)]


def test_notes_on_one_line_stack_below_each_other_and_crowded_ones_are_pushed_up_from_the_foot():
    frame = Frame("right", False, Box(72, 61, 302, 526), TRIM, ())
    notes = _notes([100, 100, 100, 620, 620, 630])
    heights = {n.key: 40.0 for n in notes}
    tops = stack(heights, notes, frame)
    spans = sorted((tops[n], tops[n] + heights[n]) for n in tops)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no two overlap
    assert spans[0][0] >= 0 and spans[-1][1] <= TRIM.height  # inside the trim
    assert tops["x", 1] == 98  # a lone note stands level with its line


def test_notes_stand_in_the_outer_margin_clear_of_the_text_and_the_trim():
    recto = Frame("right", False, Box(90, 61, 284, 526), TRIM, ())
    verso = Frame("left", False, Box(58, 61, 284, 526), TRIM, ())
    right, left = note_box(recto, 0, 10), note_box(verso, 0, 10)
    assert right.x > 90 + 284 and right.x + right.width < 432 - 5
    assert left.x > 5 and left.x + left.width < 58
