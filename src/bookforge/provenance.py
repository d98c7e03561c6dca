"""Where a build comes from: the date it is stamped with and a short name for its sources.

Neither ever comes from the clock, so two builds of the same sources give the same bytes:
the date is ``SOURCE_DATE_EPOCH``, else the project's last git commit, else book.yaml's date.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bookforge.manifest import MANIFEST_NAME, Manifest

UTC = datetime.timezone.utc


@dataclass(frozen=True)
class Provenance:
    date: datetime.datetime  # in UTC
    sources: str  # 'git 24155ab', or 'sha256 1f0d2678' when the sources are not a clean git checkout


def provenance(manifest: Manifest) -> Provenance:
    return Provenance(_source_date(manifest), _sources(manifest))


def _source_date(manifest: Manifest) -> datetime.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(manifest.root, "log", "-1", "--format=%ct", "--", ".")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), UTC)
    day = manifest.data.date or datetime.date(2000, 1, 1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=UTC)


def _sources(manifest: Manifest) -> str:
    """The commit's short hash if the project is a git checkout with nothing changed, else a hash of the files."""
    commit = _git(manifest.root, "rev-parse", "--short", "HEAD")
    if commit and _git(manifest.root, "status", "--porcelain", "--", ".") == "":
        return f"git {commit}"
    digest = hashlib.sha256()
    files = [manifest.root / MANIFEST_NAME] + [c.path for part in manifest.parts for c in part.chapters]
    for path in files:
        digest.update(path.read_bytes())
    return f"sha256 {digest.hexdigest()[:8]}"


def _git(root: Path, *args: str) -> str | None:
    """What a git command prints in ``root``, stripped; None where git or a checkout is missing."""
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return run.stdout.strip() if run.returncode == 0 else None
