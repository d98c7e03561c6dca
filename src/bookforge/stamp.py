"""The stamp: what the published book was made from and what it is, so that a rebuild with nothing
changed is decided from hashes in a fraction of a second, before any heavy library is imported.

Every build run by ``bookforge build`` writes ``.stamp.json`` into its generation folder before the
folder is published (``output.publish``), so the record and the outputs it describes are published
by the same rename.  The record is JSON (data, never code) and holds:

- the SHA-256 of every file in the project folder, whatever book.yaml names (chapters, styles/, the
  cover, an export, pictures), with every folder and every symbolic link's target (links are not
  followed), leaving out the output folder, ``.git``, ``__pycache__`` and the inside of a Python
  virtual environment (a folder holding ``pyvenv.cfg``, such as ``.venv``: the libraries in it
  count by their versions, below);
- what else decides the outputs: the options (project, output folder, ``--proof``), the source
  date (``SOURCE_DATE_EPOCH`` or the last commit's time), the Python version, a digest of
  bookforge's own files (code, templates, styles, dictionaries) and every installed library's
  name and version (the names of the ``.dist-info`` folders on ``sys.path``: cheap to read, and a
  superset of the libraries whose code decides a result);
- the SHA-256 of every published output (the EPUB, the PDF, the proof, the reports, ``html/``);
- the build's summary and warnings, which a rebuild with nothing changed prints again.

``take`` makes the same snapshot before a build reads anything; ``published`` returns the recorded
summary when the published record matches it and every output is still there with its digest.
Anything else is a miss and the build runs as usual, stage by stage from the cache: no record, a
record that is unreadable, edited or of another format, a difference anywhere.  A project past
``MAX_FILES`` files or ``MAX_BYTES`` bytes, or a ``BOOKFORGE_HUNSPELL`` dictionary folder (outside the
project), gets no record, so a huge folder never makes the check slow.  FIFOs, sockets and devices
are passed over: no build reads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from bookforge import output, timestamp
from bookforge.diagnostics import Diagnostic, OutputError, Severity

FORMAT = "bookforge-stamp/1"
NAME = ".stamp.json"
MAX_FILES = 5_000
MAX_BYTES = 200 * 1024 * 1024
MAX_RECORD = 64 * 1024 * 1024
PASSED_OVER = frozenset({".git", "__pycache__"})
VIRTUAL_ENVIRONMENT = "pyvenv.cfg"  # the file that makes a folder a Python virtual environment (PEP 405)
FOLDER = "folder"  # a folder's entry in a tree: it matters that it exists (an empty styles/ fails the build)
UNREADABLE = "unreadable"
ENVIRONMENT = "virtual environment"  # a Python virtual environment's entry: there, not looked into
PACKAGE = Path(__file__).resolve().parent
CHECKOUT_STYLES = PACKAGE.parents[1] / "styles"  # bookforge's styles beside src/ in a source checkout


class TooLarge(Exception):
    """A folder past ``MAX_FILES`` entries or ``MAX_BYTES`` bytes: no fast path for it."""


@dataclass(frozen=True)
class Summary:
    """What ``bookforge build`` prints when it has built the book, kept to be printed again."""

    title: str  # the title and the counts of parts, chapters and comments
    editorial: str  # the editorial pass's counts
    written: tuple[tuple[str, int | None], ...]  # each output's name in the output folder, with its pages
    diagnostics: tuple[Diagnostic, ...]  # the warnings and notes


@dataclass(frozen=True)
class Snapshot:
    """Everything a build's outputs depend on, taken before the build reads anything."""

    out: Path
    key: dict  # the options, the environment, bookforge's code and the libraries
    inputs: dict[str, str] | None  # the project's tree; None when the project gets no fast path

    @property
    def files(self) -> int:
        return sum(1 for value in (self.inputs or {}).values() if value != FOLDER)


def take(project: Path, out: Path | None, proof: bool) -> Snapshot:
    """The snapshot of a build of ``project`` into ``out`` (default ``project/build``)."""
    out = (out or project / "build").resolve()
    root = project.resolve()
    key = {"options": {"project": str(root), "out": str(out), "proof": proof},
           "environment": {"source_date": timestamp.source_date(root, None).isoformat(), "python": sys.version},
           "code": _code(),
           "libraries": _libraries()}
    inputs = None
    if not os.environ.get("BOOKFORGE_HUNSPELL") and not root.is_relative_to(out):
        try:
            inputs = tree(root, skip=out)
        except (TooLarge, OSError):
            pass
    return Snapshot(out, key, inputs)


def seal(snapshot: Snapshot, generation: Path, summary: Summary) -> None:
    """Write the record of a build into its generation folder, which is about to be published."""
    if snapshot.inputs is None:
        return
    try:
        outputs = tree(generation)
    except TooLarge:
        return
    body = {"key": snapshot.key, "inputs": snapshot.inputs, "outputs": outputs, "summary": _encoded(summary)}
    record = {"format": FORMAT, "sha256": _digest(body), "body": body}
    try:
        (generation / NAME).write_text(json.dumps(record, indent=1), encoding="utf-8")
    except OSError:
        (generation / NAME).unlink(missing_ok=True)  # a full disk: no record, so the next build runs in full


def published(snapshot: Snapshot) -> Summary | None:
    """The recorded summary when the published book was built from exactly this snapshot and every
    output is as it was written; None (a miss, never an error) otherwise."""
    if snapshot.inputs is None:
        return None
    try:
        current = os.readlink(snapshot.out / output.CURRENT)  # first: a folder never built is not created
        if not current.startswith(output.GENERATION) or "/" in current:
            return None
        with output.locked(snapshot.out):  # a build writing this folder now: let the build say so
            return _verified(snapshot, snapshot.out / current)
    except (OSError, OutputError, ValueError, KeyError, TypeError, TooLarge, RecursionError):
        return None


def tree(top: Path, skip: Path | None = None, capped: bool = True) -> dict[str, str]:
    """Every folder, file and symbolic link below ``top`` (but ``skip`` and ``PASSED_OVER``), by its path
    relative to ``top``: a file's SHA-256, a link's target, ``FOLDER``.  Links are not followed.
    Raises ``TooLarge`` past ``MAX_FILES`` entries or ``MAX_BYTES`` bytes when ``capped``."""
    found: dict[str, str] = {}
    budget = [MAX_BYTES if capped else sys.maxsize]
    most = MAX_FILES if capped else sys.maxsize
    start = len(str(top)) + 1
    folders = [str(top)]
    while folders:
        try:
            with os.scandir(folders.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue  # an unreadable folder: recorded as such by its parent
        for entry in entries:
            name = entry.path[start:]
            if entry.name in PASSED_OVER or entry.path == str(skip):
                continue
            if entry.is_symlink():
                found[name] = "link:" + os.readlink(entry.path)
            elif entry.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(entry.path, VIRTUAL_ENVIRONMENT)):
                found[name + "/"] = ENVIRONMENT  # a Python virtual environment: its libraries count by their versions
            elif entry.is_dir(follow_symlinks=False):
                found[name + "/"] = FOLDER if os.access(entry.path, os.R_OK | os.X_OK) else UNREADABLE
                folders.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                digest = _file_digest(entry.path, budget)
                if digest:
                    found[name] = digest
            if len(found) > most:
                raise TooLarge(top)
    return found


def _verified(snapshot: Snapshot, generation: Path) -> Summary | None:
    with open(generation / NAME, "rb") as file:
        record = json.loads(file.read(MAX_RECORD))
    body = record["body"]
    if record["format"] != FORMAT or record["sha256"] != _digest(body):
        return None
    if body["key"] != snapshot.key or body["inputs"] != snapshot.inputs:
        return None
    outputs = tree(generation)
    outputs.pop(NAME)
    if body["outputs"] != outputs:
        return None
    for name in {path.split("/")[0] for path in outputs}:
        if os.readlink(snapshot.out / name) != f"{output.CURRENT}/{name}":
            return None  # a published name removed or pointed elsewhere
    return _decoded(body["summary"])


def _file_digest(path: str, budget: list[int]) -> str | None:
    """A regular file's SHA-256, ``UNREADABLE``, or None when it is no longer a regular file (a FIFO now, say)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return UNREADABLE
    with open(descriptor, "rb") as file:
        size = os.fstat(descriptor)
        if not stat.S_ISREG(size.st_mode):
            return None
        budget[0] -= size.st_size
        if budget[0] < 0:
            raise TooLarge(path)
        try:
            return hashlib.file_digest(file, "sha256").hexdigest()
        except OSError:
            return UNREADABLE


def _code() -> str:
    """A digest of bookforge's own files: its code, templates, styles and dictionaries."""
    files = tree(PACKAGE, capped=False)
    if CHECKOUT_STYLES.is_dir():
        files.update({f"styles/{name}": value for name, value in tree(CHECKOUT_STYLES, capped=False).items()})
    return _digest(files)


def _libraries() -> list[str]:
    """Every installed distribution's name and version, from the names of its metadata folders."""
    found = set()
    for folder in sys.path:
        try:
            found.update(name for name in os.listdir(folder or ".") if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(found)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _encoded(summary: Summary) -> dict:
    return {"title": summary.title, "editorial": summary.editorial, "written": [list(item) for item in summary.written],
            "diagnostics": [[d.code, d.severity.value, d.message, d.path, d.line, d.column] for d in summary.diagnostics]}


def _decoded(data: dict) -> Summary:
    """The summary a record holds; a TypeError, KeyError or ValueError for anything of the wrong shape."""
    written = tuple((_typed(name, str), _typed(pages, int, None)) for name, pages in data["written"])
    diagnostics = tuple(
        Diagnostic(_typed(code, str), Severity(severity), _typed(message, str), _typed(path, str),
                   _typed(line, int, None), _typed(column, int, None))
        for code, severity, message, path, line, column in data["diagnostics"])
    return Summary(_typed(data["title"], str), _typed(data["editorial"], str), written, diagnostics)


def _typed(value, kind: type, *other):
    if isinstance(value, bool) or not (isinstance(value, kind) or value in other):
        raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value
