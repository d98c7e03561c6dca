"""A build cache: results of slow stages kept in ``build/.cache``, found again by a hash of their inputs.

A key covers everything a result depends on, the code that made it included, so a stale
entry is never used.  An entry is data, never code: one file per result,
``.cache/<stage>/<key>.entry``, holding a JSON header line (the format, the stage, the key,
and the SHA-256 and length of every part), then the result as JSON (``codec``), then its
bytes (a PDF, say) raw.  Every hash is checked on load: an entry that is unreadable, edited,
truncated or made for another stage or key is a miss, deleted and recomputed, never used.
A stage may keep several live entries (one per chapter, say); the least recently used
beyond ``KEEP`` are pruned.  Entries are written to a temporary file and renamed into place; a
stage may have them written by a thread while the build goes on (``store(later=True)``), read back
from memory meanwhile, and the build waits for them before it ends (``written``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from bookforge import codec
from bookforge.diagnostics import Diagnostic, note

T = TypeVar("T")
FOLDER = ".cache"
FORMAT = "bookforge-cache/1"
KEEP = 64  # live entries per stage, unless the stage asks for more (one per chapter of a long book, say)
_later = threading.local()  # the entries a thread is writing for this build (``written``): path -> value, futures


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


def tree(directory: Path, skip: str | None = None) -> list[tuple[str, str]]:
    """Every file below ``directory`` (but those whose name ends with ``skip``) with the hash of its bytes,
    in a fixed order: a folder's fingerprint."""
    return [(path.relative_to(directory).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(directory.rglob("*")) if path.is_file() and not (skip and path.name.endswith(skip))]


def cached(out: Path, stage: str, digest: str, kind: Any, compute: Callable[[], T], later: bool = False) -> tuple[T, bool]:
    """The stored result of type ``kind`` for ``digest``, or ``compute()``'s, stored for next time;
    and whether it was stored already."""
    found = load(out, stage, digest, kind)
    if found is not None:
        return found, True
    value = compute()
    try:
        store(out, stage, digest, value, later=later)
    except OSError:
        pass  # a cache that cannot be written (a full or read-only disk) only makes the next build slower
    return value, False


def entry_path(out: Path, stage: str, digest: str) -> Path:
    return out / FOLDER / stage / f"{digest}.entry"


def load(out: Path, stage: str, digest: str, kind: Any) -> Any | None:
    """The value stored under ``digest``, or None when there is none or it fails any check (then it is deleted)."""
    path = entry_path(out, stage, digest)
    pending = getattr(_later, "values", {})
    if path in pending:
        return pending[path]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        value = _unpack(data, stage, digest, kind)
    except (ValueError, KeyError, TypeError, codec.CodecError, RecursionError) as exc:
        path.unlink(missing_ok=True)
        getattr(_later, "damaged", []).append(f"{stage}/{digest[:12]}: {type(exc).__name__}: {exc}")
        return None
    os.utime(path)  # recently used: kept when the stage's entries are pruned
    return value


@contextmanager
def written() -> Iterator[None]:
    """Meanwhile, entries stored with ``later`` are written by a thread, beside the build; at the end, wait for
    them all (an entry that cannot be written, a full disk say, only makes the next build slower)."""
    _later.values, _later.futures, _later.damaged = {}, [], []
    with ThreadPoolExecutor(1, thread_name_prefix="bookforge-cache") as writer:
        _later.writer = writer
        try:
            yield
        finally:
            settle()
            _later.futures, _later.values, _later.writer, _later.damaged = [], {}, None, []


def damaged() -> list[Diagnostic]:
    """A note for each entry this build (``written``) found damaged, deleted and made again as a cold build makes it."""
    return [note("X-205", f"a damaged cache entry was made again: {found}", FOLDER) for found in getattr(_later, "damaged", ())]


def settle() -> None:
    """Wait until the entries stored with ``later`` so far are written: before the process forks, say, so that
    the copy does not start with the writer in the middle of a file."""
    for future in getattr(_later, "futures", ()):
        if not isinstance(future.exception(), (OSError, type(None))):
            raise future.exception()  # a fault in the code, not the disk's


def store(out: Path, stage: str, digest: str, value: Any, keep: int = KEEP, later: bool = False) -> None:
    """Keep ``value`` under ``digest``, atomically; prune the stage's least recently used entries beyond ``keep``.
    ``later``: by the build's writer thread (``written``), when there is one."""
    path = entry_path(out, stage, digest)
    writer = getattr(_later, "writer", None)
    if later and writer is not None:
        _later.values[path] = value
        _later.futures.append(writer.submit(_store_and_forget, _later.values, path, out, stage, digest, value, keep))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    blobs: list[bytes] = []
    with tempfile.TemporaryFile(dir=path.parent) as payload:  # the JSON as it is written, hashed on the way
        payload_hash = hashlib.sha256()

        def write(text: str) -> None:
            data = text.encode("utf-8")
            payload_hash.update(data)
            payload.write(data)

        codec.write(value, write, blobs)
        header = {"format": FORMAT, "stage": stage, "key": digest,
                  "parts": [[payload.tell(), payload_hash.hexdigest()],
                            *([len(blob), hashlib.sha256(blob).hexdigest()] for blob in blobs)]}
        payload.seek(0)
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(json.dumps(header).encode("ascii") + b"\n")
                shutil.copyfileobj(payload, file)
                for blob in blobs:
                    file.write(blob)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    _prune(path.parent, keep)
    for legacy in (out / FOLDER).glob("*.pickle"):
        legacy.unlink(missing_ok=True)  # entries of the pickle cache that came before: never loaded, so removed


def _store_and_forget(pending: dict, path: Path, out: Path, stage: str, digest: str, value: Any, keep: int) -> None:
    """Write an entry stored with ``later``, then let go of the value: from now on it is read from its file."""
    try:
        store(out, stage, digest, value, keep)
    finally:
        if pending.get(path) is value:
            del pending[path]


def _unpack(data: bytes, stage: str, digest: str, kind: Any) -> Any:
    line, _, rest = data.partition(b"\n")
    header = json.loads(line.decode("ascii"))
    if header.get("format") != FORMAT or header.get("stage") != stage or header.get("key") != digest:
        raise ValueError("an entry of another format, stage or key")
    parts, position = [], 0
    for length, sha256 in header["parts"]:
        part = rest[position:position + length]
        if len(part) != length or hashlib.sha256(part).hexdigest() != sha256:
            raise ValueError("a part does not match its hash")
        parts.append(part)
        position += length
    if position != len(rest) or not parts:
        raise ValueError("bytes beyond the parts the header lists")
    return codec.decode(kind, json.loads(parts[0].decode("utf-8")), parts[1:])


def _prune(folder: Path, keep: int) -> None:
    entries = sorted(folder.glob("*.entry"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
