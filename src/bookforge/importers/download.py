"""``--pictures download`` and ``bookforge pictures fetch``: the pictures a project's chapters name on the web,
fetched into ``chapters/images/`` once, and the chapters pointed at them.

Each ``<img>`` of a chapter whose ``src`` is a web address is a picture to fetch, its original first
(``originals.candidates``, with the larger sizes the import kept in its ``data-sources``), the blog's own
files from where the blog is now (``originals.Site``).  Each address is fetched once, in threads
(``fetch.Fetcher``), and what came of it is kept in ``chapters/images/sources.json`` by address: a
picture fetched before, or whose every address failed for good (not found, refused, not a picture), is
not asked for again, so a second run fetches nothing.  A file is kept only when Pillow reads it as a
picture a book can hold (``markup.unusable``, the import's own check); then the ``<img>`` is pointed at
it and nothing else of the chapter file changes.  Anything else stays a missing picture with its alt
text, listed with the reason in ``pictures-report.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from PIL import Image

from bookforge.diagnostics import OutputError, error
from bookforge.importers import markup, originals
from bookforge.importers.fetch import Fetched, Fetcher, FetchOptions

LEDGER = "sources.json"
LEDGER_FORMAT = "bookforge-sources/1"
REPORT_NAME = "pictures-report.json"
IMG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
SRC = re.compile(r"""(\ssrc\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
SOURCES = re.compile(r"""\sdata-sources\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif"}
WORKERS = 8  # pictures fetched at a time, across hosts (each host takes at most FetchOptions.per_host of them)
SHOWN = 20  # failures the terminal lists; the report has them all


@dataclass
class Picture:
    """One picture the chapters name: its ``src``, the larger sizes named beside it, where it stands."""

    src: str
    extra: tuple[str, ...]
    chapters: list[str] = field(default_factory=list)  # project-relative chapter files that show it
    file: str = ""  # its file in chapters/images/, once there
    reason: str = ""  # why it is not
    already: bool = False  # there before this run
    too_large: bool = False


@dataclass
class PicturesReport:
    """What fetching did: each picture fetched, already there or missing (with why), and the requests it took."""

    pictures: list[Picture] = field(default_factory=list)
    requests: int = 0
    hosts: int = 0

    @property
    def failed(self) -> list[Picture]:
        return [p for p in self.pictures if not p.file]

    def counts(self) -> dict[str, int]:
        return {"named": len(self.pictures), "fetched": sum(1 for p in self.pictures if p.file and not p.already),
                "already there": sum(1 for p in self.pictures if p.already), "failed": len(self.failed),
                "too large": sum(1 for p in self.pictures if p.too_large),
                "files": len({p.file for p in self.pictures if p.file}), "requests": self.requests}

    def lines(self) -> list[str]:
        c = self.counts()
        out = [f"pictures: {c['named']} named on the web; {c['fetched']} fetched, {c['already there']} already there "
               f"({c['files']} files), {c['failed']} missing ({c['too large']} too large; alt text kept); "
               f"{c['requests']} requests to {self.hosts} host{'s' if self.hosts != 1 else ''}"]
        out += [f"  {p.src}: {p.reason}" for p in self.failed[:SHOWN]]
        if len(self.failed) > SHOWN:
            out.append(f"  … and {len(self.failed) - SHOWN} more (see {REPORT_NAME})")
        return out

    def as_json(self) -> str:
        def entry(p: Picture) -> dict:
            return {"url": p.src, "chapters": p.chapters, **({"file": p.file} if p.file else {"reason": p.reason})}

        return json.dumps({"counts": self.counts(), "fetched": [entry(p) for p in self.pictures if p.file and not p.already],
                           "already there": [entry(p) for p in self.pictures if p.already],
                           "missing": [entry(p) for p in self.failed]}, indent=2, ensure_ascii=False) + "\n"


def run(project: Path, chapters: list[Path], site: originals.Site, options: FetchOptions,
        show_progress: bool = False) -> PicturesReport:
    """Fetch the pictures ``chapters`` name on the web into ``project/chapters/images/``, point the chapters at
    them, and write the ledger and ``pictures-report.json``."""
    images = project / "chapters" / "images"
    if not images.resolve().is_relative_to(project.resolve()):
        raise OutputError([error("I-020", f"chapters/images leads outside the project, to {images.resolve()}: pictures "
                                 "are fetched only into the project; make it a folder of the project", str(images))])
    images.mkdir(parents=True, exist_ok=True)
    ledger = _Ledger.read(images / LEDGER)
    pictures = _named(project, chapters)
    report = PicturesReport(list(pictures.values()))
    with Fetcher(options, connections=WORKERS) as fetcher, _progress(len(pictures), show_progress) as advance:
        session = _Session(fetcher, images, ledger, site)
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="bookforge-fetch") as pool:
            for done in as_completed([pool.submit(session.place, picture) for picture in _by_host(report.pictures)]):
                done.result()
                advance()
        report.requests, report.hosts = fetcher.requests, len(session.hosts)
    ledger.write(images / LEDGER, site.blog)
    for chapter in chapters:
        _point(chapter, {p.src: p.file for p in report.pictures if p.file}, images)
    (project / REPORT_NAME).write_text(report.as_json(), encoding="utf-8")
    return report


def blog_address(project: Path, chapters: list[Path]) -> str:
    """Where the blog lived, as the import recorded it (the ledger), else the address most of the chapters'
    permalinks give ('' when none does)."""
    recorded = _Ledger.read(project / "chapters" / "images" / LEDGER).blog
    if recorded:
        return recorded
    found = Counter()
    for chapter in chapters:
        head = chapter.read_text(encoding="utf-8", errors="replace")[:4096]
        link = re.search(r'<meta name="permalink" content="([^"]*)"', head)
        parts = urlsplit(link.group(1)) if link else None
        if parts and parts.scheme in ("http", "https") and parts.netloc:
            found[f"{parts.scheme}://{parts.netloc}"] += 1
    return found.most_common(1)[0][0] if found else ""


def _named(project: Path, chapters: list[Path]) -> dict[tuple, Picture]:
    """Every picture the chapters name on the web, once each, in the order they first appear."""
    found: dict[tuple, Picture] = {}
    for chapter in chapters:
        relative = chapter.relative_to(project).as_posix()
        for tag in IMG.findall(chapter.read_text(encoding="utf-8", errors="replace")):
            image = BeautifulSoup(tag, "html.parser").img
            src = web(str(image.get("src", "")).strip()) if image else ""
            if not src:
                continue
            extra = tuple(u for u in str(image.get("data-sources", "")).split() if web(u))
            picture = found.setdefault((src, extra), Picture(src, extra))
            if relative not in picture.chapters:
                picture.chapters.append(relative)
    return found


def web(url: str) -> str:
    """A web address as a picture's ``src`` gives it ('' for anything else); ``//host/x`` taken as https."""
    url = f"https:{url}" if url.startswith("//") else url
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


def _by_host(pictures: list[Picture]) -> list[Picture]:
    """The pictures with the hosts taken in turn, so the workers are spread over them from the start."""
    queues: dict[str, list[Picture]] = {}
    for picture in pictures:
        queues.setdefault(urlsplit(picture.src).netloc, []).append(picture)
    ordered = []
    while queues:
        for host in list(queues):
            ordered.append(queues[host].pop(0))
            if not queues[host]:
                del queues[host]
    return ordered


@dataclass
class _Ledger:
    """``chapters/images/sources.json``: each address's file, and the addresses that failed for good."""

    blog: str = ""
    files: dict[str, dict] = field(default_factory=dict)  # address as named -> {"file", "from", "sha256"}
    failed: dict[str, dict] = field(default_factory=dict)  # address fetched -> {"reason", "lasting"}

    @classmethod
    def read(cls, path: Path) -> _Ledger:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != LEDGER_FORMAT:
            return cls()
        return cls(str(data.get("blog", "")), dict(data.get("files", {})), dict(data.get("failed", {})))

    def write(self, path: Path, blog: str) -> None:
        data = {"format": LEDGER_FORMAT, "blog": blog or self.blog, "files": dict(sorted(self.files.items())),
                "failed": dict(sorted(self.failed.items()))}
        _replace(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class _Session:
    """One run's fetching: each address fetched at most once (however many pictures name it), files kept by content."""

    def __init__(self, fetcher: Fetcher, images: Path, ledger: _Ledger, site: originals.Site):
        self.fetcher, self.images, self.ledger, self.site = fetcher, images, ledger, site
        self.before = dict(ledger.files)  # what earlier runs fetched
        self.lock = threading.Lock()
        self.address_locks: dict[str, threading.Lock] = {}
        self.outcomes: dict[str, tuple[str, str, bool, bool]] = {}  # address -> (file, reason, lasting, too large)
        self.hosts: set[str] = set()

    def place(self, picture: Picture) -> None:
        """Find the picture's file: one fetched before, else the first of its addresses that gives a usable picture."""
        named = originals.candidates(picture.src, list(picture.extra))
        for url in named:
            kept = self.before.get(url)
            if kept and (self.images / kept.get("file", "")).is_file():
                picture.file, picture.already = kept["file"], True
                return
        reasons = {}
        for url in named:
            for address in self.site.addresses(url):
                earlier = self.ledger.failed.get(address)
                if earlier and earlier.get("lasting"):
                    reasons[address] = f"{earlier.get('reason', 'failed')} (in an earlier run)"
                    continue
                file, reason, lasting, too_large = self._outcome(address)
                if file:
                    with self.lock:
                        self.ledger.files[url] = {"file": file, "from": address, "sha256": _sha256(self.images / file)}
                        self.ledger.failed.pop(address, None)
                    picture.file = file
                    return
                reasons[address] = reason
                picture.too_large = picture.too_large or too_large
                with self.lock:
                    self.ledger.failed[address] = {"reason": reason, "lasting": lasting}
        own = [a for a in self.site.addresses(originals.sizeless(picture.src)) if a in reasons]
        picture.reason = reasons[own[-1]] if own else next(reversed(reasons.values()), "no address to fetch it from")

    def _outcome(self, address: str) -> tuple[str, str, bool, bool]:
        """What fetching ``address`` gave, fetched once per run: (file, why not, for good, too large)."""
        with self.lock:
            lock = self.address_locks.setdefault(address, threading.Lock())
        with lock:
            if address not in self.outcomes:
                self.outcomes[address] = self._fetch(address)
            return self.outcomes[address]

    def _fetch(self, address: str) -> tuple[str, str, bool, bool]:
        with self.lock:
            self.hosts.add(urlsplit(address).netloc)
        got = self.fetcher.get(address, self.images)
        if got.path is None:
            return "", got.reason, got.lasting, got.too_large
        try:
            unusable = markup.unusable(got.path)
            if unusable:
                return "", f"not a picture a book can hold: {unusable}", True, False
            return self._keep(got), "", False, False
        finally:
            got.path.unlink(missing_ok=True)

    def _keep(self, got: Fetched) -> str:
        """Move a fetched picture into chapters/images/ under its own name (numbered when another file has it;
        the same picture under another address is kept once); its name's type follows its content."""
        with Image.open(got.path) as picture:
            suffix = SUFFIXES[picture.format]
        name = PurePosixPath(unquote(urlsplit(got.url).path)).name
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(name).stem).strip("-.")[:80] or "picture"
        digest = _sha256(got.path)
        with self.lock:
            number = 1
            while True:
                target = self.images / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
                if not target.exists():
                    os.replace(got.path, target)
                    return target.name
                if _sha256(target) == digest:
                    return target.name
                number += 1


def _point(chapter: Path, files: dict[str, str], images: Path) -> None:
    """Point each ``<img>`` of the chapter whose picture was fetched at its file; nothing else of the file changes."""
    text = chapter.read_text(encoding="utf-8")
    folder = Path(os.path.relpath(images, chapter.parent)).as_posix()

    def pointed(match: re.Match) -> str:
        tag = match.group(0)
        image = BeautifulSoup(tag, "html.parser").img
        file = files.get(web(str(image.get("src", "")).strip())) if image else None
        if not file:
            return tag
        tag = SOURCES.sub("", tag)
        return SRC.sub(lambda m: f'{m.group(1)}"{folder}/{file}"', tag, count=1)

    changed = IMG.sub(pointed, text)
    if changed != text:
        _replace(chapter, changed)


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all; a symlink is replaced, never written through."""
    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def _progress(total: int, shown: bool):
    """A bar on the terminal (rich) while the pictures are fetched; nothing when the output is not a terminal."""
    if not shown or not total or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("fetching pictures"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("pictures", total=total)
        lock = threading.Lock()

        def advance() -> None:
            with lock:
                bar.advance(task)

        yield advance
