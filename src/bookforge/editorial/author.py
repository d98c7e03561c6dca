"""The author's replies: recognise which comments the blog's author wrote, so both books can label them,
and drop the signature under a reply the label already names (recorded, and kept with
``author: drop_signatures: false``).

A signature ("JS", "Jeffrey", "Jeffery") is enough on its own.  Without one, a reply counts
as the author's when it answers its parent as he does (a "Dear Cindy," opening) or speaks
as the blog's owner ("my post", "my book"), and nothing in it speaks as a reader would
("my therapist", "your blog", addressing the author by name).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bookforge.editorial import Context
from bookforge.editorial.config import AuthorConfig, compiled
from bookforge.editorial.text import edit_line, map_chapters
from bookforge.model import Book, Chapter, Comment


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.author
    names = _names(ctx.author, config)

    def mark(comment: Comment, depth: int) -> Comment:
        replies = tuple(mark(r, depth + 1) for r in comment.replies)
        return replace(comment, replies=replies, by_author=is_author(comment, depth, names, config))

    return map_chapters(book, lambda ch: replace(ch, comments=tuple(mark(c, 0) for c in ch.comments)))


def drop_signatures(book: Book, ctx: Context) -> Book:
    """The ``signatures`` pass: after the repeats are settled (a removed repeat is reported whole),
    drop the signature under each reply the book labels as the author's."""
    if not ctx.config.author.drop_signatures:
        return book
    names = _names(ctx.author, ctx.config.author)

    def walk(comment: Comment, chapter: Chapter) -> Comment:
        comment = replace(comment, replies=tuple(walk(r, chapter) for r in comment.replies))
        return unsign(comment, names, chapter, ctx) if comment.by_author else comment

    return map_chapters(book, lambda ch: replace(ch, comments=tuple(walk(c, ch) for c in ch.comments)))


def unsign(comment: Comment, names: list[str], chapter: Chapter, ctx: Context) -> Comment:
    """Drop the signature that ends a labelled reply ("… I hope so. JS"): the label names him already."""
    if not comment.blocks:
        return comment
    block = comment.blocks[-1]
    index = len(block.lines) - 1
    alias = "|".join(re.escape(n) for n in names)
    found = re.search(rf"(^|(?<=[.!?\u201d)])\s+)((Yours|Best|Thanks),?\s+)?({alias})\W*$", block.lines[index])
    if not found or ctx.keeps("text_removed", "signature", block.line_source(index), found.group()):
        return comment  # no signature, or one the editor keeps (book.yaml editorial.keep)
    ctx.record("text_removed", "signature", block.line_source(index), found.group().strip(), chapter=chapter.slug, anchor=comment.id)
    block = edit_line(block, index, found.start(), len(block.lines[index]), "")
    if not block.text.strip():
        return replace(comment, blocks=comment.blocks[:-1])
    if not block.lines[index].strip():
        block = replace(block, lines=block.lines[:index], marks=tuple(m for m in block.marks if m.line < index))
    return replace(comment, blocks=comment.blocks[:-1] + (block,))


def _names(author: str, config: AuthorConfig) -> list[str]:
    """The names the author signs with: the full name, the first name, and the configured aliases."""
    names = [author, author.split()[0]] if author else []
    return sorted({n for n in names + config.aliases if n}, key=len, reverse=True)


def is_author(comment: Comment, depth: int, names: list[str], config: AuthorConfig) -> bool:
    if comment.id in config.authors:
        return True
    if comment.id in config.readers:
        return False
    if comment.author:
        return comment.by_author  # an imported blog names each commenter and knows its own author's replies
    text = comment.text
    if signed(comment, names):
        return True
    alias = "|".join(re.escape(n) for n in names + ["Jeff", "Dr"])
    if re.match(rf"^\W*(Dear|Hi|Hello|Thanks|Thank you),?\s+({alias})\b", text) or \
            any(compiled(p, ignore_case=True).search(text) for p in config.reader_voice):
        return False
    if depth == 0:
        return False
    answers = re.match(r"^Dear\s+[\w.\-]+( and [\w.\-]+)?\s*[,\u2013\u2014-]|^Dear [A-Z]\.|^((Hello|Hi),?\s+)?[A-Z][\w.]*,\s", text)
    return bool(answers) or any(compiled(p).search(text) for p in config.voice)


def signed(comment: Comment, names: list[str]) -> bool:
    """Whether the comment ends with one of the author's signatures ("… healing. JS", "Yours, JS (3/17/18)")."""
    last = comment.blocks[-1].lines[-1].strip() if comment.blocks else ""
    alias = "|".join(re.escape(n) for n in names)
    own_line = re.fullmatch(rf"((Yours|Best|Thanks),?\s+)?({alias})\W*(\(.*\))?", last)
    after_sentence = re.search(rf"[.!?\u201d)]\s+((Yours|Best|Thanks),?\s+)?({alias})\s*(\([^)]*\))?\s*$", last)
    return bool(own_line or after_sentence)
