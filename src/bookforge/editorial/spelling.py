"""Spelling: misspelled words found and ranked with field dictionaries, and doubled words ("on on").

A copy editor's first rule is to do no harm: a missed typo costs a little, a corrupted command or
name costs the reader's trust.  So the pass fixes only what it is sure of and suggests the rest.

A word is checked when Hunspell (American or British) does not know it, it is no technical term or
name on cspell's lists, and it is not common in written English (wordfreq), whatever its length; a
capitalised word is checked at the start of a sentence unless the book uses it as a name.  Then:

1. a lower-case "i" becomes "I"; a contraction without its apostrophe ("dont", "youre") gets it;
2. a word on codespell's list of common misspellings with one answer gets that answer; with several,
   the one its place makes far likelier, or a plain slip ("alot", "beeing");
3. otherwise the candidates within two edits, and splits into two words ("mytherapist"),
   are ranked by an error model -- a swapped pair, a doubled or dropped letter or a
   neighbouring key costs less than any other edit -- together with how common each
   candidate is and how often it follows the word before and precedes the word after.
   The winner is applied only when it is common, close, clearly ahead of the next, and far
   commoner than the word as typed, the more so the more often the web writes that word (a
   spelling often seen is someone's word: a name, a term, slang); otherwise the top candidates
   go to the editor as a suggestion, with the sentence.

What is not the author's prose, or not the author's to change, is left alone: code (``text.code_spans``:
marked, or reading as code), URLs, quoted titles, "[sic]", text in another language (a paragraph, a
sentence, a quotation, an italic phrase), binomial names, cited authors, abbreviations, speech written as
spoken ("runnin’").  The book's own vocabulary is right: the names it capitalises, the words of its
titles, headings, topics, links, code and file names, its commenters' names, and a word two chapters
or two writers use.  In headings, quotations, captions and paragraphs about misspelling, in emphasis,
beside code or another unknown word, cut short or quoted alone, a correction is only suggested; so is
joining two real words ("drag on" is not "dragon") and a dropped g ("nothin").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from collections.abc import Callable, Iterator
from functools import lru_cache

import bookforge.cache as build_cache
from bookforge.editorial import Context, Note, Suggestion, first_of_each
from bookforge.editorial import lexicon as lx
from bookforge.editorial.config import SpellingConfig
from bookforge.editorial.style_sheet import match_case
from bookforge.editorial.text import FUNCTION_WORDS, code_spans, edit_blocks, edit_line, in_spans, unmarked_code
from bookforge.editorial.typography import URL
from bookforge.model import Block, BlockKind, Book, Change, Chapter

TOKEN = re.compile(r"(?<![\w’'])[A-Za-z]+(?:[’'][A-Za-z]+)*(?![\w])")
LOOKALIKE = re.compile(r"(?<![\w’'])(?:[a-z]*[01][a-z]+|[a-z]+[01][a-z]*)(?![\w’'])")  # "0ppain", "he1p": a figure for a letter
TITLE_QUOTE = re.compile(r"[“\"]([^”\"]*)[”\"]")
SENTENCE_END = re.compile(r"(^|[.!?:;…“\"(])$")
SENTENCE_BREAK = re.compile(r"[.!?]\s+")
SENTENCE_CLOSE = re.compile(r"[.!?](\s|$)")
ABBREVIATION = re.compile(r"\b(i\.e|e\.g)\.|\(i\)|<[^<>]*>|\b[a-z]/[a-z]\b", re.I)  # and "i/o", "w/o"
TITLE_ABBREVIATION = re.compile(r"\b(Dr|Mr|Mrs|Ms|St|Prof|vs)\.$")
SIC = re.compile(r"[\w’']+\W{0,2}\s*[\[(]sic[\])]", re.I)  # "succesfully[sic]": the author's word, kept as written
CITATION = re.compile(r"(?:,?\s+(?:and\s+|&\s+)?[A-Z][\w’'-]*(?=[\s,(]))*(?:,?\s+et al\.?)?,?\s+\(?(?:1[5-9]|20)\d\d[a-z]?\b")  # "Buchy 2010"
GENUS = re.compile(r"(?:\b([A-Z][a-z]+)|\b[A-Z]\.)\s*(?:\([A-Z][a-z]+\)\s+)?$")  # before a species: "Genus", "G.", "Genus (Sub)"
CONTRACTION_ENDS = ("n't", "'re", "'ve", "'m", "'ll", "'d", "'s")
PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "who", "that", "there"}
CONTRACTED = {  # the words each ending is written after ("n't" goes with any verb the dictionary knows)
    "'m": {"i"}, "'re": PRONOUNS | {"what", "where"}, "'ve": PRONOUNS | {"would", "could", "should", "might", "must"},
    "'ll": PRONOUNS, "'d": PRONOUNS,
    "'s": {"that", "what", "there", "here", "who", "where", "she", "he", "it", "anyone", "everyone", "someone", "let",
           "how", "why", "when"},
}
SPELLING_TALK = re.compile(r"\b(?:mis-?spel+\w*|typos?|mistyp\w*|spelling|spelt|spelled|typing (?:mistakes?|errors?))\b",
                           re.I)  # a paragraph that talks about misspelling quotes misspellings on purpose
OPENINGS = ("‘", "“", '"', "'", "—", "–", "(")
DOUBLED = re.compile(r"\b([A-Za-z]+)(\s+)(\1)\b", re.I)
# The small words that hold a sentence together: one of them written twice is a slip ("the the"), where a word that
# carries meaning may be said twice on purpose ("sweet sweet").
SMALL_WORDS = FUNCTION_WORDS | set("am are were been being has have had do does did will would shall should can could may "
                                   "might must an if than then there here who whom whose which what when where how why "
                                   "until unless while about into onto over under after before through between".split())
MAX_SUGGESTED = 4
LISTED_LEAD = 3.0  # how far (log10) the likeliest of codespell's several answers must lead the next to be applied
QUOTES = re.compile(r"[“”\"‘’'()\[\]]")
LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # a word in any alphabet
LIST_SEPARATORS = (" ", ", ", "/", " / ", "; ", " and ", " or ", ", and ", ", or ")  # between the words of a phrase or a list
LETTER_MARKS = set("‘“\"'/")  # around an "i" that is a letter, not the pronoun: "the ‘i’ icon", "i-Books", "i/o"
LETTER_AFTER = re.compile(r"[’”\"'\-–—/]|[.,;:]\w")  # "i-Books", "i.e", "have i,t"
IDENTIFIER_EDGES = set(":[](){}.=_*/$<>@#%&|\\")  # code's punctuation, which an identifier stands against
LETTER_RUN = re.compile(r"(.)\1+")  # a run of one letter
TRAILS = re.compile(r"…|\.\.\.")  # a word the writer broke off
QUOTED = re.compile(r"[“‘\"']\w+[’'\"”]")  # a word in quotes of its own
GLUED = re.compile(r"[^\w\s.,;:!?()\[\]{}’'\"“”‘…—–/-]\w")
SPOKEN = re.compile(r"[’'](?![A-Za-z])")  # "runnin’ on JFS": the g dropped on purpose
ABBREVIATED = re.compile(r"\.[’”'\"]?(?:,|\)|\s+[a-z])")  # "‘aff.’ and", "sp., cf.": a short word cut by a full stop
CONTRACTION_TAILS = {"t", "s", "ll", "ve", "re", "d", "m"}  # "hasn t", "don t": the word lost its apostrophe
PHRASE_SHARE = 1e-5  # of all pairs of words: "thank you", "a lot", "each other" (not "my view", 4e-6, nor "my space")
REPEATED = 3  # a word no dictionary knows that a chapter uses this often is meant: a name, a term
FOREIGN_MIN_WORDS = 8  # a shorter paragraph is too short to tell its language by
FOREIGN_SHARE = 0.25  # of a sentence's lower-case words unknown to the dictionaries: another language
INVERTED = re.compile("[¿¡]")
QUOTATION = re.compile(r"“([^“”]+)”")

AFFIXES = ({"dis", "un", "re", "over", "off", "counter", "mis", "non", "pre", "under", "out", "self", "super", "inter"},
           {"ness", "some", "ful", "less", "ly", "like", "ment", "able", "ship", "hood", "wise", "ward", "wards", "ism", "ist"})
ENDINGS = {"d", "ed", "s", "es", "t", "ing", "ly", "r", "er", "y", "ish", "est", "ness", "less", "ful"}  # "sprawl-y"
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWELS = set("aeiouy")
NEARBY = {}  # each letter -> the letters one cheap slip away: its neighbouring keys, and for a vowel the other vowels


@dataclass(frozen=True)
class ErrorModel:
    """What each kind of typing error costs, in Zipf units: a cost of 1 is worth a factor of ten in how common the word is."""

    swap: float = 1.2  # "teh": two neighbouring letters swapped
    double: float = 1.2  # "untill", "ocured": a letter doubled or a double written single
    neighbour: float = 2.2  # "wprd": a key next to the right one
    vowel: float = 2.8  # "seperate": one vowel for another, a speller's error more than a typist's (codespell has the
    # common ones): on real blogs a vowel changed turned names and coinages into words ("conary", "copius")
    drop: float = 2.0  # "therapst": a letter left out, as common a slip as any (tuned on benchmark seeds 1 and 2)
    extra: float = 3.0  # "therapiest": a stray letter
    substitute: float = 4.0  # any other letter for another
    split: float = 1.0  # "mytherapist": a missing space
    initial: float = 4.0  # "apainful" for "painful": a stray or lost first letter is rarer than one inside the word
    apostrophe: float = 0.8  # "anyones": a missing apostrophe


MODEL = ErrorModel()
CONTEXT = 1.0  # the weight of the neighbours' evidence against the word's own frequency
BIGRAM_TOTAL = 2.5e13  # symspell's bigram counts over this are a pair's share of all pairs (fitted to wordfreq's frequencies)
BIGRAM_CUTOFF = 6.4e6  # the smallest count symspell keeps: a pair it lacks was seen less often than this
UNSEEN_FLOOR = -3.0  # the most a pair never seen counts against a reading


def run(book: Book, ctx: Context) -> Book:
    return check(book, ctx, names(book))


@dataclass(frozen=True)
class Checked:
    """One block after the pass, with what the pass wrote in the ledger for it."""

    block: Block
    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    suggestions: tuple[Suggestion, ...]


def check(book: Book, ctx: Context, names: set[str], earlier: dict[str, Checked] | None = None,
          made: dict[str, Checked] | None = None) -> Book:
    """The pass, given the names the whole book uses (``names``): those of them its words hold are all it needs.

    With ``made``, each block's result goes into it under its ``block_key``, and a block found in ``earlier``
    (blocks checked before with the same settings and names) is taken from there, not checked again."""
    config = ctx.config.spelling
    sheet = ctx.config.style_sheet
    own = {w.lower() for text in (*config.words, *sheet, *sheet.values()) for w in re.findall(r"[\w’']+", text)}
    speller = Speller(config, own, names)
    first = len(ctx.suggestions)

    def fix(block: Block, chapter: Chapter, where: str) -> Block:
        if _other_language(block, speller):
            ctx.notes.append(Note("other_language", block.source, "not spell-checked: most of its words are not "
                                  f"English ({block.text[:60]}…)"))
            return block
        others = block.kind in (BlockKind.SUBHEAD, BlockKind.QUOTE, BlockKind.IMAGE) or any(
            SPELLING_TALK.search(line) for line in block.lines)  # a heading, another's words, a picture's description
        # (often its file's name), a paragraph about misspelling ("I misspelled :post as :poost"): only suggested
        for index in range(len(block.lines)):
            block = _doubled(block, index, chapter, where, config, ctx, others)
            line = block.lines[index]
            fixes = []
            skip, doubt = _left_alone(block, index, speller)
            for found in speller.check(line, lambda start: _starts_sentence(block, index, start), skip, doubt):
                if others and isinstance(found.verdict, str):
                    found = replace(found, verdict=(found.verdict,))
                if isinstance(found.verdict, str):
                    reason = "capitalization" if found.verdict.lower() == found.word.lower() else "spelling"
                    ctx.record("typo_fixed", reason, block.line_source(index), found.word, found.verdict, chapter=chapter.slug,
                               anchor=where, context=line, column=found.start)
                    fixes.append(found)
                else:
                    ctx.suggestions.append(Suggestion(block.line_source(index), found.word, found.verdict, kind=found.kind,
                                                      sentence=_sentence(line, found.start, found.end)))
            for found in reversed(fixes):
                block = edit_line(block, index, found.start, found.end, found.verdict, ("fix", found.word))
        return block

    def fix_once(block: Block, chapter: Chapter, where: str) -> Block:
        key = block_key(block, chapter, where)
        done = earlier.get(key) if earlier else None
        if done is None:
            sizes = len(ctx.changes), len(ctx.notes), len(ctx.suggestions)
            fixed = fix(block, chapter, where)
            done = Checked(fixed, tuple(ctx.changes[sizes[0]:]), tuple(ctx.notes[sizes[1]:]), tuple(ctx.suggestions[sizes[2]:]))
        else:
            ctx.changes += done.changes
            ctx.notes += done.notes
            ctx.suggestions += done.suggestions
        made[key] = done
        return done.block

    book = edit_blocks(book, fix if made is None else fix_once)
    ctx.suggestions[first:] = first_of_each(ctx.suggestions[first:])
    return book


def block_key(block: Block, chapter: Chapter, where: str) -> str:
    """What a block's check depends on besides the settings and the names: the block, its chapter and its place."""
    return build_cache.key(block, chapter.slug, where)


@dataclass(frozen=True)
class Finding:
    """A word (or two) of a line the speller doubts: the correction when it is certain, else the candidates."""

    start: int
    end: int
    word: str
    verdict: str | tuple[str, ...]
    kind: str = "possible_typo"  # or "real_word": a real word that its neighbours say is another ("each weak")


def _left_alone(block: Block, index: int, speller: Speller) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """The spans of a line the pass leaves as written -- code, a word marked "[sic]", a phrase in italics most of
    whose words no dictionary knows (another language, a binomial name, a cited title) --, and the spans where it
    only suggests: the other italics (a term, a title)."""
    line = block.lines[index]
    skip = list(code_spans(block, index)) + [m.span() for m in SIC.finditer(line)]
    doubt = []
    for mark in block.marks:
        if mark.line == index and mark.kind == "em":
            words = [w.lower() for w in TOKEN.findall(line[mark.start:mark.end])]
            unknown = sum(not (speller.english(w) or w in speller.listed) for w in words)
            (skip if unknown * 2 >= len(words) else doubt).append((mark.start, mark.end))
    return tuple(skip), tuple(doubt)


def _as_written(line: str, tokens: list[re.Match], i: int, starts: list[bool]) -> bool:
    """Whether a word is the author's by where it stands: a cited author ("Buchy 2010", "Shema, Bar-Ilan and
    Thelwall (2012)"), the species of a binomial name after its genus ("Acamptonectes densus", "L. urbanus"), a
    word inside a name ("Rock im Park", "Rock Im Park"), a name's short form ("Bazaar (bzr)"), the letter "i"
    named ("the ‘i’ icon", "i-Books"), a word whose contraction lost its apostrophe ("hasn t"), an abbreviation
    ("‘aff.’ and ‘cf.’"), speech dropping its g ("runnin’") or a plural written with a z ("wordz")."""
    m = tokens[i]
    word = m.group()
    if word.lower().endswith("in") and SPOKEN.match(line, m.end()):
        return True  # "runnin’ on JFS": speech as spoken, not a slip
    if ABBREVIATED.match(line, m.end()) and len(word) <= 4:
        return True
    if word.endswith("z") and lx.known(word[:-1].lower() + "s"):
        return True
    if GLUED.match(line, m.end()):
        return True  # "hasn\x92t": a word joined to more by a character no text uses there (a mis-decoded apostrophe)
    if 0 < i < len(tokens) - 1 and all(_name_beside(line, tokens, starts, i, j) for j in (i - 1, i + 1)):
        return True
    if word[0].isupper():
        return bool(CITATION.match(line, m.end()))
    if i > 0 and line[m.start() - 2:m.start()] == " (" and line[m.end():m.end() + 1] == ")" and \
            tokens[i - 1].end() == m.start() - 2 and not tokens[i - 1].group().islower():
        return True  # a name's short form after it: "Bazaar (bzr)"
    genus = GENUS.search(line, max(0, m.start() - 40), m.start())
    if genus and (not genus.group(1) or not lx.known(genus.group(1))):
        return True
    if word.lower() == "i" and (line[m.start() - 1:m.start()] in LETTER_MARKS or LETTER_AFTER.match(line, m.end())):
        return True
    return i + 1 < len(tokens) and tokens[i + 1].group() in CONTRACTION_TAILS and line[m.end():tokens[i + 1].start()] == " "


def _begins_a_word(lower: str) -> bool:
    """Whether a word is the start of a common one, so that text cut off there may have been cut short ("noth…",
    "translat"); a slip that begins no word ("something simular…") is a slip wherever it stands."""
    return any(w != lower and lx.zipf(w) >= 3 for w in lx.beginning(lower))


def _beside(line: str, tokens: list[re.Match], i: int) -> list[int]:
    """The words next to word ``i`` in its phrase or list: the one before and the one after, across a space, a comma, a
    slash or an "and" ("uids and gids", "exim, dovecot, postfix"), quotes and brackets aside ("olc “cn=config”")."""
    found = []
    for step in (-1, 1):
        j = i + step
        if 0 <= j < len(tokens) and tokens[j].group().lower() in ("and", "or") and line[tokens[min(i, j)].end():
                                                                                        tokens[max(i, j)].start()] == " ":
            j += step
        if 0 <= j < len(tokens) and QUOTES.sub("", line[tokens[min(i, j)].end():tokens[max(i, j)].start()]) in LIST_SEPARATORS:
            found.append(j)
    return found


def _name_beside(line: str, tokens: list[re.Match], starts: list[bool], i: int, j: int) -> bool:
    """Whether token ``j``, a space away from token ``i``, is a capitalised word in the middle of a sentence."""
    word = tokens[j].group()
    return (word[0].isupper() and word[1:].islower() and not starts[j]
            and line[tokens[min(i, j)].end():tokens[max(i, j)].start()] == " ")


def _other_language(block: Block, speller: Speller) -> bool:
    """Whether a paragraph is in another language: too many of its lower-case words are unknown to be typos."""
    words = [m.group() for index, line in enumerate(block.lines) for m in _words(line, code=code_spans(block, index))
             if m.group().islower()]
    if len(words) < FOREIGN_MIN_WORDS:
        return False
    # by the dictionaries and the book's word list, not the names it uses: those may be the other language's words
    unknown = sum(1 for word in words if not (speller.english(plain := word.replace("’", "'")) or plain in speller.listed))
    return unknown >= speller.config.foreign * len(words)


def names(book: Book) -> set[str]:
    """The book's own vocabulary (``vocabulary``), from each chapter's words and names."""
    return vocabulary(book, [words_and_names(chapter) for chapter in book.chapters()])


def vocabulary(book: Book, found: list[tuple[set[str], set[str]]]) -> set[str]:
    """The words the book uses as names, not typos: each chapter's names (``words_and_names``), the words of the
    book's title and authors (a blog's name, its writer's), and words that two chapters use (a program, a place,
    a term the blog writes about), except common misspellings ("definately" is a typo however often it comes)."""
    meta = book.metadata
    own = {w.lower() for text in (meta.title, meta.subtitle or "", *(a.name for a in meta.authors)) for w in _plain(text)}
    seen: dict[str, int] = {}
    for words, _ in found:
        for word in words:
            seen[word] = seen.get(word, 0) + 1
    return own.union(*(named for _, named in found), (w for w, n in seen.items() if n >= 2))


def words_and_names(chapter: Chapter) -> tuple[set[str], set[str]]:
    """The words of a chapter that the dictionaries do not know, as the speller looks them up in the book's own words
    (lower case, straight apostrophes, each also without its "'s"; not codespell's misspellings, unless code in its prose names one), and those of them
    it uses as names: a word its body and comments capitalise
    in the middle of a sentence, a word of its title, headings, categories and tags, of a link's text or address,
    of code or a file's name, a commenter's name, and a word two of its writers use (the post's author and the
    commenters) or one writes three times (the "nam" property a post about a bug keeps naming)."""
    words, found, coded = set(), set(), set()
    writers: dict[str, list[str]] = {}  # each word's writer at each place it stands
    named = [(block, "") for block in chapter.body]
    named += [(block, comment.author or comment.id) for comment in chapter.all_comments() for block in comment.blocks]
    for (block, writer), naming in [(b, True) for b in named] + [((b, ""), False) for b in chapter.tail]:
        for index, line in enumerate(block.lines):
            for m in TOKEN.finditer(line):
                word = m.group()
                lower = word.lower().replace("’", "'")
                words.update((lower, lower.removesuffix("'s")))
                writers.setdefault(lower, []).append(writer)
                if naming and word[0].isupper() and word[1:].islower() and not _starts_sentence(block, index, m.start()):
                    found.add(lower)
        found.update(w.lower() for w in _named_in(block))
        if block.kind is not BlockKind.CODE:  # a code block's comments are prose: "# recieve it" names nothing
            coded.update(_identifiers(block))
    found.update(w.lower() for text in (chapter.title, *chapter.topics, *(c.author for c in chapter.all_comments()))
                 for w in _plain(text))
    found.update(w for w, by in writers.items() if (len(set(by)) >= 2 or len(by) >= REPEATED) and not run_together(w))
    listed = lx.misspellings()  # never the book's own, unless its code names it (the "nam" of ":nam", "[nam str]"):
    # neither a name nor, used twice, a word of the book's

    def own(word: str, named: bool = False) -> bool:  # only a word the dictionaries do not know needs to be the book's own
        return not lx.known(word) and (word not in listed or named and word in coded) and _contraction(word) is None
    return {w for w in words if own(w) and not run_together(w)}, {w for w in found if own(w, named=True)}


def _named_in(block: Block) -> Iterator[str]:
    """The words of a block that name things: all of a heading's, those of its code, of its links' text and
    addresses, and of its pictures' file names."""
    for index, line in enumerate(block.lines):
        if block.kind is BlockKind.SUBHEAD:
            yield from _plain(line)
        for start, end in code_spans(block, index):
            yield from _plain(line[start:end])
    for mark in block.marks:
        if mark.kind in ("href", "link"):
            yield from _plain(block.lines[mark.line][mark.start:mark.end])
        if mark.kind in ("href", "image"):
            yield from _plain(mark.value)


def _identifiers(block: Block) -> Iterator[str]:
    """The words that code in a block's prose uses as identifiers, glued to code's punctuation (":nam", "[nam str]",
    "hightlight*"), in lower case; not the words of a comment or an address, nor of prose the code rules took for code."""
    for index, line in enumerate(block.lines):
        addresses = tuple(m.span() for m in URL.finditer(line))  # "www.example.com/definately" names no identifier
        for start, end in code_spans(block, index):
            for m in TOKEN.finditer(line, start, end):
                if in_spans(m.start(), m.end(), addresses):
                    continue
                if line[m.start() - 1:m.start()] in IDENTIFIER_EDGES or line[m.end():m.end() + 1] in IDENTIFIER_EDGES:
                    yield m.group().lower()


def _plain(text: str) -> list[str]:
    """The runs of letters of a text (a name, an address, a file's name)."""
    return re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)*", text.replace("’", "'"))


class Speller:
    """Judges the words of a line against the dictionaries, the book's own words and its names; remembers each verdict."""

    def __init__(self, config: SpellingConfig, listed: set[str], names: set[str] = frozenset()):
        self.config = config
        self.listed = listed  # the book's word list and style sheet
        self.own = listed | names  # and the words the book uses as names
        self._fine: dict[str, bool] = {}
        self._verdicts: dict[tuple, object] = {}

    def check(self, line: str, opens: Callable[[int], bool] = lambda start: start == 0,
              skip: tuple[tuple[int, int], ...] = (), doubt: tuple[tuple[int, int], ...] = ()) -> list[Finding]:
        """The doubtful words of a line, left to right; ``opens(start)`` says whether the word at ``start`` opens a
        sentence; the spans ``skip`` (code, "[sic]") are left as they are, and in ``doubt`` (emphasis) a correction
        is only suggested."""
        skip = skip + self._foreign_sentences(line)
        tokens = list(TOKEN.finditer(line))
        checked = {m.start() for m in _words(line, tokens, skip)}
        spaced = [i > 0 and line[tokens[i - 1].end():m.start()] == " " for i, m in enumerate(tokens)]
        plain = [m.group().replace("’", "'") for m in tokens]
        starts = [m.group()[0].isupper() and opens(m.start()) for m in tokens]
        found = []
        for i, m in enumerate(tokens):
            if m.start() not in checked or _as_written(line, tokens, i, starts):
                continue
            word = m.group()
            before = plain[i - 1] if spaced[i] else ""
            after = plain[i + 1] if i + 1 < len(tokens) and spaced[i + 1] else ""
            verdict = self.judge(word, before, after, starts[i])
            if isinstance(verdict, str) and self._doubtful_here(line, tokens, i, verdict, skip, doubt):
                verdict = (verdict,)
            if verdict is not None:
                found.append(Finding(m.start(), m.end(), word, verdict))
                continue
            if after and tokens[i + 1].start() in checked and (not found or found[-1].end < m.start()):
                joined = self.joined(plain[i], after, before, plain[i + 2] if i + 2 < len(tokens) and spaced[i + 2] else "")
                if joined:  # two real words are never made one on the pass's own say ("drag on", "dragon")
                    found.append(Finding(m.start(), tokens[i + 1].end(), line[m.start():tokens[i + 1].end()],
                                         tuple(match_case(word, j) for j in ((joined,) if isinstance(joined, str) else joined))))
                    continue
            if before and word.islower() and self.config.real_words:
                other = self.real_word(before.lower(), word, after.lower())
                if other:
                    found.append(Finding(tokens[i - 1].start(), m.end(), line[tokens[i - 1].start():m.end()],
                                         tuple(f"{line[tokens[i - 1].start():m.start()]}{o}" for o in other), "real_word"))
        found = sorted(found + [f for f in _lookalikes(line) if not in_spans(f.start, f.end, skip)], key=lambda f: f.start)
        return [f for k, f in enumerate(found) if k == 0 or found[k - 1].end <= f.start]

    def _doubtful_here(self, line: str, tokens: list[re.Match], i: int, verdict: str, skip: tuple[tuple[int, int], ...],
                       doubt: tuple[tuple[int, int], ...]) -> bool:
        """Whether the place of word ``i`` makes its correction doubtful, so that it is only suggested: emphasis
        (``doubt``: a term, a title), code or a word no dictionary knows beside it (a phrase in another language, a
        list of names or programs), a word cut short ("has noth…", a line ending "with the help of a translat"), or
        quoted as a word of its own ("you “plog” at your own pace", "typing mistakes like “tihs”"), or a g that
        speech drops as often as a typist does ("she is nothin but", "sittin in my room").  A lower-case "i" or a
        contraction's lost apostrophe is sure anywhere."""
        m = tokens[i]
        word = m.group()
        if verdict.lower() == word.lower() or _contraction(word.lower()):
            return False
        return (in_spans(m.start(), m.end(), doubt) or QUOTED.fullmatch(line, max(0, m.start() - 1), m.end() + 1) is not None
                or word.lower().endswith("in") and verdict.lower() == f"{word.lower()}g"
                or (TRAILS.match(line, m.end()) or not line[m.end():].strip()) and _begins_a_word(word.lower())
                or any(in_spans(*tokens[j].span(), skip) or self._foreign(tokens[j].group().replace("’", "'"))
                       for j in _beside(line, tokens, i)))

    def judge(self, word: str, before: str = "", after: str = "", sentence_start: bool = False) -> str | tuple[str, ...] | None:
        """None for a word that is fine; the correction when it is certain; else the candidates to suggest."""
        if self._verdicts.get((word, sentence_start), ()) is None:
            return None  # a word found fine is fine between any neighbours
        key = (word, before, after, sentence_start)
        if key not in self._verdicts:
            self._verdicts[key] = self._judge(word, before, after, sentence_start)
            if self._verdicts[key] is None:
                self._verdicts[word, sentence_start] = None
        return self._verdicts[key]

    def _judge(self, word: str, before: str, after: str, sentence_start: bool) -> str | tuple[str, ...] | None:
        plain = word.replace("’", "'")
        lower = plain.lower()
        if plain == "i" or plain.startswith("i'") and lx.known("I" + plain[1:]):
            return "I" + word[1:]
        if word.isupper() and len(word) > 1 or not (word.islower() or word[0].isupper() and word[1:].islower()):
            return None  # acronyms and mixed case ("iPhone")
        contraction = _contraction(lower)
        if contraction:
            return match_case(word, contraction.replace("'", "’"))
        if word[0].isupper() and (not sentence_start or lower in self.own or lx.terms().name(lower) or lx.known(plain)):
            return None  # a name, or a word the dictionaries know capitalised ("I’ve", "Paris" opening a sentence)
        if self.fine(lower):
            return None
        verdict = self._correct(lower, before.lower(), after.lower())
        if isinstance(verdict, str) and any(lower.startswith(a) and len(lower) - len(a) > 2 and lx.known(lower[len(a):])
                                            for a in AFFIXES[0]):
            verdict = (verdict,)  # a word made with a prefix ("preparsed", "unmerged"): the author's, for the editor
        if isinstance(verdict, str) and word[0].isupper() and cost(lower, verdict.lower().replace("’", "'")) > MODEL.double \
                and not (len(word) >= 5 and lower in lx.misspellings()):
            verdict = (verdict,)  # a capitalised word no dictionary knows may be a name ("Oly"): only a plain slip is fixed
            # ("Eidt"), or a common misspelling too long to be a name's ("Simularly")
        if isinstance(verdict, str):
            return match_case(word, verdict)
        return tuple(match_case(word, c) for c in verdict) if verdict else ()

    def fine(self, lower: str) -> bool:
        """Whether a word (in lower case, straight apostrophes) is right as written: the book's own, or English."""
        return lower in self.own or lower.removesuffix("'s") in self.own or self.english(lower)

    def english(self, lower: str) -> bool:
        """Whether a word (in lower case, straight apostrophes) is English: known to a dictionary or a technical term, or
        common."""
        if lower not in self._fine:
            base = lower.removesuffix("'s")
            self._fine[lower] = (lx.known(lower) or lx.known(base) or lx.terms().term(lower) or lx.terms().term(base)
                                 or ("'" not in lower and lower not in lx.misspellings() and lx.zipf(lower) >= self.config.rare
                                     and not self._joined(lower)))  # wordfreq reads "i'am" as "i am"
        return self._fine[lower]

    def _foreign_sentences(self, line: str) -> tuple[tuple[int, int], ...]:
        """The sentences and quotations of a line in another language or voice ("Al examinar el spam, lo primero que
        veo", “Weet u waar de WC’s zijn?”, “the interznet is not a toy”): of four lower-case words or more, at least
        three and a quarter of them unknown to the dictionaries, or two, in a quotation; of three lower-case words or
        more, two unknown with a word in letters English does not write among them ("multilingüismo", "Im przecież
        wszystko jedno": the "Im" is Polish); and a line with a "¿" or "¡".  Only the
        dictionaries count: wordfreq has seen "que", "las" and "se" often in English pages, and Hunspell knows
        "amigos" and "soy" as English words too, hence the lower share than a paragraph's."""
        if INVERTED.search(line):
            return ((0, len(line)),)  # "¿", "¡": Spanish, whatever the words
        breaks = [m.end() for m in SENTENCE_BREAK.finditer(line)] + [len(line)]
        units = [(*m.span(1), True) for m in QUOTATION.finditer(line)] + [(a, b, False) for a, b in zip([0, *breaks], breaks)]
        spans = []
        for opening, end, quoted in units:
            words = [w.replace("’", "'") for w in LETTERS.findall(line, opening, end) if w.islower()]
            unknown = sum(1 for w in words if not (lx.known(w) or lx.terms().term(w) or w in self.listed or _contraction(w)))
            share = unknown >= (2 if quoted else 3) and unknown >= FOREIGN_SHARE * len(words)
            if len(words) >= 4 and share or len(words) >= 3 and unknown >= 2 and any(not w.isascii() for w in words):
                spans.append((opening, end))
        return tuple(spans)

    def _foreign(self, word: str) -> bool:
        """Whether a word no dictionary knows stands here (another language's, a term, a name: "gord and Daviey"): not
        a contraction or "i", a common misspelling, a slip the speller is sure of, or a word on the book's word list."""
        lower = word.lower()
        if not (word.islower() or word[1:].islower()) or lower == "i":
            return False
        if (self.english(lower) or lower in self.listed or _contraction(lower) or lx.known(word) or lower in lx.misspellings()
                or self._joined(lower)):
            return False  # "recieve teh", "thankyou prefusely": a common misspelling or join is English gone wrong
        return not isinstance(self.judge(lower), str)  # "innapropriate therapuetic": two typos, each sure of its own

    def _joined(self, lower: str) -> bool:
        """A common run-together pair ("thankyou"): the two words are seen together far more than the run-together form."""
        return any(" " in c and lx.bigrams().get(tuple(c.split()), 0) > 0 and _frequency(c) >= lx.zipf(lower)
                   for c in candidates(lower))

    def joined(self, first: str, second: str, before: str, after: str) -> str | tuple[str, ...] | None:
        """One word split in two ("with out", "be came"): the joined word when it is far likelier in its place than
        the pair, a suggestion when it is likelier."""
        key = ("joined", first, second, before, after)
        if key not in self._verdicts:
            self._verdicts[key] = self._join(first.lower(), second.lower(), before.lower(), after.lower())
        return self._verdicts[key]

    def _join(self, first: str, second: str, before: str, after: str) -> str | tuple[str, ...] | None:
        whole = first + second
        if whole not in lx.bigrams().words or "'" in whole or first in self.own or second in self.own:
            return None
        if first in AFFIXES[0] or second in AFFIXES[1] or not (lx.zipf(whole) >= self.config.common + 1 and lx.known(whole)):
            return None
        gain = likelihood(whole, before, after) - MODEL.split - likelihood(f"{first} {second}", before, after)
        return whole if gain >= self.config.margin * 2 else (whole,) if gain >= 0 else None

    def real_word(self, before: str, word: str, after: str) -> tuple[str, ...]:
        """Real words the neighbours say this one stands for ("each weak" -> "each week"): only suggested, never applied."""
        key = ("real", before, word, after)
        if key not in self._verdicts:
            self._verdicts[key] = _real_word(before, word.replace("’", "'"), after, self.config)
        return self._verdicts[key]

    def _correct(self, lower: str, before: str, after: str) -> str | tuple[str, ...]:
        listed = lx.misspellings().get(lower, ())
        ranked = rank(lower, before, after)
        if len(listed) == 1 and (listed[0] not in dict(ranked) or ranked[0][0] == listed[0]):
            return listed[0].replace("'", "’")  # codespell is sure, and the error model does not prefer another word
        if listed:  # codespell's answers, in the order the context prefers: codespell is not sure, so the pass takes
            ranked = rank(lower, before, after, listed)  # one only when its place makes it far likelier than the others
            lead = ranked[0][1] - ranked[1][1] if len(ranked) > 1 else math.inf  # ("simular"), not "monestary" -> "monetary",
            if lead < LISTED_LEAD and (cost(lower, ranked[0][0]) > MODEL.double or lead < 2 * self.config.margin):
                return tuple(c.replace("'", "’") for c, _ in ranked[:MAX_SUGGESTED])  # unless a plain slip ("alot", "beeing")
        if ranked and self._certain(lower, ranked, listed=bool(listed)):
            return ranked[0][0].replace("'", "’")
        return tuple(c.replace("'", "’") for c, _ in ranked[:MAX_SUGGESTED])

    def _certain(self, lower: str, ranked: list[tuple[str, float]], listed: bool = False) -> bool:
        """Whether the best reading is sure enough to apply; a word codespell lists (``listed``) is a misspelling
        however often the web writes it ("alot"), so how common it is counts for nothing."""
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else -math.inf
        if " " in best and any(" " not in c and _frequency(c) >= max(self.config.common, _frequency(best) - 2)
                               and cost(lower, c) <= self.config.max_cost and not _loses_a_word(lower, c) for c, _ in ranked[1:]):
            return False  # "needin" may be "need in" or "needing"; "alot" is "a lot", hardly "allot"
        cheap = cost(lower, best) <= MODEL.double  # "difficultt", "annd": a doubled letter, not an ending
        if lower.startswith(best) and (lower[len(best):] in ENDINGS or len(lower) - len(best) > 1) and not cheap:
            return False  # "equipt" is not "equip", "sprawly" not "sprawl", "aloness" not "alone": a word with an
            # ending of its own is for the editor
        if not cheap and any(lower.endswith(e) and lx.known(lower[:-len(e)]) and not best.startswith(lower[:-len(e)])
                             for e in ENDINGS):
            return False  # "awared" is "aware" with a wrong ending, not "awarded": the editor decides
        if " " in best and not (set(best.split()) & FUNCTION_WORDS):
            return False  # "wellbeing" is a compound, not two words run together
        margin = self.config.margin * (2 if " " in best else 1)  # a split must beat the one-word readings ("needin") by more
        # however often the web writes it, a word is a slip when codespell lists it ("alot"), when it doubles the
        # wrong letter ("innapropriate") or runs one of English's commonest phrases together ("thankyou"); a join the
        # web writes often may be a name ("myspace", "Stuffit")
        seen = 0.0 if listed or _doubling_moved(lower, best) or " " in best and run_together(lower) else lx.zipf(lower)
        return (_frequency(best) >= self.config.common and _frequency(best) - seen >= self.config.gap + self.config.seen * seen
                and cost(lower, best) <= self.config.max_cost and score - runner_up >= margin)


def _doubling_moved(word: str, meant: str) -> bool:
    """Whether a word is its correction with a doubled letter written single and a single one doubled (the speller's
    "innapropriate", "tommorow"): the same letters, the same length; emphasis lengthens ("sooo"), slang respells."""
    return len(word) == len(meant) and word != meant and LETTER_RUN.sub(r"\1", word) == LETTER_RUN.sub(r"\1", meant)


def rank(word: str, before: str = "", after: str = "", choices: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """Candidate corrections (``choices``, else the close words), best first, by a noisy channel: how likely each
    is in its place (``likelihood``) less how unlikely it is to be typed as ``word`` (the error model's ``cost``)."""
    scored = [(c, round(likelihood(c, before, after) - cost(word, c, MODEL), 3)) for c in choices or candidates(word)]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


@lru_cache(maxsize=None)
def run_together(word: str) -> bool:
    """One of English's commonest phrases written as one word ("thankyou": ``PHRASE_SHARE``): use by several writers
    does not make it the book's own.  The pairs a name runs together ("my space", "stuff it") are far rarer."""
    return any(lx.bigrams().get((word[:n], word[n:]), 0) >= PHRASE_SHARE * BIGRAM_TOTAL for n in range(1, len(word)))


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
    rarest = 2.5 if first in FUNCTION_WORDS else 3.5  # "areenactment" is "a reenactment", though "reenactment" is rare
    return all((len(p) > 2 or p in FUNCTION_WORDS) and lx.known(p) and lx.zipf(p) >= rarest for p in (first, second))


def _loses_a_word(typed: str, candidate: str) -> bool:
    """Whether a reading drops a short word run into the typed one ("mytherapist" -> "therapist")."""
    return (typed.endswith(candidate) and typed[:-len(candidate)] in FUNCTION_WORDS
            or typed.startswith(candidate) and typed[len(candidate):] in FUNCTION_WORDS)


def _frequency(candidate: str) -> float:
    parts = candidate.replace("'", "").split() if " " in candidate else [candidate.replace("'", "")]
    return min(lx.zipf(p) for p in parts)


def likelihood(words: str, before: str = "", after: str = "") -> float:
    """log10 of how likely ``words`` (one word, or two) are between their neighbours, in Zipf units: each word's
    frequency (wordfreq), plus how much more often than by chance each pair of neighbours is seen together."""
    parts = words.split()
    score = sum(lx.zipf(p) for p in parts) - 9 * (len(parts) - 1) + sum(association(a, b) for a, b in zip(parts, parts[1:]))
    return score + CONTEXT * (association(before, parts[0]) + association(parts[-1], after))


@lru_cache(maxsize=None)
def association(first: str, second: str) -> float:
    """log10 of how much more often two words stand side by side than chance would have it (pointwise mutual
    information), from symspell's bigram counts; a pair of common words it never saw is evidence against them."""
    if not first or not second:
        return 0.0
    chance = lx.zipf(first) + lx.zipf(second) - 18
    if chance <= -18 or min(lx.zipf(first), lx.zipf(second)) == 0:
        return 0.0
    count = lx.bigrams().get((first, second))
    if count:
        return math.log10(count / BIGRAM_TOTAL) - chance
    if first in lx.bigrams().words and second in lx.bigrams().words:
        return max(UNSEEN_FLOOR, min(0.0, math.log10(BIGRAM_CUTOFF / BIGRAM_TOTAL) - chance))
    return 0.0


@lru_cache(maxsize=None)
def _cheap_edits(word: str) -> frozenset[str]:
    """The words of symspell's bigrams one cheap typing error from ``word``: two letters swapped, a letter doubled or
    written single, a neighbouring key or another vowel."""
    halves = [(word[:i], word[i:]) for i in range(len(word))]
    found = {a + b[1] + b[0] + b[2:] for a, b in halves if len(b) > 1}
    found |= {a + b[0] + b for a, b in halves} | {a + b[1:] for a, b in halves if len(b) > 1 and b[0] == b[1]}
    found |= {a + c + b[1:] for a, b in halves for c in NEARBY.get(b[0], "")}
    return frozenset(w for w in found - {word} if w in lx.bigrams().words)


def _lookalikes(line: str) -> list[Finding]:
    """Words with a 0 or 1 typed for a letter ("0ppain"): doubtful, never fixed, suggested with the readings the
    dictionary knows (0 as o, 1 as l or i).  Figures with units ("100mph", "1st") are left alone."""
    found = []
    for m in LOOKALIKE.finditer(line):
        if sum(c.isalpha() for c in m.group()) < 3:
            continue
        readings = {m.group().replace("0", "o").replace("1", one) for one in "li"}
        found.append(Finding(m.start(), m.end(), m.group(), tuple(sorted(r for r in readings if lx.known(r)))))
    return found


def _real_word(before: str, word: str, after: str, config: SpellingConfig) -> tuple[str, ...]:
    """Real words one cheap typing error from ``word`` that are far likelier between its neighbours than ``word``:
    symspell's bigrams never saw ``word`` after ``before`` and often saw the other ("each weak", "each week")."""
    if len(word) < 3 or word in FUNCTION_WORDS or (before, word) in lx.bigrams() or word not in lx.bigrams().words:
        return ()
    seen = lx.bigrams()
    near = [other for other in _cheap_edits(word) if (before, other) in seen and lx.known(other)]
    if not near:
        return ()
    here = likelihood(word, before, after)
    others = [(likelihood(other, before, after) - here, other) for other in near]
    return tuple(o for gain, o in sorted(others, reverse=True)[:MAX_SUGGESTED] if gain >= config.real_word_gain)


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
    if i == 0:
        return model.initial
    if any(_adjacent(letter, typed[k]) for k in (i - 1, i + 1) if 0 <= k < len(typed)):
        return (model.extra + model.neighbour) / 2
    return model.extra


def _dropped(meant: str, j: int, model: ErrorModel) -> float:
    letter = meant[j]
    if (j > 0 and meant[j - 1] == letter) or (j + 1 < len(meant) and meant[j + 1] == letter):
        return model.double
    return model.initial if j == 0 else model.drop


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


def _words(line: str, tokens: list[re.Match] | None = None, code: tuple[tuple[int, int], ...] = ()) -> Iterator[re.Match]:
    """The words of a line worth checking: not inside a URL, code or a quoted title, nor part of a hyphenated word
    ("mis-applied")."""
    skip = _unchecked(line) + code
    for found in TOKEN.finditer(line) if tokens is None else tokens:
        hyphenated = line[found.end():found.end() + 1] == "-" or line[max(0, found.start() - 1):found.start()] == "-"
        if not hyphenated and not (skip and any(a <= found.start() < b for a, b in skip)):
            yield found


@lru_cache(maxsize=1024)  # a paragraph's lines are looked at twice: for its language, then word by word
def _unchecked(line: str) -> tuple[tuple[int, int], ...]:
    """The spans of a line that are not prose to check: URLs, abbreviations and markup, code, quoted titles."""
    skip = [(m.start(), m.end()) for pattern in (URL, ABBREVIATION) for m in pattern.finditer(line)] + list(unmarked_code(line))
    skip += [(m.start(), m.end()) for m in TITLE_QUOTE.finditer(line) if _is_title(m.group(1))]
    return tuple(skip)


def _is_title(text: str) -> bool:
    """A quoted title: most of its longer words capitalised ("The Definately Book"), or a name of two or three words
    that opens with a capital and is no sentence ("Supporting funcs")."""
    words = [w for w in text.split() if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= 0.6 or (
        2 <= len(text.split()) <= 3 and text[:1].isupper() and text.rstrip()[-1:] not in ".!?,;:")


def _starts_sentence(block: Block, index: int, start: int) -> bool:
    """Whether the word at ``start`` of line ``index`` opens a sentence (the block's first word does)."""
    before = block.lines[index][:start].rstrip()
    while not before and index > 0:
        index -= 1
        before = block.lines[index].rstrip()
    tail = before[-8:]
    return bool(SENTENCE_END.search(tail)) and not TITLE_ABBREVIATION.search(tail)


def _sentence(line: str, start: int, end: int) -> str:
    """The sentence of the line the words at ``start:end`` stand in."""
    opening = max((m.end() for m in SENTENCE_BREAK.finditer(line, 0, start)), default=0)
    close = SENTENCE_CLOSE.search(line, end)
    return line[opening: close.end() if close else len(line)].strip()


def _doubled(block: Block, index: int, chapter: Chapter, where: str, config: SpellingConfig, ctx: Context,
             others: bool = False) -> Block:
    """Remove the second of two identical words in a row ("is is"), unless the doubling is idiomatic ("had had").

    Only a small word that holds a sentence together ("the the", "to to") is surely a slip; any other word said
    twice may be meant ("sweet sweet", "Bang Bang", "badis badis") and is suggested, as is every doubled word in
    a heading or a quotation (``others``), one that opens a quotation or follows a dash, where a word before it
    may have been lost ("‘was was actually", "—but but this point"), and "I I" ("I I Sir!", aye aye).  Words in code, in another case ("vim Vim"), part of a compound
    ("kernel-package package") or said three times ("go go go") are left alone."""
    line = block.lines[index]
    code = code_spans(block, index)
    doubled = []
    for m in DOUBLED.finditer(line):
        first, second = m.group(1), m.group(3)
        if (first.lower() in config.doubled_allowed or in_spans(m.start(), m.end(), code) or not _same_case(first, second)
                or line[max(0, m.start() - 1):m.start()] in ("-", "’", "'") or line[m.end():m.end() + 1] in ("-", "’", "'")
                or re.match(rf"\s+{re.escape(second)}\b", line[m.end():], re.I) or re.search(rf"\b{re.escape(first)}\s+$",
                                                                                         line[:m.start()], re.I)):
            continue
        if others or first.lower() not in SMALL_WORDS or first == "I" or line[max(0, m.start() - 1):m.start()] in OPENINGS:
            ctx.suggestions.append(Suggestion(block.line_source(index), m.group(), (first,), kind="doubled_word",
                                              sentence=_sentence(line, m.start(), m.end())))
            continue
        doubled.append(m)
    for found in doubled:
        ctx.record("typo_fixed", "doubled_word", block.line_source(index), found.group(), found.group(1),
                   chapter=chapter.slug, anchor=where, context=line, column=found.start())
    for found in reversed(doubled):
        block = edit_line(block, index, found.start(), found.end(), found.group(1), ("fix", found.group()))
    return block


def _same_case(first: str, second: str) -> bool:
    """The same word in the same case, or capitalised the first time as a sentence's first word ("The the")."""
    return first == second or first[:1].isupper() and first[1:] == second[1:] and second.islower()


NEARBY.update({x: "".join(y for y in "abcdefghijklmnopqrstuvwxyz" if _adjacent(x, y) or x != y and {x, y} <= VOWELS)
               for x in "abcdefghijklmnopqrstuvwxyz"})
