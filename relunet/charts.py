"""Altair chart builders shared by the page and the GIF export.

The page and the export call the same functions with different styles, so a
slide shows exactly what the page shows. Each chart is split into its shape
(Altair layers; built once per stage, style and variant, and kept as a
template whose layers name their data) and the data of one state (plain rows,
the y range and the text alternative). `stage_spec` and `diagram_spec` fill
the cached templates (no Altair per state); `stage_chart` and `diagram_chart`
build the same chart afresh. No Streamlit in here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

import altair as alt
import numpy as np

from relunet.chart_template import Y_DOMAIN_HOLE, Datasets, Template
from relunet.facts import CURVES, StageFacts
from relunet.labels import Label, Placed, Plot, place_labels
from relunet.network import ACTIVATIONS, DOSAGE_RANGE, TRAINING_DATA, forward
from relunet.stages import DIAGRAM_PARTS, STAGE_COUNT, Stage, stage
from relunet.style import (
    INACTIVE_GREY,
    INACTIVE_TEXT,
    MUTED_TEXT,
    PAGE_STYLE,
    PALETTE,
    TEXT_COLOUR,
    TEXT_PALETTE,
    ChartStyle,
    ink_on,
)
from relunet.typeface import text_width
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


def _annotation_labels(facts: StageFacts, stage_: Stage, style: ChartStyle) -> list[Label]:
    """What the stage's text talks about, as labels on the chart: the peak
    ("1.01 at 0.50"), where the curve crosses zero, and where it bends."""
    curve = stage_.curve
    labels = []
    peak = facts.peak(curve) if stage_.labels_peak else None
    if peak is not None:
        labels.append(Label(peak[0], peak[1], f"peak {num(peak[1])} at {num(peak[0])}", style.font_size))
    if stage_.marks_zero_crossings:
        labels += [Label(x, 0.0, f"0 at {num(x)}", style.font_size, short=num(x)) for x in facts.zero_crossings(curve)]
    # A bend at the labelled peak is already named by the peak's label.
    labels += [Label(x, y, f"bend at {num(x)}", style.font_size, short=num(x))
               for x, y in facts.bends(curve) if peak is None or x != peak[0]]
    return _spread(labels)


def _spread(labels: list[Label]) -> list[Label]:
    """Neighbouring labels try opposite sides first: the left one left, the right one right."""
    if len({label.x for label in labels}) < 2:
        return labels
    middle = (min(label.x for label in labels) + max(label.x for label in labels)) / 2
    return [replace(label, toward=(int(np.sign(round(label.x - middle, 9))), -1)) for label in labels]


def _probe_label(facts: StageFacts, stage_: Stage, probe: float, style: ChartStyle) -> Label:
    value = float(getattr(forward(facts.params, [probe], facts.activation), stage_.curve)[0])
    return Label(probe, value, f"x = {num(probe)} → {num(value)}", style.font_size)


def _placed_labels(
    facts: StageFacts, stage_: Stage, frame_curves: list[tuple[np.ndarray, np.ndarray]], domain: tuple[float, float],
    style: ChartStyle, probe: float | None,
) -> tuple[list[Placed], Placed | None]:
    """Annotation labels and the probe's label, each at a spot no line crosses."""
    plot = Plot(style.chart_width, style.chart_height, DOSAGE_RANGE, domain, X_PADDING)
    notes = _annotation_labels(facts, stage_, style)
    probe_label = _probe_label(facts, stage_, probe, style) if probe is not None else None
    wide = (DOSAGE_RANGE[0] - 1.0, DOSAGE_RANGE[1] + 1.0)
    lines = [*frame_curves, (np.array(wide), np.zeros(2))]  # the curves and the zero line
    points = [(note.x, note.y) for note in notes]
    if stage_.shows_training_data:
        points += list(TRAINING_DATA)
    if probe_label is not None:
        lines.append((np.array([probe, probe]), np.array(domain)))
        points.append((probe_label.x, probe_label.y))
    # The probe last: it moves with the slider, the marks stay put.
    order = notes + ([probe_label] if probe_label else [])
    placed = place_labels(order, plot, lines, line_clearance=style.line_width / 2 + 2, points=points,
                          point_radius=style.font_size / 2)
    probe_placed = next((p for p in placed if p.label is probe_label), None)
    if probe_placed is not None and not probe_placed.clear:
        probe_placed = None  # no room left: the dot and its tooltip still show the value
    return [p for p in placed if p.label is not probe_label], probe_placed


def _label_records(placed: list[Placed]) -> list[dict]:
    return [{"dosage": p.x, "value": p.y, "text": p.label.text} for p in placed]


# Where a layer's rows come from: a named dataset in a template, the rows themselves in a fresh build.
DataSource = Callable[[str], "alt.NamedData | alt.Data"]


def _rows_of(datasets: Datasets) -> DataSource:
    return lambda name: alt.Data(values=datasets[name])


def _probe_point(facts: StageFacts, stage_: Stage, probe: float) -> list[dict]:
    value = float(getattr(forward(facts.params, [probe], facts.activation), stage_.curve)[0])
    return [{"dosage": probe, "value": value, "label": f"x = {num(probe)} → {num(value)}"}]


def _probe_layers(style: ChartStyle, data: DataSource) -> list[alt.Chart]:
    base = alt.Chart(data("probe"))
    rule = base.mark_rule(color=MUTED_TEXT, strokeDash=[3, 3], strokeWidth=1.5).encode(x=alt.X("dosage:Q"))
    dot = base.mark_point(
        filled=True, size=style.node_size / 12, color=TEXT_COLOUR, stroke="white", strokeWidth=1.5, clip=True
    ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), tooltip=[alt.Tooltip("label:N", title="Probe")])
    text = alt.Chart(data("probe_label")).mark_text(
        align="center", baseline="middle", fontSize=style.font_size, fontWeight="bold", color=TEXT_COLOUR, clip=True,
    ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), text=alt.Text("text:N"))
    return [rule, dot, text]  # flat, not a nested layer: Altair copies nested layers on every step


def _axis(title_size: int, style: ChartStyle, **extra) -> alt.Axis:
    return alt.Axis(
        labelFontSize=style.font_size, titleFontSize=title_size, labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR,
        domainColor="#767676", tickColor="#767676", gridColor="#E4E4E4", **extra,
    )


def _annotation_datasets(
    facts: StageFacts, stage_: Stage, x: np.ndarray, y: np.ndarray, domain: tuple[float, float], style: ChartStyle,
    probe: float | None,
) -> Datasets:
    """Leader lines, labels, the probe and the rings round marked points, from the facts."""
    curves = [(x, getattr(facts.curves, c.curve)) for c in stage_.context] + [(x, y)]
    notes, probe_label = _placed_labels(facts, stage_, curves, domain, style, probe)
    datasets = {
        "leaders": [
            {"dosage": x1, "value": y1, "dosage2": x2, "value2": y2}
            for placed in [*notes, *([probe_label] if probe_label else [])] if placed.leader
            for x1, y1, x2, y2 in [placed.leader]
        ],
        "notes": _label_records(notes),
        "markers": [{"dosage": n.label.x, "value": n.label.y, "text": n.label.text} for n in notes],
    }
    if probe is not None:
        datasets["probe"] = _probe_point(facts, stage_, probe)
        datasets["probe_label"] = _label_records([probe_label] if probe_label else [])
    return datasets


def _annotation_layers(style: ChartStyle, probe: bool, data: DataSource) -> list[alt.Chart]:
    """Leader lines, labels, the probe and the rings round marked points: the
    same layers on every held stage (some may be empty)."""
    layers = [
        alt.Chart(data("leaders")).mark_rule(color=MUTED_TEXT, strokeWidth=1, clip=True).encode(
            x=alt.X("dosage:Q"), y=alt.Y("value:Q"), x2=alt.X2("dosage2:Q"), y2=alt.Y2("value2:Q")
        ),
        alt.Chart(data("notes")).mark_text(
            align="center", baseline="middle", fontSize=style.font_size, color=TEXT_COLOUR, clip=True,
        ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), text=alt.Text("text:N")),
    ]
    if probe:
        layers.extend(_probe_layers(style, data))
    # Rings around the marked points, drawn last so that the probe's dot never hides one.
    layers.append(
        alt.Chart(data("markers")).mark_point(
            filled=False, size=style.node_size / 8, color=TEXT_COLOUR, strokeWidth=2, opacity=1, clip=True,
        ).encode(x=alt.X("dosage:Q"), y=alt.Y("value:Q"), tooltip=[alt.Tooltip("text:N", title="Mark")])
    )
    return layers


X_PADDING = 10  # pixels on each side of the dosage axis, so end points stay clear of the frame


COMPARE_GREY = "#767676"  # 4.5 : 1: the faint comparison curve and its legend entry


@dataclass(frozen=True)
class StageShape:
    """Everything about a stage chart that is not data: the key of its template."""

    stage: int
    style: ChartStyle
    held: bool  # a held frame carries the annotations (and the probe); a morph frame does not
    probe: bool
    compare: str  # the compared activation's label, or "" without a comparison


def _stage_layers(
    shape: StageShape, y_domain: tuple[float, float], description: str, data: DataSource
) -> alt.LayerChart:
    """The stage's curve (bold), earlier steps (faint, dashed), zero line,
    on the final stage the training data and, on a held frame, labelled bends
    (and zero crossings or the peak where the stage is about them), the
    optional probe marker and, with a comparison (the same weights with another
    activation), that network's curve for this stage, faint grey and dotted.
    The shape fits every state: rows, y range and text come from outside."""
    stage_, style = stage(shape.stage), shape.style
    own_label = CURVES[stage_.curve][0]
    context_labels = [CURVES[c.curve][0] for c in stage_.context]
    colours = [PALETTE[CURVES[c.curve][1]] for c in stage_.context]
    dashes = [[7, 5]] * len(context_labels)
    if shape.compare:
        context_labels.append(f"{own_label} with {shape.compare}")
        colours.append(COMPARE_GREY)
        dashes.append([2, 3])
    labels = context_labels + [own_label]

    x_scale = alt.Scale(domain=list(DOSAGE_RANGE), nice=False, padding=X_PADDING)
    y_scale = alt.Scale(domain=list(y_domain), nice=False)
    other_labels = ["training data"] if stage_.shows_training_data else []
    legend = alt.Legend(
        title=None, orient="top", symbolType="stroke", symbolStrokeWidth=style.line_width,
        labelFontSize=style.font_size, labelColor=TEXT_COLOUR, symbolSize=style.font_size * 30, labelLimit=0,
        columns=_legend_columns(style, labels, other_labels), clipHeight=_legend_row_height(style),
    )
    # Context and the stage's own curve share one colour/dash scale, so one
    # legend names them all; width and opacity are per layer, not encoded.
    colour = alt.Color("curve:N", scale=alt.Scale(domain=labels, range=[*colours, PALETTE[stage_.role]]), legend=legend)
    dash = alt.StrokeDash("curve:N", scale=alt.Scale(domain=labels, range=[*dashes, [1, 0]]), legend=legend)
    encoding = {
        "x": alt.X("dosage:Q", scale=x_scale, title="Dosage", axis=_axis(style.axis_title_size, style, format=".1f",
                                                                          tickCount=5)),
        "y": alt.Y("value:Q", scale=y_scale, title=stage_.y_title,
                   # A fixed width for the tick labels, so the plot starts at the same x on every stage.
                   axis=_axis(style.axis_title_size, style, minExtent=max(48, round(style.font_size * 2.8)),
                              maxExtent=max(48, round(style.font_size * 2.8)))),
        "color": colour,
        "strokeDash": dash,
        "tooltip": [
            alt.Tooltip("curve:N", title="Curve"),
            alt.Tooltip("dosage:Q", title="Dosage", format=".2f"),
            alt.Tooltip("value:Q", title="Value", format=".2f"),
        ],
    }
    context_lines = alt.Chart(data("context")).mark_line(
        clip=True, strokeWidth=style.line_width / 2, opacity=0.6
    ).encode(**encoding)
    own_line = alt.Chart(data("own")).mark_line(
        clip=True, strokeWidth=style.line_width, strokeCap="round", strokeJoin="round"
    ).encode(**encoding)
    zero = alt.Chart(data("zero")).mark_rule(color="#767676", strokeWidth=1).encode(y=alt.Y("value:Q"))
    # The training data lies under the curves, so the morph into the final
    # stage draws the curve growing towards it (and its legend never changes).
    layers = [zero]
    if stage_.shows_training_data:
        layers.append(
            alt.Chart(data("training")).mark_point(
                filled=True, size=style.node_size / 6, color=PALETTE["data"], opacity=1, stroke="white", strokeWidth=1.5
            ).encode(
                x=alt.X("dosage:Q"), y=alt.Y("value:Q"),
                # A legend entry of its own: a dot in the points' colour, named as the text names them.
                # ("kind", not "curve": a legend on the curves' field would merge with theirs.)
                shape=alt.Shape("kind:N", scale=alt.Scale(domain=["training data"], range=["circle"]),
                                legend=alt.Legend(
                                    title=None, orient="top", labelFontSize=style.font_size, labelColor=TEXT_COLOUR,
                                    symbolFillColor=PALETTE["data"], symbolStrokeColor=PALETTE["data"],
                                    symbolSize=style.font_size ** 2 * 0.3, clipHeight=_legend_row_height(style))),
                tooltip=[alt.Tooltip("curve:N", title=""), alt.Tooltip("dosage:Q", title="Dosage"),
                         alt.Tooltip("value:Q", title="Efficacy")],
            )
        )
    layers += [context_lines, own_line]
    if shape.held:  # annotations describe the finished curve, not the morph
        layers.extend(_annotation_layers(style, shape.probe, data))
    # Sizes as layer() arguments: .properties() would validate each against the schema (slow on a cold start).
    return alt.layer(*layers, width=style.chart_width, height=style.chart_height, description=description)


def _legend_row_height(style: ChartStyle) -> float:
    """One row height for both legends (the training data's dot and the curves' strokes), so that the two sit
    on one line: Vega sizes a row by its symbol, and the two legends' symbols differ."""
    return style.font_size * 1.3


def _legend_columns(style: ChartStyle, curve_labels: list[str], other_labels: list[str]) -> alt.ExprRef:
    """The curves' legend in one row while that fits the plot's width, else in two columns, else one.
    The page stretches a chart to its column, so on a phone the plot is about 280 px wide and a one-row
    legend of four entries ran off the chart's edge; the width is known only in the browser, hence an
    expression on Vega's `width` signal, with each layout's width measured here in the page's typeface."""

    def entry(label: str) -> float:  # symbol, gaps and text (Vega's defaults, measured: 2×size + 12 px)
        return text_width(label, style.font_size) + 2 * style.font_size + 12

    others = sum(entry(label) for label in other_labels)
    one_row = others + sum(entry(label) for label in curve_labels)
    two_columns = others + max(map(entry, curve_labels[0::2])) + max(map(entry, curve_labels[1::2]), default=0)
    return alt.ExprRef(expr=f"width >= {one_row:.0f} ? 0 : width >= {two_columns:.0f} ? 2 : 1")


@cache  # a few shapes per stage and style
def _stage_template(shape: StageShape) -> Template:
    return Template.of(_stage_layers(shape, Y_DOMAIN_HOLE, "", alt.NamedData))


def _stage_filling(
    facts: StageFacts, frame: Frame, style: ChartStyle, probe: float | None, compare: StageFacts | None
) -> tuple[StageShape, Datasets, tuple[float, float], str]:
    """One state's stage chart as its shape and what fills it: datasets, y range, description."""
    stage_ = frame.stage
    held = frame.progress >= 1.0
    x, y, domain = _morph(facts, frame)
    own_label = CURVES[stage_.curve][0]
    context = [r for c in stage_.context for r in _records(x, getattr(facts.curves, c.curve), CURVES[c.curve][0])]
    compared = compare is not None and held
    if compared:
        compare_values = getattr(compare.curves, stage_.curve)
        context += _records(compare.curves.dosage, compare_values, f"{own_label} with {compare.act}")
        lows, highs = [domain[0], float(compare_values.min())], [domain[1], float(compare_values.max())]
        domain = nice_domain(min(lows), max(highs)) if min(lows) < domain[0] or max(highs) > domain[1] else domain
    datasets = {"zero": [{"value": 0.0}], "context": context, "own": _records(x, y, own_label)}
    if stage_.shows_training_data:
        datasets["training"] = [
            {"dosage": d, "value": v, "curve": "training data", "kind": "training data"} for d, v in TRAINING_DATA
        ]
    if held:
        datasets.update(_annotation_datasets(facts, stage_, x, y, domain, style, probe))
    shape = StageShape(stage_.number, style, held, held and probe is not None, compare.act if compared else "")
    return shape, datasets, domain, describe_curve(facts, stage_)


def stage_chart(
    facts: StageFacts, frame: Frame, style: ChartStyle = PAGE_STYLE, probe: float | None = None,
    compare: StageFacts | None = None,
) -> alt.LayerChart:
    """The stage chart of one state, built afresh with Altair (`stage_spec` is
    the same chart from a cached template). `compare`: the same weights with
    another activation, drawn faint grey and dotted on a held frame."""
    shape, datasets, domain, description = _stage_filling(facts, frame, style, probe, compare)
    return _stage_layers(shape, domain, description, _rows_of(datasets))


def stage_spec(
    facts: StageFacts, frame: Frame, style: ChartStyle = PAGE_STYLE, probe: float | None = None,
    compare: StageFacts | None = None,
) -> dict:
    """The Vega-Lite spec of one state's stage chart: its shape's template, filled."""
    shape, datasets, domain, description = _stage_filling(facts, frame, style, probe, compare)
    return _stage_template(shape).fill(datasets, description, domain)


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
    """The anchor `px` of a label `width` px wide, moved just enough that the whole label lies inside
    the plot: a long weight ("w2 = -12.60", bold) or activation name would otherwise be cut at its edge."""
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
            label(px, 0, first_line, _NODE_NAME[name], "center", ink, True)
        elif name == "output":  # two short lines: one would reach over the sum's label
            label(px, 0, first_line, _NODE_NAME[name], "center", ink, True)
            label(px, 0, first_line + line, facts.act, "center", ink, True)
        else:
            label(px, 0, first_line, f"{_NODE_NAME[name]} · {facts.act}", "center", ink, True)
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
    return _diagram_layers(style, describe_diagram(facts, stage_, probe), _rows_of(datasets))


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
