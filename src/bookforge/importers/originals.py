"""Where a picture's original file is: the addresses a post gives for it, best first, and where the blog's
own files are to be fetched from now.

WordPress sets a picture at a size made for the page and names its other sizes around it: ``srcset``
lists them by width, Jetpack's ``data-orig-file`` names the file as it was uploaded, a thumbnail is
usually a link to its full-size file, and every size made from ``photo.jpg`` is called
``photo-300x200.jpg``.  WordPress.com and Jetpack's image CDN ask for a size with ``?w=604``, and the
CDN serves another site's file as ``i0.wp.com/<site>/<path>``.  ``named`` reads what a post's
``<img>`` names; ``candidates`` turns it into the addresses to try, the original first; ``Site``
says where a file of the blog's own is fetched from (``--site``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

PICTURE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z]+$)")  # photo-300x200.jpg: a size WordPress made of photo.jpg
# What WordPress.com and Jetpack's image CDN read from the query to make a size: none of it names another file
SIZE_QUERY = {"w", "h", "crop", "resize", "fit", "zoom", "quality", "strip", "ssl", "lb", "ulb"}
CDN = re.compile(r"^i[0-3]\.wp\.com$")
UPLOADS = "/wp-content/uploads/"
HOSTED = ".files.wordpress.com"  # WordPress.com keeps each blog's uploads on <blog>.files.wordpress.com


def named(src: str, attributes: dict[str, str], link: str | None) -> list[str]:
    """The addresses of a picture's larger sizes that its ``<img>`` and the link around it name, beside its
    ``src``: ``data-orig-file``, the link when it leads to a size of the same picture, and the widest
    ``srcset`` candidate; each made absolute against ``src``."""
    found = [attributes.get("data-orig-file", "")]
    if link and _stem(link) and _stem(link) == _stem(src):
        found.append(link)
    found.append(widest(attributes.get("srcset", "")))
    return _unique(urljoin(src, url.strip()) for url in found if url and url.strip())


def widest(srcset: str) -> str:
    """The candidate of a ``srcset`` with the largest width (``1024w``) or density (``2x``); '' when none."""
    best, size = "", -1.0
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        match = re.fullmatch(r"(\d+(?:\.\d+)?)[wx]", parts[1]) if len(parts) > 1 else None
        value = float(match.group(1)) if match else 0.0
        if value > size:
            best, size = parts[0], value
    return best


def candidates(src: str, extra: list[str]) -> list[str]:
    """The addresses to try for a picture, best first: the original each named address points at (its size
    suffix undone, its size query dropped, the CDN's origin), then each address as named, its size query dropped."""
    named_urls = [*extra, src]
    originals = [original(url) for url in named_urls]
    return _unique([*originals, *(sizeless(url) for url in named_urls)])


def original(url: str) -> str:
    """The file a size was made from: ``…/photo-300x200.jpg?w=300`` -> ``…/photo.jpg``; a CDN's copy -> the origin."""
    url = _origin(sizeless(url))
    parts = urlsplit(url)
    name = PurePosixPath(parts.path).name
    if PurePosixPath(name).suffix.lower() not in PICTURE_SUFFIXES:
        return url
    return urlunsplit(parts._replace(path=parts.path[:len(parts.path) - len(name)] + SIZE_SUFFIX.sub("", name, count=1)))


def sizeless(url: str) -> str:
    """The address without the query that asks the site for a size (``?w=604&h=403``)."""
    parts = urlsplit(url)
    if not parts.query or PurePosixPath(parts.path).suffix.lower() not in PICTURE_SUFFIXES:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SIZE_QUERY]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _origin(url: str) -> str:
    """``https://i0.wp.com/example.com/wp-content/uploads/x.jpg`` -> ``https://example.com/wp-content/uploads/x.jpg``."""
    parts = urlsplit(url)
    host, _, rest = parts.path.lstrip("/").partition("/")
    if not CDN.match(parts.hostname or "") or "." not in host or not rest:
        return url
    return urlunsplit((parts.scheme or "https", host, "/" + rest, parts.query, ""))


def _stem(url: str) -> str:
    """A picture's name without its size suffix and type ('' for an address that names no picture file)."""
    path = PurePosixPath(urlsplit(url).path)
    return SIZE_SUFFIX.sub("", path.name).rsplit(".", 1)[0].lower() if path.suffix.lower() in PICTURE_SUFFIXES else ""


def _unique(urls) -> list[str]:
    return list(dict.fromkeys(urls))


@dataclass(frozen=True)
class Site:
    """Where the blog lived (``blog``, the export's ``base_blog_url``) and where its files are now (``now``: ``--site``,
    else the blog's own address); ``given``: ``--site`` was given, so its own files come from there alone."""

    blog: str
    now: str
    given: bool = False

    def addresses(self, url: str) -> list[str]:
        """Where to fetch the file ``url`` names: for one of the blog's own, from ``now`` (and, unless ``--site``
        was given, also from where it was named); any other from its own address."""
        moved = self.moved(url)
        if moved is None:
            return [url]
        return [moved] if self.given or moved == url else [moved, url]

    def moved(self, url: str) -> str | None:
        """``url`` on the blog's address now, or None when it is not one of the blog's own files: those under
        its address, under ``…/wp-content/uploads/`` on any host (its old domain), or on ``*.files.wordpress.com``."""
        parts, blog = urlsplit(url), urlsplit(self.blog)
        host, path, now = (parts.hostname or "").lower(), parts.path, urlsplit(self.now)
        under = now.path.rstrip("/")  # the blog's folder on the site now
        if host.endswith(HOSTED):
            path = under + UPLOADS.rstrip("/") + path
        elif UPLOADS in path:
            path = under + path[path.index(UPLOADS):]
        elif blog.hostname and _same_host(host, blog.hostname.lower()):
            folder = blog.path.rstrip("/")
            path = under + path[len(folder):] if path.startswith(folder + "/") else path
        else:
            return None
        return urlunsplit((now.scheme, now.netloc, path, parts.query, ""))


def _same_host(one: str, other: str) -> bool:
    return one.removeprefix("www.") == other.removeprefix("www.")
