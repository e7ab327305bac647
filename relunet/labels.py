"""Where a chart's text labels go so that no line crosses them.

Pure geometry in the plot's pixels (numpy, no chart library): each label is
tried at a ring of spots around its point, nearest first, and takes the first
spot that stays inside the plot, clear of every line and of the labels placed
before it. The chart builders turn the result back into data coordinates, so
the labels are ordinary data records of an ordinary text layer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

# Average advance of a character in the chart font, as a share of its size
# (digits in Liberation Sans/Arial are 0.556 em; bold and "→" run a bit wider).
CHAR_WIDTH = 0.62
LINE_HEIGHT = 1.25
# Directions tried around a point, pixel y growing downwards: the one the
# label leans `toward` first, then the others by how close they are to it,
# above before below (a label reads as a caption of its point).
_DIRECTIONS = [(0, -1), (1, -1), (-1, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (0, 1)]
ABOVE, BELOW, LEFT, RIGHT = (0, -1), (0, 1), (-1, 0), (1, 0)


@cache  # eight directions, a handful of preferences
def _directions(toward: tuple[int, int]) -> list[tuple[int, int]]:
    def closeness(d: tuple[int, int]) -> float:
        return (d[0] * toward[0] + d[1] * toward[1]) / (np.hypot(*d) * np.hypot(*toward))

    return sorted(_DIRECTIONS, key=closeness, reverse=True)  # stable: ties keep the order above


_GAPS = (6, 14, 26, 42, 62, 86, 116, 150, 190, 240)
LEADER_FROM = 45  # a label farther than this from its point gets a thin line to it
DIRECTION_PENALTY = 24  # pixels of distance one step away from the preferred direction is worth


@dataclass(frozen=True)
class Plot:
    """A plot's size and the data ranges its axes show (x padded by
    `x_padding` pixels on each side, as Vega-Lite's scale padding does)."""

    width: float
    height: float
    x_domain: tuple[float, float]
    y_domain: tuple[float, float]
    x_padding: float = 0.0

    def to_pixels(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_domain, self.y_domain
        px = self.x_padding + (np.asarray(x, float) - x0) / (x1 - x0) * (self.width - 2 * self.x_padding)
        py = self.height - (np.asarray(y, float) - y0) / (y1 - y0) * self.height
        return px, py

    def to_data(self, px: float, py: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.x_domain, self.y_domain
        x = x0 + (px - self.x_padding) / (self.width - 2 * self.x_padding) * (x1 - x0)
        y = y0 + (self.height - py) / self.height * (y1 - y0)
        return float(x), float(y)


@dataclass(frozen=True)
class Label:
    x: float  # the point it belongs to, in data units
    y: float
    text: str
    size: float  # font size in pixels
    toward: tuple[int, int] = ABOVE  # the direction tried first (pixel y grows downwards)
    short: str = ""  # a shorter text to try when no spot is clear for `text`


@dataclass(frozen=True)
class Placed:
    label: Label
    x: float  # the middle of the text, in data units
    y: float
    clear: bool  # False if every spot touched something (it then takes the least crowded)
    # A line from the point to the label's nearest edge (x1, y1, x2, y2 in data units), if it is far.
    leader: tuple[float, float, float, float] | None = None


def text_box(text: str, size: float) -> tuple[float, float]:
    return len(text) * size * CHAR_WIDTH, size * LINE_HEIGHT


def _segments_hitting_boxes(starts: np.ndarray, ends: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """For each box (x0, y0, x1, y1), how many segments cross it: Liang-Barsky
    clipping, every segment against every box at once."""
    if len(starts) == 0:
        return np.zeros(len(boxes), int)
    x0, y0, x1, y1 = (boxes[:, i:i + 1] for i in range(4))  # boxes down, segments across
    d = ends - starts
    t_low = np.zeros((len(boxes), len(d)))
    t_high = np.ones((len(boxes), len(d)))
    inside = np.ones((len(boxes), len(d)), bool)
    for p, q in ((-d[:, 0], starts[:, 0] - x0), (d[:, 0], x1 - starts[:, 0]),
                 (-d[:, 1], starts[:, 1] - y0), (d[:, 1], y1 - starts[:, 1])):
        parallel = np.broadcast_to(p == 0, q.shape)
        inside &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(p == 0, 1.0, p))
        t_low = np.where(~parallel & (p < 0), np.maximum(t_low, r), t_low)
        t_high = np.where(~parallel & (p > 0), np.minimum(t_high, r), t_high)
    return np.count_nonzero(inside & (t_low <= t_high), axis=1)


def _best_spot(label: Label, plot: Plot, seg_starts: np.ndarray, seg_ends: np.ndarray, taken: list,
               line_clearance: float) -> tuple:
    """((centre x, centre y, box), gap, anchor, cost) of the best spot for `label`, in pixels."""
    ax, ay = (float(v) for v in plot.to_pixels(label.x, label.y))
    width, height = text_box(label.text, label.size)
    # Every spot around the point at once, in the order they are preferred: direction, then distance.
    spots = [(rank, dx, dy, gap) for rank, (dx, dy) in enumerate(_directions(label.toward)) for gap in _GAPS]
    cx = np.array([ax + dx * (gap + width / 2) for _, dx, _, gap in spots])
    cy = np.array([ay + dy * (gap + height / 2) for _, _, dy, gap in spots])
    boxes = np.column_stack([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])
    grown = boxes + np.array([-line_clearance, -line_clearance, line_clearance, line_clearance])
    covered = np.zeros(len(spots), int)
    for other in taken:
        covered += (grown[:, 0] < other[2]) & (other[0] < grown[:, 2]) & (grown[:, 1] < other[3]) & (
            other[1] < grown[:, 3])
    costs = _segments_hitting_boxes(seg_starts, seg_ends, grown) + covered
    inside_plot = (boxes[:, 0] >= 0) & (boxes[:, 1] >= 0) & (boxes[:, 2] <= plot.width) & (
        boxes[:, 3] <= plot.height)
    # Anything touched outweighs distance; a nearer spot outweighs a preferred direction
    # only by a little, so a label stays beside its point but on its side.
    scores = np.where(inside_plot, costs * 1000 + np.array([gap + rank * DIRECTION_PENALTY
                                                            for rank, _, _, gap in spots]), np.inf)
    if not np.isfinite(scores).any():  # the plot is smaller than the label: leave it on its point
        return (ax, ay, (ax, ay, ax, ay)), 0, (ax, ay), 1
    index = int(np.argmin(scores))  # the first of equals, as in preference order
    box = tuple(float(v) for v in boxes[index])
    return (float(cx[index]), float(cy[index]), box), spots[index][3], (ax, ay), int(costs[index])


def place_labels(
    labels: list[Label],
    plot: Plot,
    lines: list[tuple[np.ndarray, np.ndarray]],
    line_clearance: float = 3.0,
    points: list[tuple[float, float]] = (),
    point_radius: float = 6.0,
) -> list[Placed]:
    """Spots for `labels`, in order (earlier labels get the nearer spots).

    `lines` are polylines in data units (x values, y values) the labels must
    not cross; `points` are marks (data units) they must not cover."""
    starts, ends = [], []
    for xs, ys in lines:
        px, py = plot.to_pixels(xs, ys)
        if len(px) > 1:
            starts.append(np.column_stack([px[:-1], py[:-1]]))
            ends.append(np.column_stack([px[1:], py[1:]]))
    seg_starts = np.concatenate(starts) if starts else np.zeros((0, 2))
    seg_ends = np.concatenate(ends) if ends else np.zeros((0, 2))
    taken: list[tuple[float, float, float, float]] = []
    for x, y in points:
        px, py = (float(v) for v in plot.to_pixels(x, y))
        taken.append((px - point_radius, py - point_radius, px + point_radius, py + point_radius))
    placed = []
    for label in labels:
        spot = _best_spot(label, plot, seg_starts, seg_ends, taken, line_clearance)
        if spot[3] > 0 and label.short:  # crowded: the short text may fit where the long one does not
            short = replace(label, text=label.short, short="")
            short_spot = _best_spot(short, plot, seg_starts, seg_ends, taken, line_clearance)
            if short_spot[3] < spot[3]:
                label, spot = short, short_spot
        (cx, cy, box), gap, (ax, ay), cost = spot
        taken.append(box)
        x_data, y_data = plot.to_data(cx, cy)
        leader = None
        if gap > LEADER_FROM:
            end = (min(max(ax, box[0]), box[2]), min(max(ay, box[1]), box[3]))
            leader = (label.x, label.y, *plot.to_data(*end))
        placed.append(Placed(label, x_data, y_data, cost == 0, leader))
    return placed
