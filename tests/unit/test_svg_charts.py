"""The hand-written SVG charts: tick rule, colour scale, escaping, well-formed output, and golden
files so that any change to a chart's drawing shows up as a failing diff.

Regenerate the golden files after an intended change with
``XLT_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_svg_charts.py`` and review the diff.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from xlt.evaluation import svg

GOLDEN = Path(__file__).parents[1] / "resources" / "svg"
NS = "{http://www.w3.org/2000/svg}"


def _charts() -> dict[str, str]:
    values = {("eng", "swa"): 0.61, ("eng", "yor"): 0.35, ("fra", "swa"): 0.52, ("fra", "yor"): 0.41}
    return {
        "heatmap": svg.heatmap(["eng", "fra"], ["swa", "yor"], values, title="NER F1"),
        "grouped_bars": svg.grouped_bars(
            ["swa", "yor"],
            ["crf", "encoder"],
            {("swa", "crf"): 0.30, ("swa", "encoder"): 0.62, ("yor", "crf"): 0.21, ("yor", "encoder"): 0.36},
            {("swa", "encoder"): (0.58, 0.66)},
            title="span F1",
        ),
        "scatter": svg.scatter(
            [("swa", 0.2, 0.61), ("yor", 0.7, 0.35), ("hau", 0.5, 0.44)],
            fit=(-0.5, 0.7),
            note="r = -0.98",
        ),
        "signed_bars": svg.signed_bars([("geographic", 0.31), ("genetic", -0.12)], title="swa"),
        "lines": svg.lines({"swa": [0.2, 0.5, 0.7, 0.6], "yor": [0.1, 0.3, 0.4, 0.35]}, title="MEXA"),
    }


@pytest.mark.parametrize("name", sorted(_charts()))
def test_chart_matches_its_golden_file(name: str) -> None:
    chart = _charts()[name]
    path = GOLDEN / f"{name}.svg"
    if os.environ.get("XLT_UPDATE_GOLDEN"):
        path.write_text(chart, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with XLT_UPDATE_GOLDEN=1 once"
    assert chart == path.read_text(encoding="utf-8"), f"{name} drawing changed; review and regenerate"


@pytest.mark.parametrize("name", sorted(_charts()))
def test_chart_is_one_well_formed_svg_with_tooltips(name: str) -> None:
    root = ET.fromstring(_charts()[name])
    assert root.tag == f"{NS}svg"
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0
    assert root.iter(f"{NS}title") is not None and any(True for _ in root.iter(f"{NS}title"))


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.0, 0.73, [0.0, 0.2, 0.4, 0.6, 0.8]),  # the last tick covers the maximum
        (-0.3, 0.45, [-0.4, -0.2, 0.0, 0.2, 0.4, 0.6]),
        (5.0, 5.0, [5.0, 5.2, 5.4, 5.6, 5.8, 6.0]),  # an empty range widens to one unit
        (0.0, 37.0, [0.0, 10.0, 20.0, 30.0, 40.0]),
    ],
)
def test_nice_ticks(lo: float, hi: float, expected: list[float]) -> None:
    assert svg.nice_ticks(lo, hi) == pytest.approx(expected)


def test_nice_ticks_non_finite_falls_back() -> None:
    assert svg.nice_ticks(float("nan"), 1.0) == [0.0, 1.0]


def test_colour_scale_endpoints_clamp_and_nan() -> None:
    assert svg.colour_scale(0.0) == "#440154" and svg.colour_scale(1.0) == "#fde725"
    assert svg.colour_scale(-3) == svg.colour_scale(0.0) and svg.colour_scale(9) == svg.colour_scale(1.0)
    assert svg.colour_scale(float("nan")) == svg.colour_scale(0.0)


def test_labels_are_escaped() -> None:
    chart = svg.heatmap(["<b>x</b>"], ["a&b"], {("<b>x</b>", "a&b"): 0.5}, title="<script>")
    assert "<script>" not in chart and "<b>" not in chart
    ET.fromstring(chart)  # still well-formed


def test_fmt() -> None:
    assert svg.fmt(0.4567) == "45.7" and svg.fmt(0.4567, 1.0, 2) == "0.46"
    assert svg.fmt(None) == "–" and svg.fmt(float("nan")) == "–"


@pytest.mark.parametrize(
    "draw",
    [
        lambda: svg.heatmap([], [], {}),
        lambda: svg.grouped_bars([], [], {}, {}),
        lambda: svg.scatter([]),
        lambda: svg.signed_bars([]),
        lambda: svg.lines({}),
        lambda: svg.heatmap(["eng"], ["swa"], {("eng", "swa"): float("nan")}),  # a missing cell
    ],
    ids=["heatmap", "grouped_bars", "scatter", "signed_bars", "lines", "heatmap_nan"],
)
def test_empty_data_draws_an_empty_well_formed_chart(draw) -> None:
    root = ET.fromstring(draw())
    assert root.tag == f"{NS}svg"
    assert not any(True for _ in root.iter(f"{NS}rect") if _.get("class") == "bar")


def _bars(chart: str) -> dict[str, tuple[float, float]]:
    """Bar tooltip -> (top y, height) of every bar in a grouped bar chart."""
    return {
        rect.find(f"{NS}title").text: (float(rect.get("y")), float(rect.get("height")))
        for rect in ET.fromstring(chart).iter(f"{NS}rect")
        if rect.get("class") == "bar"
    }


def test_bar_heights_are_linear_from_zero_to_the_top_tick() -> None:
    chart = svg.grouped_bars(
        ["swa"], ["a", "b", "c"], {("swa", "a"): 0.2, ("swa", "b"): 0.4, ("swa", "c"): 0.0}
    )
    heights = {tip.split(" on ")[0]: h for tip, (_, h) in _bars(chart).items()}
    # top tick is 40 (nice_ticks(0, 40)): 0.4 fills the 220-pixel plot, 0.2 half of it, 0 nothing
    assert heights == pytest.approx({"a": 110.0, "b": 220.0, "c": 0.0})
    axis = [t.text for t in ET.fromstring(chart).iter(f"{NS}text") if t.get("text-anchor") == "end"]
    assert axis == ["0", "10", "20", "30", "40"]  # tick labels on the percentage scale


def test_bars_never_go_below_the_axis() -> None:
    chart = svg.grouped_bars(["swa"], ["a", "b"], {("swa", "a"): -0.3, ("swa", "b"): 0.5})
    heights = {tip.split(" on ")[0]: h for tip, (_, h) in _bars(chart).items()}
    assert heights["a"] == 0.0 and heights["b"] > 0


def test_heatmap_cells_are_coloured_on_the_value_range() -> None:
    chart = svg.heatmap(["eng"], ["swa", "yor"], {("eng", "swa"): 0.9, ("eng", "yor"): 0.1})
    fills = {rect.get("fill") for rect in ET.fromstring(chart).iter(f"{NS}rect")}
    assert svg.colour_scale(1.0) in fills and svg.colour_scale(0.0) in fills
