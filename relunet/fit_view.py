"""Everything the fit page shows for one state, computed in one place: the words, the
tables and the chart specs. Pure (no Streamlit), so the page only lays it out and
the runs are computed once per setting, not once per click.

Every number quoted is computed from the run; nothing is typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from relunet.facts import CURVES
from relunet.fit import (
    BACKWARD,
    HIDDEN_NODES,
    SSR_THRESHOLD,
    TRAINING_X,
    BiasRun,
    FullRun,
    backprop,
    dead_nodes,
    fit_all,
    fit_bias,
    output_dead,
    random_start,
)
from relunet.fit_charts import fill, fit_step, fit_template, loss_step, loss_template, ssr_step, ssr_template
from relunet.fit_state import FitState
from relunet.network import PARAM_NAMES, Params, forward
from relunet.stages import STAGES
from relunet.view import Table
from relunet.wording import num


def num4(value: float) -> str:
    """b3, slopes and steps: four decimals, enough to see the last steps move."""
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


def ssr_text(value: float) -> str:
    """Two decimals while the SSR is large, six once it nears the stopping threshold."""
    return f"{value:.2f}" if value >= 0.01 else f"{value:.6f}"


def threshold_text() -> str:
    return np.format_float_positional(SSR_THRESHOLD, trim="-")


@dataclass(frozen=True)
class Message:
    kind: str  # "info", "success", "warning" or "error": how the page shows it
    text: str


@dataclass(frozen=True)
class FitView:
    mode: str
    step: int
    last_step: int
    heading: str
    messages: tuple[Message, ...]
    left_spec: dict
    left_text: str
    right_spec: dict
    right_text: str
    sections: tuple[tuple[str, str], ...]  # (title, markdown), shown in order
    steps_table: dict[str, list]  # column -> numbers, newest step first
    steps_formats: dict[str, str]  # column -> printf format


@lru_cache(maxsize=64)
def bias_run(params: Params, b3_start: float, learning_rate: float) -> BiasRun:
    return fit_bias(params, b3_start, learning_rate)


@lru_cache(maxsize=64)
def full_run(seed: int, learning_rate: float) -> FullRun:
    return fit_all(random_start(seed), learning_rate)


@lru_cache(maxsize=64)
def _loss_template(params: Params, b3_start: float, learning_rate: float) -> dict:
    return loss_template(bias_run(params, b3_start, learning_rate))


@lru_cache(maxsize=64)
def _ssr_template(seed: int, learning_rate: float) -> dict:
    return ssr_template(full_run(seed, learning_rate))


@lru_cache(maxsize=1)
def _fit_template() -> dict:
    return fit_template()


def run_length(state: FitState) -> int:
    """The last step of the run this state belongs to."""
    if state.mode == "bias":
        return bias_run(state.params, state.b3start, state.lr).last_step
    return full_run(state.seed, state.lr).last_step


def _dosage_list(dosages: np.ndarray) -> str:
    words = [num(d) for d in dosages]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ---------------------------------------------------------------- fitting b3


def learning_rate_verdict(run: BiasRun) -> Message | None:
    """Near its lowest point the SSR is a parabola in b3 with curvature 2·n (n points pulling), so
    each step multiplies the distance to the bottom by (1 - 2·n·lr): beyond 1 in size, it diverges."""
    best = run.best_b3
    pulling = int(np.sum(run.summed + best > 0))
    if pulling == 0:
        return None
    factor = 1.0 - 2.0 * pulling * run.learning_rate
    lr = f"{run.learning_rate:g}"
    if abs(factor) > 1.0:
        return Message("warning", (
            f"Learning rate {lr} is too large: near the lowest point, each step multiplies b3's distance to it "
            f"by |1 − 2 × {pulling} × {lr}| = {num(abs(factor))}, more than 1, so every step overshoots further "
            "than the last: gradient descent diverges."
        ))
    if factor < 0.0:
        return Message("info", (
            f"With learning rate {lr} each step overshoots the lowest point and b3 zig-zags across it, but the "
            f"distance shrinks by a factor {num(abs(factor))} per step, so it still converges."
        ))
    return None


def _bias_outcome(run: BiasRun) -> Message:
    last, b3, loss = run.last_step, num4(float(run.b3[-1])), ssr_text(float(run.ssr[-1]))
    if run.stop == "converged":
        return Message("success", (
            f"Done: the SSR first drops below {threshold_text()} after step {last}, at b3 = {b3}. "
            f"The lowest possible SSR is at b3 = {num4(run.best_b3)}."
        ))
    if run.stop == "stuck":
        return Message("warning", (
            f"Stuck after step {last}: at b3 = {b3} the final ReLU's input is 0 or less at all three training "
            f"dosages, so the SSR is flat ({loss}), its slope is 0 and b3 never moves again: a dead ReLU."
        ))
    if run.stop == "blown up":
        return Message("error", f"After step {last} the SSR has blown up to {loss}: the steps grew without bound.")
    return Message("info", (
        f"Stopped at the step limit, step {last}: the SSR is still {loss}. A larger learning rate takes "
        "bigger steps."
    ))


def _dead_gradient_note(points) -> str:
    off = points.relu_slope == 0
    if off.all():
        return (
            "At every training dosage the final ReLU's input is 0 or less, so ReLU is flat there: a small change "
            "in b3 changes no prediction, every share is 0 and so is the slope. Gradient descent cannot move b3 "
            "from here (a dead ReLU)."
        )
    if not off.any():
        return "All three points are on ReLU's sloped side, so all three pull on b3."
    inputs = _dosage_list(points.output_input[off])
    on = _dosage_list(points.dosage[~off])
    return (
        f"At dosage {_dosage_list(points.dosage[off])} the final ReLU's input (sum + b3) is {inputs}: "
        "ReLU is flat there (its slope is 0, and at exactly 0 we use 0, as PyTorch does), so a small change in "
        "b3 does not change that prediction and it adds 0 to the slope: a \"dead\" gradient. "
        f"Only dosage {on} pulls."
    )


def _bias_sections(run: BiasRun, step: int) -> tuple[tuple[str, str], ...]:
    points = run.points(step)
    b3 = float(run.b3[step])
    table = Table(
        ("Dosage", "Observed", "sum + b3", "Predicted", "Error", "ReLU′", "Share"),
        tuple(
            (num(points.dosage[i]), num(points.observed[i]), num4(points.output_input[i]),
             num4(points.predicted[i]), num4(points.error[i]), f"{points.relu_slope[i]:.0f}", num4(points.share[i]))
            for i in range(len(points.dosage))
        ),
    )
    slope = points.slope
    size = run.learning_rate * slope
    shares = " + ".join(f"({num4(s)})" if s < 0 else num4(s) for s in points.share)
    arithmetic = [
        f"1. **Slope** d SSR / d b3 = the sum of the shares = {shares} = **{num4(slope)}**",
        f"2. **Step size** = learning rate × slope = {run.learning_rate:g} × {num4(slope)} = **{num4(size)}**",
        f"3. **New b3** = b3 − step size = {num4(b3)} − ({num4(size)}) = **{num4(b3 - size)}**",
    ]
    if step < run.last_step:
        following = num4(float(run.b3[step + 1]))
        arithmetic.append(f"\n*Next* takes this step: step {step + 1} starts from b3 = {following}.")
    else:
        arithmetic.append("\nThe run stops here, so this step is not taken.")
    came = ""
    if step > 0:
        before = float(run.b3[step - 1])
        came = (
            f"Step {step} moved b3 from {num4(before)} by {num4(b3 - before)} to {num4(b3)}; the SSR went from "
            f"{ssr_text(float(run.ssr[step - 1]))} to {ssr_text(float(run.ssr[step]))}.\n\n"
        )
    legend = (
        "Predicted = ReLU(sum + b3); error = observed − predicted; ReLU′ = the slope of ReLU at sum + b3; "
        "share = −2 · error · ReLU′, this point's part in d SSR / d b3."
    )
    return (
        ("Each training point's part in the slope",
         came + table.as_markdown() + "\n\n" + legend + "\n\n" + _dead_gradient_note(points)),
        ("The slope, the step size and the new b3", "\n".join(arithmetic)),
    )


def _bias_steps_table(run: BiasRun, step: int) -> dict[str, list]:
    newest_first = slice(step, None, -1)
    return {
        "step": list(range(step, -1, -1)),
        "b3": run.b3[newest_first].tolist(),
        "slope": run.slope[newest_first].tolist(),
        "step size": (run.learning_rate * run.slope[newest_first]).tolist(),
        "SSR": run.ssr[newest_first].tolist(),
    }


BIAS_FORMATS = {"b3": "%.4f", "slope": "%.4f", "step size": "%.4f", "SSR": "%.6f"}


def _bias_view(state: FitState, step: int) -> FitView:
    run = bias_run(state.params, state.b3start, state.lr)
    params = state.params.with_values(b3=float(run.b3[step]))
    previous = state.params.with_values(b3=float(run.b3[step - 1])) if step > 0 else None
    loss_values, loss_text = loss_step(run, step)
    fit_values, fit_text = fit_step(params, previous, f"step {step}")
    messages = [m for m in (learning_rate_verdict(run),) if m is not None]
    if step == run.last_step:
        messages.append(_bias_outcome(run))
    return FitView(
        mode="bias", step=step, last_step=run.last_step,
        heading=f"Step {step} of {run.last_step} · b3 = {num4(params.b3)}, SSR = {ssr_text(float(run.ssr[step]))}",
        messages=tuple(messages),
        left_spec=fill(_loss_template(state.params, state.b3start, state.lr), (loss_values, loss_text)),
        left_text=loss_text,
        right_spec=fill(_fit_template(), (fit_values, fit_text)), right_text=fit_text,
        sections=_bias_sections(run, step),
        steps_table=_bias_steps_table(run, step), steps_formats=BIAS_FORMATS,
    )


# ---------------------------------------------------------------- fitting every weight

# How each stage's local derivative reads, for the backprop table (keys as in fit.BACKWARD).
LOCAL_LABELS = {
    ("output", "output_input"): "ReLU′(sum + b3)",
    ("output_input", "summed"): "1", ("output_input", "b3"): "1",
    ("summed", "top_scaled"): "1", ("summed", "bottom_scaled"): "1",
    ("bottom_scaled", "bottom"): "w4", ("bottom_scaled", "w4"): "bottom",
    ("bottom", "w2"): "ReLU′(w2·x + b2) · x", ("bottom", "b2"): "ReLU′(w2·x + b2)",
    ("top_scaled", "top"): "w3", ("top_scaled", "w3"): "top",
    ("top", "w1"): "ReLU′(w1·x + b1) · x", ("top", "b1"): "ReLU′(w1·x + b1)",
}


def _name(key: str) -> str:
    """A parameter's name, or a quantity's in parentheses: d SSR / d(sum + b3)."""
    return f" {key}" if key in PARAM_NAMES else f"({CURVES[key][0]})"


def backprop_table(params: Params, point: int) -> Table:
    """The chain rule for one training point, stage by stage from the last to the first: what
    arrives at each stage (d SSR / d its quantity), its local derivatives, and what it passes on."""
    result = backprop(params)
    rows = []
    for stage_ in reversed(STAGES):
        arriving = float(result.upstream[stage_.curve][point])
        value = float(getattr(result.trace, stage_.curve)[point])
        passes = []
        for key, local in BACKWARD[stage_.curve](result.trace, params).items():
            local_value = float(np.broadcast_to(local, result.trace.dosage.shape)[point])
            given = arriving * local_value
            label = LOCAL_LABELS[(stage_.curve, key)]
            factor = label if label == "1" else f"{label} ({num(local_value)})"
            text = f"d SSR / d{_name(key)} = {num(arriving)} × {factor} = {num(given)}"
            passes.append(f"**{text}**" if key in PARAM_NAMES else text)
        rows.append((
            f"{stage_.number} · {stage_.title}", f"{CURVES[stage_.curve][0]} = {num(value)}", num(arriving),
            "; ".join(passes),
        ))
    return Table(("Stage (walked backwards)", "Quantity at this point", "d SSR / d quantity", "Passes back"),
                 tuple(rows), frozenset({0, 1, 3}))


def parameters_table(run: FullRun, step: int) -> Table:
    rows = []
    for i, name in enumerate(PARAM_NAMES):
        value, gradient = float(run.params[step, i]), float(run.gradient[step, i])
        size = run.learning_rate * gradient
        rows.append((name, num4(value), num4(gradient), num4(size), num4(value - size)))
    return Table(("Parameter", "Value", "Gradient d SSR / d parameter", "Step size lr × gradient",
                  "Next value"), tuple(rows), frozenset({0}))


def dead_messages(params: Params) -> list[Message]:
    trace = forward(params, TRAINING_X, "relu")
    messages = []
    for node in dead_nodes(params):
        curve, (weight, bias) = HIDDEN_NODES[node]
        inputs = _dosage_list(getattr(trace, curve))
        messages.append(Message("warning", (
            f"The {node} node is dead: its input {CURVES[curve][0]} is {inputs} at the dosages 0, 0.5 and 1, never "
            f"above 0, so ReLU′ is 0 at every training point and the gradients of {weight} and {bias} are exactly "
            f"0. Gradient descent can never switch it back on: {weight} and {bias} stay where they are."
        )))
    if output_dead(params):
        messages.append(Message("warning", (
            "The output node is dead: sum + b3 is 0 or less at every training dosage, so ReLU′ is 0 there and "
            "every gradient is exactly 0. Nothing can move."
        )))
    return messages


def _full_outcome(run: FullRun) -> Message:
    last, loss = run.last_step, ssr_text(float(run.ssr[-1]))
    if run.stop == "converged":
        return Message("success", f"Done: the SSR first drops below {threshold_text()} after step {last}.")
    if run.stop == "stuck":
        return Message("warning", f"Stuck at step {last}: every gradient is exactly 0, so nothing can move. "
                       f"The SSR stays at {loss}.")
    if run.stop == "blown up":
        return Message("error", f"After step {last} the numbers have blown up (SSR {loss}): the learning rate is "
                       "too large for this start.")
    return Message("info", (
        f"Stopped at the step limit, step {last}, with the SSR at {loss}. Gradient descent has settled where "
        "the slopes are nearly flat but the fit is poor (a local minimum); another seed starts elsewhere."
    ))


def _full_view(state: FitState, step: int) -> FitView:
    run = full_run(state.seed, state.lr)
    params = run.params_at(step)
    previous = run.params_at(step - 1) if step > 0 else None
    fit_values, fit_text = fit_step(params, previous, f"step {step}")
    ssr_values, ssr_text_ = ssr_step(run, step)
    messages = dead_messages(params)
    if step == run.last_step:
        messages.append(_full_outcome(run))
    point = state.point_index
    dosage = float(state.point)
    sections = (
        ("Every parameter's gradient (summed over the three training points)",
         parameters_table(run, step).as_markdown()),
        (f"Backpropagation for the training point at dosage {num(dosage)}",
         "Start at the end: d SSR / d output = −2 · (observed − output). Each stage multiplies what arrives by its "
         "own local derivative and passes it back; the parameters' gradients are in bold. Adding these over the "
         "three points gives the table above.\n\n" + backprop_table(params, point).as_markdown()),
    )
    return FitView(
        mode="all", step=step, last_step=run.last_step,
        heading=f"Step {step} of {run.last_step} · SSR = {ssr_text(float(run.ssr[step]))}",
        messages=tuple(messages),
        left_spec=fill(_ssr_template(state.seed, state.lr), (ssr_values, ssr_text_)), left_text=ssr_text_,
        right_spec=fill(_fit_template(), (fit_values, fit_text)), right_text=fit_text,
        sections=sections,
        steps_table={
            "step": list(range(step, -1, -1)),
            "SSR": run.ssr[step::-1].tolist(),
            **{name: run.params[step::-1, i].tolist() for i, name in enumerate(PARAM_NAMES)},
        },
        steps_formats={"SSR": "%.6f", **{name: "%.4f" for name in PARAM_NAMES}},
    )


def fit_view(state: FitState) -> FitView:
    """The view of `state`, at its step or, past the run's end, at the run's last step."""
    step = min(state.step, run_length(state))
    return _bias_view(state, step) if state.mode == "bias" else _full_view(state, step)

