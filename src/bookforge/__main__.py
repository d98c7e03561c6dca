"""Allow ``python -m bookforge``."""

from bookforge.cli import main

main()
