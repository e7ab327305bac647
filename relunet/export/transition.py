"""A transition's stage chart split into what stays and what moves.

While a stage's curve grows out of the curve it transforms (its `morph_from`,
already drawn faintly on the stage's own axes), everything but the moving
curve is the same in every in-between frame. `Transition` derives, from the
compiled Vega spec of the stage's held chart (no chart is rebuilt):

- `background`: the chart without its own curve (axes, grid, legend, zero rule,
  faint context curves), rendered once per transition;
- `curve(progress)`: only the moving curve, on a transparent canvas with
  exactly the same size, padding and scales, so it lies on the background
  pixel for pixel when composited;
- `full(progress)`: both in one spec (what a composited frame must match).

The morph is the one `relunet.charts.stage_chart` draws: values blend linearly
from the `morph_from` curve to the stage's own at the same dosages. Marks after
the stage's own curve (training data, probe) belong to held frames only.
Plain dicts, no Altair.
"""

from __future__ import annotations

import copy


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


def rows_labelled(spec: dict, label: str) -> list[dict]:
    """The rows of the curve labelled `label`, whichever mark draws it (the
    faint context curves share one mark)."""
    rows = [row for mark in spec["marks"] if _mark_data(mark)
            for row in _values(spec, _mark_data(mark)) if row.get("curve") == label]
    if not rows:
        raise ValueError(f"no curve labelled {label!r}")
    return rows


def with_y_domain(spec: dict, domain: tuple[float, float]) -> dict:
    """A copy of `spec` with the y scale fixed to `domain`."""
    spec = copy.deepcopy(spec)
    (y_scale,) = [s for s in spec["scales"] if s["name"] == "y"]
    y_scale["domain"] = [float(domain[0]), float(domain[1])]
    return spec


class Transition:
    """The in-between frames into a stage, from its held chart spec (compiled
    Vega): the curve labelled `label` grows out of the one labelled
    `start_label`, on the y range `domain`."""

    def __init__(self, held: dict, label: str, start_label: str, domain: tuple[float, float]):
        self._full = with_y_domain(held, domain)
        index, rows = own_curve(self._full, label)
        start_rows = rows_labelled(self._full, start_label)
        if [r["dosage"] for r in rows] != [r["dosage"] for r in start_rows]:
            raise ValueError("the two curves are sampled at different dosages")
        del self._full["marks"][index + 1:]  # held-frame extras: training data, probe
        self._rows = rows
        self._start = [r["value"] for r in start_rows]
        self._end = [r["value"] for r in rows]
        self._index = index
        self.background = {**self._full, "marks": self._full["marks"][:index]}
        layer = {k: v for k, v in self._full.items() if k not in ("axes", "legends", "background", "title")}
        layer["marks"] = [self._full["marks"][index]]
        self._layer = layer

    def _at(self, progress: float) -> list[dict]:
        return [
            {**row, "value": (1 - progress) * a + progress * b}
            for row, a, b in zip(self._rows, self._start, self._end)
        ]

    def _with_rows(self, spec: dict, rows: list[dict]) -> dict:
        name = _mark_data(self._full["marks"][self._index])
        spec = {**spec, "data": [dict(d) for d in spec["data"]]}
        data = {d["name"]: d for d in spec["data"]}
        entry = data[name]
        while "values" not in entry:
            entry = data[entry["source"]]
        entry["values"] = rows
        return spec

    def curve(self, progress: float) -> dict:
        """Only the moving curve, transparent around it."""
        return self._with_rows(self._layer, self._at(progress))

    def full(self, progress: float) -> dict:
        """Background and curve in one spec, as a single render would draw the frame."""
        return self._with_rows(self._full, self._at(progress))
