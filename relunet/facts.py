"""What the wording may quote: the curves a chart can draw, and the facts of
one network computed from its exact samples. Pure numpy, no text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relunet.network import ACTIVATIONS, TRAINING_DATA, Params, Trace, forward, trace_curves

# Every quantity a chart can draw: its legend label and its colour role.
# Roles keep their meaning everywhere: top path, bottom path, sum/output.
CURVES: dict[str, tuple[str, str]] = {
    "top_input": ("w1·x + b1", "top"),
    "top": ("top node", "top"),
    "top_scaled": ("top × w3", "top"),
    "bottom_input": ("w2·x + b2", "bottom"),
    "bottom": ("bottom node", "bottom"),
    "bottom_scaled": ("bottom × w4", "bottom"),
    "summed": ("sum", "sum"),
    "output_input": ("sum + b3", "sum"),
    "output": ("output", "sum"),
}

@dataclass(frozen=True)
class StageFacts:
    """What explanations may quote, computed from the current network."""

    params: Params
    activation: str
    curves: Trace

    @property
    def act(self) -> str:
        return ACTIVATIONS[self.activation].label

    def value_at(self, curve: str, dosage: float) -> float:
        return float(np.interp(dosage, self.curves.dosage, getattr(self.curves, curve)))

    def highest(self, curve: str) -> tuple[float, float]:
        values = getattr(self.curves, curve)
        index = int(np.argmax(values))
        return float(self.curves.dosage[index]), float(values[index])

    def bends(self, curve: str) -> list[tuple[float, float]]:
        """(dosage, value) where the curve changes slope inside the range.

        Only piecewise-linear curves bend: their samples are exactly the ends
        and the kinks, so a change of slope between neighbours is a real bend.
        Smooth curves have none."""
        if not ACTIVATIONS[self.activation].piecewise_linear:
            return []
        x, y = self.curves.dosage, getattr(self.curves, curve)
        return [(float(x[i]), float(y[i])) for i in corner_indices(x, y)[1:-1]]

    def zero_crossings(self, curve: str) -> list[float]:
        """Dosages where the curve crosses zero (from one sign to the other).

        Linear between samples, so exact for ReLU curves."""
        x, y = self.curves.dosage, getattr(self.curves, curve)
        crossings = []
        for left, right, v_left, v_right in zip(x[:-1], x[1:], y[:-1], y[1:]):
            if v_left * v_right < 0:
                crossings.append(float(left + (right - left) * v_left / (v_left - v_right)))
            elif v_right == 0.0 and left < right < x[-1]:
                after = y[np.searchsorted(x, right) + 1]
                if v_left * after < 0:  # touches zero at a sample and goes on to the other side
                    crossings.append(float(right))
        return crossings

    def peak(self, curve: str) -> tuple[float, float] | None:
        """The curve's highest point, if it stands above both ends by at least
        a shown digit (0.01); a flat or end-high curve has no peak to label."""
        dosage, value = self.highest(curve)
        y = getattr(self.curves, curve)
        if dosage in (self.curves.dosage[0], self.curves.dosage[-1]) or value - max(y[0], y[-1]) < 0.01:
            return None
        return dosage, value

    def positive_span(self, curve: str) -> tuple[float, float] | None:
        """Dosages between which the curve is above zero (None if never).

        Exact for ReLU: the zero crossings are sample points."""
        values = getattr(self.curves, curve)
        positive = np.flatnonzero(values > 0)
        if positive.size == 0:
            return None
        dosage = self.curves.dosage
        return float(dosage[max(positive[0] - 1, 0)]), float(dosage[min(positive[-1] + 1, dosage.size - 1)])


def corner_indices(x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices of the ends and the points where a polyline changes slope."""
    keep = [0]
    for i in range(1, len(x) - 1):
        before = (y[i] - y[keep[-1]]) / (x[i] - x[keep[-1]])
        after = (y[i + 1] - y[i]) / (x[i + 1] - x[i])
        if not np.isclose(before, after, rtol=1e-9, atol=1e-9):
            keep.append(i)
    return keep + [len(x) - 1] if len(x) > 1 else keep


def training_error(params: Params, activation: str) -> float:
    """Sum of squared errors of the final curve on the training data."""
    predicted = forward(params, [dosage for dosage, _ in TRAINING_DATA], activation).output
    return float(sum((p - target) ** 2 for p, (_, target) in zip(predicted, TRAINING_DATA)))


def facts_for(params: Params, activation: str) -> StageFacts:
    return StageFacts(params, activation, trace_curves(params, activation))


