"""Chart builders: valid Vega-Lite, exact data, colours that keep their meaning."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relunet.bounds import WEIGHT_LIMIT
from relunet.charts import Frame, nice_domain, stage_chart, stage_spec
from relunet.diagram import diagram_chart, diagram_spec
from relunet.facts import facts_for
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, PARAM_NAMES, Params
from relunet.stages import STAGES
from relunet.style import PAGE_STYLE, PALETTE, PRESENT_STYLE, SLIDE_STYLE


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


@pytest.mark.parametrize("width", [280, 340])  # the page's plot on a 390 px phone, and a little wider
def test_the_legend_wraps_to_fit_a_narrow_plot(width):
    """The page stretches each chart to its column. A legend wider than the plot ran off the chart's edge on a
    phone (four entries when a smooth activation is compared with ReLU); it must wrap instead. Vega grows the
    picture to hold whatever sticks out, so every stage's chart must come out exactly as wide as a chart whose
    short legend surely fits."""
    import io

    import vl_convert as vlc
    from PIL import Image

    from relunet.export.fonts import use_page_font

    use_page_font()

    def picture_width(spec: dict) -> int:
        return Image.open(io.BytesIO(vlc.vegalite_to_png({**spec, "width": width}, scale=1))).width

    softplus, relu = facts_for(ARTICLE_PARAMS, "softplus"), facts_for(ARTICLE_PARAMS, "relu")
    fits = picture_width(stage_spec(relu, Frame(STAGES[2]), PAGE_STYLE))  # two short entries
    for stage in STAGES:
        assert picture_width(stage_spec(softplus, Frame(stage), PAGE_STYLE, 0.5, relu)) == fits, stage.title


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
