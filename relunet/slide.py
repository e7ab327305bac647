"""One slide of the exported animation, rendered with vl-convert.

A slide is three pieces at fixed places on a 960×540 layout: a backdrop with
the header ("n/7" and the stage title) and a caption naming the active part of
the network, the stage chart and the network diagram (both from the page's
own Altair builders in relunet.charts). Every piece is rendered with
Vega's autosize "none" and fixed padding, so each has a fixed size and its
plot origin never moves; the slide is exactly the requested size for every
frame. Within one transition only the stage chart changes, so the other
pieces are rendered once per stage (`StagePieces`) and the chart is rendered
per frame from a spec compiled once per stage (`ChartMorph`). No Streamlit.
"""

from __future__ import annotations

import io
import numbers
from dataclasses import dataclass

import altair as alt
import vl_convert as vlc
from PIL import Image

from relunet.charts import PALETTE, SLIDE_STYLE, Frame, diagram_chart, stage_chart
from relunet.network import PARAM_NAMES
from relunet.stages import STAGE_COUNT, Stage, StageFacts, num

BASE_WIDTH, BASE_HEIGHT = 960, 540
BACKGROUND = (255, 255, 255)
TEXT_COLOUR = "#222222"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Box:
    """A piece's place on the 960×540 layout; `pad` is room outside the plot
    for axes, legend and titles (Vega padding: left, top, right, bottom)."""

    x: int
    y: int
    width: int
    height: int
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def outer(self) -> tuple[int, int]:
        left, top, right, bottom = self.pad
        return self.width + left + right, self.height + top + bottom


FULL = Box(0, 0, BASE_WIDTH, BASE_HEIGHT)
HEADER = Box(0, 0, BASE_WIDTH, 64)
# The chart's outer box spans 8..550 × 58..490; the diagram sits to its right.
CHART = Box(8, 58, SLIDE_STYLE.chart_width, SLIDE_STYLE.chart_height, pad=(84, 44, 18, 58))
DIAGRAM = Box(552, 102, SLIDE_STYLE.diagram_width, SLIDE_STYLE.chart_height)
CAPTION = Box(0, 492, BASE_WIDTH, 44)

# Axis text big enough for the back of a lecture hall; the chart builders
# leave axis fonts to the renderer's config, the page uses its own theme.
SLIDE_CONFIG = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": SLIDE_STYLE.font_size,
        "titleFontSize": SLIDE_STYLE.font_size + 2,
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
        "titlePadding": 10,
        "gridColor": "#E4E4E4",
        "domainColor": "#888888",
        "tickColor": "#888888",
    },
    "legend": {"labelColor": TEXT_COLOUR},
}

_NODE_WORDS = {"input": "dosage", "top": "top node", "bottom": "bottom node", "output": "output node"}


def active_caption(facts: StageFacts, stage_: Stage) -> str:
    """Which part of the network the stage is about, with its numbers."""
    nodes = [word for part, word in _NODE_WORDS.items() if part in stage_.active]
    values = facts.params.as_dict()
    weights = [f"{name} = {num(values[name])}" for name in PARAM_NAMES if name in stage_.active]
    return "Active: " + " → ".join(nodes) + ("   ·   " + ",  ".join(weights) if weights else "")


def backdrop_spec(facts: StageFacts, stage_: Stage) -> dict:
    """The whole 960×540 layout's fixed text as a plain Vega spec (text needs
    no Vega-Lite compile): "n/7" in a green badge and the stage title, large,
    at the top; the active-part caption at the bottom."""
    size = SLIDE_STYLE.title_size
    middle = HEADER.height / 2
    badge_width = size * 2.4
    text = {"font": {"value": FONT}, "baseline": {"value": "middle"}}
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": BASE_WIDTH, "height": BASE_HEIGHT, "padding": 0, "autosize": "none", "background": "white",
        "marks": [
            {"type": "rect", "encode": {"enter": {
                "x": {"value": 18}, "width": {"value": badge_width}, "y": {"value": middle - size * 0.75},
                "height": {"value": size * 1.5}, "cornerRadius": {"value": 8}, "fill": {"value": PALETTE["sum"]}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width / 2}, "y": {"value": middle}, "align": {"value": "center"},
                "text": {"value": f"{stage_.number}/{STAGE_COUNT}"}, "fontSize": {"value": size},
                "fontWeight": {"value": "bold"}, "fill": {"value": "white"}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width + 18}, "y": {"value": middle}, "align": {"value": "left"},
                "text": {"value": stage_.title}, "fontSize": {"value": size}, "fontWeight": {"value": "bold"},
                "fill": {"value": TEXT_COLOUR}, "limit": {"value": BASE_WIDTH - badge_width - 60}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 26}, "y": {"value": CAPTION.y + CAPTION.height / 2}, "align": {"value": "left"},
                "text": {"value": active_caption(facts, stage_)}, "fontSize": {"value": SLIDE_STYLE.font_size + 3},
                "fill": {"value": "#333333"}, "limit": {"value": BASE_WIDTH - 40}}}},
        ],
    }


def _strip_tooltips(node: object) -> object:
    """Tooltips do nothing in a still image but cost render time."""
    if isinstance(node, dict):
        return {k: _strip_tooltips(v) for k, v in node.items() if k != "tooltip"}
    if isinstance(node, list):
        return [_strip_tooltips(v) for v in node]
    return node


def piece_spec(chart: alt.TopLevelMixin, box: Box) -> dict:
    """The Vega spec of a chart as a fixed-size piece: plot at the padding
    offset, canvas exactly box.outer, whatever sticks out is cut off."""
    spec = _strip_tooltips(chart.to_dict(validate=False))
    left, top, right, bottom = box.pad
    spec["config"] = {**spec.get("config", {}), **SLIDE_CONFIG}
    spec["autosize"] = {"type": "none", "contains": "content"}
    spec["padding"] = {"left": left, "top": top, "right": right, "bottom": bottom}
    return vlc.vegalite_to_vega(spec)


def render_png(vega_spec: dict, scale: float = 1.0) -> bytes:
    return vlc.vega_to_png(vega_spec, scale=scale)


def decode(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


class ChartMorph:
    """The stage chart at any point of the morph into `stage_`, compiled once.

    The morph blends curve values and y domain linearly in progress and the
    spec is otherwise the same, so two compiled specs fix every number at any
    progress; per frame only the render runs. The held chart (progress 1) is
    one of the two when it has the same shape as a morph frame; the final
    stage's held chart adds the training data, so it uses progress 0 instead."""

    def __init__(self, facts: StageFacts, stage_: Stage, held_spec: dict | None = None):
        middle = piece_spec(stage_chart(facts, Frame(stage_, 0.5), SLIDE_STYLE), CHART)
        if held_spec is not None and _same_shape(held_spec, middle):
            self._anchor, self._anchor_progress = held_spec, 1.0
        else:
            self._anchor = piece_spec(stage_chart(facts, Frame(stage_, 0.0), SLIDE_STYLE), CHART)
            self._anchor_progress = 0.0
        self._middle = middle

    def spec(self, progress: float) -> dict:
        factor = (progress - self._anchor_progress) / (0.5 - self._anchor_progress)
        return _blend(self._anchor, self._middle, factor)


def _same_shape(a: object, b: object) -> bool:
    """Same keys, list lengths and kinds of leaves; numbers and strings may
    differ (strings: generated dataset names)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_shape(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b))
    return _is_number(a) == _is_number(b) and isinstance(a, str) == isinstance(b, str)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _blend(anchor: object, middle: object, factor: float) -> object:
    """`anchor` with every number that differs from `middle` moved along the
    line through both (factor 0 = anchor, 1 = middle)."""
    if isinstance(anchor, dict):
        return {k: _blend(v, middle[k], factor) for k, v in anchor.items()}
    if isinstance(anchor, list):
        return [_blend(a, b, factor) for a, b in zip(anchor, middle)]
    if _is_number(anchor) and anchor != middle:
        return anchor + (middle - anchor) * factor
    # Equal numbers, and strings such as dataset names: any consistent choice works.
    return anchor


@dataclass(frozen=True)
class Placement:
    """Where the 960×540 layout lands in a frame of another size."""

    width: int
    height: int

    @property
    def scale(self) -> float:
        return min(self.width / BASE_WIDTH, self.height / BASE_HEIGHT)

    def origin(self, box: Box) -> tuple[int, int]:
        left = (self.width - BASE_WIDTH * self.scale) / 2
        top = (self.height - BASE_HEIGHT * self.scale) / 2
        return round(left + box.x * self.scale), round(top + box.y * self.scale)


def fixed_piece_specs(facts: StageFacts, stage_: Stage) -> list[tuple[dict, Box]]:
    """What stays put while the chart morphs into `stage_`: the backdrop
    (title, "n/7", caption) and the network diagram."""
    diagram = piece_spec(diagram_chart(facts, stage_, SLIDE_STYLE), DIAGRAM)
    return [(backdrop_spec(facts, stage_), FULL), (diagram, DIAGRAM)]


def held_chart_spec(facts: StageFacts, stage_: Stage) -> dict:
    return piece_spec(stage_chart(facts, Frame(stage_, 1.0), SLIDE_STYLE), CHART)


def compose(placement: Placement, pieces: list[tuple[Image.Image, Box]]) -> Image.Image:
    """The pieces pasted at their places on a background of exactly the frame size."""
    frame = Image.new("RGB", (placement.width, placement.height), BACKGROUND)
    for image, box in pieces:
        frame.paste(image, placement.origin(box))
    return frame


def slide_frame(facts: StageFacts, frame: Frame, width: int = BASE_WIDTH, height: int = BASE_HEIGHT) -> Image.Image:
    """One frame, exactly width×height, every piece rendered here (the export
    renders the fixed pieces once per stage instead)."""
    placement = Placement(width, height)
    chart = (
        held_chart_spec(facts, frame.stage)
        if frame.progress >= 1.0 or frame.stage.number == 1
        else ChartMorph(facts, frame.stage, held_chart_spec(facts, frame.stage)).spec(frame.progress)
    )
    specs = [*fixed_piece_specs(facts, frame.stage), (chart, CHART)]
    return compose(placement, [(decode(render_png(spec, placement.scale)), box) for spec, box in specs])
