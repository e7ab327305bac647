"""What the wording may quote: the curves a chart can draw, and the facts of
one network computed from its exact samples. Pure numpy, no text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relunet.network import ACTIVATIONS, Params, Trace, trace_curves

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

    def positive_span(self, curve: str) -> tuple[float, float] | None:
        """Dosages between which the curve is above zero (None if never).

        Exact for ReLU: the zero crossings are sample points."""
        values = getattr(self.curves, curve)
        positive = np.flatnonzero(values > 0)
        if positive.size == 0:
            return None
        dosage = self.curves.dosage
        return float(dosage[max(positive[0] - 1, 0)]), float(dosage[min(positive[-1] + 1, dosage.size - 1)])


def facts_for(params: Params, activation: str) -> StageFacts:
    return StageFacts(params, activation, trace_curves(params, activation))


