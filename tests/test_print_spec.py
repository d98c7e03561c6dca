"""The print specification: KDP's gutter bands, trim presets and the @page rules made from them,
and what other trims, profiles and PDF variants give on the small case book."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from bookforge.diagnostics import RenderError
from bookforge.pipeline import BuildOptions, build
from bookforge.renderers.print_spec import PrintSpec, Trim, gutter, length_in_points, page_css
from test_manifest import GOOD, errors

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(("pages", "inches"), [
    (24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625), (500, 0.625), (501, 0.75), (700, 0.75),
    (701, 0.875), (900, 0.875),
])
def test_the_gutter_widens_with_the_page_count_in_kdps_bands(pages, inches):
    assert gutter(pages) == inches


def test_lengths_in_inches_millimetres_centimetres_and_points():
    assert [length_in_points(text) for text in ("6in", "152.4mm", "15.24cm", "432pt")] == pytest.approx([432] * 4)
    with pytest.raises(ValueError, match="not a length"):
        length_in_points("6")


def test_page_rules_mirror_the_margins_with_the_gutter_inside():
    css = page_css(PrintSpec(trim=Trim.parse("5.5in", "8.5in")), 0.5)
    assert "size: 396pt 612pt;" in css
    assert "bleed: 0in;" in css and "marks: none;" in css
    assert "@page :left { margin-left: 0.8in; margin-right: 1in; }" in css  # 0.8 outside; 0.5 inside + 0.5 gutter
    assert "@page :right { margin-left: 1in; margin-right: 0.8in; }" in css


def test_offset_printing_has_crop_marks_and_bleed_and_pod_bleeds_only_when_asked():
    assert "marks: crop;" in page_css(PrintSpec(profile="offset"), 0.375)
    assert "bleed: 0.5in;" in page_css(PrintSpec(profile="offset"), 0.375)  # the sheet leaves room for the marks
    assert PrintSpec(profile="offset").bleed_inches == 0.125  # the BleedBox itself
    assert "bleed: 0.125in;" in page_css(PrintSpec(bleed=True), 0.375)
    assert "marks: none;" in page_css(PrintSpec(bleed=True), 0.375)


def test_manifest_print_section_becomes_a_print_spec(tmp_path):
    from bookforge import manifest
    from test_manifest import make_project

    make_project(tmp_path, GOOD + "print:\n  trim: A5\n  profile: offset\n  pdf_variant: pdf/x-4\n")
    spec = manifest.load(tmp_path).print_spec()
    assert (spec.trim.width, spec.trim.height) == pytest.approx((419.53, 595.28), abs=0.01)
    assert (spec.profile, spec.pdf_variant, spec.bleed_inches, spec.crop_marks) == ("offset", "pdf/x-4", 0.125, True)


@pytest.mark.parametrize(("section", "message"), [
    ("  trim: 7x10\n", "book.yaml:10:9: error [M-012] print.trim: expected one of 5x8, 5.5x8.5, 6x9, A5 or a "
                       "mapping with width and height (got '7x10')"),
    ("  trim: {width: 6in, height: '9'}\n", "book.yaml:10:30: error [M-012] print.trim.height: not a length such "
                                            "as 6in, 152mm, 15.2cm or 432pt (got '9')"),
    ("  profile: digital\n", "book.yaml:10:12: error [M-012] print.profile: input should be 'pod' or 'offset' "
                             "(got 'digital')"),
    ("  pdf_variant: pdf/a-3b\n", "book.yaml:10:16: error [M-012] print.pdf_variant: input should be 'pdf/x-4', "
                                  "'pdf/x-1a' or 'pdf/ua-1' (got 'pdf/a-3b')"),
    ("  bleeds: true\n", "book.yaml:10:3: error [M-010] unknown key 'bleeds' (expected one of: trim, profile, "
                         "bleed, pdf_variant, links); did you mean 'bleed'?"),
], ids=["trim", "length", "profile", "variant", "key"])
def test_a_bad_print_section_is_reported_at_its_line_and_column(tmp_path, section, message):
    assert errors(tmp_path, GOOD + "print:\n" + section) == [message]


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory):
    """The small case book as its book.yaml says: trimmed to 5 × 8 in."""
    project = tmp_path_factory.mktemp("small") / "small"
    shutil.copytree(CASES / "small", project)
    return build(BuildOptions(project)).pdf


def test_a_preset_trim_sets_every_trim_box(small_pdf):
    with pikepdf.open(small_pdf) as pdf:
        assert {tuple(float(x) for x in page.TrimBox) for page in pdf.pages} == {(0, 0, 360, 576)}
        assert len(pdf.pages) % 2 == 0


def small_project(root: Path, extra: str) -> Path:
    """The small case book with more lines in its print: section."""
    project = root / "small"
    shutil.copytree(CASES / "small", project)
    with (project / "book.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(extra)
    return project


@pytest.mark.parametrize("extra", [
    "  pdf_variant: pdf/ua-1\n",
    "  profile: offset\n",
])
def test_variants_and_profiles_build_clean_pdfs(tmp_path, extra):
    result = build(BuildOptions(small_project(tmp_path, extra)))
    assert [d for d in result.diagnostics if d.code != "X-101"] == []
    with pikepdf.open(result.pdf) as pdf:
        assert pdf.check_pdf_syntax() == []
        sheet, bleed = (36, 9) if "offset" in extra else (0, 0)  # offset: room for the crop marks, 0.125 in bleed
        for page in pdf.pages:
            assert [float(x) for x in page.TrimBox] == [0, 0, 360, 576]
            assert [float(x) for x in page.BleedBox] == [-bleed, -bleed, 360 + bleed, 576 + bleed]
            assert [float(x) for x in page.MediaBox] == [-sheet, -sheet, 360 + sheet, 576 + sheet]
        if "pdf/ua" in extra:
            assert "/StructTreeRoot" in pdf.Root


@pytest.mark.parametrize("variant", ["pdf/x-4", "pdf/x-1a"])
def test_pdf_x_is_refused_rather_than_claimed_without_an_output_intent(tmp_path, variant):
    with pytest.raises(RenderError) as info:
        build(BuildOptions(small_project(tmp_path, f"  pdf_variant: {variant}\n")))
    assert [str(d) for d in info.value.diagnostics] == [
        f"book.yaml: error [X-202] print.pdf_variant: {variant} is refused: bookforge ships no CMYK output intent "
        "(printer profile), so a printer's preflight would reject the file as PDF/X; leave pdf_variant out (or use "
        "pdf/ua-1) and let the printer convert"]
    assert not (tmp_path / "small" / "build" / "small.pdf").exists()
