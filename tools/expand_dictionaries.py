"""Expand the Hunspell dictionaries bookforge ships into the word lists a build loads (run after changing them).

For en_US and en_GB in ``src/bookforge/editorial/dictionaries/``, writes ``<name>.words.gz``
beside the .dic: every word form the dictionary accepts as written, found with spylls, with the
hash of the .aff and .dic it was made from (a build ignores a list made from other files).

    PYTHONPATH=src python tools/expand_dictionaries.py
"""

from __future__ import annotations

import os
import time

os.environ.pop("BOOKFORGE_HUNSPELL", None)  # the shipped dictionaries, whatever the shell says

from bookforge.editorial import lexicon  # noqa: E402


def main() -> None:
    for index, name in enumerate(lexicon.DICTIONARIES):
        started = time.process_time()
        header, words = lexicon.expand(index)
        target = lexicon.PACKAGED / f"{name}.words.gz"
        lexicon.write_word_list(header, words, target)
        print(f"{name}: {len(words):,} word forms, {target.stat().st_size:,} bytes, {time.process_time() - started:.1f} s")


if __name__ == "__main__":
    main()
