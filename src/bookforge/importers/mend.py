"""An export's raw text made well-formed XML on its way to the parser, as WordPress's own importer reads it.

WordPress's importer falls back to a lenient parser when an export is not well-formed XML, so
real exports carry faults a strict parser refuses.  They are mended here, in a stream (64 KB
at a time, so memory stays bounded), without moving a line, so the parser's line numbers stay
the export's:

- the encoding: an export that is valid UTF-8 is read as UTF-8 whatever its declaration says
  (old sites declared ISO-8859-1 over UTF-8 text); otherwise the declared encoding, with
  Latin-1 read as Windows-1252 as browsers do; bytes that are not UTF-8 in a UTF-8 export
  are read as Windows-1252, the usual cause;
- namespace prefixes used without a declaration (WordPress.com writes ``<atom:link>`` with
  no ``xmlns:atom``): declared on the root element, with their usual URI when there is one;
- characters XML forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF): removed;
- a ``]]>`` inside a post's text (an inline script's ``// ]]>``), which older WordPress did not
  escape and which ends the CDATA section early: kept as text.  A CDATA section of an export
  is the whole text of the element it opens in, so it ends only where that element's end tag
  (or the next CDATA section of the same text) follows; and a section whose ``]]>`` is missing
  ends at that end tag;
- outside CDATA and comments, HTML entity references XML does not define (``&nbsp;``) become the
  characters' numeric references, and a bare ``&`` an ``&amp;``.

Each repair is counted in ``repairs``; ``items`` counts the ``<item>`` start tags outside
CDATA, so a reader can tell how many items the export holds whatever the parser made of them.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 16
HEAD_LIMIT = 1 << 20  # the root start tag is looked for in the first MB
USUAL_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "georss": "http://www.georss.org/georss",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "media": "http://search.yahoo.com/mrss/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
}
USED_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
DECLARED = re.compile(r"\sxmlns:([A-Za-z_][\w.-]*)\s*=")
ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
DECLARATION = re.compile(r"^(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]+)([\"'])")
ROOT = re.compile(r"<(rss)\b[^>]*>")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes the decoder could not read, kept by 'surrogateescape'
REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);|#[0-9]+;|#x[0-9A-Fa-f]+;)(?:([A-Za-z][A-Za-z0-9]{0,31});)?")
OPEN_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>\s*$")
ITEM = re.compile(r"<item[\s>]")
LOOK_AHEAD = 256  # characters after a ']]>' read before deciding whether it ends its section
TOKEN = 40  # the longest token the stream must not cut: an entity reference, '<![CDATA[', '<item>'
LATIN_1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "iso-8859-15", "windows-1252",
           "cp1252"}


@dataclass(frozen=True)
class Survey:
    """What a first quick reading of the raw bytes tells: how to decode them, and the prefixes they use."""

    encoding: str  # the codec to read the bytes with
    declared: str  # the encoding the XML declaration names ('' when none)
    prefixes: frozenset[str]  # namespace prefixes used on elements and attributes (CDATA included: harmless)


def survey(path: Path) -> Survey:
    """One quick pass over the bytes: are they UTF-8, and which prefixes do the export's own elements use
    (text in CDATA sections left aside, so that a post's pasted Word markup, ``<o:p>``, does not count)."""
    prefixes: set[str] = set()
    strict = codecs.getincrementaldecoder("utf-8")()
    utf8, inside, pending = True, False, b""
    with path.open("rb") as stream:
        head = stream.read(CHUNK)
        found = ENCODING.match(head.removeprefix(codecs.BOM_UTF8))
        declared = found.group(1).decode("ascii") if found else ""
        data = head
        while data:
            if utf8:
                try:
                    strict.decode(data)
                except UnicodeDecodeError:
                    utf8 = False
            pending, inside = _prefixes(pending + data, inside, prefixes, final=False)
            data = stream.read(CHUNK)
        _prefixes(pending, inside, prefixes, final=True)
    if utf8:
        try:
            strict.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Survey(_codec(declared, utf8, head), declared, frozenset(prefixes - {"xml", "xmlns"}))


def _prefixes(data: bytes, inside: bool, prefixes: set[str], final: bool) -> tuple[bytes, bool]:
    """Collect the prefixes outside CDATA in ``data``; what is left to read with the next bytes, and the state."""
    at = 0
    while True:
        if inside:
            end = data.find(b"]]>", at)
            if end < 0:
                return data[max(at, len(data) - 2):], True
            inside, at = False, end + 3
            continue
        start = data.find(b"<![CDATA[", at)
        stop = start if start >= 0 else len(data) if final else _cut(data, at)
        prefixes.update((a or b).decode("ascii") for a, b in USED_PREFIX.findall(data, at, stop))
        if start < 0:
            return data[stop:], False
        inside, at = True, start + 9


def _cut(data: bytes, at: int) -> int:
    """Where bytes outside CDATA can be cut without cutting a tag: before the last '<' near the end."""
    cut = max(len(data) - TOKEN, at)
    tag = data.rfind(b"<", max(cut - 2 * TOKEN, at), cut)
    return tag if tag >= 0 else cut


def _codec(declared: str, utf8: bool, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8) or utf8:
        return "utf-8-sig"
    if declared.lower() in LATIN_1:
        return "cp1252"
    try:
        name = codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        name = "utf-8"
    return "utf-8-sig" if name.startswith("utf") else name


class Mended:
    """The export's bytes, mended, as a file the parser reads (``read(size)``)."""

    def __init__(self, path: Path, found: Survey, repairs: Counter):
        self.chunks = _mended(path, found, repairs, self)
        self.items = 0  # <item> start tags outside CDATA, counted as the stream passes
        self.done = False
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.pending) < size):
            chunk = next(self.chunks, None)
            if chunk is None:
                self.done = True
            else:
                self.pending += chunk
        size = len(self.pending) if size < 0 else size
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


def _mended(path: Path, found: Survey, repairs: Counter, counter: Mended) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(found.encoding)(errors="surrogateescape")
    mender = _Mender(found, repairs, counter)
    with path.open("rb") as stream:
        while data := stream.read(CHUNK):
            yield mender.feed(decoder.decode(data)).encode("utf-8")
    yield mender.feed(decoder.decode(b"", final=True), final=True).encode("utf-8")


class _Mender:
    """The text state machine: outside CDATA (entities mended) or inside it (a ']]>' that is text kept)."""

    def __init__(self, found: Survey, repairs: Counter, counter: Mended):
        self.found, self.repairs, self.counter = found, repairs, counter
        self.buffer, self.history = "", ""
        self.head = True  # until the root start tag has passed
        self.inside: str | None = None  # in a CDATA section: the name of the element it opens in ('' unknown)
        self.continued = ""  # the element whose CDATA section just ended in a following section

    def feed(self, text: str, final: bool = False) -> str:
        self.buffer += self._characters(text)
        out: list[str] = []
        if self.head:
            if not final and not ROOT.search(self.buffer) and len(self.buffer) < HEAD_LIMIT:
                return ""
            self.buffer = self._root(self._declaration(self.buffer))
            self.head = False
        while self._step(out, final):
            pass
        return "".join(out)

    def _step(self, out: list[str], final: bool) -> bool:
        """Move one piece of the buffer to ``out``; False when more text is needed (or all is done)."""
        if self.inside is not None:
            end = self.buffer.find("]]>")
            unclosed = self.buffer.find(f"</{self.inside}>", 0, end if end >= 0 else len(self.buffer)) if self.inside else -1
            if unclosed >= 0:  # the element ends with its section still open: the ']]>' is missing
                out.append(self.buffer[:unclosed] + "]]>")
                self.repairs["CDATA sections left open: closed at the end of their element"] += 1
                self.inside, self.buffer, self.history = None, self.buffer[unclosed:], ""
                return True
            if end < 0:
                keep = 0 if final else 2
                out.append(self.buffer[:len(self.buffer) - keep])
                self.buffer = self.buffer[len(self.buffer) - keep:]
                return False
            if not final and len(self.buffer) - end - 3 < LOOK_AHEAD:
                return False
            after = self.buffer[end + 3:end + 3 + LOOK_AHEAD]
            closing = re.match(rf"\s*(?:</{re.escape(self.inside)}\s*>|(<!\[CDATA\[))", after) if self.inside else True
            if closing:
                out.append(self.buffer[:end + 3])
                self.continued = self.inside if closing is not True and closing.group(1) else ""
                self.inside, self.buffer, self.history = None, self.buffer[end + 3:], ""
            else:
                out.append(self.buffer[:end] + "]]]]><![CDATA[>")
                self.repairs["']]>' inside a post's text, which ended its CDATA section early: kept as text"] += 1
                self.buffer = self.buffer[end + 3:]
            return True
        start = self.buffer.find("<![CDATA[")
        comment = self.buffer.find("<!--", 0, start if start >= 0 else len(self.buffer))
        if comment >= 0:  # an XML comment (the export's header): passed on as it is
            end = self.buffer.find("-->", comment + 4)
            if end < 0 and not final:
                out.append(self._outside(self.buffer[:comment]))
                self.buffer = self.buffer[comment:]
                return False
            end = len(self.buffer) if end < 0 else end + 3
            out.append(self._outside(self.buffer[:comment]) + self.buffer[comment:end])
            self.buffer = self.buffer[end:]
            return True
        if start < 0:
            cut = len(self.buffer) if final else _safe_end(self.buffer)
            out.append(self._outside(self.buffer[:cut]))
            self.buffer = self.buffer[cut:]
            return False
        out.append(self._outside(self.buffer[:start]) + "<![CDATA[")
        opened = OPEN_TAG.search(self.history[-512:])
        self.inside = opened.group(1) if opened else (self.continued if not self.history.strip() else "")
        self.buffer = self.buffer[start + 9:]
        return True

    def _outside(self, text: str) -> str:
        self.counter.items += len(ITEM.findall(text))
        self.history = (self.history + text)[-512:]
        return REFERENCE.sub(self._reference, text) if "&" in text else text

    def _reference(self, match: re.Match) -> str:
        name = match.group(1)
        character = html.entities.html5.get(f"{name};") if name else None
        if character:
            self.repairs["HTML entity references XML does not define (&nbsp; …): read as their characters"] += 1
            return "".join(f"&#{ord(c)};" for c in character)
        self.repairs["bare '&' outside CDATA: read as text"] += 1
        return "&amp;"

    def _characters(self, text: str) -> str:
        if NOT_UTF8.search(text):
            self.repairs["bytes that are not UTF-8: read as Windows-1252"] += len(NOT_UTF8.findall(text))
            text = NOT_UTF8.sub(lambda m: _cp1252(ord(m.group(0)) - 0xDC00), text)
        if FORBIDDEN.search(text):
            self.repairs["control characters XML forbids: removed"] += len(FORBIDDEN.findall(text))
            text = FORBIDDEN.sub("", text)
        return text

    def _declaration(self, text: str) -> str:
        """The XML declaration names UTF-8, which the parser is given."""
        declared = self.found.declared
        if declared and not declared.lower().startswith("utf") and self.found.encoding.startswith("utf"):
            self.repairs[f"the export declares encoding {declared}: read as UTF-8"] += 1
        return DECLARATION.sub(r"\g<1>UTF-8\g<3>", text, count=1)

    def _root(self, text: str) -> str:
        """Declare on the root element every prefix the export uses without declaring it there."""
        root = ROOT.search(text)
        if root is None:
            return text
        missing = sorted(self.found.prefixes - set(DECLARED.findall(root.group(0))))
        if not missing:
            return text
        self.repairs[f"namespace prefixes used without a declaration, declared: {', '.join(missing)}"] += 1
        declarations = "".join(f' xmlns:{p}="{USUAL_NAMESPACES.get(p, "urn:bookforge:undeclared:" + p)}"'
                               for p in missing)
        at = root.start() + len("<rss")
        return text[:at] + declarations + text[at:]


def _safe_end(text: str) -> int:
    """Where the outside text can be cut without cutting a token: before the last '<' or '&' near its end."""
    cut = max(len(text) - TOKEN, 0)
    near = [i for i in (text.find("<", max(cut - TOKEN, 0), cut), text.find("&", max(cut - TOKEN, 0), cut)) if i >= 0]
    return min(near) if near else cut


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return ""  # one of the five bytes Windows-1252 leaves undefined: nothing to read
