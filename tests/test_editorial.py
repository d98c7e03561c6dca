"""The editorial passes, each on a small capture written for it: what changes, and what the record says."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from bookforge import html
from bookforge.editorial import Context, author, edit, leftovers, links, repeats, report, spelling, style_sheet, typography
from bookforge.editorial.config import EditorialConfig
from bookforge.model import Author, Book, Metadata, Part, SourceLocation
from bookforge.readers import capture

META = Metadata("A Case", None, "a-case", (Author("Jeffrey Smith", "Smith, Jeffrey"),), "en", "urn:uuid:x",
                None, None, None, None)


def book_of(tmp_path: Path, *captures: str) -> Book:
    """A book of one part whose chapters are the given captures, read by the real reader."""
    chapters = []
    for number, text in enumerate(captures, start=1):
        path = tmp_path / f"post{number}.txt"
        path.write_text(text, encoding="utf-8")
        chapters.append(capture.read(path, f"chapters/post{number}.txt"))
    return Book(META, (Part("Part", "part-1", tuple(chapters), SourceLocation("book.yaml", 1)),))


def run(pass_, book: Book, **config) -> tuple[Book, Context]:
    ctx = Context(EditorialConfig(**config), "Jeffrey Smith")
    return pass_.run(book, ctx), ctx


def ids(book: Book) -> list[str]:
    return [c.id.rsplit("-", 1)[1] for ch in book.chapters() for c in ch.all_comments()]


def tree(book: Book) -> dict[str, list[str]]:
    return {c.id.rsplit("-", 1)[1]: [r.id.rsplit("-", 1)[1] for r in c.replies] for ch in book.chapters() for c in ch.all_comments()}


def changes(ctx: Context) -> list[tuple]:
    return [(c.kind, c.reason, c.source.line) for c in ctx.changes]


# -- web leftovers ---------------------------------------------------------------------------

LEFTOVERS = """A Post
attachment to therapist

*** Now Available: The Book, on Amazon.***

Photo by Grey World, Flickr

Grey World from Flickr

The body, with a credit (Photo, tetsuya yamamoto, Flickr, Lic. CC BY 2.0).

See the next post in the Attachment Series: Healing Shame

12 Comments

  • […] Someone quoted this post on their blog and linked back to it. […]

    • I was glad to see that blog pick this up. JS

  • Emotions are part of our life, they are crucial for our well-being.
    Dr Jane Example
    psicologo somewhere

  • A real comment that stays.

Leave a Comment"""


def test_leftovers_are_removed_and_recorded_and_credits_move_to_the_credits_page(tmp_path):
    book, ctx = run(leftovers, book_of(tmp_path, LEFTOVERS))
    chapter = next(book.chapters())
    assert [b.text for b in chapter.body] == ["The body, with a credit."]
    assert chapter.tail == ()
    assert changes(ctx) == [
        ("text_removed", "image_alt_text", 2), ("text_removed", "promo_banner", 4), ("text_removed", "photo_credit", 6),
        ("text_removed", "photo_credit", 8), ("text_removed", "photo_credit", 10), ("text_removed", "navigation", 12),
        ("text_removed", "comment_count", 14), ("text_removed", "comment_form", 26),
        ("comment_removed", "pingback", 16), ("comment_removed", "spam", 20), ("comment_moved", "parent_removed", 18),
    ]
    assert [c.text for c in book.credits] == ["A Post: Photo by Grey World, Flickr",
                                             "A Post: Photo, tetsuya yamamoto, Flickr, Lic. CC BY 2.0"]
    # the author's answer to the pingback is kept, in the pingback's place
    assert ids(book) == ["c18", "c24"]
    spam = next(c for c in ctx.changes if c.reason == "spam")
    assert spam.before == "Emotions are part of our life, they are crucial for our well-being.\nDr Jane Example\npsicologo somewhere"


def test_a_comment_the_editor_keeps_is_never_a_leftover(tmp_path):
    book, _ = run(leftovers, book_of(tmp_path, LEFTOVERS), leftovers={"keep": ["post1-c20"]})
    assert "c20" in ids(book)


# -- the author's replies ------------------------------------------------------------------------

REPLIES = """A Post

Body.

  • Dear Jeffrey, I have a question about my therapist.

    • Dear Anna, Thanks for asking. That is a common worry.

    • Anna, I feel exactly like you. My therapist does it too.

    • It helps to talk about it with her. JS

  • Dear Bob, I was moved by your story. (a reader answering another at the top level)

  • Hi JS, A part of me wishes you were my therapist.

    • Thanks for the comment. I wrote about this in my post on shame.

      • What if you show your therapist the young part of yourself? Would that help?

Leave a Comment"""


def test_the_authors_replies_are_recognised_by_signature_opening_and_voice(tmp_path):
    book, _ = run(author, book_of(tmp_path, REPLIES))
    by_author = {c.id.rsplit("-", 1)[1]: c.by_author for c in next(book.chapters()).all_comments()}
    assert by_author == {"c5": False, "c7": True, "c9": False, "c11": True, "c13": False, "c15": False, "c17": True,
                         "c19": False}


def test_an_editor_can_overrule_the_recognition(tmp_path):
    book, _ = run(author, book_of(tmp_path, REPLIES), author={"authors": ["post1-c9"], "readers": ["post1-c7"]})
    by_author = {c.id.rsplit("-", 1)[1]: c.by_author for c in next(book.chapters()).all_comments()}
    assert by_author["c7"] is False and by_author["c9"] is True


# -- repeated comments ---------------------------------------------------------------------------

STORY = "I was abandoned by my parents at age three and left with my older brother who raised me alone"
REPEATS = f"""A Post

Body.

  • Oh my, what you wrote was so awesome. I feel like I am in a battleground with my therapist over

    • Dear Wombat, yes, you can heal. JS

  • Oh my, what you wrote was so awesome. I feel like I am in a battleground with my therapist over the stuff you talk about, and it frightens me.

  • {STORY}. Now I see a therapist.

    • Dear Tammy, you are doing the right things.

  • {STORY}. Now I see a therapist.

  • {STORY}; later I studied, got a degree, and pretended nothing had happened for years.

  • “Oh my, what you wrote was so awesome. I feel like I am in a battleground with my therapist over” I wrote that too, and I still feel it every single day of my life.

  • A question about boundaries in therapy.

    • There is an important distinction. Exploring the details of wishes towards the therapist is critical for discovering their meaning. JS

    • There is an important distinction. Exploring the details of wishes towards the therapist is critical for discovering their origin and their meaning, and asking can be acting out. JS

Leave a Comment"""

OTHER_POST = """Another Post

Cynthia writes: I am in therapy and the philosophy seems to be that the therapist brings out needs and wishes and then does not fulfill any of them.

Body of the answer.

Leave a Comment"""

QUOTED = """A Third Post

Body.

  • I am in therapy and the philosophy seems to be that the therapist brings out needs and wishes and then does not fulfill any of them.

Leave a Comment"""


@pytest.fixture
def repeated(tmp_path):
    marked, _ = run(author, book_of(tmp_path, REPEATS, OTHER_POST, QUOTED))
    return run(repeats, marked)


def test_each_kind_of_repeat_is_removed_with_the_copy_that_was_kept(repeated):
    _, ctx = repeated
    found = {(c.reason, c.source.path, c.source.line, c.kept.path, c.kept.line) for c in ctx.changes if c.kind == "comment_removed"}
    assert found == {
        ("truncated_duplicate", "chapters/post1.txt", 5, "chapters/post1.txt", 9),  # the fuller copy is kept
        ("exact_duplicate", "chapters/post1.txt", 15, "chapters/post1.txt", 11),  # the copy with a reply is kept
        ("answered_twice", "chapters/post1.txt", 23, "chapters/post1.txt", 25),  # the fuller answer is kept
        ("quoted_elsewhere", "chapters/post3.txt", 5, "chapters/post2.txt", 3),  # the post's body is kept
    }
    removed = next(c for c in ctx.changes if c.source == SourceLocation("chapters/post1.txt", 5) and c.kind == "comment_removed")
    assert removed.before.startswith("Oh my, what you wrote") and removed.before.endswith("with my therapist over")


def test_an_answered_first_try_gives_way_to_the_fuller_copy_and_its_replies_move_under_it(repeated):
    book, ctx = repeated
    assert tree(book)["c9"] == ["c7"] and "c5" not in ids(book)
    assert [(c.reason, c.source.line, c.kept.line) for c in ctx.changes if c.kind == "comment_moved"] == [("kept_copy", 7, 9)]
    removed = next(c for c in ctx.changes if c.kind == "comment_removed" and c.source == SourceLocation("chapters/post1.txt", 5))
    assert removed.note.endswith("its replies moved under that copy")


ANSWERED_BOTH = """A Post

Body.

  • Oh my, what you wrote was so awesome. I feel like I am in a battleground with my therapist over

    • Dear Wombat, yes, you can heal. JS

  • Oh my, what you wrote was so awesome. I feel like I am in a battleground with my therapist over the stuff you talk about, and it frightens me.

    • Me too, Wombat.

Leave a Comment"""


def test_when_both_copies_have_replies_the_fuller_is_kept_and_the_replies_move_under_it(tmp_path):
    book, ctx = run(repeats, run(author, book_of(tmp_path, ANSWERED_BOTH))[0])
    assert sorted(tree(book)["c9"]) == ["c11", "c7"] and "c5" not in ids(book)
    assert [(c.reason, c.source.line, c.kept.line) for c in ctx.changes if c.kind == "comment_removed"] == [
        ("truncated_duplicate", 5, 9)]
    assert [(c.kind, c.source.line, c.kept.line) for c in ctx.changes if c.kind == "comment_moved"] == [("comment_moved", 7, 9)]


def test_a_retelling_and_a_quotation_are_kept_and_the_retelling_is_reported(repeated):
    book, ctx = repeated
    assert {"c17", "c19"} <= set(ids(book))
    assert [(n.kind, n.source.line, n.related.line) for n in ctx.notes] == [("retold_comment", 17, 11)]


def test_the_editor_can_keep_or_drop_a_comment_by_its_id(tmp_path):
    marked, _ = run(author, book_of(tmp_path, REPEATS, OTHER_POST, QUOTED))
    book, ctx = run(repeats, marked, repeats={"keep": ["post1-c15"], "drop": ["post1-c21"]})
    assert "c15" in ids(book) and "c21" not in ids(book)
    assert ("comment_removed", "editor", 21) in changes(ctx)
    # the replies of a comment the editor drops take its place
    assert {"c25"} <= set(ids(book))


NOT_REPEATS = """A Post

Body.

  • Thank you so much for this post.

  • Thank you so much for this post!!

  • This is so helpful. Thank you!

  • This is so helpful, thank you.

  • My therapist went on holiday for three weeks and I counted every day until she came back to her office.

  • My therapist went on holiday for three weeks and I counted every day until she came back to her office. Then I told her how angry I had been, and she said she was glad I could say it out loud to her at last.

  • When I was a child my mother left the house every evening and I never knew whether she would come back home again. So I learned to stay quiet and to need nothing from anyone, and I still do that with my husband.

  • When I was a child my mother left the house every evening and I never knew whether she would come back home again. Years later my own daughter went to college far away, and the old fear came back so strongly that I started therapy.

Leave a Comment"""


def test_generic_thanks_a_quoted_sentence_and_a_shared_opening_are_not_repeats(tmp_path):
    book, ctx = run(repeats, book_of(tmp_path, NOT_REPEATS))
    assert [c for c in ctx.changes if c.kind == "comment_removed"] == []
    assert len(ids(book)) == 8


RETYPED = """A Post

Body.

  • I have been seeing my therapist for two years and every time she goes away I feel like a small child again, alone.

    • Dear Ann, that feeling is the old attachment showing itself. JS

  • I have been seing my therapist for two years and every time she goes away I feel like a smal child again, alone.

Leave a Comment"""


def test_of_two_copies_of_one_length_the_one_with_replies_is_kept(tmp_path):
    book, ctx = run(repeats, run(author, book_of(tmp_path, RETYPED))[0])
    assert ids(book) == ["c5", "c7"]
    assert [(c.reason, c.source.line, c.kept.line) for c in ctx.changes if c.kind == "comment_removed"] == [
        ("copy_without_replies", 9, 5)]


SPAM = """A Post

Body.

  • We need to be a good associate between the therapist and us, and we need to give them all the correct information. You have provided useful information about the therapist in the blog. There are so many developers working on this part, but this is one of the best innovative post ever. Thanks for such post.

  • Thanks for such an important post; it helped me understand my therapist.

Leave a Comment"""


def test_seo_spam_is_removed_and_recorded_unless_the_editor_keeps_it(tmp_path):
    book, ctx = run(leftovers, book_of(tmp_path, SPAM))
    assert ids(book) == ["c7"]
    removed = [c for c in ctx.changes if c.kind == "comment_removed"]
    assert [(c.reason, c.source.line) for c in removed] == [("spam", 5)]
    assert removed[0].before.endswith("Thanks for such post.")
    book, ctx = run(leftovers, book_of(tmp_path, SPAM), leftovers={"keep": ["post1-c5"]})
    assert ids(book) == ["c5", "c7"] and not [c for c in ctx.changes if c.kind == "comment_removed"]


# -- typography, style sheet, spelling ---------------------------------------------------------------

def test_typography_sets_quotes_dashes_and_ellipses_but_leaves_urls_alone():
    assert typography.typeset('He said "yes" -- and \'no\'... it\'s 1990s - see http://x.org/a--b...c') == \
        "He said “yes”—and ‘no’… it’s 1990s—see http://x.org/a--b...c"
    # an en dash the writer put in a compound stays one; a double hyphen between words is an em dash
    assert typography.typeset("Part 1–4, pages 10-12, fearful–avoidant, wondering--this") == \
        "Part 1–4, pages 10-12, fearful–avoidant, wondering—this"
    # an unspaced en dash touching a small word is a parenthetical dash, as bloggers' keyboards make it
    assert typography.typeset("I am also wondering–this sounds like; traits–borderline and dependent–that; Part 3–I have") == \
        "I am also wondering—this sounds like; traits–borderline and dependent—that; Part 3—I have"
    # quotes turned the right way, with the stray spaces inside them closed up
    assert typography.typeset("” Ultimately it is possible. ”") == "“Ultimately it is possible.”"
    assert typography.typeset("if he had encouraged my”love” I would") == "if he had encouraged my “love” I would"
    # a run of spaces holding a no-break space is one space; a lone no-break space stays
    assert typography.typeset("That\u00a0 would be 5\u00a0pm") == "That would be 5\u00a0pm"
    assert typography.title_case("Healing A Damaged Self") == "Healing a Damaged Self"
    assert typography.title_case("Emotions: To Avoid or to Heal") == "Emotions: To Avoid or to Heal"


def test_the_style_sheet_corrects_on_word_boundaries_in_the_texts_case_and_records_each_fix(tmp_path):
    post = "A Post\n\nThankyou for the wonderfull post. Wonderfull! Thankyous and wonderfully.\n\nLeave a Comment"
    book, ctx = run(style_sheet, book_of(tmp_path, post), style_sheet={"wonderfull": "wonderful", "thankyou": "thank you"})
    block = next(book.chapters()).body[0]
    assert block.text == "Thank you for the wonderful post. Wonderful! Thankyous and wonderfully."
    assert [(c.before, c.after, c.source.line) for c in ctx.changes] == [
        ("Thankyou", "Thank you", 3), ("wonderfull", "wonderful", 3), ("Wonderfull", "Wonderful", 3)]
    assert [(m.kind, m.value, block.lines[0][m.start:m.end]) for m in block.marks] == [
        ("fix", "Thankyou", "Thank you"), ("fix", "wonderfull", "wonderful"), ("fix", "Wonderfull", "Wonderful")]


SPELLING = """A Post

I definately got your message; i dont know what Dr. Mahler said. The boundries are real, I realise.
It was on on the table and the colour of the behaviour kept us seperate at www.example.com/definately too.
We read “The Definately Book” and meet the Grahams. Dependance is is hard; I have had had enough.

Leave a Comment"""


def test_spelling_fixes_the_certain_suggests_the_doubtful_and_leaves_names_urls_and_british_spellings(tmp_path):
    book, ctx = run(spelling, book_of(tmp_path, SPELLING), spelling={"words": ["Grahams"]})
    text = next(book.chapters()).body[0].lines
    assert text == (
        "I definitely got your message; I don’t know what Dr. Mahler said. The boundaries are real, I realise.",
        "It was on the table and the colour of the behaviour kept us separate at www.example.com/definately too.",
        "We read “The Definately Book” and meet the Grahams. Dependence is hard; I have had had enough.",
    )
    fixed = [(c.reason, c.before, c.after, c.source.line) for c in ctx.changes]
    assert fixed == [
        ("spelling", "definately", "definitely", 3), ("capitalization", "i", "I", 3), ("spelling", "dont", "don’t", 3),
        ("spelling", "boundries", "boundaries", 3), ("doubled_word", "on on", "on", 4), ("spelling", "seperate", "separate", 4),
        ("doubled_word", "is is", "is", 5), ("spelling", "Dependance", "Dependence", 5)]
    assert ctx.suggestions == []


def test_a_doubtful_word_becomes_a_suggestion_once(tmp_path):
    post = "A Post\n\nThe message, veralized, was clear. It was veralized again.\n\nLeave a Comment"
    book, ctx = run(spelling, book_of(tmp_path, post))
    assert next(book.chapters()).body[0].text == "The message, veralized, was clear. It was veralized again."
    assert [(s.word, s.source.line, s.candidates[:2], s.sentence) for s in ctx.suggestions] == [
        ("veralized", 3, ("verbalized", "realized"), "The message, veralized, was clear.")]  # a dropped "b" first


def test_split_words_are_suggested_joined_a_doubled_letter_is_fixed_and_a_real_word_its_neighbours_doubt_is_suggested(
        tmp_path):
    """Two real words are never made one on the pass's own say: "with out" is "without", but "the missions drag on
    for years" is not "dragon" (a real blog's)."""
    text = ("I will go with out him, it was so difficultt, and we meet each weak in mytherapist office. "
            "The missions drag on for years.")
    book, ctx = run(spelling, book_of(tmp_path, f"A Post\n\n{text}\n\nLeave a Comment"))
    assert next(book.chapters()).body[0].text == ("I will go with out him, it was so difficult, and we meet each weak in "
                                                  "my therapist office. The missions drag on for years.")
    assert [(c.before, c.after) for c in ctx.changes] == [("difficultt", "difficult"), ("mytherapist", "my therapist")]
    assert [(s.kind, s.word, s.candidates) for s in ctx.suggestions] == [
        ("possible_typo", "with out", ("without",)), ("real_word", "each weak", ("each week",)),
        ("possible_typo", "drag on", ("dragon",))]


def test_a_word_made_with_an_ending_of_its_own_is_suggested_not_cut_back(tmp_path):
    """Peter Pan's Neverland is "not large and sprawly" (WordPress's theme-unit-test export): not "sprawl"."""
    text = "It is not large and sprawly, you know."
    book, ctx = run(spelling, book_of(tmp_path, f"A Post\n\n{text}\n\nLeave a Comment"))
    assert next(book.chapters()).body[0].text == text
    assert [(s.word, s.candidates[0]) for s in ctx.suggestions] == [("sprawly", "sprawl")]


def test_a_figure_typed_for_a_letter_is_suggested_never_fixed(tmp_path):
    """ "my 0ppain" (attachment:78) and "he1p": doubtful words, shown to the editor; "100mph" and "1st" are fine."""
    text = "Tolerating my 0ppain at 100mph, the 1st time I asked for he1p."
    book, ctx = run(spelling, book_of(tmp_path, f"A Post\n\n{text}\n\nLeave a Comment"))
    assert next(book.chapters()).body[0].text == text
    assert [(s.word, s.candidates) for s in ctx.suggestions] == [("0ppain", ()), ("he1p", ("help",))]


def test_a_paragraph_in_another_language_is_left_alone_and_noted(tmp_path):
    latin = "Donec et mattis metus, sed auctor justo. Cras lacus nisi, tempus eget proin quis."
    post = f"A Post\n\n{latin}\n\nThe boundries were clear and definately kind.\n\nLeave a Comment"
    book, ctx = run(spelling, book_of(tmp_path, post))
    body = next(book.chapters()).body
    assert body[0].text == latin  # "Donec" is not "Done", "metus" not "met us"
    assert body[1].text == "The boundaries were clear and definitely kind."  # English beside it is still checked
    assert [(n.kind, n.source.line) for n in ctx.notes] == [("other_language", 3)]


# -- links between posts ---------------------------------------------------------------------------

def test_a_loose_mention_of_another_chapter_becomes_a_link_but_a_sequel_not_in_the_book_does_not(tmp_path):
    target = "Healing A Damaged Self\n\nBody.\n\nLeave a Comment"
    other = "Attachment to Your Therapist\n\nAs I said in Healing a Damaged Self, it takes time.\n\nLeave a Comment"
    third = ("Shame\n\nBody.\n\n  • See my post on Healing the Damaged Self, not Attachment to Your Therapist II, "
             "on attachment to your therapist.\n\nLeave a Comment")
    book, ctx = run(links, book_of(tmp_path, target, other, third))
    _, two, three = book.chapters()
    body, comment = two.body[0], three.comments[0].blocks[0]
    assert [(body.lines[0][m.start:m.end], m.value) for m in body.marks] == [("Healing a Damaged Self", "post1")]
    assert [(comment.lines[0][m.start:m.end], m.value) for m in comment.marks] == [("Healing the Damaged Self", "post1")]
    assert html.Inline(html.places(book))(body, 0) == ('As I said in <a href="post1.xhtml">Healing a Damaged Self</a>, it takes '
                                               '<span class="whole">time.</span>')  # a paragraph's last word is never hyphenated
    assert [n.kind for n in ctx.notes] == ["link_added", "link_added"]


# -- the whole pass and its report -------------------------------------------------------------------

def test_the_report_follows_the_briefs_schema_and_the_proof_shows_the_changes(tmp_path):
    book = book_of(tmp_path, LEFTOVERS, SPELLING)
    edited, ctx = edit(book, EditorialConfig())
    json_path, html_path = report.write(edited, ctx, tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data) == {"changes", "suggestions", "notes", "counts"}
    for change in data["changes"]:
        assert {"kind", "reason", "source", "line", "before", "after"} <= set(change)
        assert change["kind"] in {"comment_removed", "comment_moved", "comment_merged", "text_removed", "typo_fixed", "text_replaced"}
        assert change["source"].startswith("chapters/") and change["line"] >= 1
    assert data["counts"]["comment_removed.pingback"] == 1 and data["counts"]["typo_fixed"] >= 5
    page = html_path.read_text(encoding="utf-8")
    assert "Editorial report" in page and "<del>boundries</del>" in page
    # numbered from 1 in each chapter, in the order the passes made them, each anchored uniquely in the book
    for chapter in ("post1", "post2"):
        numbers = [c["number"] for c in data["changes"] if c["chapter"] == chapter]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers
    assert [c["anchor"] for c in data["changes"]] == [f"change-{c['chapter']}-{c['number']}" for c in data["changes"]]
    assert '<tr id="change-post1-1"' in page and '<a href="#change-post2-1">1</a>' in page
    assert "link notice from another blog (pingback)" in page  # in words
    # the XHTML carries each change's number where it stands, for the proof to mark over the print page
    written = html.write(edited, Path(__file__).resolve().parents[1] / "styles", tmp_path / "html")
    fixed = next(c for c in data["changes"] if c["before"] == "boundries")
    page2 = (written.directory / "post2.xhtml").read_text(encoding="utf-8")
    assert fixed["chapter"] == "post2" and f'<span class="edit" data-edit="{fixed["number"]}">boundaries</span>' in page2
    pingback = next(c for c in data["changes"] if c["reason"] == "pingback")
    assert pingback["chapter"] == "post1"
    assert re.search(rf'data-removed="[\d ]*\b{pingback["number"]}\b', (written.directory / "post1.xhtml").read_text(encoding="utf-8"))


def test_without_the_hunspell_dictionaries_the_pass_stops_and_says_what_to_install(tmp_path, monkeypatch):
    from bookforge.editorial import lexicon

    monkeypatch.setenv("BOOKFORGE_HUNSPELL", str(tmp_path))
    lexicon.word_lists.cache_clear()
    try:
        with pytest.raises(lexicon.MissingDictionary, match="en_US .* is not in .*set BOOKFORGE_HUNSPELL"):
            lexicon.word_lists()
    finally:
        lexicon.word_lists.cache_clear()


def test_the_shipped_word_lists_are_made_from_the_shipped_dictionaries():
    """A changed .dic or .aff needs tools/expand_dictionaries.py run again: a build would otherwise expand it on every machine."""
    from bookforge.editorial import lexicon

    for name in lexicon.DICTIONARIES:
        path = lexicon.PACKAGED / name
        header = json.loads(gzip.decompress((path.with_suffix(".words.gz")).read_bytes()).split(b"\n", 1)[0])
        assert header["source"] == lexicon.source_digest(path) and header["dictionary"] == name


def test_another_dictionary_folder_is_expanded_once_into_the_cache(tmp_path, monkeypatch):
    from bookforge.editorial import lexicon

    aff = "SET UTF-8\nICONV 1\nICONV ’ '\n\nSFX S Y 1\nSFX S 0 s .\n\nPFX U Y 1\nPFX U 0 un .\n"
    for name, words in (("en_US", ["color/SU", "Paris"]), ("en_GB", ["colour/SU", "Paris", "don't"])):
        (tmp_path / f"{name}.aff").write_text(aff, encoding="utf-8")
        (tmp_path / f"{name}.dic").write_text(f"{len(words)}\n" + "\n".join(words) + "\n", encoding="utf-8")
    monkeypatch.setenv("BOOKFORGE_HUNSPELL", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for cached in (lexicon.hunspell, lexicon.word_lists, lexicon.known, lexicon.known_to_all):
        cached.cache_clear()
    try:
        assert lexicon.known("uncolors") and lexicon.known("Colours") and lexicon.known("COLOURS")
        assert lexicon.known("Paris") and lexicon.known("PARIS") and not lexicon.known("paris")
        assert lexicon.known("don’t") and not lexicon.known_to_all("don't") and lexicon.known_to_all("paris-paris".title())
        assert lexicon.known("colors-uncolor") and not lexicon.known("colors-colour") and lexicon.known("1984")
        for word in ("uncolors", "Colours", "COLOURS", "Paris", "PARIS", "paris", "don’t", "Don't", "colors-uncolor",
                     "-color", "color-", "colour-Paris", "colourz", "1984", "unParis"):  # as spylls reads the dictionaries
            assert (lexicon.known(word), lexicon.known_to_all(word)) == (any(d.lookup(word) for d in lexicon.hunspell()),
                                                                         all(d.lookup(word) for d in lexicon.hunspell())), word
        cached_files = sorted(p.name.split("-")[0] for p in (tmp_path / "cache/bookforge/dictionaries").iterdir())
        assert cached_files == ["en_GB", "en_US", "words", "words"]  # each expansion and its compiled table
    finally:
        for cached in (lexicon.hunspell, lexicon.word_lists, lexicon.known, lexicon.known_to_all):
            cached.cache_clear()


def test_the_changed_characters_are_difflibs_alignment(report):
    """The marks of a retypeset line come from a faster matcher that must align exactly as difflib does:
    on every line the real book retypesets, and on short random pairs where ties between equal runs abound."""
    import difflib
    import random

    from bookforge.editorial.text import changed_runs

    def difflib_runs(a: str, b: str) -> list:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    retypeset = [(c["before"], c["after"]) for c in report["changes"] if c["reason"] == "typography"]
    assert len(retypeset) > 40 and max(len(before) for before, _ in retypeset) > 1000
    rng = random.Random(15)
    letters = [" \u00a0ab", "ab .'\"", "abcdefg"]
    shuffled = []
    for _ in range(3000):
        alphabet = rng.choice(letters)
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        cut = rng.randint(0, len(a))
        b = rng.choice([a[cut:] + a[:cut], a[:cut] + rng.choice(alphabet) + a[cut + 1:],
                        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))])
        shuffled.append((a, b))
    for a, b in retypeset + shuffled:
        assert changed_runs(a, b) == difflib_runs(a, b), (a, b)
