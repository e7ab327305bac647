"""Charts for practice questions: what a stage starts from, without its own
curve, and the small candidate charts of a "pick the curve" question.

Nothing here may draw, scale to or describe the stage's own curve unless it
is one of the candidates: the y range comes from the context curves (or from
all three candidates together), never from the answer alone.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from relunet.charts import nice_domain
from relunet.facts import CURVES, StageFacts
from relunet.network import ACTIVATIONS, DOSAGE_RANGE, forward
from relunet.practice import Candidate, PickQuestion, ValueQuestion, stage_dosages
from relunet.stages import Stage
from relunet.style import PAGE_STYLE, PALETTE, TEXT_COLOUR, ChartStyle
from relunet.wording import describe_shape, num

CANDIDATE_HEIGHT = 260
QUESTION_MARK_COLOUR = "#444444"


def axis_ticks(domain: tuple[float, float], most: int = 5) -> list[float]:
    """At most five round tick values across a domain, 0 among them (the domains here always
    hold 0): more would be thinned out on a small chart, and 0 could be the one dropped."""
    low, high = domain
    span = high - low
    magnitude = 10 ** np.floor(np.log10(span / most))
    for step in (m * magnitude for m in (1, 2, 2.5, 5, 10, 20)):
        ticks = np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)
        if ticks.size <= most:
            return [round(float(t), 10) + 0.0 for t in ticks]  # + 0.0: no '-0' label
    return [low, 0.0, high]


def _records(x: np.ndarray, y: np.ndarray, label: str) -> list[dict]:
    return [{"dosage": float(a), "value": float(b), "curve": label} for a, b in zip(x, y)]


def _axis(style: ChartStyle, **extra) -> alt.Axis:
    """Type as the stage charts set it, so the projector view reads from the back too."""
    return alt.Axis(labelFontSize=style.font_size, titleFontSize=style.font_size, labelColor=TEXT_COLOUR,
                    titleColor=TEXT_COLOUR, **extra)


def _x(style: ChartStyle, title: str | None = "Dosage") -> alt.X:
    scale = alt.Scale(domain=list(DOSAGE_RANGE), nice=False, padding=8)
    return alt.X("dosage:Q", scale=scale, title=title, axis=_axis(style, format=".1f", tickCount=5))


def context_dosages(facts: StageFacts, stage_: Stage) -> np.ndarray:
    """Where to sample what a stage starts from: its own kinks only, none of a later curve's."""
    if not ACTIVATIONS[facts.activation].piecewise_linear:
        return facts.curves.dosage
    return stage_dosages(facts.params, stage_.number, with_output=False)


def _context_layer(facts: StageFacts, stage_: Stage, encoding: dict, width: float) -> alt.Chart:
    x = context_dosages(facts, stage_)
    trace = forward(facts.params, x, facts.activation)
    records = [r for c in stage_.context for r in _records(x, getattr(trace, c.curve), CURVES[c.curve][0])]
    return alt.Chart(alt.Data(values=records)).mark_line(clip=True, strokeWidth=width, opacity=0.7).encode(**encoding)


def _context_colours(stage_: Stage, style: ChartStyle) -> tuple[alt.Color, alt.StrokeDash]:
    labels = [CURVES[c.curve][0] for c in stage_.context]
    colours = [PALETTE[CURVES[c.curve][1]] for c in stage_.context]
    legend = alt.Legend(title=None, orient="top", symbolType="stroke", labelLimit=0, labelFontSize=style.font_size,
                        labelColor=TEXT_COLOUR, symbolSize=style.font_size * 30)
    colour = alt.Color("curve:N", scale=alt.Scale(domain=labels, range=colours), legend=legend)
    dash = alt.StrokeDash("curve:N", scale=alt.Scale(domain=labels, range=[[7, 5]] * len(labels)), legend=legend)
    return colour, dash


def question_chart(
    facts: StageFacts, stage_: Stage, question: PickQuestion | ValueQuestion, style: ChartStyle = PAGE_STYLE
) -> alt.LayerChart:
    """What the stage starts from (its context curves), and for a value
    question a marker at the dosage asked about."""
    x = context_dosages(facts, stage_)
    trace = forward(facts.params, x, facts.activation)
    values = np.concatenate([getattr(trace, c.curve) for c in stage_.context])
    domain = nice_domain(float(values.min()), float(values.max()))
    colour, dash = _context_colours(stage_, style)
    encoding = {
        "x": _x(style),
        "y": alt.Y("value:Q", scale=alt.Scale(domain=list(domain), nice=False), title="Value",
                   axis=_axis(style, minExtent=48, maxExtent=48)),
        "color": colour,
        "strokeDash": dash,
        "tooltip": [alt.Tooltip("curve:N", title="Curve"), alt.Tooltip("dosage:Q", title="Dosage", format=".2f"),
                    alt.Tooltip("value:Q", title="Value", format=".2f")],
    }
    zero = alt.Chart(alt.Data(values=[{"value": 0.0}])).mark_rule(color="#888888", strokeWidth=1).encode(
        y=alt.Y("value:Q")
    )
    layers = [zero, _context_layer(facts, stage_, encoding, style.line_width / 1.5)]
    starts = " and ".join(CURVES[c.curve][0] for c in stage_.context)
    text = f"Stage {stage_.number} question chart: what this stage starts from, {starts}"
    exact = ACTIVATIONS[facts.activation].piecewise_linear
    shapes = "; ".join(
        f"{CURVES[c.curve][0]}: {describe_shape(x, getattr(trace, c.curve), exact)}"
        for c in stage_.context
    )
    text += f" ({shapes})."
    if isinstance(question, ValueQuestion):
        marker = [{"dosage": question.dosage, "label": f"x = {num(question.dosage)}: ?"}]
        base = alt.Chart(alt.Data(values=marker))
        layers.append(base.mark_rule(color=QUESTION_MARK_COLOUR, strokeDash=[3, 3], strokeWidth=1.5).encode(
            x=alt.X("dosage:Q")))
        layers.append(base.mark_text(
            align="left" if question.dosage < 0.6 else "right", dx=6 if question.dosage < 0.6 else -6, dy=8,
            baseline="top", fontSize=style.font_size, fontWeight="bold", color=QUESTION_MARK_COLOUR,
        ).encode(x=alt.X("dosage:Q"), y=alt.value(0), text=alt.Text("label:N")))
        text += f" A dashed line marks dosage {num(question.dosage)}, the dosage asked about."
    return alt.layer(*layers).properties(width=style.chart_width, height=style.chart_height, description=text)


def describe_candidate(question: PickQuestion, candidate: Candidate) -> str:
    shape = describe_shape(question.dosages, candidate.values, candidate.straight)
    return f"Candidate {candidate.letter}: {shape}."


def candidate_chart(
    facts: StageFacts, stage_: Stage, question: PickQuestion, candidate: Candidate, style: ChartStyle = PAGE_STYLE
) -> alt.LayerChart:
    """One candidate, bold, over the stage's context (faint, dashed), on the
    y range all three candidates share, so differences in size show."""
    colour, dash = _context_colours(stage_, style)
    y = alt.Y("value:Q", scale=alt.Scale(domain=list(question.domain), nice=False), title=None,
              axis=_axis(style, values=axis_ticks(question.domain), labelOverlap=False, minExtent=36, maxExtent=36))
    tooltip = [alt.Tooltip("dosage:Q", title="Dosage", format=".2f"), alt.Tooltip("value:Q", title="Value",
                                                                                 format=".2f")]
    context_encoding = {"x": _x(style, None), "y": y, "color": colour.legend(None), "strokeDash": dash.legend(None),
                        "tooltip": tooltip}
    zero = alt.Chart(alt.Data(values=[{"value": 0.0}])).mark_rule(color="#888888", strokeWidth=1).encode(
        y=alt.Y("value:Q")
    )
    line = alt.Chart(alt.Data(values=_records(question.dosages, candidate.values, candidate.letter))).mark_line(
        clip=True, strokeWidth=style.line_width, strokeCap="round", strokeJoin="round", color=PALETTE[stage_.role]
    ).encode(x=_x(style, None), y=y, tooltip=tooltip)
    return alt.layer(zero, _context_layer(facts, stage_, context_encoding, style.line_width / 2), line).properties(
        width=style.chart_width // 3, height=CANDIDATE_HEIGHT,
        title=alt.TitleParams(candidate.letter, fontSize=style.title_size + 4, anchor="start"),
        description=describe_candidate(question, candidate),
    )
