"""``bookforge review``: the editor walks the spelling pass's suggestions and decides each one.

Every answer is written back into book.yaml, so the next build applies it: an accepted or
typed correction goes into ``editorial.style_sheet``, a word that is right as written into
``editorial.spelling.words``.  book.yaml is edited with ruamel.yaml's round trip, which keeps
its comments, key order and layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bookforge import editorial, manifest, readers
from bookforge.editorial import Suggestion


@dataclass
class Decisions:
    """What the editor decided: corrections for the style sheet, words for the word list."""

    corrections: dict[str, str] = field(default_factory=dict)
    right: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.corrections or self.right)


def suggestions(project: Path) -> list[Suggestion]:
    """The suggestions a build of the project would report, from the same editorial pass."""
    spec = manifest.load(project)
    _, ledger = editorial.edit(readers.read_book(spec), spec.editorial)
    return ledger.suggestions


Ask = Callable[[Suggestion, int, int], tuple[str, str]]  # -> (action, value): accept/type + correction, right, skip, quit


def walk(found: list[Suggestion], ask: Ask) -> Decisions:
    decisions = Decisions()
    for number, suggestion in enumerate(found, start=1):
        action, value = ask(suggestion, number, len(found))
        if action == "quit":
            break
        if action == "right":
            decisions.right.append(suggestion.word)
        elif action == "correct" and value:
            decisions.corrections[suggestion.word] = value
    return decisions


def write_back(path: Path, decisions: Decisions) -> None:
    """Add the decisions to book.yaml, keeping its comments and layout."""
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 100  # a flow list of words wraps like the one bookforge ships
    yaml.indent(mapping=2, sequence=4, offset=2)  # lists indented under their key, as bookforge's own book.yaml has them
    data = yaml.load(path.read_text(encoding="utf-8"))
    section = _mapping(data, "editorial")
    if decisions.corrections:
        sheet = _mapping(section, "style_sheet")
        for word, correction in decisions.corrections.items():
            sheet[word] = correction
    if decisions.right:
        spelling = _mapping(section, "spelling")
        if "words" not in spelling:
            spelling["words"] = CommentedSeq()
        words = spelling["words"]
        for word in decisions.right:
            if word not in words:
                words.append(word)
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)


def _mapping(parent: CommentedMap, key: str) -> CommentedMap:
    if parent.get(key) is None:
        parent[key] = CommentedMap()
    return parent[key]
