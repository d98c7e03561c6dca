"""Web leftovers: store banners, image alt text, navigation, comment counts and forms, pingbacks and spam.

All of it is removed and recorded; photo credits move to the Credits page, because a
licensed photo's credit must stay somewhere in the book.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bookforge.editorial import Context
from bookforge.editorial.config import LeftoversConfig, compiled
from bookforge.editorial.text import full_text, map_chapters
from bookforge.editorial.threads import predecessors, remove
from bookforge.model import Block, BlockKind, Book, Chapter, Comment, Credit

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
    for block in chapter.body:
        reason = _leftover(block, config)
        if reason == "photo_credit":
            ctx.credits.append((chapter.title, Credit(block.text, block.source)))
        if reason:
            ctx.record("text_removed", reason, block.source, full_text([block]), chapter=chapter.slug, anchor=chapter.slug,
                       note="moved to the Credits page" if reason == "photo_credit" else "")
            continue
        body.append(_strip_inline_credits(block, chapter, config, ctx))
    tail = []
    for block in chapter.tail:
        if any(compiled(p).search(block.text) for p in config.comment_form):
            ctx.record("text_removed", "comment_form", block.source, full_text([block]), chapter=chapter.slug, anchor=chapter.slug)
        else:
            tail.append(block)
    return replace(chapter, body=tuple(body), tail=tuple(tail))


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
                ctx.credits.append((chapter.title, Credit(found.group().strip(" ().").replace("\u00a0", " "), source)))
                ctx.record("text_removed", "photo_credit", source, found.group(), chapter=chapter.slug,
                           anchor=chapter.slug, note="moved to the Credits page")
                keep_stop = "." if found.group().rstrip().endswith(".") and not line[:found.start()].rstrip().endswith((".", "!", "?")) else ""
                line = line[:found.start()] + keep_stop + line[found.end():]
        lines[index] = line
    return replace(block, lines=tuple(lines)) if tuple(lines) != block.lines else block


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
                           anchor=before[comment.id], note=f"comment {comment.id}")
    book, moves = remove(book, removals)
    ctx.sweep()
    for move in moves:
        ctx.record("comment_moved", "parent_removed", move.reply.source, "", chapter=move.chapter,
                   anchor=move.reply.id, note=f"reply {move.reply.id} moved up from under removed comment {move.removed.id}")
    return book


def _unwanted(comment: Comment, config: LeftoversConfig) -> str | None:
    text = comment.text.strip()
    if comment.kind in ("pingback", "trackback"):
        return comment.kind  # an imported blog says so
    if PINGBACK.match(text):
        return "pingback"
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
