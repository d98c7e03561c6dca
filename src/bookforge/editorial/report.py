"""The editorial report: every change the passes made, for machines (JSON) and for the editor (HTML).

The JSON follows the schema in the design brief: ``changes`` with kind, reason, source,
line, before, after (and ``kept`` for repeats), and ``suggestions``; bookforge adds
``notes`` and ``counts``, and gives each change its chapter, its number and an anchor.

A change's number counts from 1 in its chapter (``numbered``), and the XHTML and the proof carry
the same: an edit in one chapter renumbers that chapter's changes only, so every other chapter's
pages stay byte for byte as they were and are not laid out again.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from markupsafe import Markup

from bookforge.editorial import Context, decisions
from bookforge.editorial.text import changed_runs
from bookforge.model import Book, Change, SourceLocation

# The words the editor reads for the report's machine keys: kinds, then reasons.
LABELS = {
    "comment_removed": "comments removed", "comment_moved": "replies moved", "comment_merged": "comments merged",
    "text_removed": "text removed", "typo_fixed": "words corrected", "text_replaced": "lines retypeset",
    "exact_duplicate": "posted twice", "truncated_duplicate": "first try of a comment posted again in full: the fuller copy is kept, its replies moved under it",
    "quoted_elsewhere": "a copy of another post's text", "answered_twice": "the author answered twice",
    "pingback": "link notice from another blog (pingback)", "spam": "spam", "promo_banner": "store banner",
    "navigation": "blog navigation", "comment_form": "comment form", "comment_count": "comment count",
    "photo_credit": "photo credit", "image_alt_text": "image description (alt text)", "style_sheet": "style sheet",
    "spelling": "spelling", "capitalization": "capital letter", "doubled_word": "doubled word",
    "typography": "quotes, dashes, ellipses and spaces", "title_case": "title case", "parent_removed": "the comment it answered was removed",
    "kept_copy": "moved under the copy that was kept", "nbsp_run": "run of no-break spaces",
    "signature": "signature under a labelled reply", "suggestions": "words to check", "notes": "notes for the editor",
}

JSON_NAME = "editorial-report.json"
HTML_NAME = "editorial-report.html"


def label(key: str) -> str:
    """The editor's words for a kind or reason ("comment_removed.pingback" -> "comments removed: link notice …")."""
    return ": ".join(LABELS.get(part, part.replace("_", " ")) for part in key.split("."))


def counts(ctx: Context) -> dict[str, int]:
    """How many changes of each kind, and of each reason within a kind ("comment_removed.pingback")."""
    found = Counter(c.kind for c in ctx.changes) + Counter(f"{c.kind}.{c.reason}" for c in ctx.changes)
    found["suggestions"] = len(ctx.suggestions)
    found["notes"] = len(ctx.notes)
    return dict(sorted(found.items()))


def summary(ctx: Context) -> str:
    """One line for the build's output: the counts an editor looks at first."""
    c = counts(ctx)
    removed = c.get("comment_removed", 0)
    reasons = ", ".join(f"{n} {k.split('.', 1)[1].replace('_', ' ')}" for k, n in c.items() if k.startswith("comment_removed."))
    leftovers = c.get("text_removed", 0) - c.get("text_removed.signature", 0)
    return ", ".join([f"{count(removed, 'comment')} removed ({reasons})", f"{count(c.get('comment_moved', 0), 'reply', 'replies')} moved",
                      f"{count(c.get('typo_fixed', 0), 'typo')} fixed", f"{count(leftovers, 'web leftover')} removed",
                      f"{count(c.get('text_removed.signature', 0), 'signature')} dropped",
                      f"{count(c.get('text_replaced', 0), 'line')} retypeset", count(c["suggestions"], "suggestion")])


def count(number: int, one: str, many: str = "") -> str:
    """'1 reply', '2 replies', '0 typos'."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def numbered(changes: Iterable[Change]) -> list[tuple[int, Change]]:
    """Each change with its number: counted from 1 in its chapter, in the order the passes made them.

    Every pass records the chapter of what it changed; a change that named none would be
    counted in a sequence of its own."""
    counted: Counter[str] = Counter()
    found = []
    for change in changes:
        counted[change.chapter] += 1
        found.append((counted[change.chapter], change))
    return found


def anchor(number: int, change: Change) -> str:
    """The id of a change's row in the HTML report, unique in the book: 'change-<chapter>-12'."""
    return "-".join(filter(None, ("change", change.chapter, str(number))))


def write(book: Book, ctx: Context, directory: Path) -> tuple[Path, Path]:
    data = {
        "changes": [_change(number, c) for number, c in numbered(ctx.changes)],
        "suggestions": [{"kind": s.kind, **_where(s.source), "word": s.word, "candidates": list(s.candidates),
                         **({"sentence": s.sentence} if s.sentence else {})}
                        for s in ctx.suggestions],
        "notes": [{"kind": n.kind, **_where(n.source), "message": n.message,
                   **({"related": _where(n.related)} if n.related else {})} for n in ctx.notes],
        "counts": counts(ctx),
    }
    json_path = directory / JSON_NAME
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    html_path = directory / HTML_NAME
    html_path.write_text(_render(book, ctx, data["counts"]), encoding="utf-8")
    return json_path, html_path


def _where(source: SourceLocation) -> dict:
    return {"source": source.path, "line": source.line}


def _change(number: int, change: Change) -> dict:
    """A change as the schema gives it, with its number in its chapter (the proof's note carries the same) and anchor."""
    entry = {"number": number, "anchor": anchor(number, change), "kind": change.kind, "reason": change.reason,
             **_where(change.source), "before": change.before, "after": change.after}
    if change.kept:
        entry["kept"] = _where(change.kept)
    if change.chapter:
        entry["chapter"] = change.chapter
    if change.note:
        entry["note"] = change.note
    if change.context:
        entry["context"] = change.context
    if change.comment:
        entry["comment"] = change.comment
    return entry


def _render(book: Book, ctx: Context, totals: dict) -> str:
    from bookforge.html import environment

    env = environment()
    changes = numbered(ctx.changes)
    chapters = [(ch, [(n, c, shown(c), decisions.group(c) or "other", _snippet(decisions.undoing(c)))
                      for n, c in changes if c.chapter == ch.slug]) for ch in book.chapters()]
    kinds = sorted({c.kind for c in ctx.changes})
    by_source = {ch.source.path: ch.slug for ch in book.chapters()}
    suggestions = [(s, by_source.get(s.source.path, ""),
                    [(f"“{c}”", decisions.correct(s, c).snippet()) for c in s.candidates]
                    + [("right as written", decisions.right(s).snippet())]) for s in ctx.suggestions]
    return env.get_template("editorial-report.html.j2").render(
        meta=book.metadata, chapters=chapters, counts=totals, suggestions=suggestions, notes=ctx.notes,
        label=label, kinds=kinds, anchor=anchor)


def _snippet(decision: decisions.Decision | None) -> str:
    return decision.snippet() if decision else ""


def shown(change: Change) -> Markup:
    """What the editor needs to see of a change: a correction in its sentence with the changed words
    highlighted, a retypeset line as just the characters that changed, a removal in full."""
    if change.kind == "typo_fixed":
        return _in_sentence(change.context or change.before, change.before, change.after)
    if change.kind == "text_replaced":
        return _changed_characters(change.before, change.after)
    return Markup('<div class="removed">{}</div>').format(change.before) if change.before else Markup("")


def _in_sentence(line: str, before: str, after: str) -> Markup:
    around = sentence_around(line, before)
    if around is None:
        return Markup("<del>{}</del> <ins>{}</ins>").format(before, after)
    return Markup("{}<del>{}</del><ins>{}</ins>{}").format(around[0], before, after, around[1])


def sentence_around(line: str, before: str) -> tuple[str, str] | None:
    """The rest of the sentence of ``line`` that the corrected words ``before`` stand in: what comes before them, and
    after; None when they are not in the line."""
    at = line.find(before)
    if at < 0:
        return None
    start = max([0] + [m.end() for m in re.finditer(r"[.!?]\s+", line[:at])])
    end = next((m.end() for m in re.finditer(r"[.!?](\s|$)", line[at + len(before):])), len(line) - at - len(before))
    return line[start:at], line[at + len(before):at + len(before) + end]


def _changed_characters(before: str, after: str) -> Markup:
    """Each changed run with a few characters either side: "guess <del> – </del><ins>—</ins>trust"."""
    return Markup("<br/>").join(Markup("…{}<del>{}</del><ins>{}</ins>{}…").format(*piece) for piece in changed_pieces(before, after))


def changed_pieces(before: str, after: str, context: int = 12) -> list[tuple[str, str, str, str]]:
    """Each run of characters a retypeset line changed, as (a few characters before it, the old run with a no-break
    space shown as ␣, the new run, a few characters after it)."""
    return [(before[max(0, a - context):a], before[a:b].replace("\u00a0", "\u2423"), after[c:d], before[b:b + context])
            for op, a, b, c, d in changed_runs(before, after) if op != "equal"]
