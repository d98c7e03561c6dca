"""bookforge: turn a series of blog posts and their reader comments into a book (EPUB and print PDF)."""

__version__ = "0.1.0"
