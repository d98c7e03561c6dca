"""``bookforge import wordpress``: a WordPress export (WXR) made into chapters and parts of a project.

The export is read twice as a stream: first for an index (the pictures the attachments
name, and which posts will be chapters, so links between them can become links inside the
book), then to write one chapter file per published post, in the HTML format that
``readers/html.py`` reads.  The chapters are added to ``book.yaml`` in date order, one part
per year or per category; what is already in the project is kept and never imported twice.
Everything left out, and why, goes into the import report.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from bs4 import BeautifulSoup
from ruamel.yaml import YAML

from bookforge import init
from bookforge.importers import markup, wxr
from bookforge.importers.markup import Picture, Site
from bookforge.manifest import MANIFEST_NAME, RESERVED_NAMES
from bookforge.model import slugify

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


@dataclass
class ImportReport:
    """What the import did: counts, and every post, comment, block and picture it left out, with why."""

    counts: Counter = field(default_factory=Counter)
    left_out: list[dict] = field(default_factory=list)  # posts: {"id", "title", "reason"}
    removed: list[dict] = field(default_factory=list)  # markup: {"chapter", "what"}
    missing_images: list[dict] = field(default_factory=list)  # {"chapter", "url"}
    chapters: list[str] = field(default_factory=list)  # the chapter files written, in book order

    def as_json(self) -> str:
        return json.dumps({"counts": dict(sorted(self.counts.items())), "chapters": self.chapters,
                           "left_out": self.left_out, "removed": self.removed,
                           "missing_images": self.missing_images}, indent=2, ensure_ascii=False) + "\n"

    def lines(self) -> list[str]:
        c = self.counts
        out = [f"imported {c['posts imported']} posts and {c['pages imported']} pages with {c['comments imported']} "
               f"comments ({c['pingbacks imported']} pingbacks, {c['trackbacks imported']} trackbacks); "
               f"{c['already imported']} already in the project"]
        left = sorted((k.removeprefix("left out: "), v) for k, v in c.items() if k.startswith("left out: "))
        if left:
            out.append("left out posts: " + ", ".join(f"{v} {k}" for k, v in left))
        comments = sorted((k.removeprefix("comments left out: "), v) for k, v in c.items() if k.startswith("comments left out: "))
        if comments:
            out.append("left out comments: " + ", ".join(f"{v} {k}" for k, v in comments))
        out.append(f"markup removed: {len(self.removed)}; pictures copied: {c['pictures copied']}, "
                   f"missing (alt text kept): {len(self.missing_images)}")
        by_chapter = Counter(m["chapter"] for m in self.missing_images)
        out += [f"  {chapter}: {count} missing picture{'s' if count > 1 else ''}"
                for chapter, count in list(by_chapter.items())[:SHOWN]]
        if len(by_chapter) > SHOWN:
            out.append(f"  … and {len(by_chapter) - SHOWN} more chapters with missing pictures (see {REPORT_NAME})")
        return out


def run(options: ImportOptions) -> ImportReport:
    project = options.project.resolve()
    report = ImportReport()
    channel = wxr.Channel()
    index = _index(options, project, report, channel)
    if not (project / MANIFEST_NAME).is_file():
        init.create(project)
    site = Site(options.export.resolve().parent, project / CHAPTERS / "images", index.pictures,
                {k: tuple(v) for k, v in index.children.items()}, index.chapter_of)
    added, writers = [], Counter()
    for item in wxr.items(options.export):
        name = index.chosen.get(item.id)
        if name is None or item.type not in ("post", "page"):
            continue
        author = channel.authors.get(item.creator)
        (project / CHAPTERS).mkdir(exist_ok=True)
        (project / CHAPTERS / f"{name}.html").write_text(_chapter(item, author, site, name, report), encoding="utf-8")
        report.counts[f"{item.type}s imported"] += 1
        added.append((item.date, _part_title(item, options.parts), f"{CHAPTERS}/{name}.html"))
        writers[author.display_name if author else item.creator] += 1
    added.sort()
    report.chapters = [source for _, _, source in added]
    _add_to_manifest(project, added, channel.title, writers.most_common(1)[0][0] if writers else "")
    (project / REPORT_NAME).write_text(report.as_json(), encoding="utf-8")
    return report


@dataclass
class _Index:
    pictures: dict[str, Picture] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    chosen: dict[str, str] = field(default_factory=dict)  # post id -> chapter name, for the posts to write
    files: dict[str, str] = field(default_factory=dict)  # post_key(permalink) or '?p=ID' -> chapter file

    def chapter_of(self, url: str) -> str | None:
        return self.files.get(markup.post_key(url))


def _index(options: ImportOptions, project: Path, report: ImportReport, channel: wxr.Channel) -> _Index:
    """The first reading: the pictures, and which posts become chapters under which names."""
    index, names = _Index(), set()
    for item in wxr.items(options.export, channel):
        if item.type == "attachment":
            index.pictures[item.id] = Picture(item.attachment_url, item.title)
            index.children[item.parent].append(item.id)
            continue
        reason = _left_out(item, options)
        if reason is None:
            name = _name(item, names)
            names.add(name)
            if (project / CHAPTERS / f"{name}.html").exists():
                report.counts["already imported"] += 1
            else:
                index.chosen[item.id] = name
            for key in (markup.post_key(item.link), f"?p={item.id}"):
                index.files[key] = f"{name}.html"
        elif item.type in ("post", "page"):
            report.counts[f"left out: {reason}"] += 1
            report.left_out.append({"id": item.id, "title": _plain(item.title), "type": item.type, "reason": reason})
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


def _name(item: wxr.Item, taken: set[str]) -> str:
    """The chapter file's name: the post's slug, made safe and unique."""
    name = slugify(unquote(item.slug) or _plain(item.title), f"post-{item.id}")  # slugs may be percent-encoded
    if name.replace("-", "").isdigit():
        name = f"post-{item.id}"  # a slug in another script: nothing of it is left in ASCII but a number
    if not name[0].isalpha() or name in RESERVED_NAMES or re.fullmatch(r"part-\d+", name):
        name = f"post-{name}"
    return f"{name}-{item.id}" if name in taken else name


def _part_title(item: wxr.Item, parts: str) -> str:
    if parts == "category":
        return item.categories[0] if item.categories else "Uncategorized"
    return item.date[:4] or "Undated"


def _chapter(item: wxr.Item, author: wxr.Author | None, site: Site, name: str, report: ImportReport) -> str:
    """The chapter file: the post's metadata in the head, its cleaned HTML, its approved comments threaded."""
    content, outcome = markup.clean(item.content, site, item.id)
    _note(outcome, name, report)
    title = _plain(item.title) or name.replace("-", " ").capitalize()
    meta = {"date": item.date, "author": author.display_name if author else item.creator, "permalink": item.link,
            "categories": ", ".join(item.categories), "tags": ", ".join(item.tags), "wordpress-id": item.id}
    head = "".join(f'<meta name="{key}" content="{html.escape(value)}"/>\n' for key, value in meta.items() if value)
    comments = _threads(item, author, site, name, report)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>{html.escape(title)}</title>\n{head}'
            f'</head>\n<body>\n<article class="post">\n{content}\n</article>\n'
            + (f'<section class="comments">\n{comments}</section>\n' if comments else "") + "</body>\n</html>\n")


def _threads(item: wxr.Item, author: wxr.Author | None, site: Site, name: str, report: ImportReport) -> str:
    """The approved comments, each reply inside the comment it answers (a parent may come after its child).

    A reply to a comment that was left out takes that comment's place."""
    parent_of = {c.id: c.parent for c in item.comments}
    kept = {c.id: c for c in item.comments if c.approved == "1"}
    for c in item.comments:
        if c.id not in kept:
            reason = {"0": "unapproved", "spam": "spam", "trash": "trash"}.get(c.approved, c.approved or "unapproved")
            report.counts[f"comments left out: {reason}"] += 1
    children: dict[str, list[wxr.WxrComment]] = defaultdict(list)
    for c in kept.values():
        parent, seen = c.parent, set()
        while parent != "0" and parent not in kept and parent in parent_of and parent not in seen:
            seen.add(parent)
            parent = parent_of[parent]
        children[parent if parent in kept else "0"].append(c)

    def write(c: wxr.WxrComment) -> str:
        content, outcome = markup.clean(c.content, site)
        _note(outcome, name, report)
        report.counts["comments imported"] += 1
        if c.type in ("pingback", "trackback"):
            report.counts[f"{c.type}s imported"] += 1
        own = author is not None and ((c.user_id != "0" and c.user_id == author.id) or
                                      (bool(c.email) and c.email == author.email.lower()))
        attributes = {"id": f"comment-{c.id}", "data-author": c.author, "data-date": c.date, "data-kind": c.type,
                      "data-by-author": "yes" if own else ""}
        shown = " ".join(f'{k}="{html.escape(v)}"' for k, v in attributes.items() if v)
        replies = "".join(write(r) for r in sorted(children.get(c.id, ()), key=_order))
        return f'<article class="comment" {shown}>\n{content}\n{replies}</article>\n'

    return "".join(write(c) for c in sorted(children.get("0", ()), key=_order))


def _order(comment: wxr.WxrComment) -> tuple:
    return comment.date, int(comment.id) if comment.id.isdigit() else 0


def _note(outcome: markup.Outcome, name: str, report: ImportReport) -> None:
    report.removed += [{"chapter": f"{CHAPTERS}/{name}.html", "what": what} for what in outcome.removed]
    report.missing_images += [{"chapter": f"{CHAPTERS}/{name}.html", "url": url} for url in outcome.missing_images]
    report.counts["pictures copied"] += len(outcome.images)


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
    for _, title, source in added:
        part = next((p for p in parts if str(p.get("title")) == title), None)
        if part is None:
            part = {"title": title, "chapters": []}
            parts.append(part)
        part["chapters"].append({"source": source})
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
