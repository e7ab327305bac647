"""Altair builders for the fit page and its animation: the loss against b3 (with the
tangent and the path so far), the fit against the training data, and the SSR
against steps. No Streamlit in here; the page and the export call the same
functions with different styles.

A step changes only a chart's data, so each chart is built once per run as a
Vega-Lite template (`*_template`), and a step fills in its layers' values
(`*_step`, then `fill`). Building Altair objects costs far more than a click may.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from relunet.charts import nice_domain
from relunet.fit import BiasRun, FullRun, bias_kinks, ssr_over_bias
from relunet.network import DOSAGE_RANGE, TRAINING_DATA, Params, trace_curves
from relunet.style import PAGE_STYLE, PALETTE, ChartStyle
from relunet.wording import num

LOSS_SAMPLES = 241
PATH_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple: the descent's own colour, unused by the curves
NOW_COLOUR = "#222222"
CURVE_LABEL, PATH_LABEL, TANGENT_LABEL = "SSR", "steps so far", "tangent"
NOW_LABEL, BEFORE_LABEL = "this step", "previous step"
WHOLE_LABEL, SO_FAR_LABEL = "the whole run", "steps so far"

StepData = tuple[dict[int, list[dict]], str]  # values for some layers (by index), and the chart's description


def fill(template: dict, step_data: StepData) -> dict:
    """The template with one step's values in its step layers and the step's description.
    Copies only the dicts it changes, so the cached template is never modified."""
    values, description = step_data
    spec = dict(template, description=description, layer=list(template["layer"]))
    for index, records in values.items():
        spec["layer"][index] = dict(spec["layer"][index], data={"values": records})
    return spec


def _legend(style: ChartStyle) -> alt.Legend:
    return alt.Legend(
        title=None, orient="top", symbolType="stroke", symbolStrokeWidth=style.line_width,
        labelFontSize=style.font_size, symbolSize=style.font_size * 30, labelLimit=0,
    )


def _empty() -> alt.Data:
    return alt.Data(values=[])


# ---------------------------------------------------------------- loss against b3


def bias_window(run: BiasRun) -> tuple[float, float]:
    """The b3 range to plot: every b3 the whole run visits and the best b3, padded. Fixed for a
    run, so stepping moves the point, not the axis."""
    values = np.append(run.b3[np.isfinite(run.b3)], run.best_b3)
    low, high = float(values.min()), float(values.max())
    pad = max(0.15 * (high - low), 2.0)
    return low - pad, high + pad


def loss_curve(run: BiasRun, window: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The exact SSR over the window: a dense grid plus every kink, where a point's ReLU switches."""
    low, high = window
    kinks = bias_kinks(run.summed)
    b3 = np.unique(np.concatenate([np.linspace(low, high, LOSS_SAMPLES), kinks[(kinks > low) & (kinks < high)]]))
    return b3, ssr_over_bias(run.summed, b3)


LOSS_PATH, LOSS_TANGENT, LOSS_NOW = 1, 2, 3  # the step layers


def loss_template(run: BiasRun, style: ChartStyle = PAGE_STYLE) -> dict:
    """SSR against b3 over the run's window; step layers: the path so far, the tangent, now."""
    window = bias_window(run)
    b3, loss = loss_curve(run, window)
    # The SSR is never negative: the axis starts at 0 (nice_domain would pad below it).
    y_domain = (0.0, nice_domain(0.0, float(loss.max()))[1])
    colour = alt.Color(
        "curve:N", scale=alt.Scale(domain=[CURVE_LABEL, TANGENT_LABEL, PATH_LABEL],
                                   range=[PALETTE["sum"], NOW_COLOUR, PATH_COLOUR]),
        legend=_legend(style),
    )
    x = alt.X("b3:Q", scale=alt.Scale(domain=list(window), nice=False), title="b3 (output bias)")
    y = alt.Y("ssr:Q", scale=alt.Scale(domain=list(y_domain), nice=False), title="SSR",
              axis=alt.Axis(minExtent=48, maxExtent=48))
    tooltip = [alt.Tooltip("b3:Q", format=".4f"), alt.Tooltip("ssr:Q", title="SSR", format=".4f")]
    curve_records = [{"b3": float(a), "ssr": float(b), "curve": CURVE_LABEL} for a, b in zip(b3, loss)]
    layers = [
        alt.Chart(alt.Data(values=curve_records)).mark_line(clip=True, strokeWidth=style.line_width).encode(
            x=x, y=y, color=colour, tooltip=tooltip),
        alt.Chart(_empty()).mark_line(
            clip=True, strokeWidth=style.line_width / 2, point=alt.OverlayMarkDef(size=style.node_size / 30, clip=True)
        ).encode(x=x, y=y, color=colour, order="step:Q", tooltip=[alt.Tooltip("step:Q"), *tooltip]),
        alt.Chart(_empty()).mark_line(clip=True, strokeWidth=style.line_width / 2, strokeDash=[6, 4]).encode(
            x=x, y=y, color=colour),
        alt.Chart(_empty()).mark_point(
            filled=True, size=style.node_size / 6, color=NOW_COLOUR, stroke="white", strokeWidth=1.5, opacity=1,
            clip=True,
        ).encode(x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Now"), *tooltip]),
    ]
    chart = alt.layer(*layers).properties(width=style.chart_width, height=style.chart_height)
    return chart.to_dict(validate=False)


def loss_step(run: BiasRun, step: int) -> StepData:
    window = bias_window(run)
    current_b3, current_ssr, slope = float(run.b3[step]), float(run.ssr[step]), float(run.slope[step])
    half = 0.12 * (window[1] - window[0])
    tangent = [{"b3": current_b3 + dx, "ssr": current_ssr + slope * dx, "curve": TANGENT_LABEL} for dx in (-half, half)]
    path = [
        {"b3": float(a), "ssr": float(b), "curve": PATH_LABEL, "step": k}
        for k, (a, b) in enumerate(zip(run.b3[: step + 1], run.ssr[: step + 1]))
    ]
    now = [{"b3": current_b3, "ssr": current_ssr, "label": f"step {step}: b3 = {num(current_b3)}"}]
    description = (
        f"Loss chart: the SSR against b3 from {num(window[0])} to {num(window[1])}. After step {step}, "
        f"b3 = {num(current_b3)} and the SSR is {num(current_ssr)}; the tangent's slope there is {num(slope)}. "
        f"The lowest SSR is at b3 = {num(run.best_b3)}."
    )
    return {LOSS_PATH: path, LOSS_TANGENT: tangent, LOSS_NOW: now}, description


# ---------------------------------------------------------------- the fit


FIT_CURVES = 1  # the step layer


def fit_template(style: ChartStyle = PAGE_STYLE) -> dict:
    """The network's final curve (bold) against the training data, with the previous step's
    curve faint and dashed. The y axis follows the curves (always including 0)."""
    labels = [BEFORE_LABEL, NOW_LABEL]
    legend = _legend(style)
    colour = alt.Color("curve:N", scale=alt.Scale(domain=labels, range=[PALETTE["sum"]] * 2), legend=legend)
    dash = alt.StrokeDash("curve:N", scale=alt.Scale(domain=labels, range=[[7, 5], [1, 0]]), legend=legend)
    opacity = alt.Opacity("curve:N", scale=alt.Scale(domain=labels, range=[0.45, 1.0]), legend=None)
    width = alt.StrokeWidth("curve:N", scale=alt.Scale(domain=labels, range=[style.line_width / 2, style.line_width]),
                            legend=None)
    x = alt.X("dosage:Q", scale=alt.Scale(domain=list(DOSAGE_RANGE), nice=False, padding=10), title="Dosage",
              axis=alt.Axis(format=".1f", tickCount=5))
    y = alt.Y("value:Q", scale=alt.Scale(zero=True, nice=True), title="Efficacy (output)",
              axis=alt.Axis(minExtent=48, maxExtent=48))
    tooltip = [alt.Tooltip("curve:N", title="Curve"), alt.Tooltip("dosage:Q", format=".2f"),
               alt.Tooltip("value:Q", format=".2f")]
    zero = alt.Chart(alt.Data(values=[{"value": 0.0}])).mark_rule(color="#888888", strokeWidth=1).encode(y="value:Q")
    lines = alt.Chart(_empty()).mark_line(clip=True, strokeCap="round").encode(
        x=x, y=y, color=colour, strokeDash=dash, opacity=opacity, strokeWidth=width, tooltip=tooltip
    )
    data = [{"dosage": d, "value": v} for d, v in TRAINING_DATA]
    points = alt.Chart(alt.Data(values=data)).mark_point(
        filled=True, size=style.node_size / 6, color=PALETTE["data"], opacity=1, stroke="white", strokeWidth=1.5
    ).encode(x=x, y=y, tooltip=[alt.Tooltip("dosage:Q"), alt.Tooltip("value:Q", title="Observed")])
    chart = alt.layer(zero, lines, points).properties(width=style.chart_width, height=style.chart_height)
    return chart.to_dict(validate=False)


def fit_step(params: Params, previous: Params | None, heading: str) -> StepData:
    records = []
    for label, p in ((BEFORE_LABEL, previous), (NOW_LABEL, params)):
        if p is not None:
            curves = trace_curves(p, "relu")
            records += [{"dosage": float(a), "value": float(b), "curve": label}
                        for a, b in zip(curves.dosage, curves.output)]
    now = trace_curves(params, "relu")
    peak = int(np.argmax(now.output))
    description = (
        f"Fit chart, {heading}: the network's output against dosage, highest {num(now.output[peak])} at dosage "
        f"{num(now.dosage[peak])}, against the training data (vermillion dots) 0 → 0, 0.5 → 1, 1 → 0."
    )
    return {FIT_CURVES: records}, description


# ---------------------------------------------------------------- SSR against steps


SSR_SO_FAR, SSR_NOW = 1, 2  # the step layers


def _ssr_records(run: FullRun, label: str, last: int) -> list[dict]:
    ssr = run.ssr[: last + 1]
    steps = np.flatnonzero(ssr > 0)  # a log scale has no room for 0
    return [{"step": int(k), "ssr": float(ssr[k]), "curve": label} for k in steps]


def ssr_template(run: FullRun, style: ChartStyle = PAGE_STYLE) -> dict:
    """SSR against step on a log scale: the whole run faint; step layers: the steps so far, now."""
    colour = alt.Color("curve:N", scale=alt.Scale(domain=[WHOLE_LABEL, SO_FAR_LABEL],
                                                  range=["#BBBBBB", PALETTE["sum"]]), legend=_legend(style))
    finite = run.ssr[(run.ssr > 0) & np.isfinite(run.ssr)]
    low = float(10 ** np.floor(np.log10(finite.min()))) if finite.size else 1e-4
    high = float(10 ** np.ceil(np.log10(finite.max()))) if finite.size else 1.0
    x = alt.X("step:Q", scale=alt.Scale(domain=[0, max(run.last_step, 1)], nice=False), title="Step")
    y = alt.Y("ssr:Q", scale=alt.Scale(type="log", domain=[low, max(high, low * 10)], nice=False),
              title="SSR (log scale)", axis=alt.Axis(minExtent=48, maxExtent=48, format="~g"))
    tooltip = [alt.Tooltip("step:Q"), alt.Tooltip("ssr:Q", title="SSR", format=".6f")]
    layers = [
        alt.Chart(alt.Data(values=_ssr_records(run, WHOLE_LABEL, run.last_step))).mark_line(
            clip=True, strokeWidth=style.line_width / 2).encode(x=x, y=y, color=colour, tooltip=tooltip),
        alt.Chart(_empty()).mark_line(clip=True, strokeWidth=style.line_width).encode(
            x=x, y=y, color=colour, tooltip=tooltip),
        alt.Chart(_empty()).mark_point(
            filled=True, size=style.node_size / 6, color=NOW_COLOUR, opacity=1, clip=True
        ).encode(x=x, y=y, tooltip=tooltip),
    ]
    chart = alt.layer(*layers).properties(width=style.chart_width, height=style.chart_height)
    return chart.to_dict(validate=False)


def ssr_step(run: FullRun, step: int) -> StepData:
    so_far = _ssr_records(run, SO_FAR_LABEL, step)
    now = [r for r in so_far if r["step"] == step]
    description = (
        f"SSR chart: the SSR against step, from {num(run.ssr[0])} at step 0 to {run.ssr[run.last_step]:.6f} at "
        f"step {run.last_step}; now step {step}, SSR {run.ssr[step]:.6f}."
    )
    return {SSR_SO_FAR: so_far, SSR_NOW: now}, description
