"""The network diagram: dosage, the two hidden nodes, the sum and the output
activation, every weight and bias labelled with its value, and the part a stage
is about in colour. Built like the stage chart (relunet.charts): one template
per style, filled with each state's rows; shared by the page and the export.
No Streamlit in here.
"""

from __future__ import annotations

from functools import cache

import altair as alt

from relunet.chart_template import Datasets, DataSource, Template, rows_of
from relunet.facts import StageFacts
from relunet.labels import Plot
from relunet.network import ACTIVATIONS, forward
from relunet.stages import DIAGRAM_PARTS, STAGE_COUNT, Stage
from relunet.style import (
    INACTIVE_GREY,
    INACTIVE_TEXT,
    PAGE_STYLE,
    PALETTE,
    TEXT_COLOUR,
    TEXT_PALETTE,
    ChartStyle,
    ink_on,
)
from relunet.typeface import text_width
from relunet.wording import num

# Network diagram: fixed positions in a 0..3.1 × 0..1 box. The output node is
# drawn as its two operations, the sum and the activation, so that stage 5
# (the sum), stage 6 (the bias) and stage 7 (the activation) each light up
# exactly their own part.
# Top and bottom sit far apart so that the labels along the edges into the sum
# clear the sum's and b3's labels even in the slide's narrow diagram.
_NODES = {"input": (0.0, 0.5), "top": (1.0, 0.88), "bottom": (1.0, 0.12), "sum": (2.05, 0.5), "output": (3.1, 0.5)}
_NODE_ROLE = {"input": "input", "top": "top", "bottom": "bottom", "sum": "sum", "output": "sum"}
_NODE_NAME = {"input": "dosage", "top": "top", "bottom": "bottom", "sum": "sum", "output": "output"}
# The quantity each node hands on, at the probe dosage.
_NODE_VALUE = {"input": "dosage", "top": "top", "bottom": "bottom", "sum": "summed", "output": "output"}
_EDGES = {"w1": ("input", "top", "top"), "w2": ("input", "bottom", "bottom"),
          "w3": ("top", "sum", "top"), "w4": ("bottom", "sum", "bottom"), "b3": ("sum", "output", "sum")}
_BIASES = {"b1": ("top", "top"), "b2": ("bottom", "bottom")}
_DIAGRAM_X = (-0.4, 3.75)
_DIAGRAM_Y = (-0.1, 1.1)


_EDGE_MARGIN = 2  # px between a label and the diagram's edge


def _kept_inside(px: float, width: float, align: str, plot_width: float) -> float:
    """The x `px` of a label `width` px wide (aligned there by `align`), moved just enough that the whole
    label lies inside the plot: a long weight ("w2 = -12.60", bold) or activation name would otherwise be
    cut at its edge."""
    left = px - {"left": 0.0, "center": width / 2, "right": width}[align]
    right = left + width
    return px + max(0.0, _EDGE_MARGIN - left) - max(0.0, right - (plot_width - _EDGE_MARGIN))


def _node_inner(name: str, activation: str) -> str:
    return {"input": "x", "sum": "+"}.get(name, ACTIVATIONS[activation].symbol)


def _inner_size(text: str, style: ChartStyle) -> float:
    """The type size of a node's own text: 0.9 of the labels', smaller for a long value ("-4012.50", far
    weights at the probe), so that it stays inside its circle, where its white or black ink can be read."""
    size = style.font_size * 0.9
    room = style.node_size ** 0.5 - 6  # the circle's diameter, less a little air
    return round(min(size, size * room / text_width(text, size, bold=True)), 1)


_LABEL_KINDS = [(weight, align) for weight in ("normal", "bold") for align in ("left", "center", "right")]


def _diagram_datasets(facts: StageFacts, stage_: Stage, style: ChartStyle, probe: float | None) -> Datasets:
    """Edges, nodes and labels of one state: positions, colours, texts and, with
    a probe dosage, each node's value there (and in its tooltip)."""
    active = stage_.active
    values = facts.params.as_dict()
    at_probe = forward(facts.params, [probe], facts.activation).at(0) if probe is not None else None
    plot = Plot(style.diagram_width, style.diagram_plot_height, _DIAGRAM_X, _DIAGRAM_Y)
    radius = style.node_size ** 0.5 / 2
    line = style.font_size * 1.2
    gap = style.font_size * 0.35

    def colour(part: str, role: str, text: bool = False) -> str:
        if part in active:
            return TEXT_PALETTE[role] if text else PALETTE[role]
        return INACTIVE_TEXT if text else INACTIVE_GREY

    def pixel(node: str) -> tuple[float, float]:
        px, py = plot.to_pixels(*_NODES[node])
        return float(px), float(py)

    labels = []

    def label(anchor: float, dx: float, py: float, text: str, align: str, colour_: str, bold: bool) -> None:
        """A label `dx` px beside its node or edge at `anchor`: the page stretches the diagram to its column,
        which moves the anchors apart but keeps pixel offsets, so a label keeps its distance from its node."""
        px = _kept_inside(anchor + dx, text_width(text, style.font_size, bold), align, plot.width)
        x, y = plot.to_data(anchor, py)
        labels.append({"x": x, "y": y, "dx": round(px - anchor, 2), "text": text, "colour": colour_,
                       "align": align, "weight": "bold" if bold else "normal"})

    edges = []
    for name, (start, end, role) in _EDGES.items():
        (x1, y1), (x2, y2) = _NODES[start], _NODES[end]
        edges.append({"x": x1, "y": y1, "x2": x2, "y2": y2, "colour": colour(name, role),
                      "width": style.line_width if name in active else style.line_width / 2})
    nodes = []
    for name, (x, y) in _NODES.items():
        fill = colour(name, _NODE_ROLE[name])
        value = num(at_probe[_NODE_VALUE[name]]) if at_probe is not None else ""
        inner = value or _node_inner(name, facts.activation)
        nodes.append({"x": x, "y": y, "colour": fill, "ink": ink_on(fill), "inner": inner,
                      "inner_size": _inner_size(inner, style),
                      "tip": f"{_NODE_NAME[name]} = {value} at dosage {num(probe)}" if value else _NODE_NAME[name]})
        px, py = pixel(name)
        up = y >= 0.5 and name != "sum" and name != "output"
        first_line = py + (-1 if up else 1) * (radius + gap + line / 2)
        ink = colour(name, _NODE_ROLE[name], text=True) if name in active else TEXT_COLOUR
        if name in ("input", "sum"):
            lines = [_NODE_NAME[name]]
        elif name == "output":  # two short lines: one would reach over the sum's label
            lines = [_NODE_NAME[name], facts.act]
        else:
            lines = [f"{_NODE_NAME[name]} · {facts.act}"]
        for n, text in enumerate(lines):
            label(px, 0, first_line + n * line, text, "center", ink, True)
    # Weights outside the diamond of edges, just off their edge's middle.
    for name, (start, end, role) in _EDGES.items():
        (x1, y1), (x2, y2) = pixel(start), pixel(end)
        # w1, w2 a little towards their hidden node, clear of the dosage's name.
        t = 0.6 if name in ("w1", "w2") else 0.5
        mx, my = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        text = f"{name} = {num(values[name])}"
        if name == "b3":  # above the nodes it sits between
            label(mx, 0, my - radius - gap - line / 2, f"+ {text}", "center", colour(name, role, True),
                  name in active)
            continue
        upper = min(y1, y2) < plot.height / 2 - 1  # pixel y grows downwards
        left = name in ("w1", "w2")
        dy = -(gap + line / 2) if upper else gap + line / 2
        dx = -gap if left else gap
        label(mx, dx, my + dy, text, "right" if left else "left", colour(name, role, True), name in active)
    # Hidden biases to the right of their node, on the side away from its outgoing edge.
    for name, (node, role) in _BIASES.items():
        px, py = pixel(node)
        shift = -line * 0.3 if node == "top" else line * 0.3
        label(px, radius + gap, py + shift, f"{name} = {num(values[name])}", "left", colour(name, role, True),
              name in active)
    return {
        "edges": edges,
        "nodes": nodes,
        **{f"labels_{weight}_{align}": [lab for lab in labels if lab["weight"] == weight and lab["align"] == align]
           for weight, align in _LABEL_KINDS},
    }


def _diagram_layers(style: ChartStyle, description: str, data: DataSource) -> alt.LayerChart:
    """Dosage, the top and bottom nodes, the sum and the output activation;
    every weight and bias labelled with its value, the part a stage is about
    in colour and the rest grey. All of that is data: one shape serves every
    stage and state."""
    x_scale = alt.Scale(domain=list(_DIAGRAM_X), nice=False)
    y_scale = alt.Scale(domain=list(_DIAGRAM_Y), nice=False)
    no_axis = None
    enc = {"x": alt.X("x:Q", scale=x_scale, axis=no_axis), "y": alt.Y("y:Q", scale=y_scale, axis=no_axis)}
    edge_layer = alt.Chart(data("edges")).mark_rule().encode(
        **enc, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"), color=alt.Color("colour:N", scale=None),
        strokeWidth=alt.StrokeWidth("width:Q", scale=None),
    )
    node_layer = alt.Chart(data("nodes")).mark_circle(opacity=1, size=style.node_size).encode(
        **enc, color=alt.Color("colour:N", scale=None), tooltip=[alt.Tooltip("tip:N", title="Node")]
    )
    inner_layer = alt.Chart(data("nodes")).mark_text(fontWeight="bold", baseline="middle").encode(
        **enc, text=alt.Text("inner:N"), color=alt.Color("ink:N", scale=None),
        size=alt.Size("inner_size:Q", scale=None),
    )
    # Text alignment and weight are mark properties in Vega-Lite, so one layer each.
    label_layers = [
        alt.Chart(data(f"labels_{weight}_{align}"))
        .mark_text(fontSize=style.font_size, fontWeight=weight, baseline="middle", align=align,
                   dx=alt.ExprRef("datum.dx"))
        .encode(**enc, text=alt.Text("text:N"), color=alt.Color("colour:N", scale=None))
        for weight, align in _LABEL_KINDS
    ]
    return alt.layer(
        edge_layer, node_layer, inner_layer, *label_layers,
        width=style.diagram_width, height=style.diagram_plot_height, view=alt.ViewBackground(stroke=None),
        description=description,
    )


@cache  # one per style
def _diagram_template(style: ChartStyle) -> Template:
    return Template.of(_diagram_layers(style, "", alt.NamedData))


def diagram_chart(
    facts: StageFacts, stage_: Stage, style: ChartStyle = PAGE_STYLE, probe: float | None = None
) -> alt.LayerChart:
    """The network diagram of one state, built afresh with Altair
    (`diagram_spec` is the same chart from the cached template)."""
    datasets = _diagram_datasets(facts, stage_, style, probe)
    return _diagram_layers(style, describe_diagram(facts, stage_, probe), rows_of(datasets))


def diagram_spec(facts: StageFacts, stage_: Stage, style: ChartStyle = PAGE_STYLE, probe: float | None = None) -> dict:
    """The Vega-Lite spec of one state's network diagram: the style's template, filled."""
    datasets = _diagram_datasets(facts, stage_, style, probe)
    return _diagram_template(style).fill(datasets, describe_diagram(facts, stage_, probe))


def describe_diagram(facts: StageFacts, stage_: Stage, probe: float | None = None) -> str:
    """A one-line text alternative for the network diagram."""
    p = facts.params
    highlighted = ", ".join(_PART_WORDS[part] for part in DIAGRAM_PARTS if part in stage_.active)
    text = (
        f"Network diagram: dosage feeds the top node (w1 = {num(p.w1)}, b1 = {num(p.b1)}) and the bottom node "
        f"(w2 = {num(p.w2)}, b2 = {num(p.b2)}); the sum adds top × w3 (w3 = {num(p.w3)}) and bottom × w4 "
        f"(w4 = {num(p.w4)}); the output applies {facts.act} to the sum + b3 (b3 = {num(p.b3)}). "
        f"Highlighted at stage {stage_.number} of {STAGE_COUNT}: {highlighted}."
    )
    if probe is not None:
        v = forward(p, [probe], facts.activation).at(0)
        text += (
            f" At dosage {num(probe)}: top = {num(v['top'])}, bottom = {num(v['bottom'])}, "
            f"sum = {num(v['summed'])}, sum + b3 = {num(v['output_input'])}, output = {num(v['output'])}."
        )
    return text


_PART_WORDS = {
    "input": "the dosage", "top": "the top node", "bottom": "the bottom node", "sum": "the sum",
    "output": "the output activation", **{name: name for name in ("w1", "w2", "w3", "w4", "b1", "b2", "b3")},
}
