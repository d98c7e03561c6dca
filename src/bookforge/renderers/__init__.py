"""Renderers turn the intermediate HTML into a finished book, each in its own format."""
