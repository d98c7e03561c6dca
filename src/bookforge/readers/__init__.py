"""Readers turn one source file into a Chapter, chosen by the file's suffix (pandoc's reader table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bookforge.diagnostics import Diagnostic, ReaderError, raise_if_errors
from bookforge.model import Book, Chapter, Part, SourceLocation
from bookforge.readers import capture

if TYPE_CHECKING:
    from bookforge.manifest import Manifest

Reader = Callable[[Path, str], Chapter]



def _read_html(path: Path, relpath: str) -> Chapter:
    """A post as ``bookforge import`` writes it: HTML with a metadata header.  Its reader (and Beautiful Soup,
    a fifth of a second to import) is loaded only for a book that has such posts."""
    from bookforge.readers import html

    return html.read(path, relpath)


READERS: dict[str, Reader] = {
    ".txt": capture.read,
    ".html": _read_html,
}


def read(path: Path, relpath: str) -> Chapter:
    """Read the source at ``path``; ``relpath`` is how diagnostics and reports name it."""
    return READERS[path.suffix](path, relpath)


def read_book(manifest: Manifest, read_chapter: Reader = read) -> Book:
    """Read every chapter the manifest names into one Book; report the problems of all files at once.

    ``read_chapter`` reads one file (the preview passes one that reuses what has not changed)."""
    problems: list[Diagnostic] = []
    parts = []
    for number, spec in enumerate(manifest.parts, start=1):
        chapters = []
        for chapter_spec in spec.chapters:
            try:
                chapter = read_chapter(chapter_spec.path, chapter_spec.relpath)
            except ReaderError as exc:
                problems += exc.diagnostics
                continue
            chapters.append(replace(chapter, title=chapter_spec.title) if chapter_spec.title else chapter)
        parts.append(Part(spec.title, f"part-{number}", tuple(chapters), SourceLocation("book.yaml", spec.line)))
    raise_if_errors(problems, ReaderError)
    return Book(metadata=manifest.metadata(), parts=tuple(parts))
