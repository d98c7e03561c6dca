"""A short name for the sources a build was made from, printed on every page of a proof.

The commit's short hash when the project is a git checkout with nothing changed, else a short
SHA-256 over book.yaml and the chapter sources: either way, proofreaders can tell which copy
of the text they hold.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from bookforge.manifest import MANIFEST_NAME, Manifest


def sources(manifest: Manifest) -> str:
    """'git 24155ab', or 'sha256 1f0d2678' when the sources are not a clean git checkout."""
    commit = _git(manifest.root, "rev-parse", "--short", "HEAD")
    if commit and _git(manifest.root, "status", "--porcelain", "--", ".") == "":
        return f"git {commit}"
    digest = hashlib.sha256()
    for path in [manifest.root / MANIFEST_NAME] + [c.path for part in manifest.parts for c in part.chapters]:
        digest.update(path.read_bytes())
    return f"sha256 {digest.hexdigest()[:8]}"


def _git(root: Path, *args: str) -> str | None:
    """What a git command prints in ``root``, stripped; None where git or a checkout is missing."""
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.strip() if run.returncode == 0 else None
