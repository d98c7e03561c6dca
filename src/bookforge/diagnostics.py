"""Diagnostics: one type for every problem found in the input or while rendering.

Codes come in families: ``M-`` manifest, ``R-`` reader, ``E-`` editorial, ``X-`` render, ``P-`` pictures, ``F-`` the
file system and the output folder, ``C-`` ``bookforge check`` itself (the findings it reports keep EPUBCheck's and Ace's own codes).
Each family of failure has its own exit code so scripts can tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # worth knowing, changes nothing in the book (a slower path taken, say)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity.value} [{self.code}] {self.message}"


def error(code: str, message: str, path: str, line: int | None = None, column: int | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, path, line, column)


def warning(code: str, message: str, path: str, line: int | None = None, column: int | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, path, line, column)


def note(code: str, message: str, path: str, line: int | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.NOTE, message, path, line)


class BookforgeError(Exception):
    """A failure that stops the build; carries every diagnostic found and an exit code."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ManifestError(BookforgeError):
    exit_code = 2


class ReaderError(BookforgeError):
    exit_code = 3


class RenderError(BookforgeError):
    exit_code = 4


class OutputError(BookforgeError):
    """The output folder: another build holds it, or the system refused a write (full, read-only, no permission)."""

    exit_code = 7


class CheckError(BookforgeError):
    """``bookforge check`` could not run a checker (no EPUB, no Java, no EPUBCheck)."""

    exit_code = 6


def raise_if_errors(diagnostics: list[Diagnostic], error_class: type[BookforgeError]) -> None:
    if any(d.severity is Severity.ERROR for d in diagnostics):
        raise error_class(diagnostics)
