"""Web leftovers: store banners, image alt text, navigation, pointers at the page's furniture ("see the sidebar"),
comment counts and forms, pingbacks and spam.

All of it is removed and recorded; photo credits move to the Credits page, because a
licensed photo's credit must stay somewhere in the book.  Text the editor keeps (book.yaml
``editorial.keep``) stays where it is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from bookforge.editorial import Context
from bookforge.editorial.config import LeftoversConfig, compiled
from bookforge.editorial.text import edit_line, full_text, map_chapters
from bookforge.editorial.threads import predecessors, remove
from bookforge.editorial.typography import URL
from bookforge.model import Block, BlockKind, Book, Chapter, Comment, Credit, SourceLocation

PINGBACK = re.compile(r"^\[(…|\.\.\.|&hellip;)\].*\[(…|\.\.\.|&hellip;)\]$", re.S)
NAVIGATION_MAX_WORDS = 40


def run(book: Book, ctx: Context) -> Book:
    """Clean every chapter's body and tail, then remove the unwanted comments.  The photo credits found go
    into ``ctx.credits`` as found, and into the book's credits (``credits_page``)."""
    config = ctx.config.leftovers
    first = len(ctx.credits)
    book = map_chapters(book, lambda ch: _clean_chapter(ch, config, ctx))
    ctx.sweep()
    book = _remove_comments(book, config, ctx)
    return replace(book, credits=credits_page(book.credits, ctx.credits[first:]))


def _clean_chapter(chapter: Chapter, config: LeftoversConfig, ctx: Context) -> Chapter:
    body = []
    linked = _may_point_any(chapter.body, config) and _has_link(chapter.body)
    for block in chapter.body:
        reason = _leftover(block, config)
        if reason and _removed(ctx, reason, block.source, full_text([block]), chapter.slug, chapter.slug,
                               note="moved to the Credits page" if reason == "photo_credit" else ""):
            if reason == "photo_credit":
                ctx.credits.append((chapter.title, Credit(block.text, block.source)))
            continue
        body.extend(_unpointed(_strip_inline_credits(block, chapter, config, ctx), chapter, chapter.slug, linked, config, ctx))
    tail = []
    for block in chapter.tail:
        if not (any(compiled(p).search(block.text) for p in config.comment_form)
                and _removed(ctx, "comment_form", block.source, full_text([block]), chapter.slug, chapter.slug)):
            tail.append(block)
    comments = tuple(_clean_comment(c, chapter, config, ctx) for c in chapter.comments)
    return replace(chapter, body=tuple(body), tail=tuple(tail), comments=comments)


def _removed(ctx: Context, reason: str, source: SourceLocation, text: str, chapter: str, anchor: str, **extra) -> bool:
    """Record a removal and say to make it, unless the editor keeps the text (book.yaml ``editorial.keep``)."""
    if ctx.keeps("text_removed", reason, source, text):
        return False
    ctx.record("text_removed", reason, source, text, chapter=chapter, anchor=anchor, **extra)
    return True


def _leftover(block: Block, config: LeftoversConfig) -> str | None:
    """Why a block of a post's body is web furniture, or None when it is the author's text."""
    text = block.text.strip()
    if block.kind is not BlockKind.PARAGRAPH:
        return None
    checks = (("promo_banner", config.banners), ("comment_count", config.comment_counts),
              ("photo_credit", config.photo_credits))
    for reason, patterns in checks:
        if any(compiled(p).search(text) for p in patterns):
            return reason
    if len(text.split()) <= NAVIGATION_MAX_WORDS and any(compiled(p).search(s) for p in config.navigation for s in _sentences(text)):
        return "navigation"
    if len(block.lines) == 1 and text == text.lower() and not re.search(r"[.,;:!?()]", text) \
            and len(re.split(r"[\s-]+", text)) <= config.alt_text_words and block.source.path.endswith(".txt"):
        # only a plain-text capture flattens a picture to its alt text; an HTML post keeps the picture
        return "image_alt_text"
    return None


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def _strip_inline_credits(block: Block, chapter: Chapter, config: LeftoversConfig, ctx: Context) -> Block:
    """Take a photo credit in parentheses out of a paragraph, leaving the sentence around it whole."""
    lines = list(block.lines)
    for index, line in enumerate(lines):
        for pattern in config.inline_credits:
            for found in reversed(list(compiled(pattern).finditer(line))):
                source = block.line_source(index)
                if not _removed(ctx, "photo_credit", source, found.group(), chapter.slug, chapter.slug,
                                note="moved to the Credits page"):
                    continue
                ctx.credits.append((chapter.title, Credit(found.group().strip(" ().").replace("\u00a0", " "), source)))
                keep_stop = "." if found.group().rstrip().endswith(".") and not line[:found.start()].rstrip().endswith((".", "!", "?")) else ""
                line = line[:found.start()] + keep_stop + line[found.end():]
        lines[index] = line
    return replace(block, lines=tuple(lines)) if tuple(lines) != block.lines else block


# -- pointers at the web page's furniture ----------------------------------------------------------

def _clean_comment(comment: Comment, chapter: Chapter, config: LeftoversConfig, ctx: Context) -> Comment:
    """A comment without the lines and clauses that only point at the page's furniture.  One made of nothing else is
    left whole here: it is removed with the unwanted comments (``_unwanted``)."""
    replies = tuple(_clean_comment(r, chapter, config, ctx) for r in comment.replies)
    if comment.id in config.keep or not _may_point_any(comment.blocks, config) or _only_pointers(comment, config):
        return replace(comment, replies=replies) if replies != comment.replies else comment
    linked = _has_link(comment.blocks)
    blocks = tuple(b for block in comment.blocks for b in _unpointed(block, chapter, comment.id, linked, config, ctx))
    return replace(comment, blocks=blocks, replies=replies) if (blocks, replies) != (comment.blocks, comment.replies) else comment


def _unpointed(block: Block, chapter: Chapter, where: str, linked: bool, config: LeftoversConfig, ctx: Context) -> tuple[Block, ...]:
    """A paragraph without its pointers at the page's furniture ("(SPSE, see link on right)", a line "See the
    sidebar."), each recorded as navigation; a line that was nothing else goes, so the block may become two or none."""
    if block.kind is not BlockKind.PARAGRAPH or not _may_point_any([block], config):
        return (block,)
    gone: set[int] = set()
    for index, line in enumerate(block.lines):
        for start, end in reversed(_pointers(line, linked, config) if _may_point(line, config) else []):
            source = block.line_source(index)
            if not _removed(ctx, "navigation", source, line[start:end].strip(), chapter.slug, where, context=line):
                continue
            if (start, end) == (0, len(line)):
                gone.add(index)
            else:
                inside = [m for m in block.marks if m.line == index and start <= m.start and m.end <= end]
                block = edit_line(replace(block, marks=tuple(m for m in block.marks if m not in inside)), index, start, end, "")
    return _without_lines(block, gone) if gone else (block,)


PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
SENTENCE = re.compile(r".+?(?:[.!?…]+[)\"”’']*(?:\s+|$)|$)")
POINTER_WORDS = 12  # a longer clause says something besides where to click


def _pointers(line: str, linked: bool, config: LeftoversConfig) -> list[tuple[int, int]]:
    """The spans of a line that only point at the page's furniture: the whole line, else whole sentences, else a
    parenthesis or its last part (", see link on right"), each with the space or comma that joined it."""
    if _is_pointer(line, linked, config):
        return [(0, len(line))]
    spans = []
    for m in SENTENCE.finditer(line):
        if m.group().strip() and _is_pointer(m.group(), linked, config):
            start = m.start() if m.end() < len(line) else len(line[:m.start()].rstrip())
            spans.append((start, m.end()))
    for m in PARENTHESIS.finditer(line):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        last = re.search(r"[,;]\s*([^,;]*)$", m.group(1))
        if _is_pointer(m.group(1), linked, config):
            spans.append((m.start(), m.end()))
        elif last and _is_pointer(last.group(1), linked, config):
            spans.append((m.start(1) + last.start(), m.end(1)))
    return sorted(spans)


def _is_pointer(text: str, linked: bool, config: LeftoversConfig) -> bool:
    """Whether a clause only says where on the web page to look ("see the sidebar"); one ending in a colon introduces
    what follows it, and a link above or below is in the book too when the text has links of its own."""
    core = re.sub(r"^[\s(\[\"“‘'*•–—-]+|[\s)\]\"”’'.!?…*–—-]+$", "", text)
    if not core or text.rstrip().endswith(":") or len(core.split()) > POINTER_WORDS:
        return False
    patterns = config.pointers if linked else [*config.pointers, *config.link_pointers]
    return any(compiled(p, ignore_case=True).fullmatch(core) for p in patterns)


def _may_point_any(blocks, config: LeftoversConfig) -> bool:
    return _may_point("\n".join(line for block in blocks for line in block.lines), config)


def _may_point(line: str, config: LeftoversConfig) -> bool:
    """Whether any pointer pattern matches anywhere in the text (a line, or lines joined): a clause of it can only be a
    pointer if so, and one search costs less than trying each clause."""
    return _found(_any_of(tuple(config.pointers + config.link_pointers)), line)


@functools.cache
def _any_of(patterns: tuple[str, ...]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@functools.lru_cache(maxsize=4096)  # a comment is asked about again: for its lines, then to be removed whole
def _found(pattern: str, line: str) -> bool:
    return bool(compiled(pattern, ignore_case=True).search(line))


def _only_pointers(comment: Comment, config: LeftoversConfig) -> bool:
    if not _may_point_any(comment.blocks, config):
        return False
    lines = [line for block in comment.blocks for line in block.lines if line.strip()]
    linked = _has_link(comment.blocks)
    return bool(lines) and all(_is_pointer(line, linked, config) for line in lines)


def _has_link(blocks) -> bool:
    """Whether the text holds a link of its own: a linked span (an imported post's) or an address written out."""
    return any(m.kind == "href" for b in blocks for m in b.marks) or any(URL.search(line) for b in blocks for line in b.lines)


def _without_lines(block: Block, gone: set[int]) -> tuple[Block, ...]:
    """The block without the lines at ``gone``: the runs of lines left, each a block at its own place in the source."""
    kept = [i for i in range(len(block.lines)) if i not in gone]
    runs = [[i] for i in kept[:1]]
    for i in kept[1:]:
        if i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return tuple(replace(block, lines=block.lines[run[0]:run[-1] + 1], source=block.line_source(run[0]),
                         marks=tuple(replace(m, line=m.line - run[0]) for m in block.marks if run[0] <= m.line <= run[-1]))
                 for run in runs)


def credits_page(credits: tuple[Credit, ...], found: list[tuple[str, Credit]]) -> tuple[Credit, ...]:
    """The Credits page's lines: ``credits`` and each credit found, in order, as "<chapter>: <credit>", unless
    its chapter credits the same words already (a caption beside its credit line): then the longer wording stays."""
    page = list(credits)
    for title, credit in found:
        _credit(page, title, credit)
    return tuple(page)


def _credit(credits: list[Credit], title: str, credit: Credit) -> None:
    prefix = f"{title}: "
    words = _credit_words(credit.text)
    for i, existing in enumerate(credits):
        if not existing.text.startswith(prefix):
            continue
        other = _credit_words(existing.text.removeprefix(prefix))
        if words <= other or other <= words:
            if len(credit.text) > len(existing.text) - len(prefix):
                credits[i] = Credit(prefix + credit.text, existing.source)
            return
    credits.append(Credit(prefix + credit.text, credit.source))


def _credit_words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower())) - {"photo", "by", "from", "photograph"}


def _remove_comments(book: Book, config: LeftoversConfig, ctx: Context) -> Book:
    removals: dict[str, None] = {}
    for chapter in book.chapters():
        before = predecessors(chapter)
        for comment in chapter.all_comments():
            reason = None if comment.id in config.keep else _unwanted(comment, config)
            if reason:
                removals[comment.id] = None
                ctx.record("comment_removed", reason, comment.source, full_text(comment.blocks), chapter=chapter.slug,
                           anchor=before[comment.id], comment=comment.id, note=f"comment {comment.id}")
    book, moves = remove(book, removals)
    ctx.sweep()
    for move in moves:
        ctx.record("comment_moved", "parent_removed", move.reply.source, "", chapter=move.chapter,
                   anchor=move.reply.id, comment=move.reply.id, note=f"reply {move.reply.id} moved up from under removed comment {move.removed.id}")
    return book


def _unwanted(comment: Comment, config: LeftoversConfig) -> str | None:
    text = comment.text.strip()
    if comment.kind in ("pingback", "trackback"):
        return comment.kind  # an imported blog says so
    if PINGBACK.match(text):
        return "pingback"
    if _only_pointers(comment, config):
        return "navigation"
    if any(compiled(p, ignore_case=True).search(text) for p in config.spam) or _seo_signature(comment):
        return "spam"
    return None


def _seo_signature(comment: Comment) -> bool:
    """A comment signed with a name and then a bare lowercase keyword line ("psychologist springfield"): a search-engine ad."""
    lines = [line for block in comment.blocks for line in block.lines]
    if len(lines) < 3:
        return False
    name, keywords = lines[-2].strip(), lines[-1].strip()
    return bool(re.fullmatch(r"(Dr\.?|Dott\.?(ssa)?|Prof\.?)?\s*([A-Z][\w'-]+\s+){1,3}[A-Z][\w'-]+", name)) \
        and bool(re.fullmatch(r"[a-z][a-z\u00c0-\u024f]+(\s+[a-z\u00c0-\u024f]+){1,3}", keywords))
