"""The spelling data, read as this module is imported: the layout's fork server imports it (``pdf.ENGINE``), so
the data is read once per build, on another core while the book is read, and every editorial worker forked from
the server starts with it (``chapters._workers``).  The build's own process never reads it."""

import gc

from bookforge.diagnostics import BookforgeError
from bookforge.editorial import lexicon

try:
    lexicon.preload()
except BookforgeError:
    pass  # the dictionaries cannot be read: the build's own check (``lexicon.sources``) says so
gc.freeze()  # kept out of the workers' garbage collections, which would otherwise copy every page they touch
