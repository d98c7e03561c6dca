"""A short name for the sources a build was made from, printed on every page of a proof.

The commit's short hash when the project is a git checkout with nothing changed, else a short
SHA-256 over book.yaml and the chapter sources: either way, proofreaders can tell which copy
of the text they hold.
"""

from __future__ import annotations

import hashlib

from bookforge.manifest import MANIFEST_NAME, Manifest
from bookforge.timestamp import git


def sources(manifest: Manifest) -> str:
    """'git 24155ab', or 'sha256 1f0d2678' when the sources are not a clean git checkout."""
    commit = git(manifest.root, "rev-parse", "--short", "HEAD")
    if commit and git(manifest.root, "status", "--porcelain", "--", ".") == "":
        return f"git {commit}"
    digest = hashlib.sha256()
    for path in [manifest.root / MANIFEST_NAME] + [c.path for part in manifest.parts for c in part.chapters]:
        digest.update(path.read_bytes())
    return f"sha256 {digest.hexdigest()[:8]}"
