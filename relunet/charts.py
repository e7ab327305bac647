"""The stage chart's Altair builders, shared by the page and the export (the
network diagram is relunet.diagram).

The page and the export call the same functions with different styles, so a
slide shows exactly what the page shows. Each chart is split into its shape
(Altair layers; built once per stage, style and variant, and kept as a
template whose layers name their data) and the data of one state (plain rows,
the y range and the text alternative). `stage_spec` fills the cached template
(no Altair per state); `stage_chart` builds the same chart afresh. No
Streamlit in here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache

import altair as alt
import numpy as np

from relunet.chart_template import Y_DOMAIN_HOLE, Datasets, DataSource, Template, rows_of
from relunet.facts import CURVES, StageFacts
from relunet.labels import Label, Placed, Plot, place_labels
from relunet.network import DOSAGE_RANGE, TRAINING_DATA, forward
from relunet.stages import Stage, stage
from relunet.style import (
    MUTED_TEXT,
    PAGE_STYLE,
    PALETTE,
    TEXT_COLOUR,
    ChartStyle,
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


_TRAINING_DATA = "training data"  # the dots' name in their legend and tooltip
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
    other_labels = [_TRAINING_DATA] if stage_.shows_training_data else []
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
                shape=alt.Shape("kind:N", scale=alt.Scale(domain=[_TRAINING_DATA], range=["circle"]),
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
            {"dosage": d, "value": v, "curve": _TRAINING_DATA, "kind": _TRAINING_DATA} for d, v in TRAINING_DATA
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
    return _stage_layers(shape, domain, description, rows_of(datasets))


def stage_spec(
    facts: StageFacts, frame: Frame, style: ChartStyle = PAGE_STYLE, probe: float | None = None,
    compare: StageFacts | None = None,
) -> dict:
    """The Vega-Lite spec of one state's stage chart: its shape's template, filled."""
    shape, datasets, domain, description = _stage_filling(facts, frame, style, probe, compare)
    return _stage_template(shape).fill(datasets, description, domain)
