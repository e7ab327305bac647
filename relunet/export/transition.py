"""How the chart moves into a stage, and that motion as Vega specs.

`Motion` plans the in-between frames into a stage as a few eased steps, so
the viewer sees the change the stage makes:

- a weight below zero first *flips* the curve, on the scale it was shown on;
- the y scale *zooms out* before a curve grows past it (1 → 2: the flipped
  line visibly stretches to -18.8), and *zooms in* only after a curve has
  shrunk inside it (6 → 7: every negative value rises to 0 on the old scale,
  then the peak fills the new one);
- a curve that does not change at all (the bottom node with the article's
  weights) *draws itself* from left to right, a short beat instead of a cut.

Every step eases in and out (smoothstep). All curves are piecewise linear on
the same sample dosages, so blending values there is exact at every step.

`Transition` turns a `Pose` into Vega specs derived from the stage's compiled
held chart (no chart is rebuilt): the background for a fixed y range
(axes, grid, legend, zero rule, faint context curves), the moving curve alone
on a transparent canvas of the same size, or the whole chart when the y range
itself moves. Plain dicts and numpy, no Altair.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

Domain = tuple[float, float]

# How long each kind of step lasts, relative to the others.
_STEP_WEIGHTS = {"flip": 1.0, "zoom": 0.8, "morph": 1.3, "draw": 1.0}


def smoothstep(t: float) -> float:
    """Ease in and out: starts and ends at rest."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


def hull(a: Domain, b: Domain) -> Domain:
    return (min(a[0], b[0]), max(a[1], b[1]))


@dataclass(frozen=True)
class Pose:
    """The moving curve at one instant: its values at the sample dosages,
    the y range it is drawn on, and how far from the left it is drawn."""

    values: np.ndarray
    domain: Domain
    reveal: float = 1.0


@dataclass(frozen=True)
class Step:
    kind: str  # flip, zoom, morph or draw
    start: Pose
    end: Pose

    def at(self, t: float) -> Pose:
        s = smoothstep(t)
        values = (1 - s) * self.start.values + s * self.end.values
        domain = tuple((1 - s) * a + s * b for a, b in zip(self.start.domain, self.end.domain))
        return Pose(values, domain, (1 - s) * self.start.reveal + s * self.end.reveal)

    @property
    def moves_scale(self) -> bool:
        return self.start.domain != self.end.domain


def _scale_factor(start: np.ndarray, end: np.ndarray) -> float | None:
    """w if end == w · start at every dosage (a weight applied), else None."""
    norm = float(start @ start)
    if norm == 0.0:
        return None
    w = float(start @ end) / norm
    return w if np.allclose(w * start, end, rtol=1e-9, atol=1e-9) else None


class Motion:
    """The steps from the curve `start` (shown on `start_domain`) to the
    curve `end` (held on `end_domain`), both sampled at the same dosages."""

    def __init__(self, start: np.ndarray, end: np.ndarray, start_domain: Domain, end_domain: Domain,
                 flip_domain: Domain | None = None):
        start, end = np.asarray(start, float), np.asarray(end, float)
        start_domain, end_domain = tuple(map(float, start_domain)), tuple(map(float, end_domain))
        steps: list[Step] = []
        if np.allclose(start, end, rtol=1e-9, atol=1e-12):
            steps.append(Step("draw", Pose(end, end_domain, 0.0), Pose(end, end_domain, 1.0)))
        else:
            pose = Pose(start, start_domain)
            w = _scale_factor(start, end)
            if w is not None and w < 0:
                flipped = Pose(-start, hull(start_domain, flip_domain or start_domain))
                steps.append(Step("flip", pose, flipped))
                pose = flipped
            both = hull(pose.domain, end_domain)  # holds the curve before, during and after the change
            if both != pose.domain:
                steps.append(Step("zoom", pose, Pose(pose.values, both)))
            steps.append(Step("morph", Pose(pose.values, both), Pose(end, both)))
            if both != end_domain:
                steps.append(Step("zoom", Pose(end, both), Pose(end, end_domain)))
        self.steps = steps
        weights = np.array([_STEP_WEIGHTS[s.kind] for s in steps])
        self._edges = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])

    def pose(self, progress: float) -> Pose:
        """Where the motion is at `progress` (0 to 1) through the transition."""
        index = int(np.searchsorted(self._edges, progress, side="right")) - 1
        index = min(max(index, 0), len(self.steps) - 1)
        low, high = self._edges[index], self._edges[index + 1]
        return self.steps[index].at((progress - low) / (high - low))

    def fixed_domains(self) -> list[Domain]:
        """The y ranges that some step holds still (a background each)."""
        return [s.start.domain for s in self.steps if not s.moves_scale]


# --- the motion as Vega specs ---------------------------------------------


def _values(spec: dict, data_name: str) -> list[dict]:
    """The inline rows behind a Vega data set, following its `source` chain."""
    data = {d["name"]: d for d in spec["data"]}
    entry = data[data_name]
    while "values" not in entry:
        entry = data[entry["source"]]
    return entry["values"]


def _mark_data(mark: dict) -> str | None:
    source = mark.get("from", {})
    return source.get("facet", {}).get("data") or source.get("data")


def own_curve(spec: dict, label: str) -> tuple[int, list[dict]]:
    """Index of the mark drawing the curve labelled `label`, and its rows (the
    rows themselves, so a copy of the spec can be edited through them)."""
    found = []
    for index, mark in enumerate(spec["marks"]):
        name = _mark_data(mark)
        rows = _values(spec, name) if name else []
        if rows and all(row.get("curve") == label for row in rows):
            found.append((index, rows))
    if len(found) != 1:
        raise ValueError(f"expected one mark drawing {label!r}, found {len(found)}")
    return found[0]


def with_y_domain(spec: dict, domain: Domain) -> dict:
    """A copy of `spec` with the y scale fixed to `domain`."""
    spec = copy.deepcopy(spec)
    _set_y_domain(spec, domain)
    return spec


def _set_y_domain(spec: dict, domain: Domain) -> None:
    (y_scale,) = [s for s in spec["scales"] if s["name"] == "y"]
    y_scale["domain"] = [float(domain[0]), float(domain[1])]
    y_scale.pop("domainRaw", None)


def revealed(dosage: np.ndarray, values: np.ndarray, reveal: float) -> tuple[np.ndarray, np.ndarray]:
    """The curve from the left up to `reveal` of the dosage range, ending
    exactly on the line (straight segments are interpolated exactly)."""
    if reveal >= 1.0:
        return dosage, values
    end = dosage[0] + reveal * (dosage[-1] - dosage[0])
    keep = dosage < end
    return np.append(dosage[keep], end), np.append(values[keep], np.interp(end, dosage, values))


class Transition:
    """Vega specs for the in-between frames into a stage, from its held chart
    spec (compiled Vega): the curve labelled `label` moves as `motion` says."""

    def __init__(self, held: dict, label: str, motion: Motion):
        self.motion = motion
        self._full = copy.deepcopy(held)
        index, rows = own_curve(self._full, label)
        del self._full["marks"][index + 1:]  # held-frame extras: training data, probe, annotations
        self._template = rows[0]
        self._dosage = np.array([r["dosage"] for r in rows])
        if len(self._dosage) != len(motion.steps[0].start.values):
            raise ValueError("the motion and the chart sample different dosages")
        self._index = index
        self._data_name = _mark_data(self._full["marks"][index])
        layer = {k: v for k, v in self._full.items() if k not in ("axes", "legends", "background", "title")}
        layer["marks"] = [self._full["marks"][index]]
        self._layer = layer

    def _rows(self, pose: Pose) -> list[dict]:
        x, y = revealed(self._dosage, pose.values, pose.reveal)
        return [{**self._template, "dosage": float(a), "value": float(b)} for a, b in zip(x, y)]

    def _with(self, spec: dict, pose: Pose) -> dict:
        spec = {**spec, "data": [dict(d) for d in spec["data"]], "scales": [dict(s) for s in spec["scales"]]}
        data = {d["name"]: d for d in spec["data"]}
        entry = data[self._data_name]
        while "values" not in entry:
            entry = data[entry["source"]]
        entry["values"] = self._rows(pose)
        _set_y_domain(spec, pose.domain)
        return spec

    def background(self, domain: Domain) -> dict:
        """Everything but the moving curve, on the y range `domain`."""
        spec = with_y_domain(self._full, domain)
        return {**spec, "marks": spec["marks"][: self._index]}

    def curve(self, pose: Pose) -> dict:
        """Only the moving curve, transparent around it."""
        return self._with(self._layer, pose)

    def full(self, pose: Pose) -> dict:
        """Background and curve in one spec, as a single render draws the frame."""
        return self._with(self._full, pose)
