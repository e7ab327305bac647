"""Everything the page shows for one state, computed in one place.

Pure (no Streamlit), so the page only lays it out and caches each bundle
once. The diagram is its own bundle, keyed by only what it shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from relunet.charts import Frame, stage_spec
from relunet.diagram import describe_diagram, diagram_spec
from relunet.facts import CURVES, facts_for
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, Params, forward
from relunet.stages import STAGE_COUNT, STAGES, arithmetic_headers, stage
from relunet.state import PageState
from relunet.style import PAGE_STYLE, ChartStyle
from relunet.wording import comparison_note, describe_curve, num

# The article's hand-checkable dosages, plus the peak and the far end.
EXAMPLE_DOSAGES = (0.0, 0.2, 0.5, 0.6, 1.0)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_columns: frozenset[int] = frozenset()  # left-aligned; numbers align right

    def as_markdown(self) -> str:
        rule = ["---" if i in self.text_columns else "---:" for i in range(len(self.headers))]
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "|".join(rule) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass(frozen=True)
class StageView:
    number: int
    heading: str
    explanation: str
    formula: str
    chart_spec: dict
    chart_text: str
    examples: Table
    probe_trace: Table
    note: str | None = None  # why a curve looks different, when it does


def worked_examples(state: PageState) -> Table:
    """The stage's own arithmetic at a few dosages, from the current weights."""
    stage_ = stage(state.stage)
    trace = forward(state.params, EXAMPLE_DOSAGES, state.activation)
    headers = ("Dosage x", *arithmetic_headers(stage_, state.activation))
    rows = tuple(
        (num(x), *(num(getattr(trace, curve)[i]) for _, curve in stage_.arithmetic))
        for i, x in enumerate(EXAMPLE_DOSAGES)
    )
    return Table(headers, rows)


def probe_trace(state: PageState) -> Table:
    """One dosage followed through every stage; the current stage in bold."""
    values = forward(state.params, [state.probe], state.activation).at(0)
    rows = []
    for stage_ in STAGES:
        row = (str(stage_.number), stage_.title, CURVES[stage_.curve][0], num(values[stage_.curve]))
        rows.append(tuple(f"**{cell}**" for cell in row) if stage_.number == state.stage else row)
    return Table(("Stage", "Step", "Quantity", f"Value at x = {num(state.probe)}"), tuple(rows), frozenset({1, 2}))


def fit_width(spec: dict) -> dict:
    """Stretch the plot to the page's column but keep its height: the labels were placed for the
    style's plot size, and a wider plot only gives them more room (a squeezed one would not)."""
    return {**spec, "autosize": {"type": "fit-x", "contains": "padding"}}


@dataclass(frozen=True)
class DiagramView:
    spec: dict
    text: str


def diagram_view(
    stage_number: int, params: Params, activation: str, probe: float | None = None, style: ChartStyle = PAGE_STYLE
) -> DiagramView:
    stage_ = stage(stage_number)
    facts = facts_for(params, activation)
    return DiagramView(fit_width(diagram_spec(facts, stage_, style, probe)), describe_diagram(facts, stage_, probe))


def stage_view(state: PageState, style: ChartStyle = PAGE_STYLE) -> StageView:
    stage_ = stage(state.stage)
    facts = facts_for(state.params, state.activation)
    # A smooth activation is compared with the ReLU the article's weights were fitted for.
    compare = None if ACTIVATIONS[state.activation].piecewise_linear else facts_for(state.params, "relu")
    spec = stage_spec(facts, Frame(stage_), style, probe=state.probe, compare=compare)
    return StageView(
        number=stage_.number,
        heading=f"Stage {stage_.number} of {STAGE_COUNT} · {stage_.title}",
        explanation=stage_.explain(facts),
        formula=stage_.formula(state.params, state.activation),
        chart_spec=fit_width(spec),
        chart_text=describe_curve(facts, stage_),
        examples=worked_examples(state),
        probe_trace=probe_trace(state),
        note=comparison_note(state.activation),
    )


def warm_chart_templates(state: PageState, style: ChartStyle = PAGE_STYLE) -> None:
    """Build the chart templates of all seven stages for this state's activation and style (by
    computing their views and dropping them), so each stage's first visit costs no Altair."""
    for stage_ in STAGES:
        stage_view(replace(state, stage=stage_.number), style)
    diagram_view(state.stage, state.params, state.activation, state.probe, style)  # one template for every stage


def export_file_stem(state: PageState) -> str:
    """`relunet-relu` for the article's weights, else a short fingerprint of the
    weights, so exports of different lessons never overwrite each other."""
    if state.params == ARTICLE_PARAMS:
        return f"relunet-{state.activation}"
    fingerprint = hashlib.sha1(repr(state.params).encode()).hexdigest()[:6]
    return f"relunet-{state.activation}-{fingerprint}"
