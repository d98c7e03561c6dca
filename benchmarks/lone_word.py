"""A paragraph ending in an inline span, set at 81 measures with WeasyPrint alone and with bookforge's
fix (renderers/engine.py, ``hang_trailing_space``).

    PYTHONPATH=src python benchmarks/lone_word.py

The text before the span ends in a space.  WeasyPrint 62-70 counts that space, which hangs at the
line's end, so when the words fit and the space does not, ``split_first_line`` takes the text for
one that cannot be split and breaks it after its first word: "doctor was not always available for
the / scores / of appointments I have had since then."  Prints, for each, at how many measures a
line of a single word stands mid-paragraph, and the first few.
"""

from __future__ import annotations

import weasyprint


TEXT = ("My family doctor does not consider herself a therapist, but, to her credit, she did not send me away. "
        "Four family doctors in the practice have tried to help me to understand and learn from and move on "
        "from therapy. There have been four, not because I have changed family doctors, but because the same "
        "doctor was not always available for the scores of appointments I have had since <span>then.</span>")
WIDTHS = range(60, 141)  # millimetres


def lines(width: int) -> list[str]:
    html = (f"<html lang='en'><style>@page {{ size: {width}mm 300mm; margin: 0 }} body {{ margin: 0;"
            f" font: 11pt DejaVu Serif }} p {{ text-align: justify }}</style><p>{TEXT}</p></html>")
    page = weasyprint.HTML(string=html).render().pages[0]._page_box
    return [" ".join("".join(b.text for b in line.descendants() if getattr(b, "text", None)).split())
            for line in page.descendants() if type(line).__name__ == "LineBox"]


def lone(widths) -> list[tuple[int, str]]:
    found = []
    for width in widths:
        found += [(width, line) for line in lines(width)[:-1] if " " not in line]
    return found


def main() -> None:
    for label in ("WeasyPrint alone", "with hang_trailing_space"):
        if label.startswith("with"):
            import bookforge.renderers.engine  # noqa: F401  (importing it installs the fix)
        found = lone(WIDTHS)
        print(f"{label} ({weasyprint.__version__}): {len(found)} of {len(WIDTHS)} measures leave a word alone"
              f" mid-paragraph {found[:3]}")


if __name__ == "__main__":
    main()
