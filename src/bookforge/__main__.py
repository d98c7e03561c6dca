"""Allow ``python -m bookforge``."""

from bookforge.cli import run

run()
