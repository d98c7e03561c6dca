"""Accessibility metadata for the stores, derived from what the EPUB really contains.

Nothing here is claimed from habit: the access modes follow from the images found, the features
from the navigation and markup found, and the conformance claim is made only when every
requirement this module can check holds (schema.org's accessibility vocabulary, as the
European Accessibility Act and the stores expect it).  The cover image does not count as
content, as DAISY's guidance on access modes advises: a book of text with a cover is textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
HEADINGS = [f"{{{XHTML}}}h{level}" for level in range(1, 7)]


@dataclass(frozen=True)
class Facts:
    """What the packaged documents hold, as far as accessibility metadata needs to know."""

    images: int  # in the content: the cover image is not counted
    images_described: int  # with a non-empty alt text
    headings: bool
    languages: bool  # every document declares its language
    media: bool  # audio or video
    toc: bool
    page_list: bool


@dataclass(frozen=True)
class Profile:
    access_modes: tuple[str, ...]
    sufficient: tuple[str, ...]  # each a comma-separated set of modes that suffices on its own
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    conforms_to: str | None

    def properties(self) -> list[tuple[str, str]]:
        """(property, value) pairs for the package's <meta> elements."""
        pairs = [("schema:accessMode", mode) for mode in self.access_modes]
        pairs += [("schema:accessModeSufficient", modes) for modes in self.sufficient]
        pairs += [("schema:accessibilityFeature", feature) for feature in self.features]
        pairs += [("schema:accessibilityHazard", hazard) for hazard in self.hazards]
        pairs.append(("schema:accessibilitySummary", self.summary))
        if self.conforms_to:
            pairs.append(("dcterms:conformsTo", self.conforms_to))
        return pairs


def facts(documents: list[etree._Element], toc: bool, page_list: bool) -> Facts:
    images = [img for doc in documents for img in doc.iter(f"{{{XHTML}}}img") if img.get("role") != "doc-cover"]
    return Facts(
        images=len(images),
        images_described=sum(1 for img in images if (img.get("alt") or "").strip()),
        headings=any(doc.find(f".//{tag}") is not None for doc in documents for tag in HEADINGS),
        languages=all(doc.get("lang") and doc.get("{http://www.w3.org/XML/1998/namespace}lang") for doc in documents),
        media=any(doc.find(f".//{{{XHTML}}}{tag}") is not None for doc in documents for tag in ("audio", "video")),
        toc=toc,
        page_list=page_list,
    )


def profile(found: Facts) -> Profile:
    described = found.images == found.images_described
    modes = ("textual", "visual") if found.images else ("textual",)
    sufficient = (("textual",) if described else ()) + (("textual,visual",) if found.images else ())
    features = [name for name, present in (
        ("structuralNavigation", found.headings), ("tableOfContents", found.toc), ("readingOrder", True),
        ("alternativeText", found.images_described > 0),
        ("printPageNumbers", found.page_list), ("pageNavigation", found.page_list),
    ) if present]
    conforms = described and found.headings and found.languages and found.toc and found.page_list and not found.media
    return Profile(modes, sufficient, tuple(features),
                   ("unknown",) if found.media else ("none",), _summary(found, described),
                   CONFORMANCE if conforms else None)


def _summary(found: Facts, described: bool) -> str:
    said = ["This publication is text that reading systems can restyle, enlarge and read aloud."]
    if found.toc and found.headings:
        said.append("A table of contents and headings lead to every part and chapter.")
    if found.page_list:
        said.append("Page-break markers and a page list give the page numbers of the print edition.")
    if found.images:
        said.append("Every image has a text alternative." if described else "Some images have no text alternative.")
    said.append("It has no sound, video or flashing content." if not found.media else "It contains audio or video.")
    return " ".join(said)
