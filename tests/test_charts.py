"""Chart builders: valid Vega-Lite, exact data, colours that keep their meaning."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relunet.bounds import WEIGHT_LIMIT
from relunet.charts import Frame, nice_domain, stage_chart, stage_spec
from relunet.diagram import diagram_chart, diagram_spec
from relunet.export.slide import DIAGRAM_STYLE
from relunet.facts import facts_for
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, PARAM_NAMES, Params
from relunet.stages import STAGES
from relunet.style import PAGE_STYLE, PALETTE, PRESENT_STYLE, SLIDE_STYLE
from relunet.typeface import text_width


def layer_data(spec: dict) -> list[list[dict]]:
    return [layer["data"]["values"] for layer in spec["layer"] if "values" in layer.get("data", {})]


@pytest.mark.parametrize("activation", ["relu", "softplus"])
@pytest.mark.parametrize("style", [PAGE_STYLE, SLIDE_STYLE])
def test_every_stage_builds_a_valid_spec(activation, style):
    facts = facts_for(ARTICLE_PARAMS, activation)
    for stage in STAGES:
        for progress in (0.0, 0.5, 1.0):
            stage_chart(facts, Frame(stage, progress), style, probe=0.3).to_dict()  # validates against the schema
        diagram_chart(facts, stage, style).to_dict()


def test_final_stage_plots_the_true_peak_and_the_training_data():
    spec = stage_chart(facts_for(ARTICLE_PARAMS, "relu"), Frame(STAGES[6])).to_dict()
    points = [r for values in layer_data(spec) for r in values if r.get("curve") == "output"]
    assert max(r["value"] for r in points) == pytest.approx(1.01)
    assert [(r["dosage"], r["value"]) for r in points if r["value"] > 1] == [(0.5, pytest.approx(1.01))]
    training = [r for values in layer_data(spec) for r in values if r.get("curve") == "training data"]
    assert [(r["dosage"], r["value"]) for r in training] == [(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)]
    domain = spec["layer"][2]["encoding"]["y"]["scale"]["domain"]
    assert domain[0] < 0 < 1.01 < domain[1] < 2  # the scale suits the final curve, not the -16 wedge


def test_colours_keep_their_meaning():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    ranges = [stage_chart(facts, Frame(s)).to_dict()["layer"][2]["encoding"]["color"]["scale"]["range"]
              for s in STAGES]
    assert ranges[0][-1] == PALETTE["top"] and ranges[2][-1] == PALETTE["bottom"]
    assert ranges[4] == [PALETTE["top"], PALETTE["bottom"], PALETTE["sum"]]


def own_curve_at(spec: dict, curve: str, dosage: float) -> float:
    return next(r["value"] for values in layer_data(spec) for r in values
                if r.get("curve") == curve and r["dosage"] == dosage)


def test_morph_grows_each_curve_out_of_what_it_transforms_on_fixed_axes():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    held = stage_chart(facts, Frame(STAGES[1])).to_dict()
    half = stage_chart(facts, Frame(STAGES[1], 0.5)).to_dict()
    assert own_curve_at(half, "top × w3", 1.0) == pytest.approx(0.5 * 0.85 + 0.5 * -34.68)  # top, scaled by w3
    assert half["layer"][2]["encoding"]["y"]["scale"] == held["layer"][2]["encoding"]["y"]["scale"]
    # The bottom node grows out of its own input line, not out of the top path shown before it.
    b2_negative = facts_for(ARTICLE_PARAMS.with_values(b2=-5.0), "relu")
    start = stage_chart(b2_negative, Frame(STAGES[2], 0.0)).to_dict()
    assert own_curve_at(start, "bottom node", 0.0) == pytest.approx(-5.0)
    # The final ReLU lifts the negative part of the wedge to zero.
    quarter = stage_chart(facts, Frame(STAGES[6], 0.25)).to_dict()
    assert own_curve_at(quarter, "output", 0.0) == pytest.approx(0.75 * -16.0)


@pytest.mark.parametrize(("low", "high"), [(0, 1.01), (-34.68, 0), (-16.66, 1.01), (0, 0), (-1e-6, 3e-6)])
def test_nice_domain_covers_and_includes_zero(low, high):
    a, b = nice_domain(low, high)
    assert a <= min(low, 0) and b >= max(high, 0) and a < b


weights = st.floats(-WEIGHT_LIMIT, WEIGHT_LIMIT, allow_nan=False).map(lambda w: round(w, 2))  # as the inputs give them


@settings(max_examples=60, deadline=None)
@given(
    values=st.tuples(*[weights] * len(PARAM_NAMES)),
    activation=st.sampled_from(list(ACTIVATIONS)),
    number=st.integers(1, len(STAGES)),
    progress=st.sampled_from([0.0, 0.3, 1.0]),
    probe=st.one_of(st.none(), st.floats(0.0, 1.0)),
    compare=st.sampled_from([None, *ACTIVATIONS]),
    style=st.sampled_from([PAGE_STYLE, SLIDE_STYLE]),
)
def test_a_filled_template_is_the_freshly_built_chart(values, activation, number, progress, probe, compare, style):
    """The page and the export fill cached templates, each built once for whichever state came first;
    what they get must be exactly the chart that Altair builds afresh for the state at hand."""
    params = Params(**dict(zip(PARAM_NAMES, values)))
    facts = facts_for(params, activation)
    other = facts_for(params, compare) if compare else None
    frame = Frame(STAGES[number - 1], progress)
    # validate=False: test_every_stage_builds_a_valid_spec validates the same builders.
    fresh = stage_chart(facts, frame, style, probe, other).to_dict(validate=False)
    assert stage_spec(facts, frame, style, probe, other) == fresh
    fresh = diagram_chart(facts, frame.stage, style, probe).to_dict(validate=False)
    assert diagram_spec(facts, frame.stage, style, probe) == fresh


def diagram_label_boxes(spec: dict, width: float | None = None) -> list[tuple[str, float, float, float, float]]:
    """Each diagram label's text and box (left, top, right, bottom) in pixels of the plot, measured
    with the typeface the page and the slides draw it in; drawn `width` px wide (the page stretches it)."""
    width = width or spec["width"]
    boxes = []
    for layer in spec["layer"]:
        mark, encoding = layer["mark"], layer["encoding"]
        if mark["type"] != "text" or encoding["text"]["field"] != "text":
            continue  # the nodes' own inner text sits inside their circles
        (x_low, x_high), (y_low, y_high) = encoding["x"]["scale"]["domain"], encoding["y"]["scale"]["domain"]
        size, bold = mark["fontSize"], mark["fontWeight"] == "bold"
        for row in layer["data"]["values"]:
            px = (row["x"] - x_low) / (x_high - x_low) * width + row["dx"]
            py = (y_high - row["y"]) / (y_high - y_low) * spec["height"]
            wide = text_width(row["text"], size, bold)
            left = px - {"left": 0, "center": wide / 2, "right": wide}[mark["align"]]
            boxes.append((row["text"], left, py - size / 2, left + wide, py + size / 2))
    return boxes


EXTREME_PARAMS = [Params(**{name: sign * WEIGHT_LIMIT for name in PARAM_NAMES}) for sign in (-1, 1)]


@pytest.mark.parametrize("style", [PAGE_STYLE, PRESENT_STYLE, DIAGRAM_STYLE], ids=["page", "present", "slide"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("params", [ARTICLE_PARAMS, *EXTREME_PARAMS], ids=["article", "all -100", "all +100"])
def test_diagram_labels_stay_whole_and_apart(style, activation, params):
    """The longest weight ("w3 = -100.00") and activation name neither run off the diagram's edge nor onto
    another label or a node, in the page's, the projector's and the slide's sizes; on the page also when the
    diagram is stretched to a wider column (its nodes move apart, its type and circles keep their size)."""
    spec = diagram_spec(facts_for(params, activation), STAGES[6], style, probe=0.5)
    nodes = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")["data"]["values"]
    (x_low, x_high), (y_low, y_high) = (spec["layer"][0]["encoding"][axis]["scale"]["domain"] for axis in "xy")
    radius = style.node_size ** 0.5 / 2
    for width in (spec["width"], spec["width"] * 1.5, spec["width"] * 2):
        boxes = diagram_label_boxes(spec, width)
        assert len(boxes) == 13  # five node names (the output's on two lines), five weights, three biases
        for text, left, top, right, bottom in boxes:
            assert 0 <= left and right <= width and 0 <= top and bottom <= spec["height"], text
            for node in nodes:
                x = (node["x"] - x_low) / (x_high - x_low) * width
                y = (y_high - node["y"]) / (y_high - y_low) * spec["height"]
                out_x, out_y = max(left - x, 0, x - right), max(top - y, 0, y - bottom)
                assert out_x ** 2 + out_y ** 2 >= radius ** 2, f"{text!r} runs into {node['tip']!r}"
        for index, (text, left, top, right, bottom) in enumerate(boxes):
            for other, other_left, other_top, other_right, other_bottom in boxes[index + 1:]:
                apart = right <= other_left or other_right <= left or bottom <= other_top or other_bottom <= top
                assert apart, f"{text!r} overlaps {other!r}"
    inner = next(layer for layer in spec["layer"] if layer["encoding"].get("text", {}).get("field") == "inner")
    for node in inner["data"]["values"]:  # a node's value, in white or black, must not spill out of its circle
        assert text_width(node["inner"], node["inner_size"], bold=True) <= style.node_size ** 0.5 - 4, node["inner"]


def scene_texts(mark: dict, x: float = 0.0, y: float = 0.0) -> list[tuple[str, str, float, float]]:
    """Every text item in a Vega scenegraph as (role, text, x, y), positioned on the whole picture."""
    found = []
    for item in mark.get("items", []):
        if mark.get("marktype") == "group":
            for inner in item.get("items", []):
                found += scene_texts(inner, x + item.get("x", 0), y + item.get("y", 0))
        elif mark.get("marktype") == "text":
            found.append((mark.get("role"), item.get("text"), x + item.get("x", 0), y + item.get("y", 0)))
    return found


@pytest.mark.parametrize("style", [PAGE_STYLE, PRESENT_STYLE, SLIDE_STYLE], ids=["page", "present", "slide"])
def test_the_training_data_and_the_curves_are_named_on_one_line(style):
    """Two legends share the top row at the final stage (the data's dot, the curves' strokes); Vega sizes a row
    by its symbol, and the dot's row sat 5 px above the curves' names."""
    import vl_convert as vlc

    spec = stage_spec(facts_for(ARTICLE_PARAMS, "relu"), Frame(STAGES[6]), style)
    labels = [(text, y) for role, text, _, y in scene_texts(vlc.vegalite_to_scenegraph(spec)["scenegraph"])
              if role == "legend-label"]
    assert [text for text, _ in labels] == ["training data", "sum + b3", "output"]
    assert max(y for _, y in labels) - min(y for _, y in labels) < 0.5


def test_filling_a_template_leaves_it_untouched():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    first = stage_spec(facts, Frame(STAGES[6]))
    own = next(layer for layer in first["layer"] if layer["mark"].get("strokeCap") == "round")
    own["data"]["values"].clear()
    own["encoding"]["y"]["scale"]["domain"] = [5, 6]
    assert stage_spec(facts, Frame(STAGES[6])) == stage_chart(facts, Frame(STAGES[6])).to_dict()
