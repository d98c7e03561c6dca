"""`bookforge check`: EPUBCheck's and Ace's findings as FILE:LINE: severity [code] message, and the exit code."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookforge.cli import main

FINDING = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))?: (?P<severity>error|warning) \[(?P<code>[A-Z]+-\d+)\] .+$")

ACE_REPORT = {
    "earl:assertedBy": {"doap:release": {"doap:revision": "1.4.6"}},
    "assertions": [{"earl:testSubject": {"url": "EPUB/content.opf"}, "assertions": [{
        "earl:result": {"earl:outcome": "fail", "dct:description": "The language must be specified"},
        "earl:test": {"earl:impact": "serious", "dct:title": "epub-lang"},
    }]}],
}


@pytest.fixture(autouse=True)
def no_ace(monkeypatch):
    monkeypatch.setenv("BOOKFORGE_ACE", "")


def check(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_the_real_book_passes(built):
    result = check("--epub", str(built.epub))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["checked with EPUBCheck 5.3.0: 0 errors, 0 warnings"]
    assert "Ace by DAISY is not installed" in result.stderr


def broken_copy(epub: Path, target: Path) -> Path:
    """The book with an element XHTML does not know on line 11 of part-1.xhtml, and a stylesheet gone."""
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "EPUB/part-1.xhtml":
                lines = data.decode().split("\n")
                lines.insert(10, "<blink>Part</blink>")
                data = "\n".join(lines).encode()
            if info.filename != "EPUB/css/epub.css":
                out.writestr(info, data)
    return target


def test_a_broken_epub_gets_each_finding_with_its_file_and_line_and_exit_5(built, tmp_path):
    result = check("--epub", str(broken_copy(built.epub, tmp_path / "broken.epub")))
    assert result.exit_code == 5
    findings = [FINDING.match(line) for line in result.stdout.splitlines()[:-1]]
    assert all(findings), result.stdout
    where = {(f["file"].split(".epub/")[1], f["severity"], f["code"]) for f in findings}
    assert ("EPUB/part-1.xhtml", "error", "RSC-005") in where
    assert any(f["file"].endswith("broken.epub/EPUB/part-1.xhtml") and f["line"] == "11" for f in findings)
    assert ("EPUB/css/epub.css", "error", "RSC-001") in where  # listed in the package, missing from the zip
    assert re.fullmatch(r"checked with EPUBCheck 5\.3\.0: \d+ errors, \d+ warnings", result.stdout.splitlines()[-1])


def test_aces_violations_are_findings_too(built, tmp_path, monkeypatch):
    ace = tmp_path / "ace"
    ace.write_text("#!/bin/sh\n# a stand-in for Ace: writes its report where -o says\n"
                   f"mkdir -p \"$4\" && cat > \"$4/report.json\" <<'JSON'\n{json.dumps(ACE_REPORT)}\nJSON\n")
    ace.chmod(0o755)
    monkeypatch.setenv("BOOKFORGE_ACE", str(ace))
    monkeypatch.setattr("bookforge.check.epubcheck", lambda options: ([], ("EPUBCheck (not run here)",)))
    result = check("--epub", str(built.epub))
    assert result.exit_code == 5
    assert result.stdout.splitlines() == [
        f"{built.epub}/EPUB/content.opf: error [epub-lang] The language must be specified (serious)",
        "checked with EPUBCheck (not run here) and Ace 1.4.6: 1 errors, 0 warnings",
    ]


def test_no_epub_to_check_exits_6(tmp_path):
    result = check("--epub", str(tmp_path / "missing.epub"))
    assert result.exit_code == 6
    assert result.stderr.strip().endswith("missing.epub: error [C-001] no EPUB here: run `bookforge build` first, "
                                          "or name one with --epub")
