"""The layout engine: WeasyPrint, imported with bookforge's one patch to it installed.

Importing this module imports WeasyPrint, which takes half a second, so only the processes that
lay pages out import it: the PDF's layout workers are forked from a server process that imports
it while the editorial pass runs (``pdf.warm_up``), and the build's own process never waits for it.

Without the HarfBuzz-Subset library WeasyPrint warns on import and on every font; that is a
slower path, not a fault in the book, so the import's warning is silenced and the layout's
becomes one note (X-101, ``pdf._CollectedWarnings``).
"""

from __future__ import annotations

import warnings

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


hang_trailing_space()
