"""Importers: a blog's own export made into a project's chapters and book.yaml (``bookforge import``)."""
