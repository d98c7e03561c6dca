"""``bookforge import wordpress``: a WordPress export (WXR) made into chapters and parts of a project.

The export is read twice as a stream: first for an index (the pictures the attachments
name, and which posts will be chapters, so links between them can become links inside the
book), then to write one chapter file per published post, in the HTML format that
``readers/html.py`` reads.  The chapters are added to ``book.yaml`` in date order, one part
per year or per category; what is already in the project is kept and never imported twice.
Everything left out, and why, goes into the import report.

Nothing is lost silently and nothing is written outside the project: two posts never share a
file (the second gets a number, and the report says so), a comment whose parent is missing or
whose replies loop back to it is kept at the top level and listed, and at the end every post's
words, with its approved comments', are looked for in its chapter file as ``readers/html.py``
reads it (``selfcheck.py``): a shortfall is an error naming the post.
"""

from __future__ import annotations

import datetime
import html
import itertools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from bs4 import BeautifulSoup
from ruamel.yaml import YAML

from bookforge import init, manifest
from bookforge.diagnostics import Diagnostic, ManifestError, OutputError, ReaderError, Severity, error, warning
from bookforge.importers import download, markup, originals, selfcheck, wxr
from bookforge.importers.fetch import FetchOptions
from bookforge.importers.markup import Picture, Site
from bookforge.manifest import MANIFEST_NAME, RESERVED_NAMES
from bookforge.model import slugify
from bookforge.readers import html as html_reader
from bookforge.readers.capture import REPLY_DEPTH_MAX

REPORT_NAME = "import-report.json"
SHOWN = 20  # chapters with missing pictures the terminal lists; the report file has them all
CHAPTERS = "chapters"


@dataclass(frozen=True)
class ImportOptions:
    export: Path
    project: Path
    categories: tuple[str, ...] = ()  # only posts in one of these categories
    tags: tuple[str, ...] = ()  # only posts with one of these tags
    posts: tuple[str, ...] = ()  # only these posts, by slug
    since: datetime.date | None = None  # only posts published on or after this day
    pages: bool = False  # import published pages too
    parts: str = "year"  # year | category: how chapters are grouped into parts
    pictures: str = "local"  # local: files next to the export; download: also from the web; none: alt text only
    site: str | None = None  # --site: where the blog's own files are now (default: the export's base_blog_url)
    fetch: FetchOptions = FetchOptions()
    progress: bool = False  # a progress bar on the terminal while pictures are fetched


@dataclass
class ImportReport:
    """What the import did: counts, and every post, comment, block and picture it left out, moved or renamed, with why."""

    counts: Counter = field(default_factory=Counter)
    left_out: list[dict] = field(default_factory=list)  # posts: {"id", "title", "reason"}
    removed: list[dict] = field(default_factory=list)  # markup: {"chapter", "what"}
    missing_images: list[dict] = field(default_factory=list)  # {"chapter", "url", "reason"}
    chapters: list[str] = field(default_factory=list)  # the chapter files written, in book order
    renamed: list[dict] = field(default_factory=list)  # posts whose file name was taken: {"id", "title", "file", "reason"}
    comments_moved: list[dict] = field(default_factory=list)  # set at the top level: {"chapter", "comment", "reason"}
    repairs: dict = field(default_factory=dict)  # what was mended to read the export -> how often
    shortfalls: list[dict] = field(default_factory=list)  # the self-check's: {"chapter", "id", "title", "words", …}
    pictures: download.PicturesReport | None = None  # with --pictures download: what was fetched
    problems: list[Diagnostic] = field(default_factory=list)  # errors and warnings, for the terminal

    def as_json(self) -> str:
        return json.dumps({"counts": dict(sorted(self.counts.items())), "chapters": self.chapters,
                           "left_out": self.left_out, "removed": self.removed, "missing_images": self.missing_images,
                           "renamed": self.renamed, "comments_moved": self.comments_moved, "repairs": self.repairs,
                           "shortfalls": self.shortfalls, "problems": [str(p) for p in self.problems],
                           **({"pictures fetched": self.pictures.counts()} if self.pictures else {})},
                          indent=2, ensure_ascii=False) + "\n"

    def lines(self) -> list[str]:
        c = self.counts
        out = [f"imported {c['posts imported']} posts and {c['pages imported']} pages with {c['comments imported']} "
               f"comments ({c['pingbacks imported']} pingbacks, {c['trackbacks imported']} trackbacks); "
               f"{c['already imported']} already in the project"]
        out += [f"export mended: {count} × {what}" for what, count in self.repairs.items()]
        left = sorted((k.removeprefix("left out: "), v) for k, v in c.items() if k.startswith("left out: "))
        if left:
            out.append("left out posts: " + ", ".join(f"{v} {k}" for k, v in left))
        comments = sorted((k.removeprefix("comments left out: "), v) for k, v in c.items() if k.startswith("comments left out: "))
        if comments:
            out.append("left out comments: " + ", ".join(f"{v} {k}" for k, v in comments))
        out += [f"  {r['file']}: {r['reason']}" for r in self.renamed[:SHOWN]]
        out += [f"  {m['chapter']}: comment {m['comment']} {m['reason']}" for m in self.comments_moved[:SHOWN]]
        if c["markup flattened"]:
            out.append(f"markup nested deeper than {html_reader.NESTING_MAX} levels: {c['markup flattened']} elements "
                       "unwrapped, their text kept")
        out.append(f"markup removed: {len(self.removed)}; pictures copied: {c['pictures copied']}, "
                   + (f"fetched: {c['pictures fetched']}, " if self.pictures else "")
                   + f"missing (alt text kept): {len(self.missing_images)}")
        out += self.pictures.lines() if self.pictures else []
        by_chapter = Counter(m["chapter"] for m in self.missing_images)
        out += [f"  {chapter}: {count} missing picture{'s' if count > 1 else ''}"
                for chapter, count in list(by_chapter.items())[:SHOWN]]
        if len(by_chapter) > SHOWN:
            out.append(f"  … and {len(by_chapter) - SHOWN} more chapters with missing pictures (see {REPORT_NAME})")
        out.append(f"self-check: {c['words checked']} words of {c['posts checked']} posts and their comments, "
                   + (f"{len(self.shortfalls)} posts short of words (see below)" if self.shortfalls
                      else "every one in the chapter files"))
        return out

    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def run(options: ImportOptions) -> ImportReport:
    project = options.project.resolve()
    report, channel, index = _read_index(options, project)
    if not (project / MANIFEST_NAME).is_file():
        init.create(project)
    _refuse_outside(project)
    site = Site(options.export.resolve().parent, project / CHAPTERS / "images", index.pictures,
                {k: tuple(v) for k, v in index.children.items()}, index.chapter_of,
                "none" if options.pictures == "none" else "local")
    added, writers = [], Counter()
    for item in wxr.items(options.export, channel):
        name = index.chosen.get(item.id)
        if name is None or item.type not in ("post", "page"):
            continue
        author = channel.authors.get(item.creator)
        path = project / CHAPTERS / f"{name}.html"
        path.parent.mkdir(exist_ok=True)
        text, removed = _chapter(item, author, site, name, report)
        path.write_text(text, encoding="utf-8")
        _self_check(item, path, f"{CHAPTERS}/{name}.html", removed, report)
        report.counts[f"{item.type}s imported"] += 1
        added.append((item.date, _part_title(item, options.parts), f"{CHAPTERS}/{name}.html"))
        writers[author.display_name if author else item.creator] += 1
    added.sort()
    report.chapters = [source for _, _, source in added]
    _add_to_manifest(project, added, channel.title, writers.most_common(1)[0][0] if writers else "")
    if options.pictures == "download":
        _download(options, project, channel.blog or channel.link, report)
    (project / REPORT_NAME).write_text(report.as_json(), encoding="utf-8")
    return report


def _download(options: ImportOptions, project: Path, blog: str, report: ImportReport) -> None:
    """Fetch the pictures every chapter of the book names on the web (``download.py``); those fetched are no
    longer missing, the others say why."""
    try:
        chapters = [c.path for part in manifest.load(project).parts for c in part.chapters if c.path.suffix == ".html"]
    except ManifestError as exc:
        chapters = [project / source for source in report.chapters]
        report.problems.append(warning("I-060", "book.yaml could not be read, so only the chapters imported now have "
                                       f"their pictures fetched: {exc.diagnostics[0].message}", MANIFEST_NAME))
    site = originals.Site(blog, options.site or blog, bool(options.site))
    report.pictures = download.run(project, chapters, site, options.fetch, options.progress)
    got = {p.src: p for p in report.pictures.pictures}
    missing = []
    for entry in report.missing_images:
        picture = got.get(download.web(entry["url"]))
        if picture is None or not picture.file:
            missing.append(entry | ({"reason": picture.reason} if picture else {}))
    report.missing_images = missing
    report.counts["pictures fetched"] = report.pictures.counts()["fetched"]


def _read_index(options: ImportOptions, project: Path) -> tuple[ImportReport, wxr.Channel, _Index]:
    """The first reading; an export not well-formed even mended is read again leniently, and what was lost said."""
    report, channel = ImportReport(), wxr.Channel()
    try:
        index = _index(options, project, report, channel)
    except ReaderError as exc:
        if exc.diagnostics[0].code != "I-001":
            raise
        report, channel = ImportReport(), wxr.Channel(lenient=True)
        try:
            index = _index(options, project, report, channel)
        except ReaderError:
            raise exc from None  # not an export even read leniently: the first fault is the one to show
        problem = exc.diagnostics[0]
        report.problems.append(warning("I-003", problem.message.replace("not a well-formed WordPress export",
                                       "the export is not well-formed XML even mended") + "; read leniently",
                                       problem.path, problem.line))
    report.repairs = dict(channel.repairs)
    if channel.items_read < channel.items_in_file:
        report.problems.append(error("I-004", f"{channel.items_in_file - channel.items_read} of the export's "
                                     f"{channel.items_in_file} items could not be read", str(options.export)))
    return report, channel, index


def _refuse_outside(project: Path) -> None:
    """Nothing is written outside the project: not through a symlinked chapters/, images/, book.yaml or report."""
    for relative in (CHAPTERS, f"{CHAPTERS}/images", MANIFEST_NAME, REPORT_NAME):
        target = (project / relative).resolve()
        if not target.is_relative_to(project):
            raise OutputError([error("I-020", f"{relative} leads outside the project, to {target}: the import writes "
                                     "only inside the project; make it a folder (or file) of the project",
                                     str(project / relative))])


@dataclass
class _Index:
    pictures: dict[str, Picture] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    chosen: dict[str, str] = field(default_factory=dict)  # post id -> chapter name, for the posts to write
    files: dict[str, str] = field(default_factory=dict)  # post_key(permalink) or '?p=ID' -> chapter file

    def chapter_of(self, url: str) -> str | None:
        return self.files.get(markup.post_key(url))


def _index(options: ImportOptions, project: Path, report: ImportReport, channel: wxr.Channel) -> _Index:
    """The first reading: the pictures, and which posts become chapters under which names (the sample
    chapter's too, in a project the import is to start)."""
    index, names = _Index(), set()
    if not (project / MANIFEST_NAME).is_file():
        names.add(PurePosixPath(init.SAMPLE).stem)
    for item in wxr.items(options.export, channel):
        if item.type == "attachment":
            index.pictures[item.id] = Picture(item.attachment_url, item.title)
            index.children[item.parent].append(item.id)
            continue
        reason = _left_out(item, options)
        if reason is None:
            name, already, base = _name(item, names, project / CHAPTERS)
            names.add(name)
            if already:
                report.counts["already imported"] += 1
            else:
                index.chosen[item.id] = name
                if name != base:
                    report.counts["posts renamed"] += 1
                    report.renamed.append({"id": item.id, "title": _plain(item.title), "file": f"{CHAPTERS}/{name}.html",
                                           "reason": f"named {name}.html, as {base}.html is another chapter's"})
            for key in (markup.post_key(item.link), f"?p={item.id}"):
                index.files[key] = f"{name}.html"
        elif item.type in ("post", "page"):
            report.counts[f"left out: {reason}"] += 1
            report.left_out.append({"id": item.id, "title": _plain(item.title), "type": item.type, "reason": reason})
        elif not item.type:  # WordPress writes a type for every item: this one is damaged
            report.problems.append((error if channel.lenient else warning)(
                "I-005", "an item without a post type, left out" + (": the export is damaged here" if channel.lenient
                                                                     else ""), str(options.export), item.line))
        else:
            report.counts[f"other items: {item.type}"] += 1
    return index


def _left_out(item: wxr.Item, options: ImportOptions) -> str | None:
    """Why a post stays out of the book, or None when it goes in."""
    if item.type not in ("post", "page"):
        return item.type
    if item.type == "page" and not options.pages:
        return "page (import pages with --pages)"
    if item.status != "publish":
        return item.status or "no status"
    if item.password:
        return "password-protected"
    if options.categories and not _any_of(item.categories, options.categories):
        return "not in --category"
    if options.tags and not _any_of(item.tags, options.tags):
        return "no --tag"
    if options.posts and not {item.slug, unquote(item.slug)} & set(options.posts):
        return "not a --post"
    if options.since and item.date[:10] < options.since.isoformat():
        return "before --since"
    return None


def _any_of(have: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return bool({h.lower() for h in have} & {w.lower() for w in wanted})


def _name(item: wxr.Item, taken: set[str], chapters: Path) -> tuple[str, bool, str]:
    """The chapter file's name, the post's slug made safe; whether the post is in the project already; the slug.

    A post without a slug takes its title's, or its id.  A name another post of the export has, or a file of
    chapters/ that is not this post (the sample chapter, an author's own), is taken: the post id is added, or
    a number.  A symlink is never written through."""
    name = slugify(unquote(item.slug) or _plain(item.title), f"post-{item.id}")  # slugs may be percent-encoded
    if name.replace("-", "").isdigit():
        name = f"post-{item.id}"  # a slug in another script: nothing of it is left in ASCII but a number
    if not name[0].isalpha() or name in RESERVED_NAMES or re.fullmatch(r"part-\d+", name):
        name = f"post-{name}"
    numbered = (f"{name}-{n}" for n in itertools.count(2))
    for candidate in itertools.chain([name], [f"{name}-{item.id}"] if item.id.isdigit() else [], numbered):
        path = chapters / f"{candidate}.html"
        if candidate in taken or path.is_symlink():
            continue
        if not path.exists():
            return candidate, False, name
        if item.id and _wordpress_id(path) == item.id:
            return candidate, True, name
    raise AssertionError("unreachable: the numbered names never end")


def _wordpress_id(path: Path) -> str:
    """The post id a chapter file was imported from ('' for a file not imported)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as stream:
            head = stream.read(4096)
    except OSError:
        return ""
    found = re.search(r'<meta name="wordpress-id" content="([^"]*)"', head)
    return html.unescape(found.group(1)) if found else ""


def _part_title(item: wxr.Item, parts: str) -> str:
    if parts == "category":
        return item.categories[0] if item.categories else "Uncategorized"
    return item.date[:4] or "Undated"


def _chapter(item: wxr.Item, author: wxr.Author | None, site: Site, name: str,
             report: ImportReport) -> tuple[str, list[str]]:
    """The chapter file: the post's metadata in the head, its cleaned HTML, its approved comments threaded;
    and what cleaning took out on purpose."""
    content, outcome = markup.clean(item.content, site, item.id, item.notes)
    removed = _note(outcome, name, report)
    title = _plain(item.title) or name.replace("-", " ").capitalize()
    meta = {"date": item.date, "author": author.display_name if author else item.creator, "permalink": item.link,
            "categories": ", ".join(item.categories), "tags": ", ".join(item.tags), "wordpress-id": item.id}
    head = "".join(f'<meta name="{key}" content="{html.escape(value)}"/>\n' for key, value in meta.items() if value)
    comments = _threads(item, author, site, name, report, removed)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>{html.escape(title)}</title>\n{head}'
            f'</head>\n<body>\n<article class="post">\n{content}\n</article>\n'
            + (f'<section class="comments">\n{comments}</section>\n' if comments else "") + "</body>\n</html>\n"), removed


def _threads(item: wxr.Item, author: wxr.Author | None, site: Site, name: str, report: ImportReport,
             removed: list[str]) -> str:
    """The approved comments, each reply inside the comment it answers (a parent may come after its child),
    replies below REPLY_DEPTH_MAX levels set at that depth."""
    kept = {c.id: c for c in item.comments if c.approved == "1"}
    for c in item.comments:
        if c.id not in kept:
            reason = {"0": "unapproved", "spam": "spam", "trash": "trash"}.get(c.approved, c.approved or "unapproved")
            report.counts[f"comments left out: {reason}"] += 1
    children: dict[str, list[wxr.WxrComment]] = defaultdict(list)
    for comment_id, parent in _places(item, kept, f"{CHAPTERS}/{name}.html", report).items():
        children[parent].append(kept[comment_id])

    def below(c: wxr.WxrComment) -> list[wxr.WxrComment]:
        found, stack = [], list(children.get(c.id, ()))
        while stack:
            found.append(stack.pop())
            stack += children.get(found[-1].id, ())
        return found

    def write(c: wxr.WxrComment, depth: int) -> str:
        content, outcome = markup.clean(c.content, site)
        removed.extend(_note(outcome, name, report))
        report.counts["comments imported"] += 1
        if c.type in ("pingback", "trackback"):
            report.counts[f"{c.type}s imported"] += 1
        own = author is not None and ((c.user_id != "0" and c.user_id == author.id) or
                                      (bool(c.email) and c.email == author.email.lower()))
        attributes = {"id": f"comment-{c.id}", "data-author": c.author, "data-date": c.date, "data-kind": c.type,
                      "data-by-author": "yes" if own else ""}
        shown = " ".join(f'{k}="{html.escape(v)}"' for k, v in attributes.items() if v)
        if depth >= REPLY_DEPTH_MAX:  # set here by its ancestor, with the replies below it
            replies = []
        elif depth == REPLY_DEPTH_MAX - 1:  # the replies below this level are set at it, in date order
            replies = below(c)
            report.counts["replies set at the deepest level a thread may have"] += len(replies) - len(children[c.id])
        else:
            replies = children.get(c.id, [])
        return (f'<article class="comment" {shown}>\n{content}\n'
                + "".join(write(r, depth + 1) for r in sorted(replies, key=_order)) + "</article>\n")

    return "".join(write(c, 0) for c in sorted(children.get("0", ()), key=_order))


def _places(item: wxr.Item, kept: dict[str, wxr.WxrComment], chapter: str, report: ImportReport) -> dict[str, str]:
    """Each approved comment's parent among the approved ('0': the top level).

    A reply to a comment that was left out takes that comment's place.  A comment whose parent is not in
    the export, or whose chain of parents loops (a → b → a, or a comment its own parent), is set at the
    top level (in a loop, its earliest comment) and listed in the report."""
    parent_of = {c.id: c.parent for c in item.comments}
    place = {}
    for c in kept.values():
        parent, seen = c.parent, set()
        while parent != "0" and parent not in kept and parent in parent_of and parent not in seen:
            seen.add(parent)
            parent = parent_of[parent]
        if parent != "0" and parent not in kept:
            why = "whose parents loop" if parent in seen else f"whose parent, comment {parent}, is not in the export"
            _moved(c, f"({why}) is set at the top level", chapter, report)
            parent = "0"
        place[c.id] = parent
    order = {c.id: _order(c) for c in kept.values()}
    while unplaced := sorted(set(place) - _reached(place), key=order.get):
        loop, at = [], unplaced[0]
        while at not in loop:
            loop.append(at)
            at = place[at]
        first = min(loop[loop.index(at):], key=order.get)
        place[first] = "0"
        _moved(kept[first], "(its replies loop back to it through comment_parent) is set at the top level",
               chapter, report)
    return place


def _reached(place: dict[str, str]) -> set[str]:
    """The comments a reader reaches from the top level, going down the replies."""
    children: dict[str, list[str]] = defaultdict(list)
    for comment_id, parent in place.items():
        children[parent].append(comment_id)
    reached, stack = set(), ["0"]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in reached:
                reached.add(child)
                stack.append(child)
    return reached


def _moved(comment: wxr.WxrComment, reason: str, chapter: str, report: ImportReport) -> None:
    report.counts["comments set at the top level"] += 1
    report.comments_moved.append({"chapter": chapter, "comment": comment.id, "author": comment.author, "reason": reason})


def _order(comment: wxr.WxrComment) -> tuple:
    return comment.date, int(comment.id) if comment.id.isdigit() else 0


def _note(outcome: markup.Outcome, name: str, report: ImportReport) -> list[str]:
    """Record in the report what cleaning took out or could not find; what it took out, for the self-check."""
    chapter = f"{CHAPTERS}/{name}.html"
    report.removed += [{"chapter": chapter, "what": what} for what in outcome.removed]
    report.missing_images += [{"chapter": chapter, "url": url, "reason": why} for url, why in outcome.missing_images]
    report.counts["pictures copied"] += len(outcome.images)
    report.counts["markup flattened"] += outcome.flattened
    return list(outcome.removed)


def _self_check(item: wxr.Item, path: Path, relpath: str, removed: list[str], report: ImportReport) -> None:
    """Every word of the post and its approved comments in the export is in the chapter file, as the reader reads it."""
    approved = [c.content for c in item.comments if c.approved == "1"]
    expected = " ".join([_plain(item.title), *(selfcheck.post_text(text, markup.SHORTCODE_TAGS)
                                               for text in [item.content, *item.notes, *approved])])
    found = selfcheck.chapter_text(html_reader.read(path, relpath))
    shortfall = selfcheck.compare_words(expected, found, " ".join(removed))
    report.counts["posts checked"] += 1
    report.counts["words checked"] += shortfall.expected
    if shortfall.lost:
        title = _plain(item.title) or item.id
        report.shortfalls.append({"chapter": relpath, "id": item.id, "title": title, "words": shortfall.expected,
                                  "missing": shortfall.lost, "missing words": shortfall.shown()})
        report.problems.append(error("I-040", f"post {item.id} “{title}”: {shortfall.lost} of its {shortfall.expected} "
                                     f"words are not in its chapter file: {', '.join(shortfall.shown())}", relpath, 1))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", BeautifulSoup(text, "html.parser").get_text()).strip() if "<" in text else text.strip()


def _add_to_manifest(project: Path, added: list[tuple[str, str, str]], blog: str, writer: str) -> None:
    """Append the new chapters to book.yaml's parts (a part of the same name gets them at its end),
    keeping its comments and layout.  In a new project the sample chapter gives way to them, and
    the blog's name and its main writer replace the placeholder title and author."""
    if not added:
        return
    yaml = YAML()
    yaml.preserve_quotes, yaml.width = True, 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    path = project / MANIFEST_NAME
    data = yaml.load(path.read_text(encoding="utf-8"))
    parts = data.setdefault("parts", [])
    init.drop_sample(project, parts)
    init.fill_placeholders(data, blog, writer)
    listed = {str(c.get("source")) for p in parts for c in p.get("chapters") or () if isinstance(c, dict)}
    for _, title, source in added:
        if source in listed:  # its file was deleted and the post imported again: book.yaml has it already
            continue
        part = next((p for p in parts if str(p.get("title")) == title), None)
        if part is None:
            part = {"title": title, "chapters": []}
            parts.append(part)
        part["chapters"].append({"source": source})
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
