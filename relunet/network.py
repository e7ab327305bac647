"""The dosage network: parameters, activations, forward pass and exact sampling.

Pure numpy, no page or chart code, so the page, the GIF export and the tests
all compute the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np

DOSAGE_RANGE = (0.0, 1.0)
PARAM_NAMES = ("w1", "b1", "w2", "b2", "w3", "w4", "b3")

# The training data the article's network was fitted to: low and high dosage
# do nothing, a medium dosage works.
TRAINING_DATA = ((0.0, 0.0), (0.5, 1.0), (1.0, 0.0))


@dataclass(frozen=True)
class Params:
    """Weights and biases; defaults are the article's fitted values."""

    w1: float = 1.70
    b1: float = -0.85
    w2: float = 12.6
    b2: float = 0.00
    w3: float = -40.8
    w4: float = 2.70
    b3: float = -16.0

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_values(self, **changes: float) -> Params:
        return replace(self, **changes)


ARTICLE_PARAMS = Params()


@dataclass(frozen=True)
class Activation:
    key: str
    label: str
    function: Callable[[np.ndarray], np.ndarray]
    # Piecewise-linear activations make piecewise-linear curves, which are
    # drawn exactly from their kinks; smooth ones need dense sampling.
    piecewise_linear: bool
    latex: str
    symbol: str  # short enough to fit inside a diagram node


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _softplus(z: np.ndarray) -> np.ndarray:
    # logaddexp(0, z) = log(1 + e^z) without overflow for large z.
    return np.logaddexp(0.0, z)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", "ReLU", _relu, True, r"\operatorname{ReLU}", "ReLU"),
    "softplus": Activation("softplus", "Softplus", _softplus, False, r"\operatorname{Softplus}", "Soft+"),
}
DEFAULT_ACTIVATION = "relu"


@dataclass(frozen=True)
class Trace:
    """Every intermediate value of the forward pass, one array per quantity."""

    dosage: np.ndarray
    top_input: np.ndarray  # w1·x + b1
    top: np.ndarray  # activation of top_input
    top_scaled: np.ndarray  # top · w3
    bottom_input: np.ndarray  # w2·x + b2
    bottom: np.ndarray  # activation of bottom_input
    bottom_scaled: np.ndarray  # bottom · w4
    summed: np.ndarray  # top_scaled + bottom_scaled
    output_input: np.ndarray  # summed + b3
    output: np.ndarray  # activation of output_input

    def at(self, index: int) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)[index]) for f in fields(self)}


def forward(params: Params, dosage, activation: str = DEFAULT_ACTIVATION) -> Trace:
    act = ACTIVATIONS[activation].function
    x = np.atleast_1d(np.asarray(dosage, dtype=float))
    top_input = params.w1 * x + params.b1
    top = act(top_input)
    top_scaled = top * params.w3
    bottom_input = params.w2 * x + params.b2
    bottom = act(bottom_input)
    bottom_scaled = bottom * params.w4
    summed = top_scaled + bottom_scaled
    output_input = summed + params.b3
    return Trace(
        dosage=x,
        top_input=top_input,
        top=top,
        top_scaled=top_scaled,
        bottom_input=bottom_input,
        bottom=bottom,
        bottom_scaled=bottom_scaled,
        summed=summed,
        output_input=output_input,
        output=act(output_input),
    )


def _line_root(slope: float, intercept: float, lo: float, hi: float) -> list[float]:
    """Where slope·x + intercept crosses zero strictly inside (lo, hi)."""
    if slope == 0.0:
        return []
    root = -intercept / slope
    return [root] if lo < root < hi else []


def kinks(params: Params, lo: float = DOSAGE_RANGE[0], hi: float = DOSAGE_RANGE[1]) -> np.ndarray:
    """Dosages inside (lo, hi) where a ReLU network's curves bend.

    A hidden node bends where its input crosses zero. The output's input is
    linear between those bends, so its own zero crossings are found exactly
    piece by piece.
    """
    hidden = _line_root(params.w1, params.b1, lo, hi) + _line_root(params.w2, params.b2, lo, hi)
    edges = np.unique(np.array([lo, *hidden, hi]))
    values = forward(params, edges, "relu").output_input
    output_roots = []
    for left, right, v_left, v_right in zip(edges[:-1], edges[1:], values[:-1], values[1:]):
        if (v_left < 0.0 < v_right) or (v_right < 0.0 < v_left):
            output_roots.append(left + (right - left) * v_left / (v_left - v_right))
    return np.unique(np.array([*hidden, *output_roots], dtype=float))


SMOOTH_SAMPLES = 241


def sample_dosages(
    params: Params,
    activation: str = DEFAULT_ACTIVATION,
    lo: float = DOSAGE_RANGE[0],
    hi: float = DOSAGE_RANGE[1],
) -> np.ndarray:
    """The dosages to plot so that straight segments between them are exact.

    For ReLU that is the range's ends plus every kink: a handful of points that
    draw the true peak. Smooth activations get a dense even grid.
    """
    if ACTIVATIONS[activation].piecewise_linear:
        return np.unique(np.array([lo, *kinks(params, lo, hi), hi], dtype=float))
    return np.linspace(lo, hi, SMOOTH_SAMPLES)


def trace_curves(params: Params, activation: str = DEFAULT_ACTIVATION) -> Trace:
    """The forward pass at the exact sample dosages: what every chart draws."""
    return forward(params, sample_dosages(params, activation), activation)
