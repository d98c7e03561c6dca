"""The editorial pass on the real book: checked against the captures themselves, the EPUB and the PDF."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import PROJECT, words, xhtml_text
from test_epub import CHAPTERS, NS, xhtml

REPEATS = {"exact_duplicate", "truncated_duplicate", "quoted_elsewhere", "answered_twice"}
LEFTOVERS = ["Now Available", "Leave a Comment", "click HERE", "See the next post", "Next post in the Attachment Series",
             "Be sure to check the other posts", "The next one is here", "30 Comments", "healing-damaged-self",
             "psicologo", "[…]", "Photo by Grey World", "tetsuya yamamoto"]


def comment_text(source: str, line: int) -> str:
    """A comment's own text read straight from its capture: its bullet line and the lines indented under it."""
    lines = (PROJECT / source).read_text(encoding="utf-8").split("\n")
    bullet = lines[line - 1]
    indent = len(bullet) - len(bullet.lstrip())
    text = [bullet.strip().removeprefix("• ")]
    for following in lines[line:]:
        if following.strip() and (len(following) - len(following.lstrip()) <= indent or following.lstrip().startswith("•")):
            break
        text.append(following.strip())
    return " ".join(" ".join(text).split())


def flat(text: str) -> str:
    return " ".join(text.split())


def epub_text(epub_zip) -> str:
    return " ".join(flat(xhtml_text(xhtml(epub_zip, f"{c.stem}.xhtml"))) for c in CHAPTERS)


@pytest.fixture(scope="module")
def pdf_text(built) -> str:
    """The PDF's text but its Credits page, where the photo credits taken out of the posts belong."""
    texts = (page.extract_text() for page in PdfReader(built.pdf).pages)
    return flat(" ".join(text for text in texts if not text.startswith("Credits")))


def removed(report, *reasons):
    return [c for c in report["changes"] if c["kind"] == "comment_removed" and (not reasons or c["reason"] in reasons)]


def test_every_kind_of_repeat_in_these_posts_is_found(report):
    assert {c["reason"] for c in removed(report, *REPEATS)} == REPEATS


def test_a_removed_comment_is_only_ever_a_repeat_a_pingback_or_spam(report):
    assert {c["reason"] for c in removed(report)} <= REPEATS | {"pingback", "spam"}


def test_the_report_holds_each_removed_comment_in_full_at_its_bullets_line(report):
    for change in removed(report):
        assert flat(change["before"]) == comment_text(change["source"], change["line"]), change["line"]


def test_exact_reposts_are_word_for_word_the_copy_that_was_kept(report):
    for change in removed(report, "exact_duplicate"):
        assert comment_text(change["source"], change["line"]) == comment_text(change["kept"]["source"], change["kept"]["line"])


def test_an_answered_first_try_gives_way_to_the_fuller_copy_and_its_reply_moves_under_it(report, epub_zip):
    """Wombat's first try (line 105) was cut short and answered; the fuller copy posted after it (line 109) is the
    one a reader should see whole, with the author's answer (line 107) under it."""
    (change,) = removed(report, "truncated_duplicate")
    first, fuller = change["line"], change["kept"]["line"]
    assert change["kept"]["source"] == change["source"] == "chapters/attachment-to-your-therapist.txt"
    assert (first, fuller) == (105, 109) and "its replies moved under that copy" in change["note"]
    short, full = words(change["before"]), words(comment_text(change["source"], fuller))
    assert len(full) > len(short) * 1.2 and sum(w in set(full) for w in short) / len(short) > 0.9
    (moved,) = [c for c in report["changes"] if c["kind"] == "comment_moved" and c["reason"] == "kept_copy"]
    assert (moved["line"], moved["kept"]["line"]) == (107, 109)
    page = xhtml(epub_zip, "attachment-to-your-therapist.xhtml")
    [kept] = page.xpath("//*[@id='attachment-to-your-therapist-c109']", namespaces=NS)
    assert kept.xpath(".//*[@id='attachment-to-your-therapist-c107']", namespaces=NS)
    assert "the anxiety and fear talking about it provokes" in "".join(kept.itertext())
    assert not page.xpath("//*[@id='attachment-to-your-therapist-c105']", namespaces=NS)


def test_a_comment_reproduced_in_another_posts_body_gives_way_to_the_body(report):
    for change in removed(report, "quoted_elsewhere"):
        kept = change["kept"]
        assert kept["source"] != change["source"]
        body_line = (PROJECT / kept["source"]).read_text(encoding="utf-8").split("\n")[kept["line"] - 1]
        assert flat(change["before"]) in flat(body_line.replace("  ", " "))


def test_the_authors_second_answer_to_one_comment_is_the_one_kept(report):
    for change in removed(report, "answered_twice"):
        assert change["before"].endswith(" JS")
        assert comment_text(change["kept"]["source"], change["kept"]["line"]).endswith(" JS")


def test_a_retelling_with_new_facts_is_kept_and_reported(report, epub_zip):
    retold = [n for n in report["notes"] if n["kind"] == "retold_comment"]
    assert retold
    for note in retold:
        slug = note["source"].removeprefix("chapters/").removesuffix(".txt")
        assert xhtml(epub_zip, f"{slug}.xhtml").xpath(f"//*[@id='{slug}-c{note['line']}']", namespaces=NS)


def test_no_web_leftover_reaches_the_epub_or_the_pdf(epub_zip, pdf_text):
    text = epub_text(epub_zip)
    assert [s for s in LEFTOVERS if s in text] == []
    assert [s for s in LEFTOVERS if s in pdf_text] == []


def test_no_removed_comment_reaches_the_epub(report, epub_zip):
    text = epub_text(epub_zip)
    for change in removed(report, "pingback", "spam"):
        assert flat(change["before"])[:60] not in text, change["line"]
    for change in removed(report, "truncated_duplicate", "answered_twice"):  # their openings are in the kept copy
        assert flat(change["before"]) not in text, change["line"]
    # an exact re-post and a comment copied into a post are still in the book, in the copy that was kept
    for change in removed(report, "exact_duplicate", "quoted_elsewhere"):
        kept = change["kept"]
        slug = kept["source"].removeprefix("chapters/").removesuffix(".txt")
        page = xhtml(epub_zip, f"{slug}.xhtml")
        if change["reason"] == "exact_duplicate":
            assert page.xpath(f"//*[@id='{slug}-c{kept['line']}']", namespaces=NS)
        else:
            assert "I am in therapy. The philosophy seems to be" in flat(xhtml_text(page))


def test_every_fixed_typo_is_gone_from_the_epub(report, epub_zip):
    text = epub_text(epub_zip)
    fixes = [c for c in report["changes"] if c["kind"] == "typo_fixed" and c["reason"] != "doubled_word"]
    assert len(fixes) > 100
    left = {c["before"] for c in fixes if re.search(rf"(?<![\w’']){re.escape(c['before'])}(?![\w’'.])", text)}
    assert left == set()


def test_the_suggestions_are_few_enough_for_an_editor(report):
    assert len(report["suggestions"]) < 150


def test_the_authors_replies_are_labelled_in_both_books_and_carry_no_signature_under_the_label(epub_zip, pdf_text, report):
    labelled = 0
    for capture in CHAPTERS:
        page = xhtml(epub_zip, f"{capture.stem}.xhtml")
        replies = page.xpath("//x:li[contains(@class, 'by-author')]", namespaces=NS)
        for li in replies:
            assert li.xpath("x:p[@class='reply-label']/text()", namespaces=NS) == ["Jeffrey Smith replies"]
            last = " ".join(li.xpath("x:p", namespaces=NS)[-1].xpath("string()").split())
            assert not re.search(r"[.!?”)] (JS|Jeffery|Jeffrey)$", last), last  # the label names him already
        labelled += len(replies)
    dropped = [c for c in report["changes"] if c["reason"] == "signature"]
    assert labelled > len(dropped) > 20
    for change in dropped:  # each recorded at the line it ended, as the capture has it
        line = (PROJECT / change["source"]).read_text(encoding="utf-8").split("\n")[change["line"] - 1]
        assert line.rstrip().endswith(change["before"])
    assert pdf_text.count("Jeffrey Smith replies") == labelled


def test_a_post_named_loosely_in_another_is_a_link_in_both_books(epub_zip, built):
    page = xhtml(epub_zip, "attachment-to-your-therapist.xhtml")
    assert page.xpath("//x:a[@href='healing-a-damaged-self.xhtml']/text()", namespaces=NS) == ["Healing the Damaged Self"]
    assert page.xpath("//x:a[contains(., 'Attachment to Your Therapist II')]", namespaces=NS) == []
    links = [a.get_object() for page in PdfReader(built.pdf).pages for a in page.get("/Annots") or []]
    internal = [a for a in links if a.get("/Subtype") == "/Link" and "/URI" not in (a.get("/A") or {})]
    assert internal  # the contents' links and the link between posts are internal links in the PDF


def test_build_prints_the_editorial_counts(built, report):
    counts = report["counts"]
    line = next(line for line in built.stdout.splitlines() if line.startswith("editorial: "))
    assert f"{counts['comment_removed']} comments removed" in line
    assert f"{counts['typo_fixed']} typos fixed" in line
    assert f"{counts['suggestions']} suggestions" in line
    moved = counts.get("comment_moved", 0)
    assert (f"{moved} reply moved" if moved == 1 else f"{moved} replies moved") in line  # counted in English
