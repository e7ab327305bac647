"""Chart annotations and the network diagram: the facts the text talks about,
marked with computed numbers, placed clear of the lines, readable colours."""

import numpy as np
import pytest

from relunet.charts import X_PADDING, Frame, stage_chart, stage_domain
from relunet.diagram import describe_diagram, diagram_chart
from relunet.facts import facts_for
from relunet.labels import Label, Plot, place_labels, text_box
from relunet.network import ARTICLE_PARAMS, DOSAGE_RANGE
from relunet.stages import STAGES, stage
from relunet.style import (
    INACTIVE_GREY,
    INACTIVE_TEXT,
    PAGE_STYLE,
    PALETTE,
    PRESENT_STYLE,
    SLIDE_STYLE,
    TEXT_PALETTE,
    contrast,
    ink_on,
)
from relunet.wording import describe_curve

ARTICLE = facts_for(ARTICLE_PARAMS, "relu")


def layers_with(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                                                 else layer["mark"]) == mark]


def texts(spec: dict) -> list[str]:
    return [r["text"] for layer in layers_with(spec, "text") for r in layer["data"]["values"]]


def test_facts_find_bends_zero_crossings_and_the_peak():
    assert ARTICLE.bends("top") == [(0.5, 0.0)]
    assert ARTICLE.bends("bottom") == []  # b2 = 0: the bend is at the range's end, not inside it
    assert [round(x, 2) for x in ARTICLE.zero_crossings("output_input")] == [0.47, 0.53]
    assert [round(x, 2) for x, _ in ARTICLE.bends("output")] == [0.47, 0.5, 0.53]
    dosage, value = ARTICLE.peak("output")
    assert (round(dosage, 2), round(value, 2)) == (0.5, 1.01)
    assert ARTICLE.peak("bottom") is None  # highest at an end: no peak
    softplus = facts_for(ARTICLE_PARAMS, "softplus")
    assert softplus.bends("output") == []  # smooth curves do not bend
    assert softplus.peak("output") is None  # a bump smaller than a shown digit is no peak


@pytest.mark.parametrize(("number", "expected"), [
    (1, ["bend at 0.50"]),
    (2, ["bend at 0.50"]),
    (3, []),
    (5, ["bend at 0.50"]),
    (6, ["0 at 0.47", "0 at 0.53", "bend at 0.50"]),
    (7, ["peak 1.01 at 0.50", "bend at 0.47", "bend at 0.53"]),
])
def test_each_stage_marks_what_its_curve_does(number, expected):
    spec = stage_chart(ARTICLE, Frame(stage(number)), PAGE_STYLE).to_dict()
    assert texts(spec) == expected
    rings = [r for layer in layers_with(spec, "point") for r in layer["data"]["values"] if "text" in r]
    assert sorted(r["text"] for r in rings) == sorted(expected)  # every label has its marked point


def test_annotations_follow_the_weights():
    moved = facts_for(ARTICLE_PARAMS.with_values(b1=-0.34), "relu")  # top bends at 0.34/1.70 = 0.20
    assert texts(stage_chart(moved, Frame(stage(1)), PAGE_STYLE).to_dict()) == ["bend at 0.20"]


def test_no_annotation_while_morphing():
    spec = stage_chart(ARTICLE, Frame(stage(7), 0.5), PAGE_STYLE, probe=0.5).to_dict()
    assert texts(spec) == []


def _label_boxes_and_lines(spec: dict, style) -> tuple[list, list]:
    """Every label's pixel box and every drawn line's pixel segments, from a built spec."""
    domain = spec["layer"][2]["encoding"]["y"]["scale"]["domain"]
    plot = Plot(style.chart_width, style.chart_height, DOSAGE_RANGE, tuple(domain), X_PADDING)
    boxes = []
    for record in [r for layer in layers_with(spec, "text") for r in layer["data"]["values"]]:
        cx, cy = plot.to_pixels(record["dosage"], record["value"])
        width, height = text_box(record["text"], style.font_size)
        boxes.append((float(cx) - width / 2, float(cy) - height / 2, float(cx) + width / 2, float(cy) + height / 2))
    lines = []
    for layer in layers_with(spec, "line"):
        by_curve: dict[str, list] = {}
        for r in layer["data"]["values"]:
            by_curve.setdefault(r["curve"], []).append((r["dosage"], r["value"]))
        for points in by_curve.values():
            px, py = plot.to_pixels(*zip(*points))
            lines.append(np.column_stack([px, py]))
    return boxes, lines


def _crosses(box, polyline, samples=400) -> bool:
    x0, y0, x1, y1 = box
    for (ax, ay), (bx, by) in zip(polyline[:-1], polyline[1:]):
        t = np.linspace(0, 1, samples)
        xs, ys = ax + t * (bx - ax), ay + t * (by - ay)
        if np.any((xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)):
            return True
    return False


@pytest.mark.parametrize("style", [PAGE_STYLE, PRESENT_STYLE, SLIDE_STYLE], ids=["page", "present", "slide"])
@pytest.mark.parametrize("probe", [None, 0.0, 0.15, 0.3, 0.45, 0.5, 0.55, 0.62, 0.8, 1.0])
def test_labels_stay_clear_of_every_curve_and_of_each_other(style, probe):
    for stage_ in STAGES:
        spec = stage_chart(ARTICLE, Frame(stage_), style, probe=probe).to_dict()
        boxes, lines = _label_boxes_and_lines(spec, style)
        if style != SLIDE_STYLE and probe is not None:
            assert len(boxes) >= 1  # at least the probe's label
        for box in boxes:
            assert 0 <= box[0] and box[2] <= style.chart_width and 0 <= box[1] and box[3] <= style.chart_height
            for line in lines:
                assert not _crosses(box, line), (stage_.number, probe, box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (stage_.number, a, b)


def test_placement_avoids_a_line_through_the_point():
    plot = Plot(200, 100, (0.0, 1.0), (0.0, 1.0))
    flat = (np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    rising = (np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    upright = (np.array([0.5, 0.5]), np.array([0.0, 1.0]))
    [placed] = place_labels([Label(0.5, 0.5, "label", 12)], plot, [flat, rising])
    assert placed.clear and placed.y > 0.5  # above the flat line, clear of the rising one
    [placed] = place_labels([Label(0.5, 0.5, "label", 12)], plot, [flat, rising, upright])
    assert placed.clear and placed.y > 0.5 and placed.x < 0.5  # the only free corner: above left


def test_training_points_have_a_legend_entry_named_by_colour_in_the_text():
    spec = stage_chart(ARTICLE, Frame(stage(7)), PAGE_STYLE).to_dict()
    training = next(layer for layer in spec["layer"] if layer["encoding"].get("shape"))
    assert training["mark"]["color"] == PALETTE["data"] == "#D55E00"  # vermillion
    assert training["encoding"]["shape"]["legend"]["symbolFillColor"] == PALETTE["data"]
    assert training["encoding"]["shape"]["scale"]["domain"] == ["training data"]
    text = stage(7).explain(ARTICLE) + " " + describe_curve(ARTICLE, stage(7))
    assert "vermillion dots" in text.lower() and "red" not in text.lower()


def test_colours_that_carry_numbers_are_readable():
    for role, colour in TEXT_PALETTE.items():
        assert contrast(colour) >= 4.5, role
    assert contrast(INACTIVE_TEXT) >= 4.5
    assert contrast(INACTIVE_GREY) >= 3.0  # lines and nodes a stage is not about
    for fill in [PALETTE[role] for role in ("input", "top", "bottom", "sum")] + [INACTIVE_GREY]:
        assert contrast(ink_on(fill), fill) >= 4.5, fill  # the value written inside a node


def _diagram_labels(spec: dict) -> dict[str, dict]:
    return {r["text"].split(" =")[0].lstrip("+ "): r
            for layer in layers_with(spec, "text") for r in layer["data"]["values"] if "text" in r}


def _highlighted(number: int) -> set[str]:
    spec = diagram_chart(ARTICLE, stage(number), PAGE_STYLE, probe=0.5).to_dict()
    lit = {name for name, r in _diagram_labels(spec).items() if r["colour"] not in (INACTIVE_TEXT, "#222222")}
    nodes = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")["data"]["values"]
    lit |= {n["tip"].split(" =")[0] for n in nodes if n["colour"] != INACTIVE_GREY}
    return lit


@pytest.mark.parametrize(("number", "parts"), [
    (1, {"dosage", "top", "top · ReLU", "w1", "b1"}),
    (2, {"w3"}),
    (3, {"dosage", "bottom", "bottom · ReLU", "w2", "b2"}),
    (4, {"w4"}),
    (5, {"sum"}),
    (6, {"b3"}),
    (7, {"output", "ReLU"}),  # the output node is named on two lines: "output", "ReLU"
])
def test_each_stage_highlights_exactly_its_operation(number, parts):
    assert _highlighted(number) == parts


def test_diagram_names_the_hidden_nodes_and_shows_values_at_the_probe():
    spec = diagram_chart(ARTICLE, stage(5), PAGE_STYLE, probe=0.5).to_dict()
    labels = _diagram_labels(spec)
    assert {"top · ReLU", "bottom · ReLU", "sum", "output", "ReLU", "dosage"} <= set(labels)
    nodes = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")["data"]["values"]
    assert [n["tip"] for n in nodes] == [
        "dosage = 0.50 at dosage 0.50", "top = 0.00 at dosage 0.50", "bottom = 6.30 at dosage 0.50",
        "sum = 17.01 at dosage 0.50", "output = 1.01 at dosage 0.50",
    ]
    inner = [r["inner"] for r in nodes]
    assert inner == ["0.50", "0.00", "6.30", "17.01", "1.01"]
    text = describe_diagram(ARTICLE, stage(5), 0.5)
    assert "At dosage 0.50: top = 0.00, bottom = 6.30, sum = 17.01, sum + b3 = 1.01, output = 1.01." in text
    assert "Highlighted at stage 5 of 7: the sum." in text


def test_diagram_without_a_probe_shows_the_operations():
    nodes = next(layer for layer in diagram_chart(ARTICLE, stage(1), SLIDE_STYLE).to_dict()["layer"]
                 if layer["mark"]["type"] == "circle")["data"]["values"]
    assert [n["inner"] for n in nodes] == ["x", "ReLU", "ReLU", "+", "ReLU"]


def test_the_stage_domain_is_unchanged_by_annotations():
    for stage_ in STAGES:
        spec = stage_chart(ARTICLE, Frame(stage_), PAGE_STYLE, probe=0.5).to_dict()
        assert spec["layer"][2]["encoding"]["y"]["scale"]["domain"] == list(stage_domain(ARTICLE, stage_))
