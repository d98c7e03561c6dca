"""The layout engine: WeasyPrint, imported with bookforge's two patches to it installed
(``hang_trailing_space``, ``limit_ladders``).

Importing this module imports WeasyPrint, which takes half a second, so only the processes that
lay pages out import it: the PDF's layout workers are forked from a server process that imports
it while the editorial pass runs (``pdf.engine_started``), and the build's own process never waits for it.

Without the HarfBuzz-Subset library WeasyPrint warns on import and on every font; that is a
slower path, not a fault in the book, so the import's warning is silenced and the layout's
becomes one note (X-101, ``pdf._CollectedWarnings``).
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

HYPHEN = "\u2010"  # the hyphen WeasyPrint sets at a break (print.css's hyphenate-character)
MAX_LADDER = 2  # hyphenated line endings in a row, at most

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    import weasyprint  # noqa: F401  (what this module is for: ``engine.weasyprint``)


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
    from weasyprint.layout import inline

    split = inline.split_first_line
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

    split_first_line.hangs_trailing_space = True
    inline.split_first_line = split_first_line


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
    from weasyprint.layout import block, inline

    iterate = inline.iter_line_boxes
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

    iter_line_boxes.limits_ladders = True
    inline.iter_line_boxes = block.iter_line_boxes = iter_line_boxes


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


hang_trailing_space()
limit_ladders()
