"""``bookforge init``: a new project that builds at once.

It holds a ``book.yaml`` with every key explained, a sample chapter in ``chapters/``, and
a copy of bookforge's stylesheets and fonts in ``styles/`` for the author to change.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from bookforge.diagnostics import ManifestError, error
from bookforge.manifest import MANIFEST_NAME
from bookforge.pipeline import styles_folder

SAMPLE = "chapters/welcome.html"
PLACEHOLDER_TITLE = "My Blog"
PLACEHOLDER_AUTHOR = "Your Name"


def create(directory: Path) -> Path:
    """Write the new project into ``directory`` (made when missing); refuse to overwrite a project."""
    directory = directory.resolve()
    existing = [name for name in (MANIFEST_NAME, "chapters", "styles") if (directory / name).exists()]
    if existing:
        raise ManifestError([error("I-010", f"a project is already here ({', '.join(existing)}): nothing was "
                                   "changed; choose an empty folder", str(directory / existing[0]))])
    styles = styles_folder(directory, False)
    directory.mkdir(parents=True, exist_ok=True)
    starter = _starter()
    shutil.copyfile(starter / MANIFEST_NAME, directory / MANIFEST_NAME)
    shutil.copytree(starter / "chapters", directory / "chapters")
    shutil.copytree(styles, directory / "styles")
    return directory


def drop_sample(project: Path, parts: list) -> None:
    """Take the sample chapter out of book.yaml's parts, unless the author has changed it (then it is theirs);
    a sample the author deleted goes too (book.yaml would name a file that is not there)."""
    sample = project / SAMPLE
    if sample.is_file() and sample.read_bytes() != (_starter() / SAMPLE).read_bytes():
        return
    for part in list(parts):
        part["chapters"] = [c for c in part.get("chapters", []) if c.get("source") != SAMPLE]
        if not part["chapters"]:
            parts.remove(part)


def fill_placeholders(data, title: str, author: str) -> None:
    """Give book.yaml (as ruamel.yaml read it) a real title and author where init's placeholders still stand."""
    if title and data.get("title") == PLACEHOLDER_TITLE:
        data["title"] = title
    authors = data.get("authors") or []
    if author and authors and authors[0].get("name") == PLACEHOLDER_AUTHOR:
        authors[0]["name"] = author


def _starter() -> Path:
    return Path(str(resources.files("bookforge") / "starter"))
