"""``bookforge preview``: the intermediate XHTML served on the loopback address, rebuilt as the sources change.

A watcher (``watchfiles``) follows ``book.yaml``, ``chapters/`` and ``styles/``.  On a change
the preview reads again only the chapter files that changed, runs the editorial pass again
only when the book it read is different, and writes the pages anew; every open page asks
the server for the build number twice a second and reloads when it moves on.  A broken
``book.yaml`` or chapter shows its diagnostics in the page, and the server keeps running.
Each page can be seen with the EPUB's stylesheet or the print one (``?style=print``).
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape
from watchfiles import watch

from bookforge import editorial, html, manifest, readers
from bookforge.diagnostics import BookforgeError
from bookforge.model import Book, Chapter
from bookforge.pipeline import styles_folder

LOOPBACK = "127.0.0.1"
RELOAD = """<div id="bookforge-preview" style="position:fixed;top:0;right:0;padding:0.3em 0.6em;background:#eee;\
font:12px sans-serif;z-index:9">bookforge preview · build {build} · <a href="?style=epub">EPUB</a> · \
<a href="?style=print">print</a> · <a href="contents.xhtml?style={style}">contents</a></div>
<script>
const shown = {build};
setInterval(() => fetch("/__build").then(r => r.text()).then(b => {{ if (Number(b) !== shown) location.reload(); }})
  .catch(() => {{}}), 500);
</script>
"""


@dataclass
class Preview:
    """The project being previewed, its latest build, and what can be reused for the next one."""

    project: Path
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bookforge-preview-")))
    build: int = 0
    html_dir: Path | None = None
    problems: list[str] = field(default_factory=list)
    chapters: dict[Path, tuple[tuple[int, int], Chapter]] = field(default_factory=dict)  # path -> ((mtime, size), chapter)
    edited: tuple[Book, Book] | None = None  # (the book as read, the book as edited)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_build: Callable[[int, list[str]], None] = lambda build, problems: None

    def rebuild(self) -> None:
        """Build the pages again, or keep the diagnostics when the sources are broken; then move the build number on."""
        target = self.directory / f"build-{self.build + 1}"
        try:
            spec = manifest.load(self.project)
            book = self._read(spec)
            if self.edited is None or self.edited[0] != book:
                self.edited = (book, editorial.edit(book, spec.editorial)[0])
            html.write(self.edited[1], styles_folder(self.project, False), target, project=self.project,
                       link_notes=spec.data.print.links)
            problems, old = [], self.html_dir
        except BookforgeError as exc:
            problems, old, target = [str(d) for d in exc.diagnostics], None, self.html_dir
        with self.lock:
            self.html_dir, self.problems, self.build = target, problems, self.build + 1
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.on_build(self.build, problems)

    def _read(self, spec: manifest.Manifest) -> Book:
        """The book, each chapter read again only when its file changed since the last build."""
        def read(path: Path, relpath: str) -> Chapter:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self.chapters.get(path)
            if known is None or known[0] != stamp:
                self.chapters[path] = (stamp, readers.read(path, relpath))
            return self.chapters[path][1]

        return readers.read_book(spec, read)

    def watched(self) -> list[Path]:
        return [p for p in (self.project / manifest.MANIFEST_NAME, self.project / "chapters", self.project / "styles")
                if p.exists()]

    def watch(self, stop: threading.Event) -> None:
        for _ in watch(*self.watched(), stop_event=stop, debounce=300, step=50):
            self.rebuild()


def handler(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            url = urlsplit(self.path)
            style = parse_qs(url.query).get("style", ["epub"])[0]
            with preview.lock:
                build, directory, problems = preview.build, preview.html_dir, list(preview.problems)
            if url.path == "/__build":
                return self._send(str(build), "text/plain")
            if url.path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/contents.xhtml")
                self.end_headers()
                return None
            reload = RELOAD.format(build=build, style="print" if style == "print" else "epub")
            if problems:
                items = "".join(f"<li><code>{escape(p)}</code></li>" for p in problems)
                page = f"<!DOCTYPE html><html><body><h1>The book cannot be built</h1><ul>{items}</ul>{reload}</body></html>"
                return self._send(page, "text/html")
            path = (directory / url.path.lstrip("/")).resolve() if directory else None
            if path is None or not path.is_relative_to(directory.resolve()) or not path.is_file():
                return self._send("not found", "text/plain", HTTPStatus.NOT_FOUND)
            if path.suffix == ".xhtml":
                text = path.read_text(encoding="utf-8")
                if style == "print":
                    text = text.replace(html.EPUB_CSS, html.PRINT_CSS)
                return self._send(text.replace("</body>", reload + "</body>"), "text/html")
            return self._send(path.read_bytes(), self.guess_type(str(path)))

        def _send(self, body, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:
            pass  # the terminal shows rebuilds, not every request

    return Handler


def serve(project: Path, port: int, ready: Callable[[str], None] = lambda url: None,
          on_build: Callable[[int, list[str]], None] = lambda build, problems: None) -> None:
    """Build once, then serve and watch until interrupted; ``ready`` gets the address once it listens."""
    preview = Preview(project.resolve(), on_build=on_build)
    preview.rebuild()
    server = ThreadingHTTPServer((LOOPBACK, port), handler(preview))
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # a terminated preview cleans up as a Ctrl-C'd one does
    ready(f"http://{LOOPBACK}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
        shutil.rmtree(preview.directory, ignore_errors=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
