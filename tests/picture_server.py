"""A web server on 127.0.0.1 for the picture tests, and the pictures it serves, made here with Pillow.

``serve(root)`` serves the files under ``root`` and counts every request it answers; a test adds
routes of its own (a slow answer, a redirect, a page) by path.  No test talks to another machine:
``offline`` makes every host name but localhost fail to resolve, so a picture that names another
site is a failure with its reason, never a request out (an address written out is the guard's to
refuse, and the tests that name one do not allow it).
"""

from __future__ import annotations

import io
import ipaddress
import random
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

LOOPBACK = {"127.0.0.1", "localhost"}


@dataclass
class Served:
    url: str
    root: Path
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def count(self, prefix: str = "/") -> int:
        return sum(1 for path in self.requests if path.startswith(prefix))


@contextmanager
def serve(root: Path) -> Iterator[Served]:
    served = Served("", root)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            with lock:
                served.requests.append(self.path)
            if path in served.routes:
                served.routes[path](self)
                return
            file = (root / path.lstrip("/")).resolve()
            if not file.is_relative_to(root.resolve()) or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a client that gave up on a slow answer: what the test wants, not an error

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def offline(monkeypatch) -> None:
    """Only loopback names resolve: no test can reach another address, whatever its export names."""
    from bookforge.importers import fetch

    real = fetch.resolve

    def resolve(host: str, port: int) -> list[str]:
        try:
            ipaddress.ip_address(host)  # an address written out: resolving it asks no one
        except ValueError:
            if host not in LOOPBACK:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (the tests are offline)") from None
        return real(host, port)

    monkeypatch.setattr(fetch, "resolve", resolve)


def photograph(size: tuple[int, int], seed: int = 1, mode: str = "RGB") -> Image.Image:
    """A picture with a photograph's statistics: smooth light over the frame, and grain."""
    width, height = size
    rng = random.Random(seed)
    small = Image.new("RGB", (8, 6))
    small.putdata([(rng.randrange(40, 220), rng.randrange(40, 220), rng.randrange(40, 220)) for _ in range(48)])
    picture = small.resize(size, Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", size, rng.randbytes(width * height)).convert("RGB")
    picture = Image.blend(picture, grain, 0.1)
    return picture.convert(mode) if mode != "RGB" else picture


def line_art(size: tuple[int, int], transparent: bool = False, seed: int = 0) -> Image.Image:
    """A diagram: a few flat colours, lines and text on a white (or transparent) ground."""
    picture = Image.new("RGBA" if transparent else "RGB", size, (0, 0, 0, 0) if transparent else "white")
    draw = ImageDraw.Draw(picture)
    width, height = size
    for n in range(8):
        draw.rectangle([n * width // 9, height // 4, n * width // 9 + width // 12, height * (3 + n % 3) // 8],
                       outline=(20, 40, 160, 255), width=3, fill=(250, (200 - n * 20 + seed * 37) % 256, 60, 255))
    draw.line([0, height - 5, width, 5], fill=(0, 0, 0, 255), width=4)
    draw.text((10, 10), "Figure 1: the parts of the thing", fill=(0, 0, 0, 255))
    return picture


def encoded(picture: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()
