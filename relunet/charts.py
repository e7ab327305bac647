"""Altair chart builders shared by the page and the GIF export.

The page and the export call the same functions with different styles, so a
slide shows exactly what the page shows. No Streamlit in here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import altair as alt
import numpy as np

from relunet.chart_template import Y_DOMAIN_HOLE, Datasets, Template
from relunet.facts import CURVES, StageFacts
from relunet.network import ACTIVATIONS, DOSAGE_RANGE, TRAINING_DATA, forward
from relunet.stages import STAGE_COUNT, Stage, stage
from relunet.style import INACTIVE_GREY, PAGE_STYLE, PALETTE, ChartStyle
from relunet.wording import describe_curve, num


def nice_domain(low: float, high: float) -> tuple[float, float]:
    """A padded y range rounded out to a 1-2-5 step, always including 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if span < 1e-9:
        return (low - 1.0, high + 1.0)
    low, high = low - 0.06 * span, high + 0.06 * span
    raw_step = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    return (math.floor(low / step) * step, math.ceil(high / step) * step)


def stage_domain(facts: StageFacts, stage_: Stage) -> tuple[float, float]:
    """The y range that suits a stage: its own curve and the context that matters."""
    curves = [stage_.curve] + [c.curve for c in stage_.context if c.sets_scale]
    values = np.concatenate([getattr(facts.curves, c) for c in curves])
    if stage_.shows_training_data:
        values = np.concatenate([values, [y for _, y in TRAINING_DATA]])
    return nice_domain(float(values.min()), float(values.max()))


@dataclass(frozen=True)
class Frame:
    """One picture of a stage; `progress` < 1 is part-way through the morph
    from the stage's `morph_from` curve to its own (used by the animation)."""

    stage: Stage
    progress: float = 1.0


def _morph(facts: StageFacts, frame: Frame) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Dosages, values and y range of the highlighted curve at this frame.

    The curve grows out of the stage's `morph_from` curve on the stage's own
    axes (which already show that curve faintly), so only the curve moves.
    Both curves are piecewise linear on the same sample dosages, so blending
    them there is exact at every step."""
    x = facts.curves.dosage
    target = getattr(facts.curves, frame.stage.curve)
    domain = stage_domain(facts, frame.stage)
    if frame.progress >= 1.0:
        return x, target, domain
    start = getattr(facts.curves, frame.stage.morph_from)
    t = frame.progress
    return x, (1 - t) * start + t * target, domain


def _records(x: np.ndarray, y: np.ndarray, label: str) -> list[dict]:
    return [{"dosage": float(a), "value": float(b), "curve": label} for a, b in zip(x, y)]


@dataclass(frozen=True)
class StageShape:
    """Everything about a stage chart that is not data: the key of its template."""

    stage: int
    style: ChartStyle
    held: bool  # a held frame shows the training data (final stage) and the probe; a morph frame does not
    probe_side: str  # "" without a probe, else "left" or "right": where its label sits


def _probe_data(facts: StageFacts, stage_: Stage, probe: float) -> list[dict]:
    value = float(getattr(forward(facts.params, [probe], facts.activation), stage_.curve)[0])
    return [{"dosage": probe, "value": value, "label": f"x = {num(probe)} → {num(value)}"}]


def _probe_layers(side: str, style: ChartStyle) -> list[alt.Chart]:
    base = alt.Chart(alt.NamedData("probe"))
    rule = base.mark_rule(color="#444444", strokeDash=[3, 3], strokeWidth=1.5).encode(x=alt.X("dosage:Q"))
    dot = base.mark_point(
        filled=True, size=style.node_size / 12, color="#222222", stroke="white", strokeWidth=1.5, clip=True
    ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), tooltip=[alt.Tooltip("label:N", title="Probe")])
    left = side == "left"
    text = base.mark_text(
        align="left" if left else "right", dx=8 if left else -8, dy=-12,
        fontSize=style.font_size, fontWeight="bold", color="#222222", clip=True,
    ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), text=alt.Text("label:N"))
    return [rule, dot, text]  # flat, not a nested layer: Altair copies nested layers on every step


def _stage_layers(shape: StageShape, y_domain: tuple[float, float], description: str) -> alt.LayerChart:
    """The stage's curve (bold), earlier steps (faint, dashed), zero line,
    optional probe marker and, on the final stage, the training data; every
    layer reads a named dataset, so the shape is the same for every state."""
    stage_ = stage(shape.stage)
    style = shape.style
    own_label = CURVES[stage_.curve][0]
    context_labels = [CURVES[c.curve][0] for c in stage_.context]
    labels = context_labels + [own_label]
    roles = [CURVES[c.curve][1] for c in stage_.context] + [stage_.role]

    x_scale = alt.Scale(domain=list(DOSAGE_RANGE), nice=False, padding=10)  # room for the end points
    y_scale = alt.Scale(domain=list(y_domain), nice=False)
    legend = alt.Legend(
        title=None, orient="top", symbolType="stroke", symbolStrokeWidth=style.line_width,
        labelFontSize=style.font_size, symbolSize=style.font_size * 30, labelLimit=0,
    )
    # Context and the stage's own curve share one colour/dash scale, so one
    # legend names them all; width and opacity are per layer, not encoded.
    colour = alt.Color("curve:N", scale=alt.Scale(domain=labels, range=[PALETTE[r] for r in roles]), legend=legend)
    dash = alt.StrokeDash(
        "curve:N", scale=alt.Scale(domain=labels, range=[[7, 5]] * len(context_labels) + [[1, 0]]), legend=legend
    )
    encoding = {
        "x": alt.X("dosage:Q", scale=x_scale, title="Dosage", axis=alt.Axis(format=".1f", tickCount=5)),
        "y": alt.Y("value:Q", scale=y_scale, title=stage_.y_title, axis=alt.Axis(minExtent=48, maxExtent=48)),
        "color": colour,
        "strokeDash": dash,
        "tooltip": [
            alt.Tooltip("curve:N", title="Curve"),
            alt.Tooltip("dosage:Q", title="Dosage", format=".2f"),
            alt.Tooltip("value:Q", title="Value", format=".2f"),
        ],
    }
    context_lines = alt.Chart(alt.NamedData("context")).mark_line(
        clip=True, strokeWidth=style.line_width / 2, opacity=0.6
    ).encode(**encoding)
    own_line = alt.Chart(alt.NamedData("own")).mark_line(
        clip=True, strokeWidth=style.line_width, strokeCap="round", strokeJoin="round"
    ).encode(**encoding)
    zero = alt.Chart(alt.NamedData("zero")).mark_rule(color="#888888", strokeWidth=1).encode(y=alt.Y("value:Q"))
    layers = [zero, context_lines, own_line]
    if stage_.shows_training_data and shape.held:
        layers.append(
            alt.Chart(alt.NamedData("training")).mark_point(
                filled=True, size=style.node_size / 6, color=PALETTE["data"], opacity=1, stroke="white", strokeWidth=1.5
            ).encode(
                x=alt.X("dosage:Q"), y=alt.Y("value:Q"),
                tooltip=[alt.Tooltip("curve:N", title=""), alt.Tooltip("dosage:Q", title="Dosage"),
                         alt.Tooltip("value:Q", title="Efficacy")],
            )
        )
    if shape.probe_side:
        layers.extend(_probe_layers(shape.probe_side, style))
    # Sizes as layer() arguments: .properties() would validate each against the schema (slow on a cold start).
    return alt.layer(*layers, width=style.chart_width, height=style.chart_height, description=description)


@cache  # a few shapes per stage and style
def _stage_template(shape: StageShape) -> Template:
    return Template.of(_stage_layers(shape, Y_DOMAIN_HOLE, ""))


def _stage_filling(
    facts: StageFacts, frame: Frame, style: ChartStyle, probe: float | None
) -> tuple[StageShape, Datasets, tuple[float, float], str]:
    """A state's stage chart as a shape plus what fills it: datasets, y range, description."""
    stage_ = frame.stage
    x, y, domain = _morph(facts, frame)
    held = frame.progress >= 1.0
    datasets = {
        "zero": [{"value": 0.0}],
        "context": [r for c in stage_.context for r in _records(x, getattr(facts.curves, c.curve), CURVES[c.curve][0])],
        "own": _records(x, y, CURVES[stage_.curve][0]),
    }
    if stage_.shows_training_data and held:
        datasets["training"] = [{"dosage": d, "value": v, "curve": "training data"} for d, v in TRAINING_DATA]
    probe_side = ""
    if probe is not None and held:
        datasets["probe"] = _probe_data(facts, stage_, probe)
        probe_side = "left" if probe < 0.6 else "right"
    return StageShape(stage_.number, style, held, probe_side), datasets, domain, describe_curve(facts, stage_)


def stage_chart(
    facts: StageFacts, frame: Frame, style: ChartStyle = PAGE_STYLE, probe: float | None = None
) -> alt.LayerChart:
    """The stage chart of a state built afresh with Altair (`stage_spec` gives
    the same spec from a cached template, without building anything)."""
    shape, datasets, domain, description = _stage_filling(facts, frame, style, probe)
    return _stage_layers(shape, domain, description).properties(datasets=datasets)


def stage_spec(facts: StageFacts, frame: Frame, style: ChartStyle = PAGE_STYLE, probe: float | None = None) -> dict:
    """The Vega-Lite spec of a state's stage chart: its shape's template, filled."""
    shape, datasets, domain, description = _stage_filling(facts, frame, style, probe)
    return _stage_template(shape).fill(datasets, description, domain)


# Network diagram: fixed positions in a 0..2 × 0..1 box.
_NODES = {"input": (0.0, 0.5), "top": (1.0, 0.85), "bottom": (1.0, 0.15), "output": (2.0, 0.5)}
_NODE_ROLE = {"input": "input", "top": "top", "bottom": "bottom", "output": "sum"}
_NODE_NAME = {"input": "dosage", "top": "top node", "bottom": "bottom node", "output": "output"}
_EDGES = {"w1": ("input", "top", "top"), "w2": ("input", "bottom", "bottom"),
          "w3": ("top", "output", "top"), "w4": ("bottom", "output", "bottom")}
_BIASES = {"b1": ("top", "top"), "b2": ("bottom", "bottom"), "b3": ("output", "sum")}


def _diagram_datasets(facts: StageFacts, stage_: Stage, style: ChartStyle) -> Datasets:
    """Edges, nodes and labels of the diagram: positions, colours and texts of this state."""
    active = stage_.active
    values = facts.params.as_dict()

    def colour(part: str, role: str) -> str:
        return PALETTE[role] if part in active else INACTIVE_GREY

    edges, nodes, labels = [], [], []
    for name, (start, end, role) in _EDGES.items():
        (x1, y1), (x2, y2) = _NODES[start], _NODES[end]
        edges.append({"x": x1, "y": y1, "x2": x2, "y2": y2, "colour": colour(name, role),
                      "width": style.line_width if name in active else style.line_width / 2})
        upper = max(y1, y2) > 0.6
        labels.append({"x": (x1 + x2) / 2, "y": (y1 + y2) / 2 + (0.13 if upper else -0.13),
                       "text": f"{name} = {num(values[name])}", "colour": colour(name, role),
                       "weight": "bold" if name in active else "normal"})
    symbol = ACTIVATIONS[facts.activation].symbol
    for name, (x, y) in _NODES.items():
        inner = "x" if name == "input" else symbol
        nodes.append({"x": x, "y": y, "colour": colour(name, _NODE_ROLE[name]), "inner": inner,
                      "name": _NODE_NAME[name]})
    for name, (node, role) in _BIASES.items():
        x, y = _NODES[node]
        above = node != "bottom"
        labels.append({"x": x, "y": y + (0.22 if above else -0.22), "text": f"{name} = {num(values[name])}",
                       "colour": colour(name, role), "weight": "bold" if name in active else "normal"})
    return {
        "edges": edges,
        "nodes": nodes,
        "names": [n for n in nodes if n["name"] in ("dosage", "output")],
        **{f"labels_{weight}": [lab for lab in labels if lab["weight"] == weight] for weight in ("normal", "bold")},
    }


def _diagram_layers(style: ChartStyle, description: str) -> alt.LayerChart:
    """Inputs, two hidden nodes and the output; every weight and bias labelled
    with its value; the parts a stage is about in colour, the rest grey. All of
    that is data: one shape serves every stage."""
    x_scale = alt.Scale(domain=[-0.35, 2.35], nice=False)
    y_scale = alt.Scale(domain=[-0.12, 1.12], nice=False)
    no_axis = None
    enc = {"x": alt.X("x:Q", scale=x_scale, axis=no_axis), "y": alt.Y("y:Q", scale=y_scale, axis=no_axis)}
    edge_layer = alt.Chart(alt.NamedData("edges")).mark_rule().encode(
        **enc, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"), color=alt.Color("colour:N", scale=None),
        strokeWidth=alt.StrokeWidth("width:Q", scale=None),
    )
    node_layer = alt.Chart(alt.NamedData("nodes")).mark_circle(opacity=1, size=style.node_size).encode(
        **enc, color=alt.Color("colour:N", scale=None), tooltip=[alt.Tooltip("name:N", title="Node")]
    )
    inner_layer = alt.Chart(alt.NamedData("nodes")).mark_text(
        color="white", fontWeight="bold", fontSize=style.font_size * 0.8
    ).encode(**enc, text=alt.Text("inner:N"))
    name_layer = alt.Chart(alt.NamedData("names")).mark_text(
        dy=style.node_size ** 0.5 / 2 + style.font_size * 0.9, fontSize=style.font_size * 0.9, color="#333333"
    ).encode(**enc, text=alt.Text("name:N"))
    label_layers = [
        alt.Chart(alt.NamedData(f"labels_{weight}")).mark_text(
            fontSize=style.font_size * 0.9, fontWeight=weight
        ).encode(**enc, text=alt.Text("text:N"), color=alt.Color("colour:N", scale=None))
        for weight in ("normal", "bold")
    ]
    return alt.layer(
        edge_layer, node_layer, inner_layer, name_layer, *label_layers,
        width=style.diagram_width, height=style.chart_height, view=alt.ViewBackground(stroke=None),
        description=description,
    )


@cache  # one per style
def _diagram_template(style: ChartStyle) -> Template:
    return Template.of(_diagram_layers(style, ""))


def diagram_chart(facts: StageFacts, stage_: Stage, style: ChartStyle = PAGE_STYLE) -> alt.LayerChart:
    """The network diagram of a state built afresh with Altair (`diagram_spec`
    gives the same spec from the cached template)."""
    datasets = _diagram_datasets(facts, stage_, style)
    return _diagram_layers(style, describe_diagram(facts, stage_)).properties(datasets=datasets)


def diagram_spec(facts: StageFacts, stage_: Stage, style: ChartStyle = PAGE_STYLE) -> dict:
    """The Vega-Lite spec of a state's network diagram: the style's template, filled."""
    return _diagram_template(style).fill(_diagram_datasets(facts, stage_, style), describe_diagram(facts, stage_))


def describe_diagram(facts: StageFacts, stage_: Stage) -> str:
    """A one-line text alternative for the network diagram."""
    p = facts.params
    active = ", ".join(part for part in ("w1", "b1", "w2", "b2", "w3", "w4", "b3") if part in stage_.active)
    nodes = ", ".join(_NODE_NAME[n] for n in _NODES if n in stage_.active)
    return (
        f"Network diagram: dosage feeds the top node (w1 = {num(p.w1)}, b1 = {num(p.b1)}) and the bottom node "
        f"(w2 = {num(p.w2)}, b2 = {num(p.b2)}); both feed the output (w3 = {num(p.w3)}, w4 = {num(p.w4)}, "
        f"b3 = {num(p.b3)}). Highlighted at stage {stage_.number} of {STAGE_COUNT}: "
        f"{nodes or 'no node'}{'; ' + active if active else ''}."
    )
