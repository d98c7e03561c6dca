"""The source date: when the book's sources last changed, the one timestamp its packages carry.

Never the clock and never a file's modification time, which changes with every clone: the
reproducible-builds convention ``SOURCE_DATE_EPOCH``, else the time of the project's last git
commit, else the book's date from book.yaml, else a fixed day.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

FALLBACK_DAY = datetime.date(2000, 1, 1)


def source_date(project: Path, day: datetime.date | None) -> datetime.datetime:
    """The time the packages are stamped with, in UTC, to the second."""
    seconds = os.environ.get("SOURCE_DATE_EPOCH") or _last_commit(project)
    if seconds:
        return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc)
    return day_start(day)


def day_start(day: datetime.date | None) -> datetime.datetime:
    """Midnight UTC at the start of ``day``, or of a fixed day when there is none."""
    day = day or FALLBACK_DAY
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)


def _last_commit(project: Path) -> str | None:
    """The commit time of the last commit that touched ``project``, if it is inside a git checkout."""
    stamp = git(project, "log", "-1", "--format=%ct", "--", ".")
    return stamp if stamp and stamp.isdigit() else None


def git(root: Path, *args: str) -> str | None:
    """What a git command prints in ``root``, stripped; None where git or a checkout is missing."""
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.strip() if run.returncode == 0 else None
