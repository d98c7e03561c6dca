"""What ``bookforge build`` shows while it works, fed by the pipeline's progress events.

On a terminal a live display (rich) shows every stage as it runs with its clock, and during the
PDF's layout the page WeasyPrint has reached, read from WeasyPrint's own progress log.  When the
output is not a terminal (CI, a pipe, a file) each stage is one plain line with its time, its name
written as it starts.  With ``--quiet`` nothing is shown; errors still go to stderr.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

WEASYPRINT_PROGRESS = "weasyprint.progress"  # WeasyPrint logs each step, and each page it lays out, here
LAYOUT_PAGE = "Step 5 - Creating layout - Page"
WRITING_PDF = "Step 6 - Creating PDF"


def display(quiet: bool, stream: TextIO | None = None):
    """The display that suits the output: nothing when ``quiet``, live on a terminal, else plain lines."""
    stream = stream or sys.stdout
    if quiet:
        return Silent()
    if stream.isatty():
        from rich.console import Console  # only a terminal needs rich: keep it out of the start-up otherwise

        return Live(Console(file=stream))
    return Lines(stream)


class Silent:
    """--quiet: the build says nothing while it works."""

    def __call__(self, event: str, stage: str, seconds: float) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


class Lines(Silent):
    """One plain line per stage: ``  pdf        5.80 s``, its name written (and flushed) as the stage starts."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.running = False

    def __call__(self, event: str, stage: str, seconds: float) -> None:
        if event == "start":
            self.stream.write(f"  {stage:<9}")
        else:
            self.stream.write(f"{seconds:6.2f} s\n")
        self.running = event == "start"
        self.stream.flush()

    def __exit__(self, kind, *exc) -> bool:
        if kind is not None and self.running:
            self.stream.write("failed\n")  # ends the line of the stage that failed
            self.stream.flush()
        return False


class Live(Silent):
    """A live table of the stages on a terminal: a tick and the time of each finished stage, a spinner,
    a running clock and, while the PDF is laid out, the page reached for the running one."""

    def __init__(self, console):
        from rich.live import Live as RichLive

        self.done: list[tuple[str, str, float]] = []  # (mark, stage, seconds)
        self.running: str | None = None
        self.started = 0.0
        self.activity = ""  # what WeasyPrint reports it is doing
        self.passes = 0  # WeasyPrint's passes over the book so far (a wider gutter or a repagination asks for another)
        self.pages = 0
        self.live = RichLive(self, console=console, refresh_per_second=8, transient=False)
        self.listener = _Listener(self)

    def __call__(self, event: str, stage: str, seconds: float) -> None:
        if event == "start":
            self.running, self.started, self.activity, self.passes, self.pages = stage, time.perf_counter(), "", 0, 0
        else:
            self.done.append(("✓", stage, seconds))
            self.running = None
        self.live.refresh()

    def page_laid_out(self, number: int) -> None:
        if number == 1:
            self.passes += 1
        self.pages = number
        again = f" (pass {self.passes})" if self.passes > 1 else ""
        self.activity = f"laying out page {number}{again}"

    def writing_pdf(self) -> None:
        self.activity = f"writing the PDF ({self.pages} pages laid out)"

    def __rich__(self):
        from rich.spinner import Spinner
        from rich.table import Table

        table = Table.grid(padding=(0, 1))
        for mark, stage, seconds in self.done:
            table.add_row(mark, f"{stage:<9}", f"{seconds:6.2f} s", "")
        if self.running:
            table.add_row(Spinner("dots"), f"{self.running:<9}", f"{time.perf_counter() - self.started:6.2f} s",
                          self.activity)
        return table

    def __enter__(self):
        self.listener.attach()
        self.live.start()
        return self

    def __exit__(self, kind, *exc) -> bool:
        if kind is not None and self.running:
            self.done.append(("✗", self.running, time.perf_counter() - self.started))
            self.running = None
        self.live.stop()
        self.listener.detach()
        return False


class _Listener(logging.Handler):
    """Hears WeasyPrint's progress log while the live display is up and passes on the page it lays out."""

    def __init__(self, live: Live):
        super().__init__(logging.INFO)
        self.live = live
        self.logger = logging.getLogger(WEASYPRINT_PROGRESS)
        self.before = (self.logger.level, self.logger.propagate)

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith(LAYOUT_PAGE) and record.args:
            self.live.page_laid_out(record.args[0])
        elif record.msg.startswith(WRITING_PDF):
            self.live.writing_pdf()

    def attach(self) -> None:
        self.before = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False  # the progress log is for this display, not for the console's logging
        self.logger.addHandler(self)

    def detach(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.before[0])
        self.logger.propagate = self.before[1]
