"""Spelling: misspelled words found with a spelling dictionary, and doubled words ("on on").

A word is corrected only when the correction is certain: the word is rare in written
English, exactly one dictionary word is close to it, and that word is far more common than
any other close candidate.  Every other doubtful word becomes a suggestion for the editor,
who can accept it into the style sheet.  Names (capitalised words), acronyms, URLs, quoted
titles, British spellings and the book's own word list are left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spellchecker import SpellChecker
from wordfreq import zipf_frequency

from bookforge.editorial import Context, Suggestion
from bookforge.editorial.config import SpellingConfig
from bookforge.editorial.style_sheet import match_case
from bookforge.editorial.text import edit_blocks, edit_line
from bookforge.editorial.typography import URL
from bookforge.model import Block, Book, Chapter

TOKEN = re.compile(r"[A-Za-z]+(?:[’'][A-Za-z]+)*")
TITLE_QUOTE = re.compile(r"[“\"]([^”\"]*)[”\"]")
CONTRACTION_ENDS = ("n't", "'re", "'ve", "'m", "'ll", "'s")
IS_CONTRACTED = {"that", "what", "there", "here", "who", "where", "she", "he", "it", "anyone", "everyone", "someone"}
BRITISH = ((r"our", "or"), (r"is(e|es|ed|ing|ation|ations)\b", r"iz\1"),
           (r"ys(e|es|ed|ing)\b", r"yz\1"), (r"ll(ed|ing|or|ors)\b", r"l\1"), (r"tre(s?)\b", r"ter\1"), (r"ogue\b", "og"),
           (r"ence\b", "ense"), (r"l(ed|ing)\b", r"ll\1"))
MAX_SUGGESTED = 4


@lru_cache(maxsize=1)
def dictionary() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def run(book: Book, ctx: Context) -> Book:
    config = ctx.config.spelling
    sheet = ctx.config.style_sheet
    own = {w.lower() for text in (*config.words, *sheet, *sheet.values()) for w in re.findall(r"[\w’']+", text)}
    suggested: set[str] = set()

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        for index in range(len(block.lines)):
            block = _doubled(block, index, chapter, where, config, ctx)
            fixes = []
            for found in _words(block.lines[index]):
                word = found.group()
                verdict = judge(word, config, own)
                if isinstance(verdict, str):
                    reason = "capitalization" if verdict.lower() == word.lower() else "spelling"
                    ctx.record("typo_fixed", reason, block.line_source(index), word, verdict, chapter=chapter.slug, anchor=where,
                               context=block.lines[index])
                    fixes.append((found, verdict))
                elif verdict is not None and word.lower() not in suggested:
                    suggested.add(word.lower())
                    ctx.suggestions.append(Suggestion(block.line_source(index), word, verdict))
            for found, verdict in reversed(fixes):
                block = edit_line(block, index, found.start(), found.end(), verdict, ("fix", found.group()))
        return block

    return edit_blocks(book, fix)


def _words(line: str):
    """The words of a line worth checking: not inside a URL or a quoted title."""
    skip = [(m.start(), m.end()) for m in URL.finditer(line)]
    skip += [(m.start(), m.end()) for m in re.finditer(r"\b(i\.e|e\.g)\.|\(i\)|<[^<>]*>", line, re.I)]
    skip += [(m.start(), m.end()) for m in TITLE_QUOTE.finditer(line) if _is_title(m.group(1))]
    for found in TOKEN.finditer(line):
        if not any(a <= found.start() < b for a, b in skip):
            yield found


def _is_title(text: str) -> bool:
    words = [w for w in text.split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= 0.6


def judge(word: str, config: SpellingConfig, own: set[str]) -> str | tuple[str, ...] | None:
    """None for a word that is fine; the correction when it is certain; else the candidates to suggest."""
    plain = word.replace("’", "'")
    lower = plain.lower()
    if word == "i":
        return "I"
    if lower in own or not _checkable(plain, config):
        return None
    base = re.sub(r"'s$", "", lower)
    if _known(base) or base in own:
        return None
    contraction = _contraction(lower)
    if contraction:
        return match_case(word, contraction.replace("'", "’"))
    if not word.islower():
        return None
    candidates = _candidates(lower)
    written = zipf_frequency(lower, "en")
    if written < config.rare and _certain(candidates, config) and candidates[0][1] - written >= config.gap:
        return candidates[0][0]
    return tuple(c for c, _ in candidates[:MAX_SUGGESTED])


def _checkable(word: str, config: SpellingConfig) -> bool:
    """Lower-case words long enough to judge; capitalised words are names, all capitals acronyms."""
    if word.isupper() or (word[:1].isupper() and not word[1:].islower()):
        return False
    if word[:1].isupper():
        return _contraction(word.lower()) is not None
    return len(word) >= config.min_length or "'" not in word and _contraction(word) is not None


@lru_cache(maxsize=None)
def _known(word: str) -> bool:
    if word in dictionary():
        return True
    return any(re.search(pattern, word) and re.sub(pattern, american, word) in dictionary() for pattern, american in BRITISH)


@lru_cache(maxsize=None)
def _contraction(word: str) -> str | None:
    """A contraction written without its apostrophe ("dont", "im", "thats"), as the dictionary spells it."""
    for end in CONTRACTION_ENDS:
        stem = end.replace("'", "")
        if word.endswith(stem) and len(word) > len(stem):
            if end == "'s" and word[:-1] not in IS_CONTRACTED:
                continue
            candidate = word[: len(word) - len(stem)] + end
            if candidate in dictionary():
                return "I" + candidate[1:] if candidate.startswith("i'") else candidate
    return None


@lru_cache(maxsize=None)
def _candidates(word: str) -> list[tuple[str, float]]:
    """Dictionary words one edit away, the most common first."""
    close = dictionary().known(dictionary().edit_distance_1(word)) - {word}
    return sorted(((c, zipf_frequency(c, "en")) for c in close), key=lambda pair: (-pair[1], pair[0]))


def _certain(candidates: list[tuple[str, float]], config: SpellingConfig) -> bool:
    if not candidates or candidates[0][1] < config.common:
        return False
    return len(candidates) == 1 or candidates[0][1] - candidates[1][1] >= config.margin


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
