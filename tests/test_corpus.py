"""Real blogs in, a book out: small public WordPress exports imported and built with the defaults, measured as
benchmarks/corpus.py measures the whole corpus (the exports are byte-for-byte as their owners published them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "benchmarks"))
import corpus  # noqa: E402  (the benchmark's own measure, so the tests and the figures can't disagree)

EXPORTS = sorted((PROJECT / "tests/fixtures/corpus").glob("*.xml"))


@pytest.fixture(scope="module", params=EXPORTS, ids=[e.stem.split("--")[0] for e in EXPORTS])
def measured(request, tmp_path_factory) -> corpus.Result:
    return corpus.measure(request.param, tmp_path_factory.mktemp("corpus") / request.param.stem)


def test_the_blog_imports_and_builds_into_a_book_epubcheck_accepts(measured):
    assert measured.built, measured.error
    assert measured.epubcheck == (0, 0), measured.epubcheck_first
    assert measured.pages > 0 and measured.pages % 2 == 0


def test_every_post_and_approved_comment_is_in_the_book_or_in_a_report(measured):
    in_book, total = measured.posts
    assert in_book + measured.posts_left_out == total > 0
    kept, removed, approved = measured.comments
    assert kept + removed == approved


def test_no_shortcode_text_and_every_block_of_code_whole(measured):
    assert measured.shortcodes_left == 0
    assert measured.code[0] == measured.code[1]


def test_every_post_keeps_its_words(measured):
    assert measured.posts_under_99 == 0, f"{measured.lowest_post}: {measured.lowest_share:.1%}"
