"""Reproducible EPUBs: the same sources give the same bytes, whatever the clock or the machine's checkout."""

from __future__ import annotations

import datetime
import hashlib
import subprocess
import sys
import zipfile

from bookforge.timestamp import source_date
from conftest import PROJECT


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_zip_starts_with_a_stored_mimetype_and_lists_the_rest_sorted_with_one_timestamp(built):
    with zipfile.ZipFile(built.epub) as archive:
        entries = archive.infolist()
    first, rest = entries[0], entries[1:]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert [e.filename for e in rest] == sorted(e.filename for e in rest)
    assert all(e.compress_type == zipfile.ZIP_DEFLATED for e in rest)
    assert len({e.date_time for e in entries}) == 1
    assert {(e.external_attr >> 16, e.create_system) for e in entries} == {(0o100644, 3)}


def test_two_builds_of_the_same_sources_are_byte_identical(built, tmp_path):
    again = subprocess.run([sys.executable, "-m", "bookforge", "build", "-C", str(PROJECT), "-o", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sha256(tmp_path / built.epub.name) == sha256(built.epub)


def test_source_date_epoch_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date(tmp_path, datetime.date(2020, 1, 2)) == datetime.datetime(2023, 11, 14, 22, 13, 20,
                                                                                  tzinfo=datetime.timezone.utc)


def test_then_the_last_commit_then_the_books_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date(tmp_path, datetime.date(2020, 1, 2)) == datetime.datetime(2020, 1, 2, tzinfo=datetime.timezone.utc)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "book.yaml").write_text("title: T\n", encoding="utf-8")
    subprocess.run(git + ["add", "book.yaml"], cwd=tmp_path, check=True)
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-03-04T05:06:07Z")
    subprocess.run(git + ["commit", "-q", "-m", "x"], cwd=tmp_path, check=True)
    (tmp_path / "book.yaml").touch()  # file times must not matter
    assert source_date(tmp_path, datetime.date(2020, 1, 2)) == datetime.datetime(2024, 3, 4, 5, 6, 7,
                                                                                  tzinfo=datetime.timezone.utc)
