"""Shared fixtures: the real book, built once per test session with the real command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

PROJECT = Path(__file__).resolve().parents[1]
SLUG = "attachment-to-your-therapist"

# The smallest valid manifest: one part, one chapter at chapters/x.txt.
MINIMAL_BOOK_YAML = """\
title: Test Book
authors:
  - name: Ann Author
language: en
parts:
  - title: Part One
    chapters:
      - source: chapters/x.txt
"""


@dataclass(frozen=True)
class BuiltBook:
    out: Path
    epub: Path
    pdf: Path
    proof: Path
    html: Path
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuiltBook:
    """Run `bookforge build --proof` on the project's own book.yaml into a temporary output folder."""
    out = tmp_path_factory.mktemp("build")
    run = subprocess.run([sys.executable, "-m", "bookforge", "build", "--proof", "-C", str(PROJECT), "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return BuiltBook(out, out / f"{SLUG}.epub", out / f"{SLUG}.pdf", out / f"{SLUG}-proof.pdf", out / "html",
                     run.stdout, run.stderr)


@pytest.fixture(scope="session")
def epub_zip(built) -> zipfile.ZipFile:
    with zipfile.ZipFile(built.epub) as archive:
        yield archive


@pytest.fixture(scope="session")
def report(built) -> dict:
    """The editorial report of the real book."""
    return json.loads((built.out / "editorial-report.json").read_text(encoding="utf-8"))


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, with curly apostrophes made straight."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*", text.lower().replace("\u2019", "'"))


def bullets(path: Path) -> list[tuple[int, int, str]]:
    """(line, indent, text) of every comment bullet in a capture, read straight from the file."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        match = re.match(r"^( +)• (.*)$", line)
        if match:
            found.append((number, len(match.group(1)), match.group(2)))
    return found


def xhtml_text(element) -> str:
    """The text of an XHTML element as a reader sees it: a line break separates words."""
    for br in element.iter("{http://www.w3.org/1999/xhtml}br"):
        br.tail = "\n" + (br.tail or "")
    return etree.tostring(element, method="text", encoding="unicode")
