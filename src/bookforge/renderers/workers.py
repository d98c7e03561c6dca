"""The server the layout workers are forked from (multiprocessing's ``forkserver``), which imports WeasyPrint
(``engine``) as soon as it starts.

This module imports nothing heavy, so ``bookforge build`` starts the server before it imports the rest of
bookforge (``cli``): WeasyPrint's import (about 0.9 s of CPU with the hyphenation patterns) runs on another
core while the build's own process imports the pipeline, reads the book and edits it, and is over before
the editorial pass shares its spelling with a second process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager

ENGINE = ("bookforge.renderers.compositor", "bookforge.renderers.engine")  # what the workers' server imports


def process_context():
    """Workers forked from a server that has WeasyPrint imported and nothing else of the build: they start at
    once and carry none of the build's memory (the Book, the spelling data).  (Without a fork server, as on
    Windows, each worker is a fresh Python that imports WeasyPrint itself.)"""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(ENGINE))  # before the server starts; it keeps the list it started with
    return context


def start_engine() -> None:
    """Start the server now, if it is not running: it stays up until ``engine_started`` stops it."""
    if process_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


@contextmanager
def engine_started() -> Iterator[None]:
    """Meanwhile, keep the server running (started now, unless ``start_engine`` started it already).  At the end it
    is stopped and reaped, so its workers' CPU time and memory count as the build's (``wait4``, ``getrusage``)."""
    if process_context().get_start_method() != "forkserver":
        yield
        return
    from multiprocessing import forkserver

    start_engine()
    try:
        yield
    finally:
        forkserver._forkserver._stop()  # the standard library's own way to stop and reap it (its tests use it)
