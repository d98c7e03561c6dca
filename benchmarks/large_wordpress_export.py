"""Import a large generated WordPress export and print how long it took and the peak memory it used.

    python benchmarks/large_wordpress_export.py [--posts 5000] [--kb 40] [--keep DIR]

The export is written first (5,000 posts of about 40 KB each with threaded comments, ~200 MB by
default; classic and block-editor posts, captions, galleries and embeds among them), then
`bookforge import wordpress` runs on it in a child process whose peak resident set size is
read from the operating system.  The figures show that the importer streams the export:
its peak memory stays flat as the export grows.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("attachment therapy session feeling trust shame longing reader question answer story week "
         "moment change heal avoid emotion self child mother memory safe").split()


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return f"{text[:40]} <em>{text[40:60]}</em> {text[60:]}"


def post(rng: random.Random, number: int, size: int) -> str:
    blocks = number % 2 == 0
    parts, total = [], 0
    while total < size:
        text = paragraph(rng, 60)
        parts.append(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->" if blocks else text)
        total += len(parts[-1])
    if number % 5 == 0:
        parts.append('[caption id="attachment_1" width="300"]<img src="https://blog.example/wp-content/uploads/2020/01/p.jpg" '
                     'alt="A picture" /> A caption[/caption]')
    if number % 7 == 0:
        parts.append("[embed]https://www.youtube.com/watch?v=abc[/embed]")
    if number % 11 == 0:
        parts.append("<!-- wp:latest-posts /-->")
    comments = []
    for c in range(1, 6):
        comment_id = number * 10 + c
        parent = 0 if c in (1, 4) else comment_id - 1
        comments.append(f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id><wp:comment_author><![CDATA[Reader {c}]]></wp:comment_author>
<wp:comment_author_email>r{c}@example.com</wp:comment_author_email><wp:comment_date_gmt>2020-01-02 0{c}:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{paragraph(rng, 40)}]]></wp:comment_content><wp:comment_approved>{"1" if c != 5 else "0"}</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>""")
    year = 2005 + number % 20
    return f"""<item><title>Post {number}</title><link>https://blog.example/{year}/01/post-{number}/</link><dc:creator>author</dc:creator>
<content:encoded><![CDATA[{chr(10).join(parts) if blocks else (chr(10) * 2).join(parts)}]]></content:encoded>
<wp:post_id>{number}</wp:post_id><wp:post_date_gmt>{year}-01-{1 + number % 28:02d} 10:00:00</wp:post_date_gmt>
<wp:post_name>post-{number}</wp:post_name><wp:status>{"publish" if number % 50 else "draft"}</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="notes"><![CDATA[Notes]]></category>
{chr(10).join(comments)}
</item>
"""


def write_export(path: Path, posts: int, kb: int) -> None:
    rng = random.Random(13)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/">\n<channel>\n'
                  "<title>A Large Blog</title><link>https://blog.example</link>\n"
                  "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>author</wp:author_login>"
                  "<wp:author_email>author@blog.example</wp:author_email><wp:author_display_name>The Author</wp:author_display_name></wp:author>\n")
        for number in range(1, posts + 1):
            out.write(post(rng, number, kb * 1024))
        out.write("</channel>\n</rss>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--kb", type=int, default=40, help="the size of each post's text, in KB")
    parser.add_argument("--keep", type=Path, default=None, help="write the export and the project here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bookforge-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / "export.xml"
    write_export(export, args.posts, args.kb)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "bookforge", "import", "wordpress", str(export), "-C", str(folder / "book")],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode:
        sys.exit(run.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"export: {args.posts} posts, {export.stat().st_size / 1e6:.0f} MB")
    print(run.stdout.splitlines()[0])
    print(f"import: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(folder)], check=True)


if __name__ == "__main__":
    main()
