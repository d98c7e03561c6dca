"""Surgery on comment threads: remove comments without losing the replies that hang under them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bookforge.model import Book, Chapter, Comment
from bookforge.editorial.text import map_chapters


@dataclass(frozen=True)
class Move:
    """A reply that left a removed comment: for ``to`` (a comment id), or up into the removed one's place (``to`` is None)."""

    reply: Comment
    removed: Comment
    to: str | None
    chapter: str  # the slug of the chapter the reply was in


def remove(book: Book, removals: dict[str, str | None]) -> tuple[Book, list[Move]]:
    """Remove the comments whose ids are keys of ``removals``.

    A removed comment's replies go to the comment its value names (the copy that was kept),
    at the end of that comment's replies; with no value, or when that comment is gone too,
    they take the removed comment's place in its thread.
    """
    present = {c.id for ch in book.chapters() for c in ch.all_comments()} - set(removals)
    moves: list[Move] = []
    adopted: dict[str, list[Comment]] = {}

    def prune(comments: tuple[Comment, ...], chapter: str) -> tuple[Comment, ...]:
        kept = []
        for c in comments:
            replies = prune(c.replies, chapter)
            if c.id not in removals:
                kept.append(replace(c, replies=replies))
                continue
            target = removals[c.id] if removals[c.id] in present else None
            for reply in replies:
                moves.append(Move(reply, c, target, chapter))
            if target:
                adopted.setdefault(target, []).extend(replies)
            else:
                kept.extend(replies)
        return tuple(kept)

    def adopt(comments: tuple[Comment, ...]) -> tuple[Comment, ...]:
        return tuple(replace(c, replies=adopt(c.replies) + tuple(adopted.get(c.id, ()))) for c in comments)

    book = map_chapters(book, lambda ch: replace(ch, comments=prune(ch.comments, ch.slug)))
    return map_chapters(book, lambda ch: replace(ch, comments=adopt(ch.comments))), moves


def parents(chapter: Chapter) -> dict[str, Comment | None]:
    """Each comment's id mapped to the comment it answers (None at the top of a thread)."""
    found: dict[str, Comment | None] = {}

    def walk(comments, parent):
        for c in comments:
            found[c.id] = parent
            walk(c.replies, c)

    walk(chapter.comments, None)
    return found


def predecessors(chapter: Chapter) -> dict[str, str]:
    """Each comment's id mapped to the id of the comment just before it in reading order (the chapter's slug for the first)."""
    order = [c.id for c in chapter.all_comments()]
    return {cid: (order[i - 1] if i else chapter.slug) for i, cid in enumerate(order)}
