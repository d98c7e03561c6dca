"""The ``editorial:`` section of book.yaml: which passes run, in what order, and how each is tuned.

Every default here is what a careful copy editor would do with a blog series; a book can
switch a pass off by leaving it out of ``passes`` and tune any threshold or word list.
"""

from __future__ import annotations

import functools
from typing import Annotated, Literal

import re2
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

PassName = Literal["leftovers", "author_replies", "repeats", "signatures", "typography", "style_sheet", "spelling", "links"]
DEFAULT_PASSES: list[PassName] = ["leftovers", "author_replies", "repeats", "signatures", "typography", "style_sheet",
                                  "spelling", "links"]


def compiled(pattern: str, ignore_case: bool = False) -> re2._Regexp:
    """A pattern from book.yaml compiled with RE2, whose matching time grows linearly with the text:
    no pattern a stranger's comment meets can backtrack catastrophically."""
    return _compile(pattern, ignore_case)


@functools.cache
def _compile(pattern: str, ignore_case: bool) -> re2._Regexp:
    options = re2.Options()
    options.log_errors = False  # the error becomes a diagnostic, not a line on stderr
    options.case_sensitive = not ignore_case
    return re2.compile(pattern, options)


def _valid_pattern(pattern: str) -> str:
    try:
        compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PydanticCustomError("pattern", "not a regular expression RE2 accepts ({reason}); RE2 has no "
                                  "look-around and no back-references", {"reason": reason}) from None
    return pattern


Pattern = Annotated[str, AfterValidator(_valid_pattern)]  # a regular expression, compiled when book.yaml is read


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The pieces of a pointer at the web page's furniture, for ``LeftoversConfig.pointers``: an optional verb and article,
# up to two words more ("the RSS"), a thing only a web page has, and where it stands on the page.
_LEAD = r"(?:(?:please|just|also|and|or|so)\s+)?"
_VERB = r"(?:see|click(?:\s+on)?|check(?:\s+out)?|look(?:\s+at|\s+in)?|visit|follow|find|use|go\s+to|try)\s+"
_ARTICLE = r"(?:(?:the|this|that|a|my|our|these|those)\s+)?"
_WORDS = r"(?:[\w'’-]+\s+){0,2}"  # words, not a clause before a comma ("SPSE, see link on right")
_FURNITURE = (r"(?:links?|sidebar|side[- ]bar|widgets?|blogroll|banners?|archives?|tag\s+cloud|search\s+box|"
              r"(?:rss\s+|subscription\s+)?feed|nav(?:igation)?(?:\s+bar|\s+menu)?)")
_SIDE = (r"(?:(?:on|at|in|to|from)\s+(?:the\s+)?)?(?:right|left|side|sidebar|side\s+bar|margin|header|footer)"
         r"(?:[- ]hand)?(?:\s+(?:side|column|corner|margin|bar))?(?:\s+of\s+(?:the|this|my|our)\s+(?:page|screen|blog|site))?")
_END = r"(?:(?:on|at)\s+the\s+(?:top|bottom)\s+of\s+(?:the|this|my|our)\s+(?:page|blog|site))"
_FOR = r"(?:\s+for\s+\S+(?:\s+\S+){0,3})?"


class LeftoversConfig(_Section):
    """Web page furniture that has no place in a book; each entry is a regular expression."""

    banners: list[Pattern] = [r"^\*{3}.*\*{3}$"]
    navigation: list[Pattern] = [
        r"\bclick HERE\b", r"^See the next post\b", r"^Next post in\b", r"^Be sure to check the other posts\b",
        r"^The next one is here\.?$", r"^(Read|Continue reading) (more|the rest)\b", r"^Return to\b",
    ]
    # a clause (a whole line, a sentence, a parenthesis or its last part) that only points at the web page's furniture,
    # matched whole and in any case: "(SPSE, see link on right)", "see the sidebar", "(see blogroll)"
    pointers: list[Pattern] = [
        rf"{_LEAD}(?:{_VERB})?{_ARTICLE}{_WORDS}{_FURNITURE}\s+(?:{_SIDE}|{_END}){_FOR}",
        rf"{_LEAD}{_VERB}{_ARTICLE}(?:\S+\s+)?(?:sidebar|side[- ]bar|blogroll|widgets?|tag\s+cloud|nav(?:igation)?\s+bar){_FOR}",
    ]
    # one that points at a link elsewhere on the page ("click the link above"): furniture only where the comment or
    # post it stands in holds no link of its own, which the book keeps
    link_pointers: list[Pattern] = [rf"{_LEAD}(?:{_VERB})?{_ARTICLE}{_WORDS}links?\s+(?:above|below|up\s+top){_FOR}"]
    comment_counts: list[Pattern] = [r"^\d+ (Comments?|Responses?|Replies)$"]
    comment_form: list[Pattern] = [r"^(Leave a (Comment|Reply)|Post a Comment|Add a Comment)$"]
    photo_credits: list[Pattern] = [r"^Photo(graph)? (by|from|courtesy of)\b", r"\bfrom Flickr$", r"^\(?Photo,"]
    inline_credits: list[Pattern] = [r"\s*\(Photo,[^()]*\)\.?"]
    spam: list[Pattern] = [r"\bpsicolog[oa]\b", r"\b(casino|viagra|payday loans?|seo services|buy followers)\b",
                           # generic SEO praise: "Thanks for such post", "one of the best innovative post ever"
                           r"\bthanks? (you )?for (sharing )?such (a |an )?(post|article|blog|information|info)\b",
                           r"\bone of the (best|most) (innovative|informative|useful) (post|article|blog)\b",
                           r"\b(developers|marketers) working on this\b"]
    alt_text_words: int = Field(6, ge=1, description="a lowercase line of at most this many words above the post is an image's alt text")
    keep: list[str] = []  # comment ids that are never treated as leftovers


class AuthorConfig(_Section):
    """How the blog's author is recognised in the comments."""

    name: str | None = None  # default: the book's first author
    aliases: list[str] = ["JS"]  # signatures besides the name and its first name
    voice: list[Pattern] = [
        r"\bmy (post|posts|book|blog|article)\b", r"\b(a|new|next|recent) post\b", r"\bwarrants a post\b",
        r"\bmy (practice|patients|clients)\b", r"\bin my experience\b", r"\bReaders,", r"\bother readers\b",
        r"\byour therapy\b",
    ]
    reader_voice: list[Pattern] = [
        r"\bmy (therapist|t|former therapist|counsell?or|psychologist|analyst)\b", r"\byour (blog|post|posts|book|article|site)\b",
        r"\bDr\.? Smith\b", r"\bI feel exactly like you\b", r"\bI could have written\b",
    ]
    drop_signatures: bool = True  # drop a trailing signature ("… healing. JS") under a reply the book labels as his
    authors: list[str] = []  # comment ids written by the author that no signal shows
    readers: list[str] = []  # comment ids a signal wrongly gives to the author


class RepeatsConfig(_Section):
    """Thresholds for repeated comments; shares are of the shorter text's three-word runs found in the other."""

    truncated: float = Field(0.8, gt=0, le=1)  # a first try this much inside a fuller version is a repeat
    quoted: float = Field(0.9, gt=0, le=1)  # a comment this much inside another post's body is a copy of it
    retold: float = Field(0.3, gt=0, le=1)  # from here up to ``truncated``: a retelling, kept and reported
    answered_twice: float = Field(60, gt=0, le=100)  # rapidfuzz token-set score of two author replies to one comment
    min_words: int = Field(12, ge=1)  # shorter comments are never compared
    keep: list[str] = []  # comment ids never removed as repeats
    drop: list[str] = []  # comment ids the editor removes as repeats by hand


class TypographyConfig(_Section):
    quotes: bool = True  # typographer's quotes, turned the right way
    dashes: bool = True  # em dashes for spaced dashes and double hyphens; an en dash in a compound stays
    ellipses: bool = True  # one ellipsis character
    spaces: bool = True  # a run of spaces holding a no-break space becomes one space
    title_case: bool = True  # chapter titles in title case ("Healing a Damaged Self")


class SpellingConfig(_Section):
    """Automatic spelling correction: only confident corrections are applied, the rest are suggested."""

    words: list[str] = []  # the book's own word list: names and terms that are right as they are
    rare: float = Field(3.0, description="a word at or above this Zipf frequency is a real word, never corrected")
    common: float = Field(2.5, description="an automatic correction must be at least this common (Zipf)")
    max_cost: float = Field(3.0, description="and at most this far from the word as typed (the error model's cost)")
    gap: float = Field(2.0, description="and this much more common than the word as typed")
    seen: float = Field(0.75, description="and this much more again for each unit of the typed word's own frequency: a "
                                          "spelling the web often writes is someone's word (a name, a term, slang, code)")
    margin: float = Field(0.75, description="and score this much above the next candidate")
    real_words: bool = Field(True, description="suggest a real word its neighbours say is another (\"each weak\"); "
                                               "never applied")
    real_word_gain: float = Field(2.0, description="how much likelier (log10) the other word must be in its place")
    foreign: float = Field(0.3, gt=0, le=1, description="a paragraph of 8 words or more with this share of unknown "
                                                          "words is in another language (lorem ipsum, a quotation): left alone")
    doubled_allowed: list[str] = ["had", "that", "very", "many", "much", "more", "so", "really", "slowly", "no", "bye", "ha",
                                  "blah", "now", "yadda", "etc", "her"]  # "showed her her painting"


class LinksConfig(_Section):
    threshold: float = Field(85, gt=0, le=100)  # rapidfuzz score of a mention against a chapter title
    titles: dict[str, list[str]] = {}  # chapter slug -> other names the posts use for it


class KeepRule(_Section):
    """A change the editor rejected (``bookforge review`` writes these): wherever a pass would change ``text`` (the
    text before the change, as the report's ``before`` gives it: a word, a phrase, a retypeset line, a removed line),
    it stays as written.  ``at`` limits the rule to one chapter file, or to one line of it ("chapters/x.txt:12")."""

    text: str = Field(min_length=1)
    at: str | None = Field(None, pattern=r"^[^:]+(:[1-9][0-9]*)?$")


def _rule(value: object) -> object:
    """A bare string in ``keep:`` is a rule with only its text: kept as written everywhere."""
    return {"text": value} if isinstance(value, str) else value


class EditorialConfig(_Section):
    passes: list[PassName] = Field(default_factory=lambda: list(DEFAULT_PASSES))
    keep: list[Annotated[KeepRule, BeforeValidator(_rule)]] = []  # changes the editor rejected: the text stays as written
    leftovers: LeftoversConfig = LeftoversConfig()
    author: AuthorConfig = AuthorConfig()
    repeats: RepeatsConfig = RepeatsConfig()
    typography: TypographyConfig = TypographyConfig()
    style_sheet: dict[str, str] = {}  # word or phrase -> replacement, applied on word boundaries
    spelling: SpellingConfig = SpellingConfig()
    links: LinksConfig = LinksConfig()
