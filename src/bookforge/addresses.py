"""The addresses a post links to, as the book gives them: a link the web can open, a link to a page of
the book, or text.

Blogs link to addresses no book can open: a path on the old site (``/sessions``), an address written
without its scheme (``www.example.com``), a place in the blog's own page (``#footnote-1``), a script
(``javascript:…``), a URL with spaces or brackets in it.  EPUBCheck refuses each of them.  ``target``
sorts one address into what the book does with it:

- a link elsewhere, when its scheme is one a reading system follows (``LINKED_SCHEMES``), written as
  the URL syntax asks: spaces, non-ASCII letters, brackets and the other characters URLs do not hold
  percent-encoded, once (an ``%XX`` already there is kept), tabs and line breaks taken out and a
  backslash read as a slash, as browsers do;
- a link inside the book, when a relative address names one of its chapters (its last segment is the
  chapter's slug: ``/2008/05/29/gsoc/``, ``gsoc.html``), or ``#…`` names a place on the chapter's page
  (``#comment-12`` is that comment);
- text, for everything else: the link's words stay, followed by the address in parentheses in both
  books, so no address is lost.  Only what is no address a reader could use is not repeated: a script,
  inline data, or a place in the blog's page that the book does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# The schemes the importer's sanitiser (nh3) lets through that EPUBCheck also knows as registered; any
# other (magnet:, webcal:, file:, ...) is given as text, as EPUBCheck would warn of it (HTM-025).
LINKED_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "news", "nntp", "irc", "im", "sip", "xmpp"})
WEB_SCHEMES = frozenset({"http", "https", "ftp"})  # the URL standard's "special" schemes: they need a host
NOT_ADDRESSES = frozenset({"javascript", "vbscript", "data"})  # a script or the data itself: nothing to visit
PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
EDGES = "".join(map(chr, range(0x21)))  # the controls and the space a browser strips from an address's ends
STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
BAD_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")  # the URL standard's forbidden host code points
SUB_DELIMS = "!$&'()*+,;=-._~%"
PATH_SAFE = SUB_DELIMS + ":@/"
QUERY_SAFE = PATH_SAFE + "?"  # the query and the fragment
WORDPRESS_COMMENT = re.compile(r"comment-(\S+)")  # '#comment-12', the anchor WordPress gives a comment


@dataclass(frozen=True)
class Target:
    """What the book does with one address: a link ``href`` elsewhere (``web``) or to a page of the book
    (``book``), or ``text``, with ``why``.  ``address`` is the address as the post wrote it (its spaces
    and line breaks at the ends taken out): a web link's note for print, or what text gives after the
    link's words ('' when it is no address a reader could use)."""

    kind: str  # web | book | text
    href: str = ""
    address: str = ""
    why: str = ""


def target(address: str, here: str, places: dict[str, frozenset[str]]) -> Target:
    """Where a link of the chapter ``here`` to ``address`` goes; ``places`` holds each chapter's slug
    with the ids of its page."""
    address = _cleaned(address)
    try:
        parts = urlsplit(address)
    except ValueError:  # a bracketed host that is not one ('http://[x/')
        return Target("text", "", address, "is not a well-formed address")
    if parts.scheme:
        return _elsewhere(address, parts.scheme.lower())
    if parts.netloc:  # '//example.com/page': the blog's page was read over http
        return _elsewhere(f"http:{address}", "http")
    if not address:
        return Target("text", why="is empty")
    return _inside(parts, address, here, places)


def encoded(url: str) -> str | None:
    """``url`` (with a scheme) written as the URL syntax asks, or None when it cannot be a valid URL."""
    scheme, rest = url.split(":", 1)
    scheme = scheme.lower()
    if scheme in WEB_SCHEMES:  # 'https:x.com', 'http:\\x.com': the URL standard reads both as 'https://x.com'
        rest = "//" + rest.replace("\\", "/").lstrip("/")
    try:
        parts = urlsplit(f"{scheme}:{rest}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    netloc = _netloc(parts.netloc)
    if netloc is None or (scheme in WEB_SCHEMES and not parts.hostname) or not (netloc or parts.path):
        return None
    return urlunsplit((scheme, netloc, _percent(parts.path, PATH_SAFE), _percent(parts.query, QUERY_SAFE),
                       _percent(parts.fragment, QUERY_SAFE)))


def _elsewhere(address: str, scheme: str) -> Target:
    if scheme in NOT_ADDRESSES:
        return Target("text", why=f"is a {scheme}: address, which no reader can visit")
    if scheme not in LINKED_SCHEMES:
        return Target("text", "", address, f"is a {scheme}: address, which reading systems do not follow")
    href = encoded(address)
    return Target("web", href, address) if href else Target("text", "", address, "is not a well-formed address")


def _inside(parts, address: str, here: str, places: dict[str, frozenset[str]]) -> Target:
    """A relative address: a chapter of the book or a place on this page, else text."""
    if not parts.path and not parts.query:
        if not parts.fragment:
            return Target("text", why="is a placeholder that leads nowhere")
        place = _place(parts.fragment, here, places)
        if place:
            return Target("book", f"#{place}")
        return Target("text", why="names a place in the blog's page that the book does not have")
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    slug = next((name.removesuffix(s) for s in PAGE_SUFFIXES if name.endswith(s)), name)
    if slug in places:
        place = _place(parts.fragment, slug, places)
        return Target("book", f"{slug}.xhtml" + (f"#{place}" if place else ""))
    return Target("text", "", address, "names no page of the book and no address on the web")


def _place(fragment: str, slug: str, places: dict[str, frozenset[str]]) -> str:
    """The id on the page of ``slug`` that ``fragment`` names ('' for none): an id the page has, or
    WordPress's 'comment-12' for the comment it became."""
    fragment = unquote(fragment)
    found = WORDPRESS_COMMENT.fullmatch(fragment)
    for candidate in (fragment, f"{slug}-c{found.group(1)}" if found else ""):
        if candidate and candidate in places.get(slug, ()):
            return candidate
    return ""


def _cleaned(address: str) -> str:
    """The address as a browser reads it: no spaces or controls around it, no tabs or line breaks in it."""
    return re.sub(r"[\t\n\r]", "", address.strip(EDGES))


def _netloc(netloc: str) -> str | None:
    """The user, host and port with the user percent-encoded; None when the host cannot be one."""
    user, _, host = netloc.rpartition("@")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not name.startswith("[") and BAD_HOST.search(name):
        return None
    return (_percent(user, SUB_DELIMS + ":") + "@" if user else "") + host


def _percent(text: str, safe: str) -> str:
    """``text`` with what ``safe`` does not allow percent-encoded (as UTF-8), and a lone '%' as '%25'."""
    return quote(STRAY_PERCENT.sub("%25", text), safe=safe)
