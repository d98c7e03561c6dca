"""A WordPress post's HTML made into clean book markup.

In order: Gutenberg block comments are resolved (static blocks keep their HTML, the
site's dynamic and interactive blocks are removed and recorded); shortcodes become markup
(``[caption]`` a figure, ``[gallery]`` its pictures, ``[embed]``, ``[audio]`` and
``[video]`` a link) or a recorded removal, so none is ever printed as text; classic-editor
text gets its paragraphs from blank lines, as WordPress's ``wpautop`` gives them; links
to other imported posts point at their chapter files; pictures come from files next to
the export, never from the network (a picture not there keeps its web address, and the larger
sizes its ``<img>`` names in ``data-sources``, for ``download.py`` to fetch); and ``nh3`` keeps
only the allowed elements.
"""

from __future__ import annotations

import base64
import filecmp
import hashlib
import html
import json
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

import nh3
from bs4 import BeautifulSoup, Tag
from PIL import Image

from bookforge.importers import originals
from bookforge.importers.code import Code
from bookforge.importers.selfcheck import shown_text
from bookforge.readers.html import flatten

TAGS = {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "em", "i", "strong", "b", "cite", "code", "kbd", "a", "sup", "sub",
        "ul", "ol", "li", "blockquote", "pre", "figure", "figcaption", "img", "hr", "div",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "dl", "dt", "dd"}
# Blocks of a page's layout that nh3 would unwrap, running their text into the next block's: kept apart as <div>
# (an <article> of the post's own would pass for one of the chapter file's comments)
DIVISIONS = ["section", "article", "header", "footer", "aside", "main", "nav", "address", "center", "details",
             "summary", "fieldset", "form", "hgroup", "legend", "search"]
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "data-sources"}}  # data-sources: a missing picture's larger sizes
URL_SCHEMES = {"http", "https", "mailto"}
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif"}
IMAGE_FORMATS = {"JPEG", "PNG", "GIF"}  # what a picture must be by its content, whatever its name says
PIXELS_MAX = Image.MAX_IMAGE_PIXELS  # Pillow's own bound, 89,478,485 (a 9459 × 9459 picture): larger ones are refused
CODE_FACES = ["tt", "kbd", "samp", "var"]  # set in the inline code face, as <code>
SCRIPTS = ["script", "style", "noscript", "template"]  # what makes the site's page work: no book runs it
PLAYERS = ["iframe", "object", "embed", "audio", "video"]  # what plays in the page: a link in the book

# Blocks whose output the site makes when a page is shown (lists of posts, search boxes, forms,
# navigation) or that only lay a page out: nothing of them belongs in a book.
SITE_BLOCKS = re.compile(
    r"^(archives|avatar|button|buttons|calendar|categories|comment.*|comments.*|latest-comments|latest-posts|"
    r"loginout|more|navigation.*|nextpage|page-list|post-.*|query.*|read-more|rss|search|site-.*|"
    r"social-link|social-links|spacer|tag-cloud|term-description)$")
MEDIA_BLOCKS = re.compile(r"^(audio|video|file|embed|core-embed/.*)$")
FOOTNOTES_BLOCK = re.compile(r"<!--\s*wp:(?:core/)?footnotes\b.*?-->(?:.*?<!--\s*/wp:(?:core/)?footnotes\s*-->)?", re.S)
BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9_/-]+)(\s+\{.*?\})?\s*(/?)-->", re.S)
# Shortcodes of WordPress.com and common plugins that show on the site's page what a book cannot play: a link
# to it in the book (labelled, and made from the shortcode's address, or from its id and the service's address)
EMBEDS = {"youtube": ("Watch", "https://www.youtube.com/watch?v={id}"), "vimeo": ("Watch", "https://vimeo.com/{id}"),
          "dailymotion": ("Watch", "https://www.dailymotion.com/video/{id}"), "ted": ("Watch", "https://www.ted.com/talks/{id}"),
          "googlevideo": ("Watch", ""), "slideshare": ("See", "https://www.slideshare.net/slideshow/embed_code/{id}"),
          "gist": ("See", "https://gist.github.com/{id}"), "googlemaps": ("See", ""), "twitter": ("See", ""),
          "instagram": ("See", ""), "flickr": ("See", ""), "soundcloud": ("Listen", ""), "spotify": ("Listen", "")}
SITE_SHORTCODES = ["nggallery", "slideshow", "polldaddy", "contact-form", "contact-field"]  # the site runs them
_SHORTCODE_NAMES = "|".join(["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist", *EMBEDS,
                             *SITE_SHORTCODES])
SHORTCODE = re.compile(rf"\[({_SHORTCODE_NAMES})(?![\w-])([^\]]*)\](?:(.*?)\[/\1\])?", re.S)
SHORTCODE_TAGS = re.compile(rf"\[/?(?:{_SHORTCODE_NAMES})(?![\w-])[^\]]*\]")  # their delimiters, for selfcheck.py
SHORTCODE_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
BLOCK_TAGS = r"(?:ul|ol|blockquote|pre|h[1-6]|table|figure|div|dl|hr|p|address|section)"
BLOCK_OPEN = re.compile(rf"(<{BLOCK_TAGS}\b)", re.I)
BLOCK_CLOSE = re.compile(rf"(</{BLOCK_TAGS}>)", re.I)
PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)
PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
BLOCK_START = re.compile(r"^\s*<(h[1-6]|ul|ol|li|blockquote|pre|figure|div|table|hr|p|dl|address|section)\b", re.I)


@dataclass(frozen=True)
class Picture:
    """An attachment of the export: where the site kept it, and what it is called."""

    url: str
    title: str


@dataclass
class Outcome:
    """What cleaning one post or comment left out or could not find, for the import report."""

    removed: list[str] = field(default_factory=list)  # 'wp:latest-posts block', '[gallery] with no pictures', …
    missing_images: list[tuple[str, str]] = field(default_factory=list)  # (URL, why): not found, or not usable
    images: list[str] = field(default_factory=list)  # pictures copied into the project
    flattened: int = 0  # elements nested deeper than readers/html.py's NESTING_MAX, unwrapped (their text kept)


@dataclass(frozen=True)
class Site:
    """What turning markup into a chapter needs to know about the whole export."""

    export_dir: Path
    images_dir: Path  # where pictures are copied: chapters/images/
    pictures: dict[str, Picture]  # attachment id -> picture
    children: dict[str, tuple[str, ...]]  # post id -> its attachments' ids, for a [gallery] without ids
    chapter_of: Callable[[str], str | None]  # a URL -> the chapter file of an imported post, or None
    mode: str = "local"  # --pictures: local or download, from files next to the export; none: only the alt text


def clean(content: str, site: Site, post_id: str = "", notes: tuple[str, ...] = ()) -> tuple[str, Outcome]:
    outcome = Outcome()
    has_blocks = "<!-- wp:" in content
    content = _with_notes(content, notes)
    text = _blocks(content, outcome) if has_blocks else content
    code = Code(text)
    text = _shortcodes(code.extract(text), site, post_id, outcome)
    if not has_blocks:
        text = autop(text)
    soup, outcome.flattened = flatten(BeautifulSoup(text, "html.parser"))
    _players(_elements(soup, SCRIPTS + PLAYERS), outcome)
    for reference in soup.select("sup[data-fn] a"):
        reference.unwrap()  # a footnote's number: its note is in the list the notes block stands for, not a link away
    elements = _elements(soup, ["img", "a", *CODE_FACES, *DIVISIONS])
    _pictures([e for e in elements if e.name == "img"], site, outcome)
    _links([e for e in elements if e.name == "a"], site)
    for element in elements:
        element.name = "code" if element.name in CODE_FACES else "div" if element.name in DIVISIONS else element.name
    cleaned = nh3.clean(str(soup), tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                        clean_content_tags=set(SCRIPTS) | set(PLAYERS))  # taken out above, with a record: never here
    cleaned = re.sub(r"<p>(\s|&nbsp;|<br>)*</p>", "", cleaned)
    return code.restore(re.sub(r"\n{3,}", "\n\n", cleaned).strip()), outcome


def _with_notes(content: str, notes: tuple[str, ...]) -> str:
    """The block editor's footnotes as a numbered list where the footnotes block stands (at the post's end if no
    block does): WordPress keeps their text in the post's meta and sets it only when the page is shown."""
    if not notes:
        return content
    listed = "<ol>" + "".join(f"<li>{note}</li>" for note in notes) + "</ol>"
    content, placed = FOOTNOTES_BLOCK.subn(lambda _: listed, content, count=1)
    return content if placed else f"{content}\n{listed}"


def _blocks(content: str, outcome: Outcome) -> str:
    """Drop the block comments; remove the site's own blocks whole; make media blocks links."""
    out: list[str] = []
    stack: list[tuple[str, dict, int]] = []
    position = 0
    for match in BLOCK_COMMENT.finditer(content):
        out.append(content[position:match.start()])
        position = match.end()
        closing, name, attributes, self_closing = match.group(1), match.group(2), match.group(3), match.group(4)
        name = name.removeprefix("core/")
        if self_closing:
            if SITE_BLOCKS.match(name) or MEDIA_BLOCKS.match(name):
                outcome.removed.append(f"wp:{name} block (made by the site when the page is shown)")
            continue
        if not closing:
            stack.append((name, _json(attributes), len(out)))
            continue
        while stack and stack[-1][0] != name:
            stack.pop()  # an unclosed block: its comments go, its HTML stays
        if not stack:
            continue
        _, attrs, start = stack.pop()
        inner = "".join(out[start:])
        if SITE_BLOCKS.match(name):
            del out[start:]
            outcome.removed.append(f"wp:{name} block: {_words(inner) or '(no text)'}")
        elif MEDIA_BLOCKS.match(name):
            del out[start:]
            url = attrs.get("url") or _first_url(inner)
            caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.S)
            outcome.removed.append(f"wp:{name} block, a player or download a book cannot hold, made a link: "
                                   f"{_words(inner) or url}")
            out.append(_media_link(name.split("/")[-1], url, outcome) + (f"<p>{caption.group(1)}</p>" if caption else ""))
    out.append(content[position:])
    return "".join(out)


def _shortcodes(text: str, site: Site, post_id: str, outcome: Outcome) -> str:
    def replace(match: re.Match) -> str:
        name, attributes, inner = match.group(1), _attributes(match.group(2)), match.group(3) or ""
        if name in ("caption", "wp_caption"):
            caption = attributes.get("caption") or re.sub(r"<a\b[^>]*>\s*<img[^>]*>\s*</a>|<img[^>]*>", "", inner).strip()
            image = re.search(r"<a\b[^>]*>\s*<img[^>]*>\s*</a>|<img[^>]*>", inner)
            return f"\n\n<figure>{image.group(0) if image else ''}<figcaption>{caption}</figcaption></figure>\n\n"
        if name == "gallery":
            ids = [i.strip() for i in attributes.get("ids", attributes.get("include", "")).split(",") if i.strip()]
            ids = ids or list(site.children.get(attributes.get("id", post_id), ()))
            pictures = [site.pictures[i] for i in ids if i in site.pictures]
            if not pictures:
                outcome.removed.append(f"[gallery] shortcode with no pictures in the export: {match.group(0)}")
                return ""
            return "\n\n" + "".join(f'<figure><img src="{html.escape(p.url)}" alt="{html.escape(p.title)}"/></figure>'
                                    for p in pictures) + "\n\n"
        if name in EMBEDS or name in SITE_SHORTCODES:
            return _embed(name, match, outcome)
        url = inner.strip() or attributes.get("src") or attributes.get("mp3") or attributes.get("mp4") or \
            next((v for v in attributes.values() if v.startswith("http")), "")
        return "\n\n" + _media_link(name, url, outcome) + "\n\n"

    return SHORTCODE.sub(replace, text)


def _embed(name: str, match: re.Match, outcome: Outcome) -> str:
    """A player, map, slide show or code of another site: a link to it; a feature of the site itself: a removal."""
    label, template = EMBEDS.get(name, ("", ""))
    raw, inner = match.group(2).strip(), (match.group(3) or "").strip()
    address = re.search(r"(?:https?:)?//[^\s\"'\]]+", f"{raw} {inner}")
    ident = _attributes(raw).get("id") or re.sub(r"^=", "", raw).split("&")[0].split(" ")[0]
    url = address.group(0) if address else template.format(id=ident) if template and re.fullmatch(r"[\w-]+", ident) else ""
    url = f"https:{url}" if url.startswith("//") else url
    if not url:
        what = "made by the site when the page is shown" if name in SITE_SHORTCODES else "with no address"
        outcome.removed.append(f"[{name}] shortcode, {what}: {match.group(0)}")
        return ""
    outcome.removed.append(f"[{name}] shortcode, which a book cannot play, made a link: {match.group(0)}")
    return f'\n\n<p>{label or "See"}: <a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'


def _media_link(kind: str, url: str, outcome: Outcome) -> str:
    """An embedded video, sound or post, which a book cannot play: a link to it instead."""
    if not url:
        outcome.removed.append(f"{kind} with no address")
        return ""
    label = {"audio": "Listen", "video": "Watch", "playlist": "Listen", "file": "Download"}.get(kind, "See")
    return f'<p>{label}: <a href="{html.escape(url)}">{html.escape(url)}</a></p>'


def autop(text: str) -> str:
    """WordPress's ``wpautop``, simply: a blank line ends a paragraph, a single newline is a line break,
    block elements stand apart, and preformatted text is left as it is."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = PRE.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = BLOCK_OPEN.sub(r"\n\n\1", text)
    text = BLOCK_CLOSE.sub(r"\1\n\n", text)
    out = []
    for chunk in (c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()):
        out.append(chunk if BLOCK_START.match(chunk) or PLACEHOLDER.fullmatch(chunk)
                   else "<p>" + re.sub(r"\s*\n\s*", "<br/>\n", chunk) + "</p>")
    return PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], "\n\n".join(out))


def _elements(soup: BeautifulSoup, names: list[str]) -> list[Tag]:
    """The document's elements of these names in document order: one walk (bs4's find_all is slow with a list)."""
    wanted = set(names)
    return [node for node in soup.descendants if isinstance(node, Tag) and node.name in wanted]


def _players(elements: list[Tag], outcome: Outcome) -> None:
    """Scripts and styles taken out, their text recorded; a player (iframe, object, embed, audio, video) made a link."""
    for element in elements:
        if any(parent.name in SCRIPTS + PLAYERS for parent in element.parents):  # recorded with the one it is in
            continue
        text = _words(element.decode_contents()) if element.name in PLAYERS else re.sub(r"\s+", " ", element.get_text()).strip()
        if element.name in SCRIPTS:
            outcome.removed.append(f"<{element.name}> of the site's page, which a book does not run: {text or '(empty)'}")
            element.decompose()
            continue
        url = _player_url(element)
        outcome.removed.append(f"<{element.name}>, a player a book cannot hold" + (", made a link" if url else "") +
                               f": {text or url or '(no address)'}")
        kind = element.name if element.name in ("audio", "video") else "embed"
        element.replace_with(BeautifulSoup(_media_link(kind, url, outcome) if url else "", "html.parser"))


def _player_url(element) -> str:
    for node in [element, *element.find_all(True)]:
        for name in ("src", "data", "value", "href"):
            value = str(node.get(name, "")).strip()
            if value.startswith("//"):
                value = "https:" + value
            if re.match(r"https?://", value):
                return value
    return ""


def _pictures(images: list[Tag], site: Site, outcome: Outcome) -> None:
    """Each picture from its file next to the export (its original when that is there too), copied into
    chapters/images/; else its alt text, its URL and the larger sizes named beside it (``data-sources``)."""
    for image in images:
        link = image.parent if image.parent is not None and image.parent.name == "a" else None
        src = str(image.get("src", ""))
        larger = originals.named(src, {k: str(v) for k, v in image.attrs.items()}, link.get("href") if link else None)
        if link is not None and len(link.get_text(strip=True)) == 0:
            link.unwrap()  # a picture that links to itself or to its attachment page
        inline = src.startswith("data:")
        alt = str(image.get("alt", "")).strip() or str(image.get("title", "")).strip() or \
            ("" if inline else PurePosixPath(urlsplit(src).path).stem.replace("-", " ").replace("_", " ")) or "Image"
        image.attrs = {"alt": alt, "src": src} | ({"data-sources": " ".join(larger)} if larger else {})
        shown = f"{src[:src.find(',') + 1]}… ({len(src):,} characters)" if inline else src
        if site.mode == "none":
            outcome.missing_images.append((shown, "left out with --pictures none (its alt text kept)"))
            continue
        if inline:
            _inline(image, src, shown, site, outcome)
            continue
        found = [path for path in (_local_file(url, site.export_dir) for url in originals.candidates(src, larger)) if path]
        problems = [unusable(path) for path in found]
        usable = next((path for path, problem in zip(found, problems) if not problem), None)
        if usable is None:
            outcome.missing_images.append((src, problems[0] if problems else "not found next to the export"))
            continue
        name = _copy(usable, site.images_dir)
        image.attrs = {"alt": alt, "src": f"images/{name}"}
        outcome.images.append(name)


def _inline(image: Tag, src: str, shown: str, site: Site, outcome: Outcome) -> None:
    """A picture written into the post itself (a ``data:`` URL, as an editor pastes one): checked as a file
    is, and kept in chapters/images/ as ``inline-<its hash>``."""
    header, _, payload = src[5:].partition(",")
    try:
        data = base64.b64decode(payload, validate=False) if header.endswith(";base64") else unquote_to_bytes(payload)
    except ValueError as exc:
        outcome.missing_images.append((shown, f"a data: URL that does not decode: {exc}"))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"inline-{hashlib.sha256(data).hexdigest()[:12]}"
        path.write_bytes(data)
        problem = unusable(path)
        if problem:
            outcome.missing_images.append((shown, problem))
            return
        with Image.open(path) as picture:
            named = path.rename(path.with_suffix({"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif"}[picture.format]))
        name = _copy(named, site.images_dir)
    image.attrs = {"alt": image["alt"], "src": f"images/{name}"}
    outcome.images.append(name)


def unusable(path: Path) -> str:
    """Why a picture cannot go into the book ('' when it can): read by its content, not its name, and decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as picture:
                if picture.format not in IMAGE_FORMATS:
                    return f"a {picture.format} picture, not a JPEG, PNG or GIF"
                if picture.format == "JPEG":  # decoded at an eighth of its size: as sure a check, and fast
                    picture.draft("RGB", (max(picture.width // 8, 1), max(picture.height // 8, 1)))
                picture.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return f"more than the {PIXELS_MAX:,} pixels a book's picture may have"
        except (OSError, ValueError, SyntaxError) as exc:
            return f"not a picture that can be read: {exc}"
    return ""


def _copy(found: Path, images_dir: Path) -> str:
    """Copy a picture into chapters/images/ under its name, or a numbered one when another picture has it."""
    images_dir.mkdir(parents=True, exist_ok=True)
    stem, suffix, number = found.stem, found.suffix, 1
    target = images_dir / found.name
    while target.exists() and not filecmp.cmp(found, target, shallow=False):
        number += 1
        target = images_dir / f"{stem}-{number}{suffix}"
    if not target.exists():
        shutil.copyfile(found, target)
    return target.name


def _local_file(src: str, export_dir: Path) -> Path | None:
    """The picture's file next to the export: by its path under uploads/, else by its name alone."""
    path = PurePosixPath(urlsplit(src).path)
    if path.suffix.lower() not in IMAGE_TYPES or ".." in path.parts:
        return None
    parts = path.parts
    rest = parts[parts.index("uploads") + 1:] if "uploads" in parts else parts[-1:]
    for candidate in (export_dir / "uploads" / PurePosixPath(*rest), export_dir / PurePosixPath(*rest),
                      export_dir / path.name):
        if candidate.is_file() and candidate.resolve().is_relative_to(export_dir.resolve()):
            return candidate
    return None


def _links(links: list[Tag], site: Site) -> None:
    for link in (link for link in links if link.get("href")):
        chapter = site.chapter_of(str(link["href"]))
        if chapter:
            link["href"] = chapter


def post_key(url: str) -> str:
    """How a link names a post: its permalink without scheme and trailing slash, or '?p=ID'."""
    parts = urlsplit(url.strip())
    query = parse_qs(parts.query)
    if "p" in query or "page_id" in query:
        return "?p=" + (query.get("p") or query["page_id"])[0]
    return (parts.netloc + parts.path).rstrip("/").lower()


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in SHORTCODE_ATTRIBUTE.finditer(text)}


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _first_url(fragment: str) -> str:
    match = re.search(r"(?:src|href)=\"(https?://[^\"]+)\"|(https?://[^\s<\"]+)", fragment)
    return (match.group(1) or match.group(2)) if match else ""


def _words(fragment: str) -> str:
    return re.sub(r"\s+", " ", shown_text(fragment)).strip()
