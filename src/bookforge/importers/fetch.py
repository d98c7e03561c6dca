"""Files fetched from the web for the import's pictures: politely, within bounds, and never from where a
hostile export would send them.

httpx does the HTTP.  Its connection pool connects through ``_Guard``, which resolves each host name
itself and refuses to connect when any of its addresses is not on the public Internet (private,
loopback, link-local, shared, reserved: ``--allow-private`` allows them), then connects to the address it
checked.  So every request and every redirect hop is checked at the address it goes to, not by its
name: a name that resolves to 169.254.169.254 is refused as that address is.  Redirects are followed by
hand, at most ``REDIRECTS_MAX``, and only to http and https.  Each site's robots.txt is read once and
obeyed (RFC 9309: one the server says is not there allows everything, one it cannot serve allows
nothing), with its Crawl-delay; at most ``per_host`` requests go to one host at a time.  A failure that
may pass (a timeout, a dropped connection, 408, 429, a 5xx) is tried again after a growing pause, or
the server's Retry-After; any other is final.  Nothing is read past ``size_max`` bytes.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from bookforge import __version__

AGENT = "bookforge"  # the name robots.txt rules are matched against
USER_AGENT = f"{AGENT}/{__version__} (fetches the pictures of a blog its author is making into a book)"
ACCEPT = "image/jpeg, image/png, image/gif;q=0.9, image/*;q=0.5"  # what a book can hold, asked for first
SCHEMES = ("http", "https")
REDIRECTS = {301, 302, 303, 307, 308}
PASSING = {408, 429, 500, 502, 503, 504}  # statuses worth another try later
REDIRECTS_MAX = 5
ROBOTS_MAX = 512 * 1024  # RFC 9309 asks a crawler to read at least 500 KiB of robots.txt
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchOptions:
    allow_private: bool = False  # --allow-private: addresses off the public Internet may be fetched from
    size_max: int = 50 * 1024 * 1024  # bytes: a larger file is not read to its end
    connect_timeout: float = 10.0  # seconds
    read_timeout: float = 30.0  # seconds without a byte
    deadline: float = 300.0  # seconds for a whole file, however slowly it comes
    per_host: int = 2  # requests at a time to one host
    attempts: int = 3  # tries of a failure that may pass
    backoff: float = 1.0  # seconds before the second try, doubled for each one after
    retry_after_max: float = 60.0  # the longest Retry-After obeyed; a longer one is a failure for this run


@dataclass(frozen=True)
class Fetched:
    """What fetching one address gave: a temporary file holding the body, or why not."""

    url: str
    path: Path | None = None  # the caller keeps or deletes it
    reason: str = ""  # why not ('' when fetched)
    lasting: bool = False  # the same address will fail the same way another day, whatever the options
    too_large: bool = False
    status: int = 0  # the HTTP status that ended it, when one did


class _Again(Exception):
    """A failure that may pass: try again after ``wait`` seconds (None: the usual back-off)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class _Final(Exception):
    """A failure that trying again now will not mend; ``lasting``: nor another day (a refusal is not: it depends
    on ``--allow-private``)."""

    def __init__(self, reason: str, lasting: bool = True, too_large: bool = False, status: int = 0):
        super().__init__(reason)
        self.reason, self.lasting, self.too_large, self.status = reason, lasting, too_large, status


class Refused(httpcore.ConnectError):
    """The guard's refusal to connect to an address off the public Internet."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (a literal address: itself), in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in found))


def off_the_internet(address: str) -> str:
    """Why an address is not on the public Internet ('' when it is): private, loopback, link-local, …,
    also when written as an IPv4-mapped, 6to4 or Teredo IPv6 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = [a for a in (ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())) if a is not None] if ip.version == 6 else []
    for one in [*inner, ip]:  # the IPv4 address inside first: it says more
        for test, what in ((one.is_loopback, "a loopback address"), (one.is_link_local, "a link-local address"),
                           (one.is_private, "a private address"), (one.is_multicast, "a multicast address"),
                           (not one.is_global, "not an address on the public Internet")):
            if test:
                return what
    return ""


class _Guard(httpcore.SyncBackend):
    """httpcore's own network backend, resolving each host itself and connecting only to addresses it checked."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host} could not be resolved: {getattr(exc, 'strerror', None) or exc}") from exc
        for address in addresses:
            why = off_the_internet(address)
            if why and not self.allow_private:
                shown = f"{address} is" if host == address else f"{host} is {address},"
                raise Refused(f"refused: {shown} {why}; bookforge fetches only from the public Internet unless "
                              "--allow-private is given")
        failure = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} has no address")


class _Transport(httpx.HTTPTransport):
    """httpx's transport with its connection pool connecting through the guard."""

    def __init__(self, guard: _Guard, connections: int):
        super().__init__(trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):  # never connect unguarded
            raise RuntimeError("this httpx keeps its connection pool elsewhere: the address guard cannot be put in")
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             max_connections=connections, max_keepalive_connections=connections,
                                             keepalive_expiry=5.0, network_backend=guard)


class Fetcher:
    """One session of fetching: a client, each site's robots.txt, each host's turn; ``get`` may be called from threads."""

    def __init__(self, options: FetchOptions, connections: int = 8):
        self.options = options
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        self.client = httpx.Client(transport=_Transport(_Guard(options.allow_private), connections), timeout=timeout,
                                   headers={"User-Agent": USER_AGENT}, follow_redirects=False, trust_env=False)
        self.lock = threading.Lock()
        self.robots: dict[str, RobotFileParser | _Final] = {}  # origin -> its rules, or why none could be read
        self.locks: dict[str, threading.Lock] = {}  # one per site: its robots.txt read once, its Crawl-delay kept
        self.turns: dict[str, threading.Semaphore] = {}
        self.next_at: dict[str, float] = defaultdict(float)  # origin -> when its Crawl-delay lets the next request go
        self.down: dict[str, str] = {}  # host -> why it could not be reached, after every try: not tried again now
        self.requests = 0  # requests sent, robots.txt included

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def get(self, url: str, folder: Path, obey: bool = True, cap: int | None = None) -> Fetched:
        """Fetch ``url`` into a temporary file in ``folder``, trying again what may pass; ``obey``: as the site's
        robots.txt allows (robots.txt itself is fetched without); ``cap``: the size a file may have."""
        wait, reason = self.options.backoff, ""
        for attempt in range(self.options.attempts):
            try:
                return Fetched(url, self._follow(url, folder, obey, cap or self.options.size_max))
            except _Final as exc:
                return Fetched(url, reason=exc.reason, lasting=exc.lasting, too_large=exc.too_large, status=exc.status)
            except _Again as exc:
                reason = exc.reason
                pause = wait if exc.wait is None else exc.wait
                if pause > self.options.retry_after_max or attempt == self.options.attempts - 1:
                    break
                time.sleep(pause)
                wait *= 2
        if reason.startswith(("could not connect", "timed out connecting")):
            self.down.setdefault(urlsplit(url).hostname or "", reason)
        return Fetched(url, reason=reason)

    def _follow(self, url: str, folder: Path, obey: bool, cap: int) -> Path:
        """The body of ``url`` in a temporary file, redirects followed."""
        for _ in range(REDIRECTS_MAX + 1):
            parts = urlsplit(url)
            if parts.scheme.lower() not in SCHEMES:
                raise _Final(f"{url} is not an http or https address")
            if (parts.hostname or "") in self.down:
                raise _Final(self.down[parts.hostname or ""], lasting=False)
            if obey:
                self._obey_robots(url, folder)
            with self._turn(url):
                location = self._request(url, folder, cap)
            if isinstance(location, Path):
                return location
            target = urljoin(url, location)
            if urlsplit(target).scheme.lower() not in SCHEMES:
                raise _Final(f"redirected to {target}, which is not an http or https address")
            url = target
        raise _Final(f"more than {REDIRECTS_MAX} redirects")

    def _request(self, url: str, folder: Path, cap: int) -> Path | str:
        """One GET: the body in a temporary file, or a redirect's Location."""
        started = time.monotonic()
        self._count()
        try:
            with self.client.stream("GET", url, headers={"Accept": ACCEPT}) as response:
                status = response.status_code
                if status in REDIRECTS and response.headers.get("location"):
                    return response.headers["location"]
                if status in PASSING:
                    raise _Again(f"HTTP {status} {response.reason_phrase}", _retry_after(response))
                if status in (404, 410):
                    raise _Final(f"not found (HTTP {status})", status=status)
                if status != 200:
                    raise _Final(f"HTTP {status} {response.reason_phrase}".strip(), status=status)
                return self._body(response, folder, started, cap)
        except (_Again, _Final):
            raise
        except httpx.ConnectTimeout:
            raise _Again(f"timed out connecting (no answer within {self.options.connect_timeout:g} s)") from None
        except httpx.TimeoutException:
            raise _Again(f"timed out (no data for {self.options.read_timeout:g} s)") from None
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, Refused):
                raise _Final(str(exc.__cause__), lasting=False) from None
            raise _Again(f"could not connect: {exc}") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:  # a dropped connection, a broken answer
            raise _Again(f"the connection failed: {type(exc).__name__}: {exc}") from None
        except httpx.InvalidURL as exc:
            raise _Final(f"not an address that can be fetched: {exc}") from None

    def _body(self, response: httpx.Response, folder: Path, started: float, cap: int) -> Path:
        """The response's body in a temporary file, within the size cap and the deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Final(f"too large: {int(declared):,} bytes, more than the {cap:,} a picture may have", too_large=True)
        descriptor, name = tempfile.mkstemp(prefix=".part-", dir=folder)
        kept = False
        try:
            with os.fdopen(descriptor, "wb") as file:
                size = 0
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise _Final(f"too large: more than the {cap:,} bytes a picture may have", too_large=True)
                    if time.monotonic() - started > self.options.deadline:
                        raise _Again(f"timed out (not whole after {self.options.deadline:g} s)")
                    file.write(chunk)
            kept = True
            return Path(name)
        finally:
            if not kept:
                Path(name).unlink(missing_ok=True)

    def _lock(self, key: str) -> threading.Lock:
        with self.lock:
            return self.locks.setdefault(key, threading.Lock())

    def _count(self) -> None:
        with self.lock:
            self.requests += 1

    def _turn(self, url: str) -> threading.Semaphore:
        """A request's turn at its host: at most ``per_host`` at once, spaced by the site's Crawl-delay."""
        origin = _origin(url)
        with self.lock:
            turn = self.turns.setdefault(origin, threading.Semaphore(self.options.per_host))
            rules = self.robots.get(origin)
        delay = rules.crawl_delay(AGENT) if isinstance(rules, RobotFileParser) else None
        if delay:
            with self._lock(f"{origin} pace"):
                time.sleep(max(0.0, self.next_at[origin] - time.monotonic()))
                self.next_at[origin] = time.monotonic() + float(delay)
        return turn

    def _obey_robots(self, url: str, folder: Path) -> None:
        """Refuse what the site's robots.txt disallows, reading it first on the site's first request."""
        origin = _origin(url)
        with self._lock(origin):
            if origin not in self.robots:
                self.robots[origin] = self._robots(origin, folder)
        rules = self.robots[origin]
        if isinstance(rules, _Final):
            raise rules
        if not rules.can_fetch(AGENT, url):
            raise _Final("the site's robots.txt does not allow it")

    def _robots(self, origin: str, folder: Path) -> RobotFileParser | _Final:
        """The site's robots.txt (RFC 9309): its rules; everything allowed when the server says there is none (4xx),
        or is too large to be one; else why none could be read (a 5xx, no connection, the guard's refusal)."""
        got = self.get(f"{origin}/robots.txt", folder, obey=False, cap=ROBOTS_MAX)
        rules = RobotFileParser(f"{origin}/robots.txt")
        if got.path is not None:
            try:
                rules.parse(got.path.read_bytes().decode("utf-8", errors="replace").splitlines())
            finally:
                got.path.unlink(missing_ok=True)
            return rules
        if 400 <= got.status < 500 or got.too_large or got.reason.startswith(("redirected to", "more than")):
            rules.parse([])
            return rules
        if got.status or got.reason.startswith(("HTTP ", "timed out (", "the connection failed")):
            return _Final(f"the site's robots.txt could not be read ({got.reason}), so its rules are not known: "
                          "not fetched", lasting=False)
        return _Final(got.reason, lasting=False)  # the site cannot be reached, or may not be


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
