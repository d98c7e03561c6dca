"""Spelling: misspelled words found and ranked with field dictionaries, and doubled words ("on on").

A word is checked when Hunspell (American or British) does not know it and it is not
common in written English (wordfreq), whatever its length; a capitalised word is checked
at the start of a sentence unless the book uses it as a name.  Then, in order:

1. a lower-case "i" becomes "I"; a contraction without its apostrophe ("dont", "youre") gets it;
2. a word on codespell's list of common misspellings with one answer gets that answer;
3. otherwise the candidates within two edits, and splits into two words ("mytherapist"),
   are ranked by an error model -- a swapped pair, a doubled or dropped letter or a
   neighbouring key costs less than any other edit -- together with how common each
   candidate is and how often it follows the word before and precedes the word after.
   The winner is applied only when it is common, close, and clearly ahead of the next;
   otherwise the top candidates go to the editor as a suggestion, with the sentence.

Names are learned from the book: a word capitalised in the middle of a sentence is a name
everywhere.  URLs, quoted titles, acronyms and the book's own word list are left alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from bookforge.editorial import Context, Note, Suggestion
from bookforge.editorial import lexicon as lx
from bookforge.editorial.config import SpellingConfig
from bookforge.editorial.style_sheet import match_case
from bookforge.editorial.text import all_blocks, edit_blocks, edit_line
from bookforge.editorial.typography import URL
from bookforge.model import Block, Book, Chapter

TOKEN = re.compile(r"(?<![\w’'])[A-Za-z]+(?:[’'][A-Za-z]+)*(?![\w])")
TITLE_QUOTE = re.compile(r"[“\"]([^”\"]*)[”\"]")
SENTENCE_END = re.compile(r"(^|[.!?:;…“\"(])$")
CONTRACTION_ENDS = ("n't", "'re", "'ve", "'m", "'ll", "'d", "'s")
PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "who", "that", "there"}
CONTRACTED = {  # the words each ending is written after ("n't" goes with any verb the dictionary knows)
    "'m": {"i"}, "'re": PRONOUNS | {"what", "where"}, "'ve": PRONOUNS | {"would", "could", "should", "might", "must"},
    "'ll": PRONOUNS, "'d": PRONOUNS,
    "'s": {"that", "what", "there", "here", "who", "where", "she", "he", "it", "anyone", "everyone", "someone", "let",
           "how", "why", "when"},
}
MAX_SUGGESTED = 4
FOREIGN_MIN_WORDS = 8  # a shorter paragraph is too short to tell its language by

AFFIXES = ({"dis", "un", "re", "over", "off", "counter", "mis", "non", "pre", "under", "out", "self", "super", "inter"},
           {"ness", "some", "ful", "less", "ly", "like", "ment", "able", "ship", "hood", "wise", "ward", "wards", "ism", "ist"})
ENDINGS = {"d", "ed", "s", "es", "t", "ing", "ly", "r", "er"}
FUNCTION_WORDS = set("a an the my your his her our their its to of in on at for with by from and or but i you we they he "
                     "she it us me him them is was be not so as that this".split())
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWELS = set("aeiouy")


@dataclass(frozen=True)
class ErrorModel:
    """What each kind of typing error costs, in Zipf units: a cost of 1 is worth a factor of ten in how common the word is."""

    swap: float = 1.2  # "teh": two neighbouring letters swapped
    double: float = 1.2  # "untill", "ocured": a letter doubled or a double written single
    neighbour: float = 2.2  # "wprd": a key next to the right one
    vowel: float = 2.4  # "seperate": one vowel for another
    drop: float = 3.0  # "therapst": a letter left out
    extra: float = 3.0  # "therapiest": a stray letter
    substitute: float = 4.0  # any other letter for another
    split: float = 2.0  # "mytherapist": a missing space
    apostrophe: float = 0.8  # "anyones": a missing apostrophe


MODEL = ErrorModel()


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.spelling
    sheet = ctx.config.style_sheet
    own = {w.lower() for text in (*config.words, *sheet, *sheet.values()) for w in re.findall(r"[\w’']+", text)}
    speller = Speller(config, own | names(book))
    suggested: set[str] = set()

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        if _other_language(block, speller):
            ctx.notes.append(Note("other_language", block.source, "not spell-checked: most of its words are not "
                                  f"English ({block.text[:60]}…)"))
            return block
        for index in range(len(block.lines)):
            block = _doubled(block, index, chapter, where, config, ctx)
            line = block.lines[index]
            fixes = []
            for found in _words(line):
                word = found.group()
                before, after = _neighbours(line, found)
                verdict = speller.judge(word, before, after, _starts_sentence(block, index, found.start()))
                if isinstance(verdict, str):
                    reason = "capitalization" if verdict.lower() == word.lower() else "spelling"
                    ctx.record("typo_fixed", reason, block.line_source(index), word, verdict, chapter=chapter.slug, anchor=where,
                               context=line)
                    fixes.append((found, verdict))
                elif verdict is not None and word.lower() not in suggested:
                    suggested.add(word.lower())
                    ctx.suggestions.append(Suggestion(block.line_source(index), word, verdict, sentence=_sentence(line, found)))
            for found, verdict in reversed(fixes):
                block = edit_line(block, index, found.start(), found.end(), verdict, ("fix", found.group()))
        return block

    return edit_blocks(book, fix)


def _other_language(block: Block, speller: Speller) -> bool:
    """Whether a paragraph is in another language: too many of its lower-case words are unknown to be typos."""
    words = [m.group().replace("’", "'") for line in block.lines for m in _words(line) if m.group().islower()]
    if len(words) < FOREIGN_MIN_WORDS:
        return False
    unknown = sum(1 for word in words if not speller.fine(word))
    return unknown >= speller.config.foreign * len(words)


def names(book: Book) -> set[str]:
    """Words the book capitalises in the middle of a sentence: names, wherever they stand."""
    found = set()
    for block, _, _ in all_blocks(book):
        for index, line in enumerate(block.lines):
            for m in TOKEN.finditer(line):
                word = m.group()
                if word[0].isupper() and word[1:].islower() and not _starts_sentence(block, index, m.start()):
                    lower = word.lower().replace("’", "'")
                    if lower not in lx.misspellings() and _contraction(lower) is None:
                        found.add(lower)
    return found


class Speller:
    """Judges one word at a time against the dictionaries, the book's own words and its names."""

    def __init__(self, config: SpellingConfig, own: set[str]):
        self.config = config
        self.own = own

    def judge(self, word: str, before: str = "", after: str = "", sentence_start: bool = False) -> str | tuple[str, ...] | None:
        """None for a word that is fine; the correction when it is certain; else the candidates to suggest."""
        plain = word.replace("’", "'")
        lower = plain.lower()
        if plain == "i" or plain.startswith("i'") and lx.known("I" + plain[1:]):
            return "I" + word[1:]
        if word.isupper() and len(word) > 1 or not (word.islower() or word[0].isupper() and word[1:].islower()):
            return None  # acronyms and mixed case ("iPhone")
        contraction = _contraction(lower)
        if contraction:
            return match_case(word, contraction.replace("'", "’"))
        if word[0].isupper() and (not sentence_start or lower in self.own):
            return None  # a name
        if self.fine(lower):
            return None
        verdict = self._correct(lower, before.lower(), after.lower())
        if isinstance(verdict, str):
            return match_case(word, verdict)
        return tuple(match_case(word, c) for c in verdict) if verdict else ()

    def fine(self, lower: str) -> bool:
        base = lower.removesuffix("'s")
        if lower in self.own or base in self.own or lx.known(lower) or lx.known(base):
            return True
        return ("'" not in lower and lower not in lx.misspellings() and lx.zipf(lower) >= self.config.rare
                and not self._joined(lower))  # wordfreq reads "i'am" as "i am": only a plain word is common

    def _joined(self, lower: str) -> bool:
        """A common run-together pair ("thankyou"): the two words are seen together far more than the run-together form."""
        return any(" " in c and lx.bigrams().get(tuple(c.split()), 0) > 0 and _frequency(c) >= lx.zipf(lower)
                   for c in candidates(lower))

    def _correct(self, lower: str, before: str, after: str) -> str | tuple[str, ...]:
        listed = lx.misspellings().get(lower, ())
        ranked = rank(lower, before, after)
        if len(listed) == 1 and (listed[0] not in dict(ranked) or ranked[0][0] == listed[0]):
            return listed[0].replace("'", "’")  # codespell is sure, and the error model does not prefer another word
        if listed:
            ranked = rank(lower, before, after, listed)  # codespell's answers, in the order the context prefers
        if ranked and self._certain(lower, ranked):
            return ranked[0][0].replace("'", "’")
        return tuple(c.replace("'", "’") for c, _ in ranked[:MAX_SUGGESTED])

    def _certain(self, lower: str, ranked: list[tuple[str, float]]) -> bool:
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else -math.inf
        if " " in best and any(" " not in c and _frequency(c) >= max(self.config.common, _frequency(best) - 2)
                               and cost(lower, c) <= self.config.max_cost for c, _ in ranked[1:]):
            return False  # "needin" may be "need in" or "needing"; "alot" is "a lot", hardly "allot"
        if lower.startswith(best) and lower[len(best):] in ENDINGS:
            return False  # "equipt" is not "equip": dropping an ending changes the grammar, so the editor decides
        if any(lower.endswith(e) and lx.known(lower[:-len(e)]) and not best.startswith(lower[:-len(e)]) for e in ENDINGS):
            return False  # "awared" is "aware" with a wrong ending, not "awarded": the editor decides
        if " " in best and not (set(best.split()) & FUNCTION_WORDS):
            return False  # "wellbeing" is a compound, not two words run together
        margin = self.config.margin * (2 if " " in best else 1)  # a split must beat the one-word readings ("needin") by more
        return (_frequency(best) >= self.config.common and _frequency(best) - lx.zipf(lower) >= self.config.gap
                and cost(lower, best) <= self.config.max_cost and score - runner_up >= margin)


def rank(word: str, before: str = "", after: str = "", choices: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """Candidate corrections (``choices``, else the close words), best first, scored by frequency, error model and context."""
    scored = []
    for candidate in choices or candidates(word):
        score = _frequency(candidate) - cost(word, candidate) + _context(candidate, before, after)
        scored.append((candidate, round(score, 3)))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


@lru_cache(maxsize=None)
def candidates(word: str) -> tuple[str, ...]:
    """Dictionary words within two edits, the word split in two, and the word with an apostrophe restored."""
    found = list(lx.close_words(word))
    for i in range(1, len(word)):
        first, second = word[:i], word[i:]
        if _splittable(first, second):
            found.append(f"{first} {second}")
    if word.endswith("s") and lx.known(word[:-1] + "'s") and lx.zipf(word[:-1]) >= 3:
        found.append(word[:-1] + "'s")
    return tuple(found)


def _splittable(first: str, second: str) -> bool:
    """Two words a run-together word may stand for; not a word's own prefix or suffix ("dis regulated", "grounded ness")."""
    if first in AFFIXES[0] or second in AFFIXES[1]:
        return False
    return all((len(p) > 2 or p in FUNCTION_WORDS) and lx.known(p) and lx.zipf(p) >= 3.5 for p in (first, second))


def _frequency(candidate: str) -> float:
    parts = candidate.replace("'", "").split() if " " in candidate else [candidate.replace("'", "")]
    return min(lx.zipf(p) for p in parts)


def _context(candidate: str, before: str, after: str) -> float:
    """Up to one unit for each neighbour the candidate is often seen with (symspell's bigram counts)."""
    first, *_, last = candidate.split() if " " in candidate else (candidate, candidate)
    counts = lx.bigrams()
    return sum(min(1.0, math.log10(1 + counts.get(pair, 0)) / 8) for pair in ((before, first), (last, after)) if all(pair))


@lru_cache(maxsize=None)
def cost(typed: str, meant: str, model: ErrorModel = MODEL) -> float:
    """The cheapest way to type ``meant`` as ``typed`` (a weighted Damerau-Levenshtein distance)."""
    if " " in meant:
        return model.split + cost(typed, meant.replace(" ", ""), model)
    if "'" in meant and "'" not in typed:
        return model.apostrophe + cost(typed, meant.replace("'", ""), model)
    a, b = typed, meant
    d = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        d[i][0] = d[i - 1][0] + _extra(a, i - 1, model)
    for j in range(1, len(b) + 1):
        d[0][j] = d[0][j - 1] + _dropped(b, j - 1, model)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            same = a[i - 1] == b[j - 1]
            d[i][j] = min(d[i - 1][j] + _extra(a, i - 1, model), d[i][j - 1] + _dropped(b, j - 1, model),
                          d[i - 1][j - 1] + (0 if same else _substitute(a[i - 1], b[j - 1], model)))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and not same:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + model.swap)
    return round(d[len(a)][len(b)], 3)


def _extra(typed: str, i: int, model: ErrorModel) -> float:
    """The cost of a letter typed that was not meant: cheap when it doubles its neighbour or its key is next to it."""
    letter = typed[i]
    if (i > 0 and typed[i - 1] == letter) or (i + 1 < len(typed) and typed[i + 1] == letter):
        return model.double
    if any(_adjacent(letter, typed[k]) for k in (i - 1, i + 1) if 0 <= k < len(typed)):
        return (model.extra + model.neighbour) / 2
    return model.extra


def _dropped(meant: str, j: int, model: ErrorModel) -> float:
    letter = meant[j]
    if (j > 0 and meant[j - 1] == letter) or (j + 1 < len(meant) and meant[j + 1] == letter):
        return model.double
    return model.drop


def _substitute(typed: str, meant: str, model: ErrorModel) -> float:
    if _adjacent(typed, meant):
        return model.neighbour
    if typed in VOWELS and meant in VOWELS:
        return model.vowel
    return model.substitute


@lru_cache(maxsize=None)
def _adjacent(x: str, y: str) -> bool:
    """Whether two letters are neighbouring keys on a QWERTY keyboard."""
    where = {ch: (row, col) for row, keys in enumerate(KEYBOARD) for col, ch in enumerate(keys)}
    if x not in where or y not in where or x == y:
        return False
    (r1, c1), (r2, c2) = where[x], where[y]
    return (r1 == r2 and abs(c1 - c2) == 1) or (abs(r1 - r2) == 1 and c1 - c2 in ((0, 1) if r1 > r2 else (0, -1)))


@lru_cache(maxsize=None)
def _contraction(word: str) -> str | None:
    """A contraction written without its apostrophe ("dont", "im", "youre"), unless both dictionaries know the word."""
    if "'" in word or lx.known_to_all(word):
        return None
    for end in CONTRACTION_ENDS:
        stem = end.replace("'", "")
        if word.endswith(stem) and len(word) > len(stem):
            if end != "n't" and word[: -len(stem)] not in CONTRACTED[end]:
                continue
            candidate = word[: len(word) - len(stem)] + end
            if candidate.startswith("i'"):
                candidate = "I" + candidate[1:]
            if lx.known(candidate):
                return candidate
    return None


def _words(line: str):
    """The words of a line worth checking: not inside a URL or a quoted title, nor part of a hyphenated word ("mis-applied")."""
    skip = [(m.start(), m.end()) for m in URL.finditer(line)]
    skip += [(m.start(), m.end()) for m in re.finditer(r"\b(i\.e|e\.g)\.|\(i\)|<[^<>]*>", line, re.I)]
    skip += [(m.start(), m.end()) for m in TITLE_QUOTE.finditer(line) if _is_title(m.group(1))]
    for found in TOKEN.finditer(line):
        hyphenated = line[found.end():found.end() + 1] == "-" or line[max(0, found.start() - 1):found.start()] == "-"
        if not hyphenated and not any(a <= found.start() < b for a, b in skip):
            yield found


def _is_title(text: str) -> bool:
    words = [w for w in text.split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _neighbours(line: str, found: re.Match) -> tuple[str, str]:
    """The words just before and after, when no punctuation stands between."""
    before = re.search(r"([A-Za-z’']+) $", line[:found.start()])
    after = re.match(r" ([A-Za-z’']+)", line[found.end():])
    return (before.group(1).replace("’", "'") if before else ""), (after.group(1).replace("’", "'") if after else "")


def _starts_sentence(block: Block, index: int, start: int) -> bool:
    """Whether the word at ``start`` of line ``index`` opens a sentence (the block's first word does)."""
    before = block.lines[index][:start].rstrip()
    while not before and index > 0:
        index -= 1
        before = block.lines[index].rstrip()
    tail = before[-8:]
    return bool(SENTENCE_END.search(tail)) and not re.search(r"\b(Dr|Mr|Mrs|Ms|St|Prof|vs)\.$", tail)


def _sentence(line: str, found: re.Match) -> str:
    """The sentence of the line the word stands in."""
    start = max((m.end() for m in re.finditer(r"[.!?]\s+", line[:found.start()])), default=0)
    end = re.search(r"[.!?](\s|$)", line[found.end():])
    return line[start: found.end() + (end.end() if end else len(line))].strip()


def _doubled(block: Block, index: int, chapter: Chapter, where: str, config: SpellingConfig, ctx: Context) -> Block:
    """Remove the second of two identical words in a row ("is is"), unless the doubling is idiomatic ("had had")."""
    doubled = [m for m in re.finditer(r"\b([A-Za-z]+)(\s+)\1\b", block.lines[index], re.I)
               if m.group(1).lower() not in config.doubled_allowed]
    for found in doubled:
        ctx.record("typo_fixed", "doubled_word", block.line_source(index), found.group(), found.group(1),
                   chapter=chapter.slug, anchor=where, context=block.lines[index])
    for found in reversed(doubled):
        block = edit_line(block, index, found.start(), found.end(), found.group(1), ("fix", found.group()))
    return block
