"""The spelling pass does no harm on real blogs' text: code is never prose, the book's own words are right,
another language, a name, a citation or "[sic]" is left alone, and only sure fixes are applied (issue 22).
Every example is one the pass got wrong on a real blog before."""

from __future__ import annotations

from pathlib import Path

from bookforge.editorial import Context, lexicon, spelling, typography
from bookforge.editorial.config import EditorialConfig
from bookforge.model import Author, Book, BlockKind, Metadata, Part, SourceLocation
from bookforge.readers import html as html_reader

META = Metadata("Tilting at Windmills", None, "tilting", (Author("Kate Writer", "Writer, Kate"),), "en", "urn:uuid:z",
                None, None, None, None)


def post(tmp_path: Path, body: str, comments: str = "", title: str = "A Post", tags: str = "", name: str = "a-post") -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n'
                    f'<title>{title}</title>\n<meta name="tags" content="{tags}"/>\n</head>\n<body>\n'
                    f'<article class="post">\n{body}\n</article>\n<section class="comments">\n{comments}</section>\n'
                    "</body>\n</html>\n", encoding="utf-8")
    return path


def book(*paths: Path) -> Book:
    chapters = tuple(html_reader.read(p, f"chapters/{p.name}") for p in paths)
    return Book(META, (Part("Part", "part-1", chapters, SourceLocation("book.yaml", 1)),))


def comment(number: int, author: str, text: str) -> str:
    return f'<article class="comment" id="comment-{number}" data-author="{author}"><p>{text}</p></article>\n'


def run(pass_, edited: Book, **config) -> tuple[Book, Context]:
    ctx = Context(EditorialConfig(**config), "Kate Writer")
    return pass_.run(edited, ctx), ctx


def fixes(ctx: Context) -> list[tuple[str, str]]:
    return [(c.before, c.after) for c in ctx.changes if c.kind == "typo_fixed"]


def suggested(ctx: Context) -> dict[str, tuple[str, ...]]:
    return {s.word: s.candidates for s in ctx.suggestions}


def lines(edited: Book) -> list[str]:
    return [line for ch in edited.chapters() for b in ch.body for line in b.lines]


CODE = """<p>Back up the list first: <code>sed -i.bak 's/precise/trusty/g' sources.list</code>, then
<code>sudo apt-get install pidgin pidgin-sipe</code>. I recieve the key with</p>
<p>sudo apt-key adv --keyserver keyserver.ubuntu.com --recv-keys 7FAC5991</p>
<p>The file /etc/resolv.conf names the server; /etc/passwd and boot.ini stay. Call java.util.UUID in
main(String[] args), or typeof(MessageBody), and read the stdout.</p>
<p>for(int i = 0; i &lt; 10; i++)<br>{<br>Console.WriteLine(i);<br>}</p>
<p>The reply was {"ept":0.005, "epx":12.393} and ncurses, mintty_config and Seq.iter were fine.</p>
<pre>apt-get install alsa alsa-utils
startx</pre>"""


def test_code_marked_or_not_is_never_corrected_and_the_prose_beside_it_is(tmp_path):
    """`sed -i.bak` was "-i.back", "pidgin pidgin-sipe" a doubled word, "--keyserver" lost its space, "for(int i"
    became "for(int I", "/etc/passwd" "/etc/passed", "java.util.UUID" "java.until.UUID", "args" "arts", "stdout"
    "stout", typeof "type of", "ept" "pet", ncurses "nurses": only the prose's "recieve" is a typo."""
    edited, ctx = run(spelling, book(post(tmp_path, CODE)))
    assert fixes(ctx) == [("recieve", "receive")]
    before = book(post(tmp_path, CODE))
    assert [line for ch in before.chapters() for b in ch.body for line in b.lines] == [
        line.replace("receive", "recieve") for line in lines(edited)]


def test_typography_leaves_code_as_written_and_sets_the_prose(tmp_path):
    """A curled quote breaks a command: the quotes and double hyphen of `sed -i "s/a/b/" x -- y` stay straight."""
    body = "<p>Run <code>sed -i \"s/a/b/\" x -- y</code> -- it \"works\".</p><p>$ echo \"done\" -- ok</p>"
    edited, _ = run(typography, book(post(tmp_path, body)))
    assert lines(edited) == ["Run sed -i \"s/a/b/\" x -- y—it “works”.", "$ echo \"done\" -- ok"]


def test_the_books_own_words_are_right_and_a_heading_is_only_suggested(tmp_path):
    """Names of programs the post is about, from its title, tags, links, headings, code and commenters, and a word
    two commenters use: "irssi" was "iris", "umount" "amount", "mythz" (the author) "myth", "ddclient" "client"."""
    body = ("<h2>Make umount work with sshfs</h2><p>I use irssi with mintty and <a href='http://ddclient.net'>the "
            "client</a>; ddclient needs <code>lzmadec</code>, and lzmadec is quick.</p><h3>Recieve the keys</h3>")
    comments = comment(1, "mythz", "Try sshfs, it beats akka.") + comment(2, "Runa", "I agree with mythz: akka works.")
    edited, ctx = run(spelling, book(post(tmp_path, body, comments, title="irssi spellchecking", tags="mintty, linux")))
    assert fixes(ctx) == []
    assert suggested(ctx)["Recieve"][0] == "Receive"  # a heading is the author's: suggested, never changed
    assert lines(edited)[-1] == "Recieve the keys"


def test_another_language_a_species_a_cited_author_and_sic_are_left_alone(tmp_path):
    body = ("<p>The ichthyosaur <em>Brachypterygius extremus</em> beside <em>Acamptonectes densus</em> and "
            "L. urbanus, as (Buchy 2010) and Shema, Bar-Ilan and Thelwall (2012) found, in <em>Die Ichthyosaurier des "
            "Lias und ihre Zusammenhänge</em>. It ran succesfully[sic] and we went to Rock im Park.</p>"
            "<p>Al examinar el spam, lo primero que veo: nada. ¿O lo es la forma en que se administre la empresa?</p>"
            "<p>She asked “Weet u waar de WC’s zijn?” at the desk.</p><p>Im przecież wszystko jedno</p>")
    _, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == []


def test_only_sure_fixes_are_applied(tmp_path):
    """A real word is never turned into another ("defund" is not "defend", "drag on" not "dragon"), a spelling the web
    often writes is someone's ("tix", "woulda"), a word said twice on purpose stays ("sweet sweet", "go go go",
    "vim Vim"); "is is" and "recieve" are slips."""
    body = ("<p>Ask your Senators to defund it, or the missions drag on for years. I got my tix and it is is "
            "simple: who woulda thunk. Go go go, the sweet sweet key magic, vim Vim. I recieve it.</p>")
    edited, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == [("is is", "is"), ("recieve", "receive")]
    assert {"drag on", "sweet sweet"} <= set(suggested(ctx))
    assert lines(edited) == ["Ask your Senators to defund it, or the missions drag on for years. I got my tix and it is "
                             "simple: who woulda thunk. Go go go, the sweet sweet key magic, vim Vim. I receive it."]


def test_a_word_quoted_alone_cut_short_or_in_a_paragraph_about_misspelling_is_suggested(tmp_path):
    body = ("<p>The best part is that you “plog” at your own pace, but that has noth… oh well.</p>"
            "<p>I misspelled :post as :poost, and the buton is still there.</p>")
    _, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == [] and {"plog", "noth", "buton"} <= set(suggested(ctx))


def test_a_slip_that_begins_no_word_is_fixed_before_an_ellipsis(tmp_path):
    """Text broken off may cut a word short ("noth…"), but "simular" is the start of no word: a slip, fixed."""
    _, ctx = run(spelling, book(post(tmp_path, "<p>She held me, or something simular… I left.</p>")))
    assert fixes(ctx) == [("simular", "similar")]


def test_a_doubling_on_the_wrong_letter_is_a_slip_however_often_the_web_writes_it(tmp_path):
    """"innapropriate" is on the web often enough to pass for someone's word, but it only doubles the wrong letter; the
    typo beside it is no word in another language either."""
    body = "<p>I was disciplined for wanting innapropriate therapuetic relationships.</p>"
    _, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == [("innapropriate", "inappropriate"), ("therapuetic", "therapeutic")]


def test_one_of_the_commonest_phrases_run_together_is_a_slip_however_many_write_it_and_a_name_run_together_is_not(tmp_path):
    """Two readers writing "thankyou" do not make it the book's word ("thank you" is one of English's commonest pairs);
    two writing "myspace" or "stuffit" do: their pairs are far rarer, and they are names."""
    comments = (comment(1, "Runa", "Thankyou so much for this.") + comment(2, "Ravi", "We all say thankyou for this post.")
                + comment(3, "Runa", "I found you on myspace and use stuffit.")
                + comment(4, "Ravi", "My myspace page links here, and stuffit too."))
    _, ctx = run(spelling, book(post(tmp_path, "<p>A post.</p>", comments)))
    assert fixes(ctx) == [("Thankyou", "Thank you"), ("thankyou", "thank you")]


def test_a_misspelling_the_code_names_is_the_books_own(tmp_path):
    """A property the code names (":nam", a common misspelling of "name") is the book's own word in its prose; a
    misspelling in a code block's comment makes no word the book's."""
    body = ("<p>class Post &lt; ActiveRecord::Base<br/>validates_presence_of :nam<br/>end</p>"
            "<p>Nam? I don’t see a nam field. I recieve it.</p><pre># recieve the data</pre>")
    _, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == [("recieve", "receive")]


def test_a_dropped_g_is_only_suggested(tmp_path):
    """Speech drops its g as often as a typist does ("she is nothin but"), with or without the apostrophe."""
    _, ctx = run(spelling, book(post(tmp_path, "<p>She is nothin but trouble, and I was sittin in my room.</p>")))
    assert fixes(ctx) == [] and {"nothin", "sittin"} <= set(suggested(ctx))


def test_the_blocks_a_book_does_not_own_are_only_suggested(tmp_path):
    """A quotation is another's words and a picture's description often its file's name: suggested, never changed."""
    body = "<blockquote><p>We recieve it daily.</p></blockquote><figure><img src='x.png' alt='stil wetter'/></figure>"
    edited, ctx = run(spelling, book(post(tmp_path, body)))
    assert fixes(ctx) == [] and "recieve" in suggested(ctx)
    assert [b.kind for ch in edited.chapters() for b in ch.body] == [BlockKind.QUOTE, BlockKind.IMAGE]


def test_cspells_lists_are_compiled_into_terms_and_names():
    """The vendored lists, read directly: every entry that is one word is a term (any case) or a name."""
    terms = lexicon.terms()
    for folder in sorted(lexicon.CSPELL.iterdir()):
        if not folder.is_dir():
            continue
        assert (folder / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")
        for path in folder.glob("*.txt*"):
            text = (__import__("gzip").decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()).decode()
            entries = [w.strip().lower() for w in text.splitlines() if lexicon.TERM.fullmatch(w.strip())]
            check = terms.name if folder.name in lexicon.NAME_LISTS else terms.term
            assert entries and all(check(w) for w in entries), path
    assert terms.term("ncurses") and terms.term("stdout") and terms.term("dlls") and not terms.term("teh")
    assert terms.name("withrow") and not terms.term("withrow")


def test_the_real_spelling_verdicts_are_one_judgement_per_fix():
    """benchmarks/real-spelling-verdicts.tsv: right, wrong or code, once per fix (blog, chapter, before, after, context)."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "real-spelling-verdicts.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rows and all(len(r) == 6 and r[0] in ("right", "wrong", "code") and "[[" in r[5] for r in rows)
    assert len({tuple(r[1:]) for r in rows}) == len(rows)
