"""The output folder: one build at a time, and each book published as a set by a single rename.

A build writes everything into a generation folder of its own, ``.gen-XXXX``.  When every stage
has succeeded, the symlink ``.current`` is pointed at it by one ``rename``, so the EPUB, the PDF,
``html/`` and the reports change together or not at all.  The names users and tools rely on
stay where they were, as symlinks through ``.current``::

    build/<slug>.epub -> .current/<slug>.epub
    build/<slug>.pdf  -> .current/<slug>.pdf
    build/html        -> .current/html
    build/editorial-report.json, editorial-report.html (the same way)
    build/.current    -> .gen-XXXX     (which also holds .stamp.json, the build's record: stamp.py)
    build/.lock       held by the running build
    build/.cache/     the build cache

Generations no longer current and staging folders left by a killed build are removed by the
next build, while it holds the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bookforge.diagnostics import Diagnostic, OutputError, error

CURRENT = ".current"
GENERATION = ".gen-"
LOCK = ".lock"
ORPHANS = (GENERATION, ".staging-", ".old-", CURRENT + ".new")  # what a killed build may leave behind
FULL_OR_READ_ONLY = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}  # the output folder's fault, whichever file


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` for the whole build; a second build of the same folder stops with a diagnostic."""
    out.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError([error("F-001", "another bookforge build is writing to this folder: wait until it "
                                     "has finished, then build again", str(out / LOCK))]) from None
        yield
    finally:
        os.close(descriptor)


def sweep(out: Path) -> None:
    """Remove what killed builds left behind and generations that are no longer published."""
    current = os.readlink(out / CURRENT) if (out / CURRENT).is_symlink() else None
    for path in out.iterdir():
        if path.name.startswith(ORPHANS) and path.name != current:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def new_generation(out: Path) -> Path:
    generation = Path(tempfile.mkdtemp(prefix=GENERATION, dir=out))
    generation.chmod(0o755)  # readable like the folder it is published in, not private as mkdtemp makes it
    return generation


def publish(out: Path, generation: Path) -> None:
    """Make ``generation`` the published book with one rename, then link its stable names and sweep the old one.
    A hidden file (the build's record, ``.stamp.json``) is published with the rest but gets no stable name."""
    names = sorted(path.name for path in generation.iterdir() if not path.name.startswith("."))
    for name in names:
        _stable_name(out, name)
    swap = out / (CURRENT + ".new")
    swap.unlink(missing_ok=True)
    os.symlink(generation.name, swap)
    os.replace(swap, out / CURRENT)  # the single step that publishes the whole set
    for path in out.iterdir():
        if path.is_symlink() and os.readlink(path).startswith(f"{CURRENT}/") and path.name not in names:
            path.unlink()  # an output this build did not make, such as an earlier proof or slug
    sweep(out)


def _stable_name(out: Path, name: str) -> None:
    """``out/name`` as a symlink to ``.current/name``; an output from before generations is moved aside."""
    path, target = out / name, f"{CURRENT}/{name}"
    if path.is_symlink() and os.readlink(path) == target:
        return
    if path.is_dir() and not path.is_symlink():
        path.rename(out / f".old-{name}-{os.getpid()}")
    link = out / f".old-link-{name}-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(target, link)
    os.replace(link, path)


def fault(exc: OSError, out: Path) -> Diagnostic:
    """An operating system's refusal (full disk, read-only folder, no permission) as a diagnostic."""
    where = exc.filename if isinstance(exc.filename, str) and exc.errno not in FULL_OR_READ_ONLY else str(out)
    return error("F-010", f"the system refused: {exc.strerror or exc}; the published book is unchanged", where)
