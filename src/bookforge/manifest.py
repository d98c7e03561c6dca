"""The manifest: ``book.yaml`` read into a typed, validated description of the book.

Every problem in the manifest is reported in one run, as ``book.yaml:LINE:COL: message``
with 1-based positions, before anything is built.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from bookforge.editorial.config import EditorialConfig
from bookforge.diagnostics import Diagnostic, ManifestError, error, raise_if_errors
from bookforge.editorial import style_sheet
from bookforge.model import SLUG_MAX, Author, Metadata, Series, chapter_slug, slugify
from bookforge.readers import READERS
from bookforge.readers.capture import CONTROL
from bookforge.renderers.print_spec import TRIM_PRESETS, PrintSpec, Trim, length_in_points
from bookforge.timestamp import source_date

MANIFEST_NAME = "book.yaml"
MANIFEST_MAX_BYTES = 1_000_000  # a book.yaml is a few kilobytes; more is a mistake or an attack
NESTING_MAX = 20  # levels of mappings and lists in book.yaml (the schema needs 5)
RESERVED_NAMES = {"halftitle": "the half-title page", "titlepage": "the title page", "copyright": "the copyright page",
                  "contents": "the contents page", "nav": "the navigation document", "toc": "the NCX",
                  "cover": "the cover page", "credits": "the credits page", "about-author": "the About the Author page"}
COVER_TYPES = {".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG\r\n\x1a\n"}  # suffix -> magic bytes


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class AuthorEntry(_Schema):
    name: str = Field(min_length=1)
    file_as: str | None = None
    role: str = "aut"


class ChapterEntry(_Schema):
    source: str = Field(min_length=1)
    title: str | None = None


class PartEntry(_Schema):
    title: str = Field(min_length=1)
    chapters: list[ChapterEntry] = Field(min_length=1)


class TrimEntry(_Schema):
    width: str
    height: str

    @field_validator("width", "height")
    @classmethod
    def _is_a_length(cls, value: str) -> str:
        try:
            length_in_points(value)
        except ValueError as exc:
            raise PydanticCustomError("length", str(exc)) from None
        return value


class PrintEntry(_Schema):
    trim: TrimEntry = TrimEntry(width="6in", height="9in")
    profile: Literal["pod", "offset"] = "pod"
    bleed: bool = False
    pdf_variant: Literal["pdf/x-4", "pdf/x-1a", "pdf/ua-1"] | None = None
    links: Literal["footnotes", "endnotes"] = "footnotes"  # where print gives a link's URL

    @field_validator("trim", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        """A preset's name stands for its width and height."""
        if isinstance(value, str) and value in TRIM_PRESETS:
            width, height = TRIM_PRESETS[value]
            return {"width": width, "height": height}
        if isinstance(value, dict):
            return value
        raise PydanticCustomError("trim", f"expected one of {', '.join(TRIM_PRESETS)} or a mapping with width and height")


class SeriesEntry(_Schema):
    name: str = Field(min_length=1)
    position: int | None = Field(default=None, ge=1)


class ManifestSchema(_Schema):
    title: str = Field(min_length=1)
    subtitle: str | None = None
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=SLUG_MAX)
    authors: list[AuthorEntry] = Field(min_length=1)
    language: str = Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    identifier: str | None = None
    isbn: str | int | None = None
    publisher: str | None = None
    date: datetime.date | None = None
    rights: str | None = None
    description: str | None = None
    subjects: list[str] = []
    series: SeriesEntry | None = None
    cover: str | None = Field(default=None, min_length=1)
    credits: list[str] = []
    about_author: str | None = None
    print: PrintEntry = PrintEntry()
    parts: list[PartEntry] = Field(min_length=1)
    editorial: EditorialConfig = EditorialConfig()


@dataclass(frozen=True)
class ChapterSpec:
    """A chapter as the manifest names it: where its source is and where that was said."""

    path: Path  # absolute
    relpath: str  # relative to the project root, as reports show it
    title: str | None
    line: int


@dataclass(frozen=True)
class PartSpec:
    title: str
    chapters: tuple[ChapterSpec, ...]
    line: int


@dataclass(frozen=True)
class Manifest:
    root: Path
    data: ManifestSchema
    parts: tuple[PartSpec, ...]

    @property
    def slug(self) -> str:
        return self.data.slug or slugify(self.data.title, "book")

    @property
    def isbn(self) -> str | None:
        return isbn13(str(self.data.isbn)) if self.data.isbn is not None else None

    @property
    def editorial(self) -> EditorialConfig:
        return self.data.editorial

    @property
    def identifier(self) -> str:
        """The ISBN, else the identifier from the manifest, else a UUID derived from title and authors:
        stable build after build."""
        if self.isbn:
            return f"urn:isbn:{self.isbn}"
        if self.data.identifier:
            return self.data.identifier
        names = ";".join(a.name for a in self.data.authors)
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'bookforge:{self.data.title}:{names}')}"

    def metadata(self) -> Metadata:
        d = self.data
        return Metadata(
            title=d.title,
            subtitle=d.subtitle,
            slug=self.slug,
            authors=tuple(Author(a.name, a.file_as or _file_as(a.name), a.role) for a in d.authors),
            language=d.language,
            identifier=self.identifier,
            publisher=d.publisher,
            date=d.date,
            rights=d.rights,
            description=d.description,
            subjects=tuple(d.subjects),
            credits=tuple(d.credits),
            about_author=d.about_author,
            isbn=self.isbn,
            series=Series(d.series.name, d.series.position) if d.series else None,
            cover=(self.root / d.cover).resolve() if d.cover else None,
            modified=source_date(self.root, d.date),
        )

    def print_spec(self) -> PrintSpec:
        p = self.data.print
        return PrintSpec(Trim.parse(p.trim.width, p.trim.height), p.profile, p.bleed, p.pdf_variant)


def isbn13(text: str) -> str | None:
    """An ISBN-10 or ISBN-13, hyphens and spaces allowed, as its 13 digits; None when a check digit is wrong."""
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        if sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits)) % 11:
            return None
        digits = "978" + digits[:9]
        return digits + _isbn13_check_digit(digits)
    if re.fullmatch(r"97[89]\d{10}", digits) and _isbn13_check_digit(digits[:12]) == digits[12]:
        return digits
    return None


def _isbn13_check_digit(first12: str) -> str:
    return str(-sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first12)) % 10)


def _file_as(name: str) -> str:
    """'Jeffrey Smith' -> 'Smith, Jeffrey', the way catalogues sort a name."""
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}" if first else name


def load(root: Path) -> Manifest:
    """Read and validate ``root/book.yaml``; raise ManifestError with every problem found."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError([error("M-001", f"no {MANIFEST_NAME} here (looked in {root})", MANIFEST_NAME)])
    node, raw = _parse_yaml(_read(path))
    marks = _Marks(node)
    diagnostics = list(marks.duplicates)
    parts, file_problems = _resolve_sources(root, raw, marks)
    file_problems += _check_cover(root, raw, marks) + _check_isbn(raw, marks) + _check_style_sheet(raw, marks)
    file_problems += _check_control_characters(raw, (), marks)
    try:
        data = ManifestSchema.model_validate(raw)
    except ValidationError as exc:
        diagnostics += _describe_all(exc.errors(), marks)
        data = None
    diagnostics = sorted(diagnostics + file_problems, key=lambda d: (d.line or 0, d.column or 0))
    raise_if_errors(diagnostics, ManifestError)
    return Manifest(root=root, data=data, parts=parts)


def _read(path: Path) -> str:
    """book.yaml's text: UTF-8, and no larger than MANIFEST_MAX_BYTES."""
    try:
        with path.open("rb") as file:
            data = file.read(MANIFEST_MAX_BYTES + 1)
    except OSError as exc:
        raise ManifestError([error("M-005", f"cannot be read: {exc.strerror}", MANIFEST_NAME)]) from None
    if len(data) > MANIFEST_MAX_BYTES:
        raise ManifestError([error("M-006", f"larger than {MANIFEST_MAX_BYTES:,} bytes: a manifest names its chapters, "
                                   "it does not hold them", MANIFEST_NAME)])
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ManifestError([error("M-005", f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded; "
                                   "save book.yaml as UTF-8", MANIFEST_NAME, line, column)]) from None


def _check_events(text: str) -> None:
    """Refuse aliases (an alias bomb expands a few lines into gigabytes) and nesting deeper than NESTING_MAX,
    from the parser's events, before anything is built from them."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ManifestError([_at("M-007", f"YAML alias '*{event.anchor}': book.yaml takes no aliases; "
                                     "write the value out", event.start_mark)])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > NESTING_MAX:
                raise ManifestError([_at("M-008", f"nested more than {NESTING_MAX} levels deep", event.start_mark)])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _parse_yaml(text: str) -> tuple[yaml.Node, Any]:
    loader = yaml.SafeLoader(text)
    try:
        _check_events(text)
        node = loader.get_single_node()
        if node is None:
            raise ManifestError([error("M-002", "the manifest is empty: expected title, authors, language and parts", MANIFEST_NAME, 1, 1)])
        raw = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ManifestError([error("M-003", f"not valid YAML: {exc.problem or exc.context}", MANIFEST_NAME, line, col)]) from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise ManifestError([error("M-002", "the manifest must be a mapping of keys (title, authors, language, parts, …)", MANIFEST_NAME, node.start_mark.line + 1, node.start_mark.column + 1)])
    return node, raw


class _Marks:
    """Where each key and value of the YAML document stands, by its path of keys and indexes."""

    def __init__(self, root: yaml.Node):
        self.keys: dict[tuple, yaml.Mark] = {}
        self.values: dict[tuple, yaml.Mark] = {(): root.start_mark}
        self.duplicates: list[Diagnostic] = []
        self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                child = path + (key,)
                if child in self.keys:
                    self.duplicates.append(_at("M-004", f"duplicate key '{key}'", key_node.start_mark))
                self.keys[child] = key_node.start_mark
                self.values[child] = value_node.start_mark
                self._walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.values[path + (index,)] = item.start_mark
                self._walk(item, path + (index,))

    def nearest(self, path: tuple, key: bool = False) -> yaml.Mark:
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values:
            path = path[:-1]
        return self.values[path]


def _at(code: str, message: str, mark: yaml.Mark) -> Diagnostic:
    return error(code, message, MANIFEST_NAME, mark.line + 1, mark.column + 1)


def _describe_all(errors: list[dict], marks: _Marks) -> list[Diagnostic]:
    """One diagnostic per schema error; a misspelt key is reported once, not also as a missing one."""
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            expected = _fields_at(tuple(err["loc"])[:-1])
            misspelt |= {tuple(err["loc"])[:-1] + (m,) for m in difflib.get_close_matches(str(err["loc"][-1]), expected, n=1)}
    return [_describe(err, marks) for err in errors if not (err["type"] == "missing" and tuple(err["loc"]) in misspelt)]


def _describe(err: dict, marks: _Marks) -> Diagnostic:
    loc = tuple(err["loc"])
    where = _dotted(loc)
    if err["type"] == "extra_forbidden":
        expected = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), expected, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        message = f"unknown key '{loc[-1]}' (expected one of: {', '.join(expected)}){suggestion}"
        return _at("M-010", message, marks.nearest(loc, key=True))
    if err["type"] == "missing":
        parent = _dotted(loc[:-1]) or "the manifest"
        return _at("M-011", f"missing key '{loc[-1]}' in {parent}", marks.nearest(loc[:-1]))
    got = err.get("input")
    shown = f" (got {got!r})" if isinstance(got, (str, int, float, bool)) else ""
    return _at("M-012", f"{where}: {err['msg'][0].lower()}{err['msg'][1:]}{shown}", marks.nearest(loc))


def _dotted(loc: tuple) -> str:
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out


def _fields_at(loc: tuple) -> list[str]:
    """The keys the schema allows at a path of keys and indexes."""
    model: Any = ManifestSchema
    for item in loc:
        if isinstance(item, int):
            continue
        annotation = model.model_fields[item].annotation
        model = getattr(annotation, "__args__", (annotation,))[0]
    return list(model.model_fields)


def _resolve_sources(root: Path, raw: dict, marks: _Marks) -> tuple[tuple[PartSpec, ...], list[Diagnostic]]:
    """Find every chapter source the manifest names, as far as its shape allows, and check each one."""
    problems: list[Diagnostic] = []
    parts = []
    seen: dict[str, tuple[str, int]] = {}  # chapter slug -> the source that took it, and its line
    for p, part in enumerate(_mappings(raw.get("parts"))):
        chapters = []
        for c, chapter in enumerate(_mappings(part.get("chapters"))):
            source, title = chapter.get("source"), chapter.get("title")
            if not isinstance(source, str) or not source.strip():
                continue  # the schema reports it
            mark = marks.nearest(("parts", p, "chapters", c, "source"))
            problem = _check_source(root, source.strip(), seen)
            if problem:
                problems.append(_at(problem[0], problem[1], mark))
                continue
            path = (root / source.strip()).resolve()
            seen[chapter_slug(path.stem)] = (source.strip(), mark.line + 1)
            title = title.strip() if isinstance(title, str) and title.strip() else None
            chapters.append(ChapterSpec(path, path.relative_to(root.resolve()).as_posix(), title, mark.line + 1))
        title = part.get("title")
        parts.append(PartSpec(str(title).strip() if title else "", tuple(chapters), marks.nearest(("parts", p)).line + 1))
    return tuple(parts), problems


def _mappings(value: Any) -> list[dict]:
    """The items of a YAML list, or placeholders where an item is not a mapping (the schema reports those)."""
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []


def _check_cover(root: Path, raw: dict, marks: _Marks) -> list[Diagnostic]:
    """The cover image must be a JPEG or PNG file inside the project, like a chapter source."""
    cover = raw.get("cover")
    if not isinstance(cover, str) or not cover.strip():
        return []  # the schema reports it
    problem = _check_path(root, "cover", cover.strip())
    magic = COVER_TYPES.get(Path(cover.strip()).suffix.lower())
    if not problem and magic is None:
        problem = f"cover '{cover.strip()}': a cover must be a JPEG or PNG image ({', '.join(COVER_TYPES)})"
    elif not problem and not _starts_with(root / cover.strip(), magic):
        problem = f"cover '{cover.strip()}': the file's content is not the {Path(cover.strip()).suffix} image its name says"
    return [_at("M-021", problem, marks.nearest(("cover",)))] if problem else []


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as file:
        return file.read(len(magic)) == magic


def _check_style_sheet(raw: dict, marks: _Marks) -> list[Diagnostic]:
    """Each style-sheet entry must correct something: no empty key, no word mapped to itself."""
    sheet = raw.get("editorial", {}).get("style_sheet") if isinstance(raw.get("editorial"), dict) else None
    if not isinstance(sheet, dict):
        return []  # the schema reports a wrong type
    return [_at("M-041", f"style_sheet: {problem}", marks.nearest(("editorial", "style_sheet", find), key=True))
            for find, to in sheet.items() if (problem := style_sheet.entry_problem(find, to))]


def _check_control_characters(value: Any, path: tuple, marks: _Marks) -> list[Diagnostic]:
    """A control character written as a YAML escape ("\\x1b") is no text a book can set either."""
    if isinstance(value, str):
        found = CONTROL.search(value)
        return [_at("M-009", f"control character U+{ord(found.group()):04X} in a value: not text; remove it",
                    marks.nearest(path))] if found else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [problem for key, item in items for problem in _check_control_characters(item, path + (key,), marks)]


def _check_isbn(raw: dict, marks: _Marks) -> list[Diagnostic]:
    isbn = raw.get("isbn")
    if not isinstance(isbn, (str, int)) or isinstance(isbn, bool) or isbn13(str(isbn)):
        return []  # the schema reports a wrong type
    message = f"isbn '{isbn}' is not a valid ISBN-13 or ISBN-10: wrong length, characters or check digit"
    return [_at("M-040", message, marks.nearest(("isbn",)))]


def _check_path(root: Path, what: str, source: str) -> str | None:
    """A problem with a path the manifest names, or None when it is a file inside the project."""
    if Path(source).is_absolute():
        return f"{what} '{source}' must be a path relative to the project, not an absolute path"
    path = (root / source).resolve()
    if not path.is_relative_to(root.resolve()):
        return f"{what} '{source}' leaves the project folder"
    if not path.is_file():
        return f"{what} '{source}': no such file"
    return None


def _check_source(root: Path, source: str, seen: dict[str, tuple[str, int]]) -> tuple[str, str] | None:
    """The code and message of a problem with a chapter source, or None.  Its slug names its page
    (``<slug>.xhtml``), so it must be no other chapter's and none of the book's own pages'."""
    problem = _check_path(root, "source", source)
    if problem:
        return "M-020", problem
    path = (root / source).resolve()
    if path.suffix not in READERS:
        return "M-020", f"source '{source}': no reader for '{path.suffix}' files (known: {', '.join(sorted(READERS))})"
    slug = chapter_slug(path.stem)
    if slug in seen:
        other, line = seen[slug]
        if (root / other).resolve() == path:
            return "M-020", f"source '{source}' is already used as a chapter ('{other}', book.yaml line {line})"
        return "M-022", (f"source '{source}' gives the same page name as '{other}' (book.yaml line {line}): "
                         f"both would be '{slug}.xhtml'; rename one of the files")
    if slug in RESERVED_NAMES or re.fullmatch(r"part-\d+", slug):
        page = RESERVED_NAMES.get(slug, "a part's title page")
        return "M-023", (f"source '{source}' would be '{slug}.xhtml', the name of {page}; "
                         "rename the file")
    return None
