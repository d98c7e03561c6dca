"""``--pictures download`` and ``bookforge pictures fetch``, against a web server of the test's own on 127.0.0.1.

Each test writes a small export whose posts name pictures on ``https://blog.example`` (the blog's address
in the export) and imports it with ``--site`` pointing at the local server, which serves the blog's
``wp-content/uploads/`` folder as the test made it; ``--allow-private`` lets the import reach 127.0.0.1,
and without it the same addresses are refused.  No name but a loopback one resolves (``offline``).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from click.testing import CliRunner

from bookforge import cli
from bookforge.importers import fetch, wordpress
from bookforge.importers.fetch import FetchOptions
from bookforge.importers.wordpress import ImportOptions
from bookforge.model import BlockKind
from bookforge.readers import html as html_reader
from picture_server import encoded, line_art, offline, photograph, serve

BLOG = "https://blog.example"
UPLOADS = f"{BLOG}/wp-content/uploads/2020/01"
HEAD = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>A Blog</title>
<link>{BLOG}</link>
<wp:base_site_url>{BLOG}</wp:base_site_url>
<wp:base_blog_url>{BLOG}</wp:base_blog_url>
"""
FAST = {"read_timeout": 0.5, "connect_timeout": 0.5, "backoff": 0.05, "attempts": 2}


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    offline(monkeypatch)


def export(tmp_path: Path, *contents: str) -> Path:
    items = "".join(
        f"<item><title>Post {n}</title><link>{BLOG}/?p={n}</link><dc:creator>kate</dc:creator>\n"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>\n<wp:post_id>{n}</wp:post_id>"
        f"<wp:post_date_gmt>2020-01-{n:02d} 10:00:00</wp:post_date_gmt><wp:post_name>post-{n}</wp:post_name>"
        f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n"
        for n, content in enumerate(contents, start=1))
    path = tmp_path / "blog.xml"
    path.write_text(HEAD + items + "</channel>\n</rss>\n", encoding="utf-8")
    return path


def uploads(root: Path, **files: bytes) -> None:
    for name, data in files.items():
        path = root / "wp-content/uploads/2020/01" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def jpeg(size: tuple[int, int], seed: int = 1) -> bytes:
    return encoded(photograph(size, seed), "JPEG", quality=85)


def run(tmp_path: Path, export_path: Path, served, allow: bool = True, site: str | None = "", **fetching):
    options = ImportOptions(export_path, tmp_path / "book", pictures="download",
                            site=served.url if site == "" else site,
                            fetch=FetchOptions(allow_private=allow, **{**FAST, **fetching}))
    return wordpress.run(options)


def pictures(tmp_path: Path, post: int = 1) -> list:
    chapter = html_reader.read(tmp_path / f"book/chapters/post-{post}.html", f"chapters/post-{post}.html")
    return [b for b in chapter.body if b.kind is BlockKind.IMAGE]


def size_of(tmp_path: Path, block) -> tuple[int, int]:
    with Image.open(tmp_path / "book" / block.marks[0].value) as picture:
        return picture.size


def test_the_original_is_fetched_behind_a_thumbnail_a_srcset_and_a_size_suffix(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{"full/shore.jpg": jpeg((1600, 1000), 1), "thumbs/shore.jpg": jpeg((300, 188), 1),
                     "tree-300x200.jpg": jpeg((300, 200), 2), "tree-1024x683.jpg": jpeg((1024, 683), 2),
                     "view.jpg": jpeg((2000, 1333), 3), "view-300x200.jpg": jpeg((300, 200), 3)})
    content = (f'<a href="{UPLOADS}/full/shore.jpg"><img src="{UPLOADS}/thumbs/shore.jpg" alt="The shore"/></a>\n\n'
               f'<img src="{UPLOADS}/tree-300x200.jpg" srcset="{UPLOADS}/tree-300x200.jpg 300w, '
               f'{UPLOADS}/tree-1024x683.jpg 1024w" alt="A tree"/>\n\n'
               f'<img src="{UPLOADS}/view-300x200.jpg?w=300" alt="The view"/>')
    with serve(root) as served:
        report = run(tmp_path, export(tmp_path, content), served)
    assert [size_of(tmp_path, b) for b in pictures(tmp_path)] == [(1600, 1000), (1024, 683), (2000, 1333)]
    assert [b.lines[0] for b in pictures(tmp_path)] == ["The shore", "A tree", "The view"]
    assert report.missing_images == [] and report.counts["pictures fetched"] == 3
    assert "/wp-content/uploads/2020/01/thumbs/shore.jpg" not in served.requests  # the original came first
    chapter = (tmp_path / "book/chapters/post-1.html").read_text(encoding="utf-8")
    assert 'src="images/shore.jpg"' in chapter and "data-sources" not in chapter and BLOG not in chapter.split("<body>")[1]


def test_every_failure_is_a_missing_picture_with_its_alt_text_and_its_reason(tmp_path):
    root = tmp_path / "site"
    big = jpeg((1200, 900)) + b"\0" * 200_000
    uploads(root, **{"big.jpg": big, "page.jpg": b"<!DOCTYPE html><html><body>Moved</body></html>",
                     "good.jpg": jpeg((300, 200))})

    def slow(handler):
        time.sleep(3)
        handler.send_error(500)

    def to_file(handler):
        handler.send_response(302)
        handler.send_header("Location", "file:///etc/passwd")
        handler.end_headers()

    def unsized(handler):  # no Content-Length: the cap is kept while reading
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"\xff\xd8" + b"\0" * 300_000)
        handler.close_connection = True

    names = ["gone.jpg", "slow.jpg", "big.jpg", "unsized.jpg", "page.jpg", "elsewhere.jpg", "good.jpg"]
    content = "\n\n".join(f'<img src="{UPLOADS}/{name}" alt="Picture {name}"/>' for name in names)
    with serve(root) as served:
        served.routes.update({"/wp-content/uploads/2020/01/slow.jpg": slow,
                              "/wp-content/uploads/2020/01/elsewhere.jpg": to_file,
                              "/wp-content/uploads/2020/01/unsized.jpg": unsized})
        report = run(tmp_path, export(tmp_path, content), served, size_max=100_000)
    reasons = {m["url"].rsplit("/", 1)[1]: m["reason"] for m in report.missing_images}
    assert reasons == {
        "gone.jpg": "not found (HTTP 404)",
        "slow.jpg": "timed out (no data for 0.5 s)",
        "big.jpg": f"too large: {len(big):,} bytes, more than the 100,000 a picture may have",
        "unsized.jpg": "too large: more than the 100,000 bytes a picture may have",
        "page.jpg": "not a picture a book can hold: not a picture that can be read: cannot identify image file "
                    f"'{tmp_path}/book/chapters/images/" + reasons["page.jpg"].rsplit("/", 1)[1],
        "elsewhere.jpg": "redirected to file:///etc/passwd, which is not an http or https address"}
    assert report.pictures.counts() | {"requests": 0} == {"named": 7, "fetched": 1, "already there": 0, "failed": 6,
                                                          "too large": 2, "files": 1, "requests": 0}
    assert served.count("/wp-content/uploads/2020/01/slow.jpg") == 2  # a timeout is tried again, once here
    assert [b.lines[0] for b in pictures(tmp_path)] == [f"Picture {name}" for name in names]
    assert [bool(b.marks) for b in pictures(tmp_path)] == [False] * 6 + [True]
    assert sorted(p.name for p in (tmp_path / "book/chapters/images").iterdir()) == ["good.jpg", "sources.json"]
    saved = json.loads((tmp_path / "book/pictures-report.json").read_text(encoding="utf-8"))
    assert {m["url"].rsplit("/", 1)[1] for m in saved["missing"]} == set(reasons)


def test_a_second_run_fetches_nothing(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{"a.jpg": jpeg((900, 600)), "b.png": encoded(line_art((500, 300)), "PNG"),
                     "page.jpg": b"<html>not a picture</html>"})
    content = (f'<img src="{UPLOADS}/a-300x200.jpg" alt="A"/>\n\n<img src="{UPLOADS}/b.png" alt="B"/>\n\n'
               f'<img src="{UPLOADS}/gone.jpg" alt="Gone"/>\n\n<img src="{UPLOADS}/page.jpg" alt="Page"/>')
    path = export(tmp_path, content, f'<img src="{UPLOADS}/a.jpg?w=604" alt="A again"/>')
    with serve(root) as served:
        first = run(tmp_path, path, served)
        asked = len(served.requests)
        (tmp_path / "book/chapters/post-2.html").unlink()  # imported again: its picture is known by its address
        (tmp_path / "book/chapters/post-1.html").write_text(
            (tmp_path / "book/chapters/post-1.html").read_text(encoding="utf-8").replace("images/b.png", f"{UPLOADS}/b.png"),
            encoding="utf-8")  # and one pointed at the web again
        listed = (tmp_path / "book/book.yaml").read_text(encoding="utf-8")
        second = run(tmp_path, path, served)
        assert len(served.requests) == asked  # nothing fetched: not a picture, not a failure, not robots.txt
    assert first.pictures.counts()["fetched"] == 3 and first.pictures.counts()["failed"] == 2
    assert second.pictures.counts() == {"named": 4, "fetched": 0, "already there": 2, "failed": 2, "too large": 0,
                                        "files": 2, "requests": 0}
    assert [p.reason for p in second.pictures.failed] == ["not found (HTTP 404) (in an earlier run)",
                                                            "not a picture a book can hold: not a picture that can be "
                                                            + first.missing_images[1]["reason"].split("can be ", 1)[1]
                                                            + " (in an earlier run)"]
    assert [bool(b.marks) for b in pictures(tmp_path, 2)] == [True]
    assert (tmp_path / "book/book.yaml").read_text(encoding="utf-8") == listed  # post-2 is listed once still
    assert second.problems == []


def test_without_allow_private_no_request_reaches_a_private_or_loopback_address(tmp_path, monkeypatch):
    root = tmp_path / "site"
    uploads(root, **{"a.jpg": jpeg((900, 600))})
    real = fetch.resolve
    monkeypatch.setattr(fetch, "resolve", lambda host, port: real("127.0.0.1", port) if host == "pictures.example"
                        else real(host, port))
    with serve(root) as served:
        port = served.url.rsplit(":", 1)[1]
        named = [f"{UPLOADS}/a.jpg", f"http://localhost:{port}/a.jpg",
                 f"http://pictures.example:{port}/a.jpg", "http://169.254.169.254/latest/meta-data/x.jpg",
                 "http://10.0.0.1/x.png", "http://[::ffff:127.0.0.1]/x.png"]
        content = "\n\n".join(f'<img src="{url}" alt="P{n}"/>' for n, url in enumerate(named))
        report = run(tmp_path, export(tmp_path, content), served, allow=False)
        assert served.requests == []
        allowed = run(tmp_path / "again", export(tmp_path, f'<img src="{UPLOADS}/a.jpg" alt="A"/>'), served)
        assert served.requests == ["/robots.txt", "/wp-content/uploads/2020/01/a.jpg"]  # the same address, allowed
    assert allowed.missing_images == []
    suffix = "; bookforge fetches only from the public Internet unless --allow-private is given"
    assert [m["reason"] for m in report.missing_images] == [
        "refused: 127.0.0.1 is a loopback address" + suffix, "refused: localhost is 127.0.0.1, a loopback address" + suffix,
        "refused: pictures.example is 127.0.0.1, a loopback address" + suffix,
        "refused: 169.254.169.254 is a link-local address" + suffix, "refused: 10.0.0.1 is a private address" + suffix,
        "refused: ::ffff:127.0.0.1 is a loopback address" + suffix]


def test_a_redirect_hop_to_a_private_address_is_refused_where_it_connects(tmp_path, monkeypatch):
    """The first address passes the guard (this test lets 127.0.0.1 pass for public); the hop to 127.0.0.2 does not."""
    root = tmp_path / "site"
    uploads(root, **{"a.jpg": jpeg((900, 600))})
    real = fetch.off_the_internet
    monkeypatch.setattr(fetch, "off_the_internet", lambda address: "" if address == "127.0.0.1" else real(address))

    def hop(handler):
        handler.send_response(301)
        handler.send_header("Location", f"http://127.0.0.2:{handler.server.server_address[1]}/wp-content/uploads/2020/01/a.jpg")
        handler.end_headers()

    with serve(root) as served:
        served.routes["/wp-content/uploads/2020/01/moved.jpg"] = hop
        report = run(tmp_path, export(tmp_path, f'<img src="{UPLOADS}/moved.jpg" alt="Moved"/>'), served, allow=False)
    assert [m["reason"] for m in report.missing_images] == [
        "refused: 127.0.0.2 is a loopback address; bookforge fetches only from the public Internet unless "
        "--allow-private is given"]
    assert served.requests == ["/robots.txt", "/wp-content/uploads/2020/01/moved.jpg"]


def test_robots_txt_is_obeyed_and_the_user_agent_says_who_asks(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{"a.jpg": jpeg((900, 600)), "private/b.jpg": jpeg((900, 600), 2)})
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-content/uploads/2020/01/private/\n", encoding="utf-8")
    agents = []

    def picture(handler):
        agents.append(handler.headers["User-Agent"])
        data = (root / "wp-content/uploads/2020/01/a.jpg").read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    content = f'<img src="{UPLOADS}/a.jpg" alt="A"/>\n\n<img src="{UPLOADS}/private/b.jpg" alt="B"/>'
    with serve(root) as served:
        served.routes["/wp-content/uploads/2020/01/a.jpg"] = picture
        report = run(tmp_path, export(tmp_path, content), served)
    assert [m["reason"] for m in report.missing_images] == ["the site's robots.txt does not allow it"]
    assert served.count("/wp-content/uploads/2020/01/private") == 0
    assert agents and agents[0].startswith("bookforge/")


def test_a_busy_server_is_asked_again_after_its_retry_after_and_no_host_gets_more_than_two_at_once(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{f"p{n}.jpg": jpeg((400, 300), n) for n in range(8)})
    busy, lock, at_once = {"left": 1}, threading.Lock(), {"now": 0, "most": 0}

    def throttled(handler):
        with lock:
            first, busy["left"] = busy["left"] > 0, busy["left"] - 1
        if first:
            handler.send_response(503)
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        counted(handler, "p0.jpg")

    def counted(handler, name):
        with lock:
            at_once["now"] += 1
            at_once["most"] = max(at_once["most"], at_once["now"])
        time.sleep(0.1)
        data = (root / "wp-content/uploads/2020/01" / name).read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        with lock:
            at_once["now"] -= 1

    content = "\n\n".join(f'<img src="{UPLOADS}/p{n}.jpg" alt="P{n}"/>' for n in range(8))
    with serve(root) as served:
        served.routes["/wp-content/uploads/2020/01/p0.jpg"] = throttled
        for n in range(1, 8):
            served.routes[f"/wp-content/uploads/2020/01/p{n}.jpg"] = lambda handler, n=n: counted(handler, f"p{n}.jpg")
        started = time.monotonic()
        report = run(tmp_path, export(tmp_path, content), served)
    assert report.missing_images == [] and served.count("/wp-content/uploads/2020/01/p0.jpg") == 2
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert at_once["most"] == 2


def test_a_picture_on_another_host_is_fetched_from_its_own_address(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{"a.jpg": jpeg((900, 600))})
    with serve(root) as served:
        url = f"{served.url}/wp-content/uploads/2020/01/a.jpg"
        report = run(tmp_path, export(tmp_path, f'<img src="{url}" alt="A"/>\n\n<img src="https://photos.example/b.jpg" alt="B"/>'),
                     served, site=None)
    assert [m["reason"] for m in report.missing_images] == [
        "could not connect: photos.example could not be resolved: Name or service not known (the tests are offline)"]
    assert [bool(b.marks) for b in pictures(tmp_path)] == [True, False]


def test_pictures_none_keeps_only_the_alt_text(tmp_path):
    (tmp_path / "uploads/2020/01").mkdir(parents=True)
    (tmp_path / "uploads/2020/01/a.jpg").write_bytes(jpeg((400, 300)))
    options = ImportOptions(export(tmp_path, f'<img src="{UPLOADS}/a.jpg" alt="A"/>'), tmp_path / "book", pictures="none")
    report = wordpress.run(options)
    assert [m["reason"] for m in report.missing_images] == ["left out with --pictures none (its alt text kept)"]
    assert [(b.lines[0], b.marks) for b in pictures(tmp_path)] == [("A", ())]
    assert not (tmp_path / "book/chapters/images").exists()


def test_pictures_fetch_brings_the_pictures_of_a_project_imported_earlier(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{"full/shore.jpg": jpeg((1600, 1000)), "thumbs/shore.jpg": jpeg((300, 188))})
    wordpress.run(ImportOptions(export(tmp_path, f'<a href="{UPLOADS}/full/shore.jpg"><img src="{UPLOADS}/thumbs/shore.jpg" '
                                                 'alt="The shore"/></a>'), tmp_path / "book"))
    chapter = (tmp_path / "book/chapters/post-1.html").read_text(encoding="utf-8")
    assert f'data-sources="{UPLOADS}/full/shore.jpg"' in chapter  # the import kept the full size's address
    with serve(root) as served:
        result = CliRunner().invoke(cli.main, ["pictures", "fetch", "-C", str(tmp_path / "book"), "--site", served.url,
                                               "--allow-private"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pictures: 1 named on the web; 1 fetched, 0 already there (1 files), "
                                              "0 missing (0 too large; alt text kept); 2 requests to 1 host\n")
    assert [size_of(tmp_path, b) for b in pictures(tmp_path)] == [(1600, 1000)]


def test_site_must_be_a_web_address(tmp_path):
    result = CliRunner().invoke(cli.main, ["pictures", "fetch", "-C", str(tmp_path), "--site", "file:///srv/blog"])
    assert result.exit_code == cli.USAGE_ERROR
    assert "Invalid value for '--site': 'file:///srv/blog' is not an http or https address" in result.stderr


def test_a_picture_written_into_the_post_as_a_data_url_is_kept_as_a_file(tmp_path):
    import base64

    png = encoded(line_art((300, 200)), "PNG")
    good = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    bad = "data:image/jpeg;base64," + base64.b64encode(b"<html>no picture</html>").decode("ascii")
    report = wordpress.run(ImportOptions(export(tmp_path, f'<img src="{good}" alt="A graph"/>\n\n<img src="{bad}"/>'),
                                         tmp_path / "book"))
    blocks = pictures(tmp_path)
    assert [b.lines[0] for b in blocks] == ["A graph", "Image"]
    assert size_of(tmp_path, blocks[0]) == (300, 200) and not blocks[1].marks
    assert blocks[0].marks[0].value.startswith("chapters/images/inline-") and blocks[0].marks[0].value.endswith(".png")
    assert [(m["url"], m["reason"].split(":")[0]) for m in report.missing_images] == [
        (f"data:image/jpeg;base64,… ({len(bad):,} characters)", "not a picture that can be read")]


def test_the_crawl_delay_of_robots_txt_spaces_the_requests(tmp_path):
    root = tmp_path / "site"
    uploads(root, **{f"p{n}.jpg": jpeg((300, 200), n) for n in range(3)})
    (root / "robots.txt").write_text("User-agent: bookforge\nCrawl-delay: 1\n", encoding="utf-8")
    content = "\n\n".join(f'<img src="{UPLOADS}/p{n}.jpg" alt="P{n}"/>' for n in range(3))
    with serve(root) as served:
        started = time.monotonic()
        report = run(tmp_path, export(tmp_path, content), served)
    assert report.missing_images == [] and time.monotonic() - started >= 2.0  # three pictures, a second apart


def test_pictures_are_never_fetched_through_a_symlink_out_of_the_project(tmp_path):
    wordpress.run(ImportOptions(export(tmp_path, f'<img src="{UPLOADS}/a.jpg" alt="A"/>'), tmp_path / "book"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "book/chapters/images").symlink_to(outside)
    result = CliRunner().invoke(cli.main, ["pictures", "fetch", "-C", str(tmp_path / "book")])
    assert result.exit_code == 7 and "error [I-020] chapters/images leads outside the project" in result.stderr
    assert list(outside.iterdir()) == []
