"""Predict, then reveal: one question per stage, made from the current weights.

A stage asks either "pick the curve" (the right curve and two plausible
mistakes, shuffled by a seed) or "type the value" at a dosage that matters.
Every sentence is built from computed numbers, so no feedback can go stale
when the weights change. No page code: the page lays these out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from relunet.bounds import WEIGHT_LIMIT
from relunet.charts import nice_domain
from relunet.facts import StageFacts, facts_for
from relunet.network import ACTIVATIONS, DOSAGE_RANGE, Params, forward, kinks
from relunet.stages import STAGE_COUNT, STAGES, Stage, arithmetic_headers, stage
from relunet.state import PageState
from relunet.view import Table, probe_trace
from relunet.wording import num

PICK, VALUE = "pick", "value"
# Which kind each stage asks when its weights allow it (a pick needs two
# visibly different mistakes; otherwise the stage asks for a value).
PREFERRED_KIND = {1: VALUE, 2: PICK, 3: PICK, 4: VALUE, 5: PICK, 6: PICK, 7: VALUE}
LETTERS = ("A", "B", "C")
# Two candidates look different when they are this far apart somewhere, as a
# share of the y range the three small charts share (about 12 px on a phone).
VISIBLE_SHARE = 0.08
MIN_GAP = 0.02  # and never less than two-decimal numbers can tell apart
DENSE = np.linspace(*DOSAGE_RANGE, 201)

Values = Callable[[Params, str, np.ndarray], np.ndarray]


# --- small wording helpers -----------------------------------------------------


def _signed(value: float) -> str:
    return f"- {num(-value)}" if value < 0 else f"+ {num(value)}"


def _paren(value: float) -> str:
    """A factor as written after ×: negative numbers in brackets."""
    return f"({num(value)})" if value < 0 else num(value)


def _keeps(activation: str) -> str:
    if activation == "relu":
        return "ReLU keeps positive values and turns negative ones into 0"
    return f"{ACTIVATIONS[activation].label} passes large positive values and squashes negative ones to almost 0"


def _crossing(facts: StageFacts, line: str) -> str:
    """Where a straight line crosses zero, in words."""
    values = getattr(facts.curves, line)
    if values.min() >= 0:
        return "it is never negative here"
    if values.max() <= 0:
        return "it is never positive here"
    span = facts.positive_span(line)
    bend = span[0] if span[0] > DOSAGE_RANGE[0] else span[1]
    return f"it crosses zero at dosage {num(bend)}"


# --- the candidates ---------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong curve and what it would have needed, in words."""

    key: str
    values: Values
    would_need: Callable[[StageFacts], str]
    # Networks whose kinks this curve shares, so its exact samples include them.
    variants: Callable[[Params], tuple[Params, ...]] = lambda p: ()
    # Other dosages where it bends, when no network variant has them.
    extra_kinks: Callable[[Params], list[float]] = lambda p: []
    curved: bool = False  # not piecewise linear: drawn from a dense grid


def _curve(name: str, change: Callable[[Params], Params] = lambda p: p) -> Values:
    return lambda p, a, x: getattr(forward(change(p), x, a), name)


def _act(activation: str, z: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[activation].function(z)


def _node_mistakes(w: str, b: str, node: str, line: str) -> tuple[Mistake, ...]:
    """Stages 1 and 3: activation of w·x + b."""

    def flipped_bias(p: Params) -> Params:
        return p.with_values(**{b: -getattr(p, b)})

    def flipped_weight(p: Params) -> Params:
        return p.with_values(**{w: -getattr(p, w)})

    def swapped(p: Params) -> Params:
        return p.with_values(**{w: getattr(p, b), b: getattr(p, w)})

    def bias_text(f: StageFacts) -> str:
        value = getattr(f.params, b)
        shift = "down" if value < 0 else "up"
        return (
            f"That curve shifts the line the wrong way: it would need {b} = {num(-value)}. "
            f"{b} is {num(value)}, which moves the line {shift} by {num(abs(value))}: {_crossing(f, line)}."
        )

    def wrong_side_text(f: StageFacts) -> str:
        return f"That curve keeps the negative part of the line and drops the positive part; {_keeps(f.activation)}."

    def no_activation_text(f: StageFacts) -> str:
        return (
            f"That curve is the straight line {w}·x + {b} itself; {_keeps(f.activation)}, "
            f"and the line has a negative part: {_crossing(f, line)}."
        )

    def slope_text(f: StageFacts) -> str:
        value = getattr(f.params, w)
        trend = "rises" if value > 0 else "falls"
        return (
            f"That curve slopes the wrong way: it would need {w} = {num(-value)}. "
            f"{w} is {num(value)}, so the line {trend} as the dosage grows."
        )

    def swap_text(f: StageFacts) -> str:
        return (
            f"That curve swaps the weight and the bias: it draws {f.act}({num(getattr(f.params, b))}·x "
            f"{_signed(getattr(f.params, w))}). The weight {w} = {num(getattr(f.params, w))} multiplies the dosage; "
            f"the bias {b} = {num(getattr(f.params, b))} is added."
        )

    return (
        Mistake("bias_wrong_way", _curve(node, flipped_bias), bias_text, lambda p: (flipped_bias(p),)),
        Mistake("wrong_side", lambda p, a, x: -_act(a, -getattr(forward(p, x, a), line)), wrong_side_text),
        Mistake("no_activation", _curve(line), no_activation_text),
        Mistake("slope_wrong_way", _curve(node, flipped_weight), slope_text, lambda p: (flipped_weight(p),)),
        Mistake("weight_and_bias_swapped", _curve(node, swapped), swap_text, lambda p: (swapped(p),)),
    )


def _scale_mistakes(w: str, node: str, scaled: str, path: str) -> tuple[Mistake, ...]:
    """Stages 2 and 4: a node's output times a weight."""

    def flipped(p: Params) -> Params:
        return p.with_values(**{w: -getattr(p, w)})

    def biggest(f: StageFacts) -> tuple[float, float, float]:
        """The dosage where the node is largest, its value there and the product."""
        dosage, value = f.highest(node)
        return dosage, value, f.value_at(scaled, dosage)

    def direction_text(f: StageFacts) -> str:
        value = getattr(f.params, w)
        if value < 0:
            return (
                f"That curve keeps the {path}'s direction: that would need a positive {w}. "
                f"{w} is {num(value)}, so the {path} flips upside down."
            )
        return (
            f"That curve is flipped upside down: that would need a negative {w}. "
            f"{w} is {num(value)}, so the {path} keeps its direction."
        )

    def product(f: StageFacts) -> str:
        dosage, value, result = biggest(f)
        return f"at dosage {num(dosage)} that is {num(value)} × {_paren(getattr(f.params, w))} = {num(result)}"

    def added_text(f: StageFacts) -> str:
        value = getattr(f.params, w)
        return (
            f"That curve adds {w} = {num(value)} to the {node} node's output instead of multiplying by it. "
            f"The {path} is multiplied by {w}: {product(f)}."
        )

    def divided_text(f: StageFacts) -> str:
        return f"That curve divides by {w} instead of multiplying by it: {product(f)}."

    def unscaled_text(f: StageFacts) -> str:
        return f"That curve is the {node} node's output unchanged; multiplying by {w} changes it: {product(f)}."

    def divided(p: Params, a: str, x: np.ndarray) -> np.ndarray:
        weight = getattr(p, w)
        node_values = getattr(forward(p, x, a), node)
        return node_values / weight if weight != 0 else node_values

    return (
        Mistake("direction", _curve(scaled, flipped), direction_text, lambda p: (flipped(p),)),
        Mistake("added", lambda p, a, x: getattr(forward(p, x, a), node) + getattr(p, w), added_text),
        Mistake("divided", divided, divided_text),
        Mistake("unscaled", _curve(node), unscaled_text),
    )


def _widest_gap(f: StageFacts, other: np.ndarray) -> float:
    """The sample dosage where `other` (on f's samples) is furthest from the sum."""
    return float(f.curves.dosage[int(np.argmax(np.abs(other - f.curves.summed)))])


def _sum_at(f: StageFacts, dosage: float) -> tuple[float, float, float]:
    return f.value_at("top_scaled", dosage), f.value_at("bottom_scaled", dosage), f.value_at("summed", dosage)


def _sum_mistakes() -> tuple[Mistake, ...]:
    """Stage 5: the two weighted paths added."""

    def product_text(f: StageFacts) -> str:
        t = f.curves
        dosage = _widest_gap(f, t.top_scaled * t.bottom_scaled)
        top, bottom, total = _sum_at(f, dosage)
        return (
            f"That curve multiplies the two weighted paths; the output node adds them. At dosage {num(dosage)}: "
            f"{num(top)} + {_paren(bottom)} = {num(total)}, not {num(top)} × {_paren(bottom)} = {num(top * bottom)}."
        )

    def subtracted_text(which: str, weight: str) -> Callable[[StageFacts], str]:
        def text(f: StageFacts) -> str:
            t = f.curves
            other = t.bottom_scaled - t.top_scaled if which == "top" else t.top_scaled - t.bottom_scaled
            dosage = _widest_gap(f, other)
            top, bottom, total = _sum_at(f, dosage)
            sign = "negative" if getattr(f.params, weight) < 0 else "positive"
            return (
                f"That curve subtracts the {which} path. The output node adds both paths; {weight} = "
                f"{num(getattr(f.params, weight))} has already made the {which} path {sign} or 0. "
                f"At dosage {num(dosage)}: {num(top)} + {_paren(bottom)} = {num(total)}."
            )

        return text

    def larger_text(f: StageFacts) -> str:
        t = f.curves
        dosage = _widest_gap(f, np.maximum(t.top_scaled, t.bottom_scaled))
        top, bottom, total = _sum_at(f, dosage)
        return (
            f"That curve keeps only the larger path at each dosage; the output node adds both. "
            f"At dosage {num(dosage)}: {num(top)} + {_paren(bottom)} = {num(total)}, not {num(max(top, bottom))}."
        )

    def paths(p: Params, a: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        trace = forward(p, x, a)
        return trace.top_scaled, trace.bottom_scaled

    # The sign mistake first: a product is often far larger than the sum, and
    # is only offered when it fits on the same axes.
    return (
        Mistake("top_subtracted", lambda p, a, x: paths(p, a, x)[1] - paths(p, a, x)[0],
                subtracted_text("top", "w3")),
        Mistake("product", lambda p, a, x: np.prod(paths(p, a, x), axis=0), product_text, curved=True),
        # max() bends where the two paths cross, where w3·top - w4·bottom crosses zero.
        Mistake("larger_only", lambda p, a, x: np.max(paths(p, a, x), axis=0), larger_text,
                extra_kinks=lambda p: output_roots(p.with_values(w4=-p.w4, b3=0.0))),
        Mistake("bottom_subtracted", lambda p, a, x: paths(p, a, x)[0] - paths(p, a, x)[1],
                subtracted_text("bottom", "w4")),
    )


def _bias_mistakes() -> tuple[Mistake, ...]:
    """Stage 6: the sum plus b3."""

    def flipped(p: Params) -> Params:
        return p.with_values(b3=-p.b3)

    def moves(b3: float) -> str:
        return f"{'down' if b3 < 0 else 'up'} by {num(abs(b3))}"

    def wrong_way_text(f: StageFacts) -> str:
        b3 = f.params.b3
        return (
            f"That curve moves the sum {moves(-b3)}: that would need b3 = {num(-b3)}. "
            f"b3 is {num(b3)}, so every point moves {moves(b3)}."
        )

    def forgotten_text(f: StageFacts) -> str:
        b3 = f.params.b3
        return f"That curve is the sum without b3; adding b3 = {num(b3)} moves every point {moves(b3)}."

    def multiplied_text(f: StageFacts) -> str:
        return (
            f"That curve multiplies the sum by b3; a bias is added: sum {_signed(f.params.b3)} moves every point "
            f"{moves(f.params.b3)}."
        )

    return (
        Mistake("bias_wrong_way", _curve("output_input", flipped), wrong_way_text, lambda p: (flipped(p),)),
        Mistake("bias_forgotten", _curve("summed"), forgotten_text),
        Mistake("bias_multiplied", lambda p, a, x: forward(p, x, a).summed * p.b3, multiplied_text),
    )


def _output_mistakes() -> tuple[Mistake, ...]:
    """Stage 7: the activation of sum + b3."""

    def no_bias(p: Params) -> Params:
        return p.with_values(b3=0.0)

    def wrong_side_text(f: StageFacts) -> str:
        return f"That curve keeps the negative part of sum + b3 and drops the positive part; {_keeps(f.activation)}."

    def absolute_text(f: StageFacts) -> str:
        return (
            f"That curve turns the negative part of sum + b3 upside down; {f.act} does not flip it: "
            f"{_keeps(f.activation)}."
        )

    def early_text(f: StageFacts) -> str:
        return (
            f"That curve applies {f.act} before adding b3; the output node first adds b3 = {num(f.params.b3)} "
            f"and then applies {f.act} to sum + b3."
        )

    def unactivated_text(f: StageFacts) -> str:
        return f"That curve is sum + b3 without {f.act}; {_keeps(f.activation)}."

    return (
        Mistake("wrong_side", lambda p, a, x: -_act(a, -forward(p, x, a).output_input), wrong_side_text),
        Mistake("absolute", lambda p, a, x: np.abs(forward(p, x, a).output_input), absolute_text),
        Mistake("activation_before_bias", lambda p, a, x: _act(a, forward(p, x, a).summed) + p.b3, early_text,
                lambda p: (no_bias(p),)),
        Mistake("no_activation", _curve("output_input"), unactivated_text),
    )


MISTAKES: dict[int, tuple[Mistake, ...]] = {
    1: _node_mistakes("w1", "b1", "top", "top_input"),
    2: _scale_mistakes("w3", "top", "top_scaled", "top path"),
    3: _node_mistakes("w2", "b2", "bottom", "bottom_input"),
    4: _scale_mistakes("w4", "bottom", "bottom_scaled", "bottom path"),
    5: _sum_mistakes(),
    6: _bias_mistakes(),
    7: _output_mistakes(),
}


def _why_right(facts: StageFacts, stage_: Stage) -> str:
    """The one fact that makes the right curve right."""
    p = facts.params
    if stage_.number in (1, 3):
        w, b, line = ("w1", "b1", "top_input") if stage_.number == 1 else ("w2", "b2", "bottom_input")
        return (
            f"{w}·x + {b} = {num(getattr(p, w))}·x {_signed(getattr(p, b))}: {_crossing(facts, line)}, "
            f"and {_keeps(facts.activation)}."
        )
    if stage_.number in (2, 4):
        w, path = ("w3", "top path") if stage_.number == 2 else ("w4", "bottom path")
        value = getattr(p, w)
        turn = "flips it upside down" if value < 0 else "keeps its direction"
        return f"{w} = {num(value)} {turn} and multiplies every value by {num(abs(value))}."
    if stage_.number == 5:
        return "The output node adds the two weighted paths, dosage by dosage."
    if stage_.number == 6:
        return f"b3 = {num(p.b3)} moves every point of the sum {'down' if p.b3 < 0 else 'up'} by {num(abs(p.b3))}."
    return f"{_keeps(facts.activation)}: sum + b3 keeps only its positive part."


@dataclass(frozen=True)
class Candidate:
    letter: str
    key: str  # "right" or the mistake's key
    values: np.ndarray  # on the question's dosages
    straight: bool  # piecewise linear: straight between its sample points
    feedback: str  # why it is right, or what it would have needed

    @property
    def right(self) -> bool:
        return self.key == "right"


@dataclass(frozen=True)
class PickQuestion:
    stage: int
    prompt: str
    dosages: np.ndarray  # samples that draw every candidate exactly
    candidates: tuple[Candidate, ...]
    domain: tuple[float, float]  # the y range the small charts share
    curved: bool  # some candidate is not piecewise linear, so the samples are a dense grid

    kind = PICK

    @property
    def right_letter(self) -> str:
        return next(c.letter for c in self.candidates if c.right)


@dataclass(frozen=True)
class ValueQuestion:
    stage: int
    prompt: str
    dosage: float
    answer: float
    tolerance: float

    kind = VALUE

    def accepts(self, typed: float) -> bool:
        return bool(np.isfinite(typed)) and abs(typed - self.answer) <= self.tolerance


Question = PickQuestion | ValueQuestion


def visibly_different(a: np.ndarray, b: np.ndarray, domain: tuple[float, float]) -> bool:
    return float(np.max(np.abs(a - b))) >= max(VISIBLE_SHARE * (domain[1] - domain[0]), MIN_GAP)


def _domain(curves: list[np.ndarray]) -> tuple[float, float]:
    values = np.concatenate(curves)
    return nice_domain(float(values.min()), float(values.max()))


def _shuffled(items: list, seed: int, stage_number: int) -> list:
    order = np.random.default_rng([seed, stage_number]).permutation(len(items))
    return [items[i] for i in order]


def _line_roots(params: Params, top: bool, bottom: bool) -> list[float]:
    lines = [(params.w1, params.b1)] * top + [(params.w2, params.b2)] * bottom
    return [-b / w for w, b in lines if w != 0 and DOSAGE_RANGE[0] < -b / w < DOSAGE_RANGE[1]]


def stage_dosages(params: Params, stage_number: int, with_output: bool = True) -> np.ndarray:
    """The range's ends and the kinks the curves up to this stage have, and no
    others: a sample point where a later curve bends would hint at its answer.
    `with_output`: also where sum + b3 crosses zero (stages 6 and 7 draw it)."""
    hidden = _line_roots(params, stage_number in (1, 2) or stage_number >= 5, stage_number >= 3)
    later = output_roots(params) if with_output and stage_number >= 6 else []
    return np.unique(np.array([*DOSAGE_RANGE, *hidden, *later], dtype=float))


def output_roots(params: Params) -> list[float]:
    """Where sum + b3 crosses zero inside the range (exact: it is straight between hidden kinks)."""
    hidden = _line_roots(params, True, True)
    return [float(k) for k in kinks(params) if not np.isclose(hidden, k).any()]



def _kinks_of(mistake: Mistake, params: Params, stage_number: int) -> np.ndarray:
    variants = [stage_dosages(v, stage_number) for v in mistake.variants(params)]
    return np.concatenate([*variants, np.array(mistake.extra_kinks(params), dtype=float)])


def _pick_question(facts: StageFacts, stage_: Stage, seed: int) -> PickQuestion | None:
    """The right curve and the first two mistakes that look different from it
    and from each other; None when the weights allow fewer than two."""
    p, a = facts.params, facts.activation
    right = _curve(stage_.curve)
    # Every dosage any candidate may be drawn at, so "looks different" is judged on what is drawn.
    grid = np.unique(np.concatenate(
        [DENSE, stage_dosages(p, stage_.number)] + [_kinks_of(m, p, stage_.number) for m in MISTAKES[stage_.number]]
    ))
    chosen: list[tuple[Mistake, np.ndarray]] = []
    right_dense = right(p, a, grid)
    for mistake in MISTAKES[stage_.number]:
        dense = mistake.values(p, a, grid)
        if not np.all(np.isfinite(dense)):
            continue
        trial = [right_dense, *(d for _, d in chosen), dense]
        domain = _domain(trial)
        # Every pair again: a new candidate widens the shared axes and can squeeze two others together.
        if all(visibly_different(a_, b_, domain) for i, a_ in enumerate(trial) for b_ in trial[i + 1:]):
            chosen.append((mistake, dense))
        if len(chosen) == 2:
            break
    if len(chosen) < 2:
        return None
    mistakes = [m for m, _ in chosen]
    curved = any(m.curved for m in mistakes) or not ACTIVATIONS[a].piecewise_linear
    dosages = grid if curved else np.unique(np.concatenate(
        [stage_dosages(p, stage_.number)] + [_kinks_of(m, p, stage_.number) for m in mistakes]
    ))
    straight = ACTIVATIONS[a].piecewise_linear
    entries = [("right", right(p, a, dosages), straight, f"Right: {_why_right(facts, stage_)}")]
    entries += [
        (m.key, m.values(p, a, dosages), straight and not m.curved, f"Not this one. {m.would_need(facts)}")
        for m in mistakes
    ]
    entries = _shuffled(entries, seed, stage_.number)
    candidates = tuple(
        Candidate(letter, key, values, is_straight, f"You picked {letter}. {feedback}")
        for letter, (key, values, is_straight, feedback) in zip(LETTERS, entries)
    )
    header = arithmetic_headers(stage_, a)[-1]
    return PickQuestion(
        stage=stage_.number,
        prompt=f"Which curve is {header}? Pick one before the stage is drawn.",
        dosages=dosages,
        candidates=candidates,
        domain=_domain([c.values for c in candidates]),
        curved=curved,
    )


def tolerance(answer: float) -> float:
    """What counts as the right value: 3 % of it, at least 0.02 (hand arithmetic
    from two-decimal numbers drifts by about that)."""
    return max(0.02, 0.03 * abs(answer))


def _kink_dosages(params: Params, line: str) -> list[float]:
    """Where a hidden node's input line crosses zero inside the range."""
    w, b = (params.w1, params.b1) if line == "top_input" else (params.w2, params.b2)
    return [-b / w] if w != 0 and DOSAGE_RANGE[0] < -b / w < DOSAGE_RANGE[1] else []


def _value_dosages(facts: StageFacts, stage_: Stage) -> list[float]:
    """Dosages that matter for a stage, most telling first: the article's 0.6 on
    stage 1, the top node's kink (where the final peak forms), the peaks."""
    p = facts.params
    top_kink = _kink_dosages(p, "top_input")
    bottom_kink = _kink_dosages(p, "bottom_input")
    peak_of = {name: facts.highest(name)[0] for name in ("summed", "output")}
    preferred = {
        1: [0.6, 0.8, 1.0],
        2: [1.0, 0.8, 0.6],
        3: top_kink + [1.0, 0.6],
        4: top_kink + [1.0, 0.6],
        5: [peak_of["summed"], *top_kink, *bottom_kink, 1.0],
        6: [peak_of["summed"], *top_kink, 1.0],
        7: [peak_of["output"], peak_of["summed"], 0.6],
    }[stage_.number]
    return [round(d, 2) for d in preferred]


def _value_question(facts: StageFacts, stage_: Stage) -> ValueQuestion:
    curve = getattr(facts.curves, stage_.curve)
    scale = float(np.max(np.abs(curve)))
    dosages = _value_dosages(facts, stage_)
    # A dosage where the value is not (nearly) zero asks for more than "nothing happens here".
    dosage = next((d for d in dosages if abs(_value_at(facts, stage_, d)) >= 0.05 * scale > 0), dosages[0])
    answer = _value_at(facts, stage_, dosage)
    header = arithmetic_headers(stage_, facts.activation)[-1]
    return ValueQuestion(
        stage=stage_.number,
        prompt=f"What is {header} at dosage x = {num(dosage)}? Type your value before the stage is drawn.",
        dosage=dosage,
        answer=answer,
        tolerance=tolerance(answer),
    )


def _value_at(facts: StageFacts, stage_: Stage, dosage: float) -> float:
    return float(getattr(forward(facts.params, [dosage], facts.activation), stage_.curve)[0])


def question_for(stage_number: int, params: Params, activation: str, seed: int) -> Question:
    """The stage's question for these weights; the seed only shuffles."""
    stage_ = stage(stage_number)
    facts = facts_for(params, activation)
    if PREFERRED_KIND[stage_number] == PICK:
        pick = _pick_question(facts, stage_, seed)
        if pick is not None:
            return pick
    return _value_question(facts, stage_)


# --- answers and feedback -------------------------------------------------------


def arithmetic(stage_number: int, params: Params, activation: str, dosage: float) -> str:
    """The stage's arithmetic at one dosage, with the current numbers."""
    t = forward(params, [dosage], activation).at(0)
    act = ACTIVATIONS[activation].label
    p = params

    def line(w: float, b: float, z: float, value: float, names: str) -> str:
        return (f"{names} = {num(w)} × {num(dosage)} {_signed(b)} = {num(z)}; "
                f"{act}({num(z)}) = {num(value)}")

    return {
        1: lambda: line(p.w1, p.b1, t["top_input"], t["top"], "w1·x + b1"),
        2: lambda: f"top × w3 = {num(t['top'])} × {_paren(p.w3)} = {num(t['top_scaled'])}",
        3: lambda: line(p.w2, p.b2, t["bottom_input"], t["bottom"], "w2·x + b2"),
        4: lambda: f"bottom × w4 = {num(t['bottom'])} × {_paren(p.w4)} = {num(t['bottom_scaled'])}",
        5: lambda: (f"top × w3 + bottom × w4 = {num(t['top_scaled'])} + {_paren(t['bottom_scaled'])} "
                    f"= {num(t['summed'])}"),
        6: lambda: f"sum + b3 = {num(t['summed'])} {_signed(p.b3)} = {num(t['output_input'])}",
        7: lambda: f"{act}(sum + b3) = {act}({num(t['output_input'])}) = {num(t['output'])}",
    }[stage_number]()


@dataclass(frozen=True)
class Answer:
    """What the learner committed to at one stage, and what the page says back."""

    stage: int
    kind: str  # PICK or VALUE
    correct: bool
    given: str  # the letter picked, or the value typed, as shown
    feedback: str


def answer_pick(question: PickQuestion, letter: str) -> Answer:
    candidate = next(c for c in question.candidates if c.letter == letter)
    return Answer(question.stage, PICK, candidate.right, letter, candidate.feedback)


def answer_value(question: ValueQuestion, typed: float, params: Params, activation: str) -> Answer:
    sums = arithmetic(question.stage, params, activation, question.dosage)
    if question.accepts(typed):
        feedback = (
            f"Right: you typed {num(typed)}, the value is {num(question.answer)} (anything within "
            f"{num(question.tolerance)} of it counts). The arithmetic: {sums}."
        )
    else:
        feedback = (
            f"Not quite: you typed {num(typed)}, the value is {num(question.answer)}. The arithmetic: {sums}."
        )
    return Answer(question.stage, VALUE, question.accepts(typed), num(typed), feedback)


# --- a round of seven ---------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    right: int
    answered: int
    revisit: tuple[int, ...]  # stages answered wrongly

    @property
    def complete(self) -> bool:
        return self.answered == STAGE_COUNT

    def summary(self) -> str:
        text = f"You predicted {self.right} of {STAGE_COUNT} stages right."
        if not self.revisit:
            return text + " Nothing to revisit."
        names = "; ".join(f"stage {n} ({stage(n).title})" for n in self.revisit)
        return f"{text} Worth another look: {names}."


def score(answers: Mapping[int, Answer]) -> Score:
    right = sum(a.correct for a in answers.values())
    revisit = tuple(sorted(n for n, a in answers.items() if not a.correct))
    return Score(right, len(answers), revisit)


def first_unanswered(answers: Mapping[int, Answer]) -> int | None:
    return next((s.number for s in STAGES if s.number not in answers), None)


@dataclass
class Round:
    """One pass through the seven stages with one set of weights."""

    params: Params
    activation: str
    seed: int
    answers: dict[int, Answer] = field(default_factory=dict)

    def matches(self, params: Params, activation: str, seed: int) -> bool:
        return (self.params, self.activation, self.seed) == (params, activation, seed)


def next_seed(seed: int) -> int:
    return int(np.random.default_rng(seed).integers(0, 2**31 - 1))


# --- fresh weights -----------------------------------------------------------------


def well_behaved(params: Params, activation: str) -> bool:
    """Weights whose final curve still has a visible shape (a peak that rises
    clearly above 0 and falls back somewhere) and whose stages all ask their
    preferred kind of question."""
    if any(abs(v) > WEIGHT_LIMIT for v in params.as_dict().values()):
        return False
    output = forward(params, DENSE, activation).output
    low = output.min()
    high = output.max()
    raised = DENSE[output > low + 0.05 * (high - low)]
    if not (0.3 <= high - low <= 5.0) or raised.size == 0:
        return False
    if not 0.05 <= raised[-1] - raised[0] <= 0.85:
        return False
    return all(question_for(s.number, params, activation, 0).kind == PREFERRED_KIND[s.number] for s in STAGES)


def random_params(seed: int, activation: str = "relu") -> Params:
    """A fresh, well-behaved set of weights, the same for the same seed.

    Each hidden node bends inside the range; b3 is chosen so the sum's top
    ends just above zero, leaving a peak. Values have two decimals, as the
    page shows them."""
    rng = np.random.default_rng([seed, 7])
    for _ in range(2000):
        sign = lambda: rng.choice((-1.0, 1.0))  # noqa: E731
        w1 = sign() * rng.uniform(1.0, 6.0)
        b1 = -w1 * rng.uniform(0.2, 0.8)
        w2 = sign() * rng.uniform(1.0, 15.0)
        b2 = -w2 * rng.uniform(-0.3, 0.8)
        w3 = sign() * rng.uniform(1.5, 40.0)
        w4 = sign() * rng.uniform(1.5, 40.0)
        partial = Params(*(round(float(v), 2) for v in (w1, b1, w2, b2, w3, w4)), b3=0.0)
        peak = float(forward(partial, DENSE, activation).summed.max())
        params = partial.with_values(b3=round(rng.uniform(0.5, 2.0) - peak, 2))
        if well_behaved(params, activation):
            return params
    return Params()  # the article's network always is


def masked_probe_trace(state: PageState, revealed: set[int]) -> Table:
    """The probe table with the values of stages not yet predicted hidden:
    they would give later answers away."""
    table = probe_trace(state)
    rows = tuple(
        row if stage_.number in revealed else (*row[:-1], "?")
        for stage_, row in zip(STAGES, table.rows)
    )
    return Table(table.headers, rows, table.text_columns)
