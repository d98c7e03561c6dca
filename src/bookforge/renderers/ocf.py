"""The OCF container: the EPUB's zip, written so that the same sources give the same bytes.

``mimetype`` comes first and uncompressed, as EPUB requires; every other entry follows in
sorted order with one fixed timestamp (the book's source date) and fixed permissions, so
nothing about the machine or the moment of the build reaches the file.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

MIMETYPE = "mimetype"
EARLIEST = (1980, 1, 1, 0, 0, 0)  # a zip cannot say earlier


def repack(raw: bytes, target: Path, when: datetime.datetime) -> None:
    """Write the entries of the zip ``raw`` to ``target`` in the reproducible layout."""
    stamp = max(when.astimezone(datetime.timezone.utc).timetuple()[:6], EARLIEST)
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(target, "w") as out:
        _add(out, MIMETYPE, source.read(MIMETYPE), zipfile.ZIP_STORED, stamp)
        for name in sorted(set(source.namelist()) - {MIMETYPE}):
            _add(out, name, source.read(name), zipfile.ZIP_DEFLATED, stamp)


def _add(out: zipfile.ZipFile, name: str, data: bytes, compression: int, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = compression
    info.create_system = 3  # Unix, whatever the machine
    info.external_attr = 0o100644 << 16  # a plain file, rw-r--r--
    out.writestr(info, data, compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None)
