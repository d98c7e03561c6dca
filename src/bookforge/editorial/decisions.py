"""The editor's decisions as book.yaml has them: what ``bookforge review`` writes, and what the editorial report
offers to copy.

Every decision is one entry under ``editorial:``: a change rejected is a keep rule (``keep``, see ``stet``); a removed
comment kept is its id in the keep list of the pass that removed it (``leftovers`` or ``repeats``), or its id taken out
of ``repeats.drop`` when the editor had dropped it; a suggestion accepted is a style-sheet entry; a word right as
written goes into the word list.  book.yaml is edited with ruamel.yaml's round trip, which keeps its comments, key
order and layout.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bookforge.editorial import Suggestion
from bookforge.model import Change

LEFTOVER_COMMENTS = ("pingback", "trackback", "spam", "navigation")  # the reasons ``leftovers`` removes a comment for
Group = Literal["fix", "suggestion", "removal"]
GROUPS: tuple[Group, ...] = ("fix", "suggestion", "removal")  # what the editor decides, in the order ``review`` walks it


@dataclass(frozen=True)
class Decision:
    """One entry of book.yaml's ``editorial:`` section: ``value`` added to the list at ``path``, set as the value of
    the key ``path`` names, or taken out of the list at ``path``."""

    path: tuple[str, ...]
    value: object
    op: Literal["add", "set", "remove"] = "add"

    def apply(self, editorial: CommentedMap) -> None:
        *parents, last = self.path
        for key in parents:
            editorial = _mapping(editorial, key)
        if self.op == "set":
            editorial[last] = self.value
            return
        if editorial.get(last) is None:
            editorial[last] = CommentedSeq()
        entries = editorial[last]
        if self.op == "add" and self.value not in entries:
            entries.append(self.value)
        elif self.op == "remove" and self.value in entries:
            entries.remove(self.value)

    def snippet(self) -> str:
        """The decision as a piece of book.yaml to copy, from ``editorial:`` down."""
        if self.op == "remove":
            return f"# take {self.value} out of editorial: {': '.join(self.path)}:\n"
        data = CommentedMap()
        self.apply(_mapping(data, "editorial"))
        out = io.StringIO()
        yaml().dump(data, out)
        return out.getvalue()


def reject(change: Change, everywhere: bool = False) -> Decision:
    """Keep the text a change replaced or removed as written: at its line, or ``everywhere`` in the book."""
    rule = {"text": change.before.strip()} if everywhere else {"text": change.before.strip(), "at": str(change.source)}
    return Decision(("keep",), rule)


def keep_comment(change: Change) -> Decision:
    """Keep a comment a pass removed: its id in that pass's keep list, or out of the list the editor dropped it by."""
    if change.reason == "editor":
        return Decision(("repeats", "drop"), change.comment, "remove")
    return Decision(("leftovers" if change.reason in LEFTOVER_COMMENTS else "repeats", "keep"), change.comment)


def correct(suggestion: Suggestion, correction: str) -> Decision:
    return Decision(("style_sheet", suggestion.word), correction, "set")


def right(suggestion: Suggestion) -> Decision:
    """The suggested word is right as written: the book's word list; for words that are real but doubted in their
    place ("each weak", "with out"), a keep rule at that line."""
    if suggestion.kind == "real_word" or " " in suggestion.word:
        return Decision(("keep",), {"text": suggestion.word, "at": str(suggestion.source)})
    return Decision(("spelling", "words"), suggestion.word)


def group(change: Change) -> Group | None:
    """Which of the editor's decisions a change asks for: a fix applied (a corrected word, a retypeset line), a removal
    (a comment, web leftovers, a signature); None for one that follows from another (a reply moved)."""
    if change.kind in ("typo_fixed", "text_replaced"):
        return "fix"
    if change.kind in ("comment_removed", "text_removed"):
        return "removal"
    return None


def undoing(change: Change) -> Decision | None:
    """What undoes a change: a keep rule for a correction, a retypeset line or removed text, the comment's id for a removed
    comment; None for what follows from another change (a reply moved when its comment went)."""
    if change.kind == "comment_removed":
        return keep_comment(change) if change.comment else None
    if change.kind in ("typo_fixed", "text_replaced", "text_removed"):
        return reject(change)
    return None


def write(path, decisions: list[Decision]) -> None:
    """Add the decisions to book.yaml, keeping its comments and layout."""
    y = yaml()
    data = y.load(path.read_text(encoding="utf-8"))
    section = _mapping(data, "editorial")
    for decision in decisions:
        decision.apply(section)
    out = io.StringIO()
    y.dump(data, out)
    path.write_text(_trimmed(out.getvalue()), encoding="utf-8")


def _trimmed(text: str) -> str:
    """The YAML without the spaces ruamel leaves at the end of a wrapped flow list's lines, unless they mean something
    (inside a block scalar): then as it was."""
    trimmed = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    safe = YAML(typ="safe", pure=True)
    return trimmed if safe.load(trimmed) == safe.load(text) else text


def yaml() -> YAML:
    y = YAML()  # round-trip mode
    y.preserve_quotes = True
    y.width = 100  # a flow list of words wraps like the one bookforge ships
    y.indent(mapping=2, sequence=4, offset=2)  # lists indented under their key, as bookforge's own book.yaml has them
    return y


def _mapping(parent: CommentedMap, key: str) -> CommentedMap:
    if parent.get(key) is None:
        parent[key] = CommentedMap()
    return parent[key]
