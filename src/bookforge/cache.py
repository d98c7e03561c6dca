"""A build cache: results of slow stages kept in ``build/.cache``, found again by a hash of their inputs.

A key covers everything a result depends on, the code that made it included, so a stale
entry is never used; a missing or unreadable entry simply means the stage runs again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
FOLDER = ".cache"


def key(*parts: object, code: Iterable[Path] = ()) -> str:
    """A hash of the inputs' reprs and of the source files of the code that uses them."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\0")
    for path in sorted(code):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def versions(*packages: str) -> dict[str, str]:
    """The installed versions of the libraries whose code or data decide a stage's result."""
    from importlib.metadata import version

    return {name: version(name) for name in packages}


def tree(directory: Path) -> list[tuple[str, str]]:
    """Every file below ``directory`` with the hash of its bytes, in a fixed order: a folder's fingerprint."""
    return [(path.relative_to(directory).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(directory.rglob("*")) if path.is_file()]


def cached(out: Path, name: str, digest: str, compute: Callable[[], T]) -> tuple[T, bool]:
    """The stored result for ``digest``, or ``compute()``'s, stored for next time; and whether it was stored already."""
    path = out / FOLDER / f"{name}-{digest[:20]}.pickle"
    try:
        return pickle.loads(path.read_bytes()), True
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        pass
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{name}-*.pickle"):
        old.unlink(missing_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(path)
    return value, False
