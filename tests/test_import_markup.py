"""A WordPress post's markup made clean: one test per shortcode and per kind of Gutenberg block."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from bookforge.importers.markup import Picture, Site, clean

SITE_URL = "https://blog.example/wp-content/uploads/2020/01"


@pytest.fixture
def site(tmp_path) -> Site:
    """An export folder holding one of the blog's pictures (uploads/2020/01/here.jpg) but not the other."""
    (tmp_path / "uploads/2020/01").mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(tmp_path / "uploads/2020/01/here.jpg")
    pictures = {"11": Picture(f"{SITE_URL}/here.jpg", "Here"), "12": Picture(f"{SITE_URL}/gone.jpg", "Gone")}
    posts = {"blog.example/2020/01/other-post": "other-post.html"}
    return Site(tmp_path, tmp_path / "project/chapters/images", pictures, {"7": ("11", "12")},
                lambda url: posts.get(re.sub(r"^https?://|/$", "", url)))


def no_shortcode_or_block_left(html: str) -> None:
    assert not re.search(r"\[/?(caption|wp_caption|gallery|embed|audio|video|playlist)\b", html)
    assert "<!--" not in html and "wp:" not in html


# -- shortcodes ----------------------------------------------------------------------------------------

def test_caption_becomes_a_figure_with_its_caption(site):
    html, outcome = clean(f'[caption id="attachment_1" width="300"]<a href="{SITE_URL}/here.jpg"><img src="{SITE_URL}/here.jpg" '
                          f'alt="A red square" /></a> A red square, seen close.[/caption]', site)
    no_shortcode_or_block_left(html)
    assert html == '<figure><img alt="A red square" src="images/here.jpg"><figcaption>A red square, seen close.</figcaption></figure>'
    assert outcome.images == ["here.jpg"] and (site.images_dir / "here.jpg").is_file()


def test_caption_given_as_an_attribute_and_a_missing_picture_keeps_its_alt_text(site):
    html, outcome = clean(f'[caption caption="Far away"]<img src="{SITE_URL}/gone.jpg" alt="A blue circle" />[/caption]', site)
    no_shortcode_or_block_left(html)
    assert f'<img alt="A blue circle" src="{SITE_URL}/gone.jpg">' in html and "<figcaption>Far away</figcaption>" in html
    assert outcome.missing_images == [(f"{SITE_URL}/gone.jpg", "not found next to the export")]


def test_gallery_with_ids_shows_each_picture_and_lists_the_missing_one(site):
    html, outcome = clean('Before.\n\n[gallery ids="11,12" columns="2"]\n\nAfter.', site)
    no_shortcode_or_block_left(html)
    assert html.count("<figure>") == 2 and 'src="images/here.jpg"' in html and 'alt="Gone"' in html
    assert outcome.missing_images == [(f"{SITE_URL}/gone.jpg", "not found next to the export")]


def test_gallery_without_ids_shows_the_posts_own_attachments(site):
    html, _ = clean("[gallery]", site, post_id="7")
    assert html.count("<figure>") == 2


def test_gallery_with_no_pictures_is_a_recorded_removal(site):
    html, outcome = clean('[gallery ids="99"]', site)
    assert html == "" and outcome.removed == ['[gallery] shortcode with no pictures in the export: [gallery ids="99"]']


@pytest.mark.parametrize("shortcode, label, url", [
    ("[embed]https://www.youtube.com/watch?v=abc[/embed]", "See", "https://www.youtube.com/watch?v=abc"),
    ('[audio mp3="https://blog.example/a.mp3"][/audio]', "Listen", "https://blog.example/a.mp3"),
    ('[video src="https://blog.example/v.mp4"]', "Watch", "https://blog.example/v.mp4"),
])
def test_embed_audio_and_video_become_a_link(site, shortcode, label, url):
    html, _ = clean(shortcode, site)
    no_shortcode_or_block_left(html)
    assert html == f'<p>{label}: <a href="{url.replace("&", "&amp;")}">{url}</a></p>'


# -- classic editor text -------------------------------------------------------------------------------

def test_classic_text_gets_paragraphs_from_blank_lines_and_links_to_other_posts_become_chapter_links(site):
    html, _ = clean('One <em>line</em>\nand the next.\n\nSee <a href="https://blog.example/2020/01/other-post/">this</a> '
                    'and <a href="https://elsewhere.example/" onclick="x()">that</a>.<script>alert(1)</script>', site)
    assert html == ('<p>One <em>line</em><br>\nand the next.</p>\n<p>See <a href="other-post.html">this</a> '
                    'and <a href="https://elsewhere.example/">that</a>.</p>')


# -- Gutenberg blocks ----------------------------------------------------------------------------------

STATIC_BLOCKS = {
    "paragraph": ("<!-- wp:paragraph -->\n<p>Some <strong>text</strong>.</p>\n<!-- /wp:paragraph -->", "<p>Some <strong>text</strong>.</p>"),
    "heading": ('<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">A heading</h3>\n<!-- /wp:heading -->', "<h3>A heading</h3>"),
    "list": ("<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>One</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->", "<ul>\n<li>One</li>\n</ul>"),
    "quote": ('<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>Said.</p><cite>Someone</cite></blockquote>\n<!-- /wp:quote -->',
              "<blockquote><p>Said.</p><cite>Someone</cite></blockquote>"),
    "pullquote": ('<!-- wp:pullquote -->\n<figure class="wp-block-pullquote"><blockquote><p>Pulled.</p></blockquote></figure>\n<!-- /wp:pullquote -->',
                  "<figure><blockquote><p>Pulled.</p></blockquote></figure>"),
    "code": ('<!-- wp:code -->\n<pre class="wp-block-code"><code>x = 1\n\ny = 2</code></pre>\n<!-- /wp:code -->', "<pre>x = 1\n\ny = 2</pre>"),
    "preformatted": ('<!-- wp:preformatted -->\n<pre class="wp-block-preformatted">a  b</pre>\n<!-- /wp:preformatted -->', "<pre>a  b</pre>"),
    "verse": ('<!-- wp:verse -->\n<pre class="wp-block-verse">Roses\nare red</pre>\n<!-- /wp:verse -->', "<pre>Roses\nare red</pre>"),
    "image": (f'<!-- wp:image {{"id":11}} -->\n<figure class="wp-block-image"><img src="{SITE_URL}/here.jpg" alt="Red"/>'
              '<figcaption>Red.</figcaption></figure>\n<!-- /wp:image -->', '<figure><img alt="Red" src="images/here.jpg"><figcaption>Red.</figcaption></figure>'),
    "table": ('<!-- wp:table -->\n<figure class="wp-block-table"><table><tbody><tr><td>1</td></tr></tbody></table></figure>\n<!-- /wp:table -->',
              "<figure><table><tbody><tr><td>1</td></tr></tbody></table></figure>"),
    "separator": ('<!-- wp:separator -->\n<hr class="wp-block-separator"/>\n<!-- /wp:separator -->', "<hr>"),
    "columns": ('<!-- wp:columns -->\n<div class="wp-block-columns"><!-- wp:column -->\n<div class="wp-block-column"><!-- wp:paragraph -->\n'
                "<p>Left</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column --></div>\n<!-- /wp:columns -->", "<p>Left</p>"),
    "group": ('<!-- wp:group -->\n<div class="wp-block-group"><!-- wp:group -->\n<div><p>Inner</p></div>\n<!-- /wp:group --></div>\n<!-- /wp:group -->',
              "<p>Inner</p>"),
    "cover": ('<!-- wp:cover -->\n<div class="wp-block-cover"><span class="bg"></span><div class="inner"><!-- wp:paragraph -->\n'
              "<p>Over the picture</p>\n<!-- /wp:paragraph --></div></div>\n<!-- /wp:cover -->", "<p>Over the picture</p>"),
    "media-text": ('<!-- wp:media-text -->\n<div class="wp-block-media-text"><figure><img src="https://x.example/m.png" alt="M"/></figure>'
                   '<div><p>Beside it</p></div></div>\n<!-- /wp:media-text -->', '<figure><img alt="M" src="https://x.example/m.png"></figure><div><p>Beside it</p></div>'),
    "html": ('<!-- wp:html -->\n<marquee onmouseover="x()">Custom <b>HTML</b></marquee>\n<!-- /wp:html -->', "Custom <b>HTML</b>"),
    "shortcode": ('<!-- wp:shortcode -->\n[gallery ids="11"]\n<!-- /wp:shortcode -->', '<figure><img alt="Here" src="images/here.jpg"></figure>'),
}


@pytest.mark.parametrize("kind", STATIC_BLOCKS)
def test_a_static_block_keeps_its_markup_without_its_comments(site, kind):
    block, expected = STATIC_BLOCKS[kind]
    html, outcome = clean(block, site)
    no_shortcode_or_block_left(html)
    assert expected in html
    assert outcome.removed == []


SITE_BLOCKS = {
    "latest-posts": ("<!-- wp:latest-posts /-->", "wp:latest-posts block (made by the site when the page is shown)"),
    "archives": ('<!-- wp:archives {"displayAsDropdown":true} /-->', "wp:archives block (made by the site when the page is shown)"),
    "search": ('<!-- wp:search {"label":"Search"} /-->', "wp:search block (made by the site when the page is shown)"),
    "buttons": ('<!-- wp:buttons -->\n<div class="wp-block-buttons"><!-- wp:button -->\n<div class="wp-block-button"><a class="wp-block-button__link">'
                "Buy now</a></div>\n<!-- /wp:button --></div>\n<!-- /wp:buttons -->", "wp:button block: Buy now"),
    "social-links": ('<!-- wp:social-links -->\n<ul class="wp-block-social-links"><!-- wp:social-link {"url":"https://x.example","service":"x"} /-->'
                     "</ul>\n<!-- /wp:social-links -->", "wp:social-links block: (no text)"),
    "spacer": ('<!-- wp:spacer -->\n<div style="height:100px" aria-hidden="true" class="wp-block-spacer"></div>\n<!-- /wp:spacer -->', "wp:spacer block: (no text)"),
    "more": ("<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->", "wp:more block: (no text)"),
    "query": ('<!-- wp:query -->\n<div class="wp-block-query"><!-- wp:post-title /--></div>\n<!-- /wp:query -->', "wp:query block: (no text)"),
}


@pytest.mark.parametrize("kind", SITE_BLOCKS)
def test_a_block_the_site_makes_when_a_page_is_shown_is_a_recorded_removal(site, kind):
    block, recorded = SITE_BLOCKS[kind]
    html, outcome = clean(f"<!-- wp:paragraph -->\n<p>Kept.</p>\n<!-- /wp:paragraph -->\n{block}", site)
    no_shortcode_or_block_left(html)
    assert html == "<p>Kept.</p>"
    assert recorded in outcome.removed


MEDIA_BLOCKS = {
    "embed": ('<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video"} -->\n<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
              "https://www.youtube.com/watch?v=abc\n</div><figcaption>A talk</figcaption></figure>\n<!-- /wp:embed -->",
              '<p>See: <a href="https://www.youtube.com/watch?v=abc">https://www.youtube.com/watch?v=abc</a></p><p>A talk</p>'),
    "core-embed/twitter": ('<!-- wp:core-embed/twitter {"url":"https://twitter.com/wordpress/status/1"} -->\n<figure><div>\nhttps://twitter.com/wordpress/status/1\n</div></figure>\n'
                           "<!-- /wp:core-embed/twitter -->", '<p>See: <a href="https://twitter.com/wordpress/status/1">'),
    "audio": ('<!-- wp:audio -->\n<figure class="wp-block-audio"><audio controls src="https://blog.example/a.mp3"></audio></figure>\n<!-- /wp:audio -->',
              '<p>Listen: <a href="https://blog.example/a.mp3">https://blog.example/a.mp3</a></p>'),
    "video": ('<!-- wp:video -->\n<figure class="wp-block-video"><video controls src="https://blog.example/v.mp4"></video></figure>\n<!-- /wp:video -->',
              '<p>Watch: <a href="https://blog.example/v.mp4">https://blog.example/v.mp4</a></p>'),
    "file": ('<!-- wp:file -->\n<div class="wp-block-file"><a href="https://blog.example/f.pdf">f</a><a href="https://blog.example/f.pdf" class="wp-block-file__button">'
             "Download</a></div>\n<!-- /wp:file -->", '<p>Download: <a href="https://blog.example/f.pdf">https://blog.example/f.pdf</a></p>'),
}


@pytest.mark.parametrize("kind", MEDIA_BLOCKS)
def test_a_player_or_embed_block_becomes_a_link_and_is_recorded(site, kind):
    block, expected = MEDIA_BLOCKS[kind]
    html, outcome = clean(block, site)
    no_shortcode_or_block_left(html)
    assert expected in html
    assert len(outcome.removed) == 1 and outcome.removed[0].startswith(f"wp:{kind} block")
