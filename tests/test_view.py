"""What the page shows for a state, computed without Streamlit."""

from relunet.charts import Frame, stage_chart
from relunet.diagram import diagram_chart
from relunet.facts import facts_for
from relunet.network import ARTICLE_PARAMS
from relunet.stages import stage
from relunet.state import PageState
from relunet.style import PAGE_STYLE
from relunet.view import (
    diagram_view,
    export_file_stem,
    fit_width,
    probe_trace,
    stage_view,
    warm_chart_templates,
    worked_examples,
)


def test_worked_examples_follow_the_stage():
    stage_two = worked_examples(PageState(stage=2))
    assert stage_two.headers == ("Dosage x", "top", "top × w3")
    assert ("1.00", "0.85", "-34.68") in stage_two.rows
    softplus = worked_examples(PageState(activation="softplus"))
    assert softplus.headers[-1] == "Softplus(w1·x + b1)"


def test_probe_trace_marks_the_current_stage():
    table = probe_trace(PageState(stage=6, probe=0.5))
    assert table.rows[5] == ("**6**", "**Add the bias b3**", "**sum + b3**", "**1.01**")
    assert table.rows[6][0] == "7"
    assert "|---:|---|---|---:|" in table.as_markdown()


def test_stage_view_bundles_text_and_specs():
    view = stage_view(PageState(stage=7))
    assert view.heading == "Stage 7 of 7 · Activation again: the final curve"
    assert view.chart_spec["description"] == view.chart_text
    diagram = diagram_view(7, PageState().params, "relu")
    assert diagram.spec["description"] == diagram.text


def test_export_file_names_tell_lessons_apart():
    article = export_file_stem(PageState())
    custom = export_file_stem(PageState(params=ARTICLE_PARAMS.with_values(w4=3.0)))
    assert article == "relunet-relu"
    assert custom.startswith("relunet-relu-") and custom != article
    assert export_file_stem(PageState(params=ARTICLE_PARAMS.with_values(w4=3.0))) == custom  # stable
    assert export_file_stem(PageState(activation="softplus")) == "relunet-softplus"


def test_page_charts_are_the_built_charts_with_their_rows_inline():
    """The page fills cached templates; it must show what building the charts afresh gives, with plain JSON
    rows in the layers (named datasets would go to the browser through Arrow and pandas)."""
    state = PageState(stage=7, probe=0.3, activation="softplus")
    facts = facts_for(state.params, state.activation)
    built = stage_chart(facts, Frame(stage(7)), PAGE_STYLE, probe=0.3, compare=facts_for(state.params, "relu"))
    sent = stage_view(state).chart_spec
    assert sent == fit_width(built.to_dict(validate=False))
    diagram = diagram_view(7, state.params, state.activation, probe=0.3).spec
    assert diagram == fit_width(diagram_chart(facts, stage(7), PAGE_STYLE, probe=0.3).to_dict(validate=False))
    for spec in (sent, diagram):
        assert "datasets" not in spec and all("values" in layer["data"] for layer in spec["layer"])


def test_warming_builds_every_stage_template_up_front():
    """After warming, no stage's first visit builds a chart template (the page warms them in the background)."""
    from relunet import charts, diagram

    charts._stage_template.cache_clear()
    diagram._diagram_template.cache_clear()
    warm_chart_templates(PageState(activation="softplus", probe=0.2), PAGE_STYLE)
    built = (charts._stage_template.cache_info().currsize, diagram._diagram_template.cache_info().currsize)
    assert built == (7, 1)
    for number in range(1, 8):
        stage_view(PageState(stage=number, activation="softplus", probe=0.7, params=ARTICLE_PARAMS.with_values(w1=2)))
        diagram_view(number, ARTICLE_PARAMS, "softplus", 0.7)
    assert (charts._stage_template.cache_info().currsize, diagram._diagram_template.cache_info().currsize) == built
