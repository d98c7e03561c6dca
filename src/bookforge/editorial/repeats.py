"""Repeated comments: exact re-posts, truncated first tries, copies of a comment elsewhere in the book,
and the author answering one comment twice.

Which copy is kept: a post's body over a comment; between two copies of a comment, a clearly fuller one
(a reader sees the comment whole), else the one with replies, else the earlier.  The replies of a removed
copy move under the kept one, and a retelling that adds new facts is kept and reported rather than removed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from rapidfuzz import fuzz

from bookforge.editorial import Context, Note
from bookforge.editorial.config import RepeatsConfig
from bookforge.editorial.text import WORD, full_text, inside, normalize, shingles, word_runs
from bookforge.editorial.threads import parents, predecessors, remove
from bookforge.model import Block, Book, Chapter, Comment

SAME_LENGTH = 0.9  # two copies whose word counts are this close are the same comment posted twice
NEAR_COPY = 90  # rapidfuzz ratio of two comments that are one comment typed twice, with slips
COMMON_RUN = 50  # a three-word run in more comments than this is a phrase, not a sign of copying
PAIR_SHIFT = 32  # a pair of comments (by their order in the book) as one number: the earlier's order above it
PAIR_MASK = (1 << PAIR_SHIFT) - 1
QUOTED = re.compile(r"[\u201c\"]([^\u201c\u201d\"]{20,})[\u201d\"]")


@dataclass(frozen=True)
class _Entry:
    """A comment with what comparing it needs."""

    comment: Comment
    chapter: Chapter
    order: int  # position in the book's reading order
    text: str  # normalised
    runs: frozenset
    size: int  # words
    quotes: frozenset  # the three-word runs of what it quotes inside quotation marks (none when it quotes nothing)
    parent: str  # the id of the comment it answers ("" at the top of a thread)

    @property
    def id(self) -> str:
        return self.comment.id


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.repeats
    entries = _entries(book)
    decisions: dict[str, tuple[str, object]] = {}  # removed id -> (reason, kept entry or block)
    for reason, finder in (("exact_duplicate", _exact), ("quoted_elsewhere", _in_a_body),
                           ("answered_twice", _answered_twice), ("truncated_duplicate", _truncated)):
        for removed, kept, *rule in finder(entries, book, config):
            if removed.id not in decisions and removed.id not in config.keep and getattr(kept, "id", None) not in decisions:
                decisions[removed.id] = (rule[0] if rule else reason, kept)
    for entry in entries:
        if entry.id in config.drop and entry.id not in decisions:
            decisions[entry.id] = ("editor", None)
    _note_retellings(entries, decisions, config, ctx)
    return _apply(book, entries, decisions, ctx)


def _entries(book: Book) -> list[_Entry]:
    found = []
    for chapter in book.chapters():
        answers = parents(chapter)
        for comment in chapter.all_comments():
            text = normalize(comment.text)
            said = list(map(sys.intern, WORD.findall(text)))  # the comment's words (``words``), each word one string
            quoted = " ".join(QUOTED.findall(comment.text))
            parent = answers[comment.id]
            found.append(_Entry(comment, chapter, len(found), text, word_runs(said), len(said),
                                shingles(quoted) if quoted else frozenset(), parent.id if parent else ""))
    return found


def _exact(entries: list[_Entry], book: Book, config: RepeatsConfig):
    """The same words posted again: keep the copy with the most replies, else the first.

    Short words alike ("Thank you so much for this post!") are written by many readers: only a
    comment of ``min_words`` or more, or the author's own, is a repeat of its twin anywhere.  A shorter
    one is a repeat when the source names its writer (an imported blog does) and the same writer posted
    the same words twice in one place: in one chapter, answering the same comment (or both at the top).
    """
    groups: dict[tuple[str, ...], list[_Entry]] = {}
    for e in entries:
        said = re.sub(r"[^\w]+", " ", e.text).strip()
        if e.size >= config.min_words or e.comment.by_author:
            groups.setdefault((said,), []).append(e)
        elif e.size and e.comment.author.strip():
            groups.setdefault((said, e.comment.author.strip().casefold(), e.chapter.slug, e.parent), []).append(e)
    for group in groups.values():
        kept = max(group, key=lambda e: (len(e.comment.replies), -e.order))
        for e in group:
            if e is not kept:
                yield e, kept


def _in_a_body(entries: list[_Entry], book: Book, config: RepeatsConfig):
    """A comment reproduced as (part of) another post's body: the post's copy is kept."""
    bodies = [(ch, shingles(" ".join(b.text for b in ch.body))) for ch in book.chapters()]
    for e in entries:
        if e.size < config.min_words or e.comment.replies:
            continue
        for chapter, runs in bodies:
            if chapter.slug != e.chapter.slug and inside(e.runs, runs) >= config.quoted:
                yield e, _best_block(e, chapter)


def _best_block(entry: _Entry, chapter: Chapter) -> Block:
    return max(chapter.body, key=lambda b: inside(shingles(b.text), entry.runs))


def _truncated(entries: list[_Entry], book: Book, config: RepeatsConfig):
    """A comment mostly inside another by the same hand: a first try, or the same words posted again with slips.

    A clearly fuller copy is kept; else the one with replies; else the earlier (``_removed_and_kept``).  A reply
    is never a copy of the comment it answers (nor of one above that), which keeps its own thread.
    """
    for a, b in _pairs(entries, config):
        if a.comment.by_author != b.comment.by_author or b.id in _below(a.comment):
            continue
        short, long = (a, b) if a.size <= b.size else (b, a)
        if short.text == long.text or _quotes(long, short):
            continue
        if fuzz.ratio(a.text, b.text, score_cutoff=NEAR_COPY) >= NEAR_COPY or (inside(short.runs, long.runs) >= config.truncated and _first_try(short)):
            yield _removed_and_kept(a, b)


def _below(comment: Comment) -> set[str]:
    """The ids of every reply under a comment, however deep."""
    return {r.id for r in comment.replies} | {i for r in comment.replies for i in _below(r)}


def _first_try(entry: _Entry) -> bool:
    """A comment cut off before its end, or more than one sentence long: not a single sentence someone else quoted."""
    text = entry.comment.text.strip()
    return not re.search(r"[.!?…)\"”’'\U0001F300-\U0001FAFF]$", text) or len(re.findall(r"[.!?…]+\s", text)) >= 1


def _removed_and_kept(a: _Entry, b: _Entry) -> tuple[_Entry, _Entry, str]:
    """Of two copies (``a`` the earlier): a clearly fuller copy is kept, so a reader sees the comment whole, and a
    first try's replies move under it (``truncated_duplicate``); of two copies of about one length, the one with
    replies (``copy_without_replies``), else the earlier (``later_copy``).

    The third item is the rule, for the report's ``reason``.
    """
    if min(a.size, b.size) < SAME_LENGTH * max(a.size, b.size):
        return (a, b, "truncated_duplicate") if a.size < b.size else (b, a, "truncated_duplicate")
    if bool(a.comment.replies) != bool(b.comment.replies):
        return (b, a, "copy_without_replies") if a.comment.replies else (a, b, "copy_without_replies")
    return b, a, "later_copy"


def _pairs(entries: list[_Entry], config: RepeatsConfig):
    """Pairs of comments (earlier first) long enough to compare that share a rare three-word run.

    An index from each run to the comments holding it finds them without comparing every pair,
    so a blog archive twenty times this book takes twenty times as long, not four hundred.
    Runs that most comments share ("thank you for") are too common to tell anything.  Most runs are
    held by one comment: the index keeps that one, and a list only for a run held by more; a pair is
    kept as one number, and the pairs are given one at a time, so a 50x book's hundreds of thousands
    of runs and pairs take tens of megabytes, not hundreds.
    """
    sizeable = {e.order: e for e in entries if e.size >= config.min_words}
    first: dict[tuple, _Entry] = {}  # a run -> the first comment holding it
    holders: dict[tuple, list[_Entry]] = {}  # a run held by more than one comment -> all of them, in order
    for e in sizeable.values():
        for run in e.runs:
            held = first.setdefault(run, e)
            if held is not e:
                holders.setdefault(run, [held]).append(e)
    pairs = set()
    for group in holders.values():
        if len(group) <= COMMON_RUN:
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    pairs.add(a.order << PAIR_SHIFT | b.order)
    del first, holders
    for pair in sorted(pairs):
        yield sizeable[pair >> PAIR_SHIFT], sizeable[pair & PAIR_MASK]


def _quotes(entry: _Entry, other: _Entry) -> bool:
    """Whether ``entry`` quotes ``other`` inside quotation marks rather than repeating it."""
    return bool(entry.quotes) and inside(other.runs, entry.quotes) >= 0.5


def _answered_twice(entries: list[_Entry], book: Book, config: RepeatsConfig):
    """Two replies by the author to the same comment saying the same thing: the fuller one is kept."""
    by_id = {e.id: e for e in entries}
    for chapter in book.chapters():
        for parent in chapter.all_comments():
            mine = [by_id[r.id] for r in parent.replies if r.by_author]
            for i, a in enumerate(mine):
                for b in mine[i + 1:]:
                    if fuzz.token_set_ratio(a.text, b.text) >= config.answered_twice:
                        yield (a, b) if a.size <= b.size else (b, a)


def _note_retellings(entries: list[_Entry], decisions: dict, config: RepeatsConfig, ctx: Context) -> None:
    """A comment told again in other words with new facts is kept; the report says so."""
    kept = [e for e in entries if e.id not in decisions]
    for a, b in _pairs(kept, config):
        if a.chapter.slug != b.chapter.slug or a.comment.by_author or b.comment.by_author:
            continue
        share = max(inside(a.runs, b.runs), inside(b.runs, a.runs))
        if config.retold <= share < config.truncated and not _quotes(a, b) and not _quotes(b, a):
            ctx.notes.append(Note("retold_comment", b.comment.source,
                                  f"comment {b.id} retells comment {a.id} ({share:.0%} of the shorter in the other) "
                                  "and adds to it, so both are kept", a.comment.source))


def _apply(book: Book, entries: list[_Entry], decisions: dict, ctx: Context) -> Book:
    by_id = {e.id: e for e in entries}
    before = {cid: p for ch in book.chapters() for cid, p in predecessors(ch).items()}
    for removed_id, (reason, kept) in decisions.items():
        e = by_id[removed_id]
        where = kept.comment.source if isinstance(kept, _Entry) else getattr(kept, "source", None)
        moved = "; its replies moved under that copy" if isinstance(kept, _Entry) and e.comment.replies else ""
        ctx.record("comment_removed", reason, e.comment.source, full_text(e.comment.blocks), kept=where,
                   chapter=e.chapter.slug, anchor=before[removed_id], comment=removed_id,
                   note=f"comment {removed_id}" + (f", a repeat of the copy at {where}{moved}" if where else ", removed by the editor"))
    targets = {rid: (kept.id if isinstance(kept, _Entry) else None) for rid, (_, kept) in decisions.items()}
    book, moves = remove(book, targets)
    for move in moves:
        ctx.record("comment_moved", "kept_copy" if move.to else "parent_removed", move.reply.source, "", chapter=move.chapter,
                   anchor=move.reply.id, comment=move.reply.id, kept=by_id[move.to].comment.source if move.to else None,
                   note=f"reply {move.reply.id} moved from removed comment {move.removed.id}" + (f" to {move.to}" if move.to else ""))
    return book
