"""The seven stages in which the network builds its curve, as data.

Each stage names the curve it adds, the faint curves that show what came
before, the part of the network it is about, its arithmetic, and the wording
functions (relunet.wording) that explain it from the current weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from relunet import bounds
from relunet.facts import CURVES, StageFacts
from relunet.network import ACTIVATIONS, Params
from relunet.wording import (
    explain_bias,
    explain_bottom,
    explain_output,
    explain_scale_bottom,
    explain_scale_top,
    explain_sum,
    explain_top,
    formula_bias,
    formula_bottom,
    formula_output,
    formula_scale_bottom,
    formula_scale_top,
    formula_sum,
    formula_top,
)

# Parts of the network diagram a stage can highlight.
# "sum" is the output node's adding of the two paths, "output" its final activation.
DIAGRAM_PARTS = ("input", "top", "bottom", "sum", "output", "w1", "w2", "w3", "w4", "b1", "b2", "b3")


@dataclass(frozen=True)
class Context:
    """A faint curve from an earlier step; `sets_scale` is False when it would
    dwarf the stage's own curve (it is then clipped to the stage's scale)."""

    curve: str
    sets_scale: bool = True


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    curve: str
    y_title: str
    context: tuple[Context, ...]
    active: frozenset[str]
    # (column header, curve) pairs: the stage's own arithmetic, left to right.
    arithmetic: tuple[tuple[str, str], ...]
    formula: Callable[[Params, str], str]
    explain: Callable[[StageFacts], str]
    # The curve this stage's own curve grows out of, for the animation: the
    # previous step where the stage transforms it, else the node's input line.
    morph_from: str = ""
    shows_training_data: bool = False
    # Annotations besides the bends of its own curve, which every stage marks.
    marks_zero_crossings: bool = False
    labels_peak: bool = False

    @property
    def role(self) -> str:
        return CURVES[self.curve][1]


STAGES: tuple[Stage, ...] = (
    Stage(
        1, "The top node bends a line", "top", "Top node output",
        (Context("top_input"),), frozenset({"input", "w1", "b1", "top"}),
        (("w1·x + b1", "top_input"), ("{act}(w1·x + b1)", "top")),
        formula_top, explain_top, morph_from="top_input",
    ),
    Stage(
        2, "Multiply the top path by w3", "top_scaled", "Weighted top path",
        (Context("top"),), frozenset({"w3"}),
        (("top", "top"), ("top × w3", "top_scaled")),
        formula_scale_top, explain_scale_top, morph_from="top",
    ),
    Stage(
        3, "The bottom node", "bottom", "Bottom node output",
        (Context("bottom_input"),), frozenset({"input", "w2", "b2", "bottom"}),
        (("w2·x + b2", "bottom_input"), ("{act}(w2·x + b2)", "bottom")),
        formula_bottom, explain_bottom, morph_from="bottom_input",
    ),
    Stage(
        4, "Multiply the bottom path by w4", "bottom_scaled", "Weighted bottom path",
        (Context("bottom"),), frozenset({"w4"}),
        (("bottom", "bottom"), ("bottom × w4", "bottom_scaled")),
        formula_scale_bottom, explain_scale_bottom, morph_from="bottom",
    ),
    Stage(
        5, "Add the two paths", "summed", "Sum of both paths",
        (Context("top_scaled"), Context("bottom_scaled")), frozenset({"sum"}),
        (("top × w3", "top_scaled"), ("bottom × w4", "bottom_scaled"), ("sum", "summed")),
        formula_sum, explain_sum, morph_from="bottom_scaled",
    ),
    Stage(
        6, "Add the bias b3", "output_input", "Sum + bias",
        (Context("summed"),), frozenset({"b3"}),
        (("sum", "summed"), ("sum + b3", "output_input")),
        formula_bias, explain_bias, morph_from="summed", marks_zero_crossings=True,
    ),
    Stage(
        7, "Activation again: the final curve", "output", "Efficacy (output)",
        (Context("output_input", sets_scale=False),), frozenset({"output"}),
        (("sum + b3", "output_input"), ("{act}(sum + b3)", "output")),
        formula_output, explain_output, morph_from="output_input",
        shows_training_data=True, labels_peak=True,
    ),
)
STAGE_COUNT = len(STAGES)


if STAGE_COUNT != bounds.STAGE_COUNT:
    raise AssertionError("relunet.bounds.STAGE_COUNT must match the registry")


def stage(number: int) -> Stage:
    return STAGES[number - 1]


def arithmetic_headers(stage_: Stage, activation: str) -> list[str]:
    return [header.format(act=ACTIVATIONS[activation].label) for header, _ in stage_.arithmetic]


