"""The EPUB's fonts, subset to the characters the book sets, so the package carries no unused glyphs.

A subset keeps the font's name, licence and layout features (small capitals, ligatures, kerning)
and its file name and format, so the shared stylesheet finds it where it found the full font.
The same font and the same text give the same bytes on every build (no timestamp is recalculated),
so a subset is kept in the build cache, keyed on the font's bytes and the characters: a rebuild
whose text sets no new character takes it from there instead of cutting the font again (half a
second for the book's three faces).
"""

from __future__ import annotations

import hashlib
import io
import string
from collections.abc import Iterable
from pathlib import Path

from bookforge import cache

# Characters a reading system may set even where the text has none: hyphens of its own hyphenation,
# the ellipsis of a truncated title, and plain ASCII for the labels it draws.
ALWAYS = string.printable + "\u00a0\u00ad\u2010\u2011\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
STAGE = "epub-font"  # the cache's folder for the subsets


def characters(texts: Iterable[str]) -> str:
    """Every character ``texts`` set, and those of ``ALWAYS``, once each and in order: what a subset keeps."""
    found: set[str] = set(ALWAYS)
    for text in texts:
        found.update(text)
    return "".join(sorted(found))


def subset_font(data: bytes, text: str, store: Path | None = None) -> bytes:
    """``data`` (OpenType or TrueType) cut down to the glyphs that set ``text`` (from ``characters``); from the
    cache of the build folder ``store`` when the same font was cut to the same characters before."""
    if store is None:
        return _subset(data, text)
    digest = cache.key(STAGE, hashlib.sha256(data).hexdigest(), text, cache.versions("fonttools"), code=[Path(__file__)])
    return cache.cached(store, STAGE, digest, bytes, lambda: _subset(data, text))[0]


def _subset(data: bytes, text: str) -> bytes:
    from fontTools import subset  # a tenth of a second to import: only when an EPUB is packaged, not at start-up

    options = subset.Options()
    options.layout_features = [*options.layout_features, "smcp", "c2sc", "onum", "lnum", "pnum", "tnum"]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's build stamp: no glyphs, and not subsettable
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = subset.load_font(io.BytesIO(data), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
