"""What the stages say: explanations, formulas and text alternatives, each
computed from the current network's facts, so no sentence can go stale when
the weights change. Kept apart from the registry (relunet.stages), which
only points at these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from relunet.facts import CURVES, StageFacts, corner_indices, training_error
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, TRAINING_DATA, Params, forward

if TYPE_CHECKING:  # the registry points at this module, not the other way round
    from relunet.stages import Stage

def num(value: float) -> str:
    """How numbers read on the page: two decimals, no negative zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def shown(value: float, max_decimals: int = 4) -> tuple[str, float]:
    """A weight as a sentence prints it, and the number printed. Two decimals,
    or more when two would misstate how the weight compares with 0, 1 and -1
    (1.004 is not "1.00, which keeps the size"); a weight that looks like 0 or
    ±1 even at `max_decimals` is printed with two, and judged, as that."""
    for decimals in (*range(2, max_decimals + 1), 2):
        text = _no_negative_zero(f"{value:.{decimals}f}")
        printed = float(text)
        if _sign(printed) == _sign(value) and _sign(abs(printed) - 1) == _sign(abs(value) - 1):
            break
    return text, printed


def _no_negative_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def linear(terms: list[tuple[float, str]], constant: float, times: str = "·") -> str:
    """A sum such as "1.70·x - 0.85" as printed: each weight as `shown`
    prints it, a term that prints as 0 dropped ("1.70·x", not "1.70·x -
    0.00"), and all of them dropped leave "0.00"."""
    parts = [(shown(coefficient)[0], f"{times}{symbol}") for coefficient, symbol in terms] + [(num(constant), "")]
    kept = [(text, symbol) for text, symbol in parts if float(text) != 0]
    if not kept:
        return "0.00"
    (first, first_symbol), rest = kept[0], kept[1:]
    signed = [f" - {text[1:]}" if text.startswith("-") else f" + {text}" for text, _ in rest]
    return first + first_symbol + "".join(sign + symbol for sign, (_, symbol) in zip(signed, rest))


def _signed(value: float) -> str:
    """'+ 0.85' or '- 0.85', for a term inside a formula."""
    return f"- {num(-value)}" if num(value).startswith("-") else f"+ {num(value)}"


def _act_tex(activation: str) -> str:
    return ACTIVATIONS[activation].latex


def _bend_phrase(facts: StageFacts, curve_input: str) -> str:
    span = facts.positive_span(curve_input)
    if facts.activation != "relu":
        return (
            f"{facts.act} is a smooth cousin of ReLU: large negative inputs give almost 0, large positive "
            "ones pass almost unchanged, and in between it curves gently instead of bending sharply."
        )
    if span is None:
        return f"Here the input is never positive, so {facts.act} turns the whole line into 0."
    if span == (0.0, 1.0) and getattr(facts.curves, curve_input).min() >= 0:
        return f"Here the input is never negative, so {facts.act} changes nothing and the line stays straight."
    bend = span[0] if span[0] > 0.0 else span[1]
    return f"The line crosses zero at dosage {num(bend)}, so it bends there."


def explain_top(facts: StageFacts) -> str:
    p = facts.params
    return (
        f"The dosage x enters the top node, which computes w1·x + b1 = {linear([(p.w1, 'x')], p.b1)}: "
        "a straight line (dashed). "
        + ("ReLU keeps positive values and turns negative ones into 0. " if facts.activation == "relu" else "")
        + _bend_phrase(facts, "top_input")
    )


def _scaling(weight: float, what: str, keeps_direction: bool = False) -> str:
    """'-40.80, which flips the bent line upside down and stretches it': judged
    on the number printed, which has digits enough to be true (see `shown`)."""
    text, printed = shown(weight)
    if printed == 0:
        return f"{text}, which turns {what} into 0 everywhere"

    def size(thing: str) -> str:
        if abs(printed) > 1:
            return f"stretches {thing}"
        if abs(printed) < 1:
            return f"shrinks {thing}"
        return "leaves its size unchanged" if thing == "it" else f"leaves the size of {thing} unchanged"

    if printed < 0:
        return f"{text}, which flips {what} upside down and {size('it')}"
    if keeps_direction:
        return f"{text}, which keeps its direction and {size('it')}"
    return f"{text}, which {size(what)}"


def explain_scale_top(facts: StageFacts) -> str:
    return (
        f"On its way to the output the top path is multiplied by w3 = {_scaling(facts.params.w3, 'the bent line')}: "
        f"at dosage 1 it is now {num(facts.value_at('top_scaled', 1.0))}."
    )


def explain_bottom(facts: StageFacts) -> str:
    p = facts.params
    return (
        f"The bottom node does the same with its own weight and bias: w2·x + b2 = {linear([(p.w2, 'x')], p.b2)}. "
        + _bend_phrase(facts, "bottom_input")
    )


def explain_scale_bottom(facts: StageFacts) -> str:
    return (
        f"The bottom path is multiplied by w4 = {_scaling(facts.params.w4, 'it', keeps_direction=True)}: "
        f"at dosage 1 it reaches {num(facts.value_at('bottom_scaled', 1.0))}."
    )


def explain_sum(facts: StageFacts) -> str:
    dosage, value = facts.highest("summed")
    return (
        "The output node adds the two weighted paths, dosage by dosage: wherever one path is 0, the sum is "
        "just the other path, and where both count they add up (a negative path pulls the sum down). "
        f"The sum is highest, {num(value)}, at dosage {num(dosage)}."
    )


def explain_bias(facts: StageFacts) -> str:
    b3 = facts.params.b3
    span = facts.positive_span("output_input")
    where = (
        "No part of it is above zero now."
        if span is None
        else f"It is above zero only between dosages {num(span[0])} and {num(span[1])}."
    )
    if num(b3) == "0.00":
        return f"Adding the bias b3 = 0.00 does not shift the sum. {where}"
    direction = "down" if b3 < 0 else "up"
    return f"Adding the bias b3 = {num(b3)} shifts the whole sum {direction} by {num(abs(b3))}. {where}"


def explain_output(facts: StageFacts) -> str:
    peak = facts.peak("output")
    squash = (
        "everything below zero becomes 0"
        if facts.activation == "relu"
        else "negative values become small positive ones, close to 0"
    )
    predicted = forward(facts.params, [d for d, _ in TRAINING_DATA], facts.activation).output
    miss = max(abs(p - target) for p, (_, target) in zip(predicted, TRAINING_DATA))
    verdict = (
        "the curve matches them."
        if miss < 0.1
        else f"with these weights the curve misses them by up to {num(miss)}."
    )
    return (
        f"The output node applies {facts.act} once more: {squash}. "
        + _final_shape(facts, peak)
        + " The training data (vermillion dots) "
        f"says low and high dosages do nothing and a medium dosage works: {verdict}"
    )


_TEX_TIMES = r"\,"


def _final_shape(facts: StageFacts, peak: tuple[float, float] | None) -> str:
    if peak is not None:
        return f"The final curve peaks at {num(peak[1])} at dosage {num(peak[0])}."
    values = facts.curves.output
    if float(values.max() - values.min()) < 0.005:  # the same number at every dosage, as shown
        return f"The final curve stays flat at about {num(float(values.mean()))}: it has no peak."
    start, end = float(values[0]), float(values[-1])
    return f"The final curve runs from {num(start)} at dosage 0 to {num(end)} at dosage 1, without a peak."


def comparison_note(activation: str) -> str | None:
    """Why a Softplus curve looks so different: the weights are ReLU's."""
    if ACTIVATIONS[activation].piecewise_linear:
        return None
    return (
        f"The faint grey curve is the same step with ReLU. The article's weights were fitted for ReLU, so with "
        f"{ACTIVATIONS[activation].label} they no longer make the curve that matches the training data."
    )


def describe_changes(params: Params, activation: str) -> str | None:
    """Each setting that differs from the article's, and how well the final curve then fits
    the training data (None while nothing differs)."""
    article = ARTICLE_PARAMS.as_dict()
    changes = [f"{name} = {num(value)} (article: {num(article[name])})"
               for name, value in params.as_dict().items() if value != article[name]]
    if activation != DEFAULT_ACTIVATION:
        changes.append(
            f"activation {ACTIVATIONS[activation].label} (article: {ACTIVATIONS[DEFAULT_ACTIVATION].label})"
        )
    if not changes:
        return None
    error = training_error(params, activation)
    article_error = training_error(ARTICLE_PARAMS, DEFAULT_ACTIVATION)
    return (
        "Changed from the article: " + ", ".join(changes) + ". "
        f"Sum of squared errors on the three training points: {num(error)} (article: {num(article_error)})."
    )


def formula_top(p: Params, activation: str) -> str:
    a = _act_tex(activation)
    return rf"\text{{top}} = {a}(w_1 x + b_1) = {a}({linear([(p.w1, 'x')], p.b1, times=_TEX_TIMES)})"


def formula_scale_top(p: Params, activation: str) -> str:
    return rf"\text{{top}} \times w_3 = \text{{top}} \times ({shown(p.w3)[0]})"


def formula_bottom(p: Params, activation: str) -> str:
    a = _act_tex(activation)
    return rf"\text{{bottom}} = {a}(w_2 x + b_2) = {a}({linear([(p.w2, 'x')], p.b2, times=_TEX_TIMES)})"


def formula_scale_bottom(p: Params, activation: str) -> str:
    return rf"\text{{bottom}} \times w_4 = \text{{bottom}} \times ({shown(p.w4)[0]})"


def formula_sum(p: Params, activation: str) -> str:
    symbolic = r"w_3\,\text{top} + w_4\,\text{bottom}"
    terms = [(p.w3, r"\text{top}"), (p.w4, r"\text{bottom}")]
    return rf"\text{{sum}} = {symbolic} = {linear(terms, 0.0, times=_TEX_TIMES)}"


def formula_bias(p: Params, activation: str) -> str:
    shift = "" if num(p.b3) == "0.00" else f" {_signed(p.b3)}"  # a zero bias shifts nothing
    return rf"\text{{sum}} + b_3 = \text{{sum}}{shift}"


def formula_output(p: Params, activation: str) -> str:
    return rf"\text{{output}} = {_act_tex(activation)}(\text{{sum}} + b_3)"


def describe_curve(facts: StageFacts, stage_: Stage) -> str:
    """A one-line text alternative for the stage's chart, from its numbers."""
    x = facts.curves.dosage
    y = getattr(facts.curves, stage_.curve)
    label = CURVES[stage_.curve][0]
    if ACTIVATIONS[facts.activation].piecewise_linear:
        corners = corner_indices(x, y)
        points = ", ".join(f"({num(x[i])}, {num(y[i])})" for i in corners)
        shape = f"straight segments through (dosage, value) {points}"
    else:
        low, high = int(np.argmin(y)), int(np.argmax(y))
        shape = (
            f"a smooth curve from {num(y[0])} at dosage 0 to {num(y[-1])} at dosage 1, "
            f"lowest {num(y[low])} at dosage {num(x[low])}, highest {num(y[high])} at dosage {num(x[high])}"
        )
    text = f"Stage {stage_.number} chart: {label} against dosage, {shape}."
    if stage_.shows_training_data:
        text += " Vermillion dots mark the training data: dosage 0 → 0, 0.5 → 1, 1 → 0."
    return text
