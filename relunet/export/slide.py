"""One slide of the exported animation, rendered with vl-convert.

A slide is three pieces at fixed places on a 960×540 layout: a backdrop with
the header ("n/7" and the stage title) and a caption naming the active part of
the network, the stage chart and the network diagram (filled from the page's
own chart templates in relunet.charts). Every piece is rendered with
Vega's autosize "none" and fixed padding, so each has a fixed size and its
plot origin never moves; the slide is exactly the requested size for every
frame. Within one transition only the stage chart's curve moves, so the other
pieces are rendered once per stage and the chart's background once per
transition (relunet.export.transition). No Streamlit.
"""

from __future__ import annotations

import io

import altair as alt
import vl_convert as vlc
from PIL import Image

from relunet.charts import Frame, diagram_spec, stage_domain, stage_spec
from relunet.export.layout import BASE_HEIGHT, BASE_WIDTH, Box, Placement
from relunet.export.render import render_png
from relunet.export.transition import Transition
from relunet.facts import CURVES, StageFacts
from relunet.network import PARAM_NAMES
from relunet.stages import STAGE_COUNT, Stage
from relunet.style import BACKGROUND_RGB, FONT, PALETTE, SLIDE_STYLE, TEXT_COLOUR
from relunet.wording import num

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

_NODE_WORDS = {"input": "dosage", "top": "top node", "bottom": "bottom node", "sum": "sum", "output": "output node"}


def active_caption(facts: StageFacts, stage_: Stage) -> str:
    """Which part of the network the stage is about, with its numbers."""
    nodes = [word for part, word in _NODE_WORDS.items() if part in stage_.active]
    values = facts.params.as_dict()
    weights = [f"{name} = {num(values[name])}" for name in PARAM_NAMES if name in stage_.active]
    parts = [" → ".join(nodes)] if nodes else []
    return "Active: " + "   ·   ".join(parts + ([",  ".join(weights)] if weights else []))


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


def piece_vegalite(chart: alt.TopLevelMixin | dict, box: Box) -> dict:
    """The Vega-Lite spec of a chart (or of its spec) as a fixed-size piece: plot
    at the padding offset, canvas exactly box.outer, whatever sticks out is cut off."""
    spec = _strip_tooltips(chart if isinstance(chart, dict) else chart.to_dict(validate=False))
    left, top, right, bottom = box.pad
    spec["config"] = {**spec.get("config", {}), **SLIDE_CONFIG}
    spec["autosize"] = {"type": "none", "contains": "content"}
    spec["padding"] = {"left": left, "top": top, "right": right, "bottom": bottom}
    return spec


def decode(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def fixed_piece_specs(facts: StageFacts, stage_: Stage) -> list[tuple[dict, Box]]:
    """What stays put while the chart morphs into `stage_`: the backdrop
    (title, "n/7", caption) and the network diagram, as Vega."""
    return [(backdrop_spec(facts, stage_), FULL), (vlc.vegalite_to_vega(diagram_vegalite(facts, stage_)), DIAGRAM)]


def diagram_vegalite(facts: StageFacts, stage_: Stage) -> dict:
    return piece_vegalite(diagram_spec(facts, stage_, SLIDE_STYLE), DIAGRAM)


def held_chart_vegalite(facts: StageFacts, stage_: Stage) -> dict:
    return piece_vegalite(stage_spec(facts, Frame(stage_, 1.0), SLIDE_STYLE), CHART)


def compose(placement: Placement, pieces: list[tuple[Image.Image, Box]]) -> Image.Image:
    """The pieces pasted at their places on a background of exactly the frame size."""
    frame = Image.new("RGB", (placement.width, placement.height), BACKGROUND_RGB)
    for image, box in pieces:
        frame.paste(image, placement.origin(box))
    return frame


def transition(facts: StageFacts, stage_: Stage, held: dict) -> Transition:
    """The morph into `stage_` from its held chart spec: its curve grows out
    of its `morph_from` curve on the stage's own y range."""
    return Transition(held, CURVES[stage_.curve][0], CURVES[stage_.morph_from][0], stage_domain(facts, stage_))


def held_slide(facts: StageFacts, stage_: Stage, width: int = BASE_WIDTH, height: int = BASE_HEIGHT) -> Image.Image:
    """A stage's held frame, exactly width×height, every piece rendered here in
    one go (the animation renders fixed pieces once per stage and layers the curve)."""
    placement = Placement(width, height)
    chart = vlc.vegalite_to_vega(held_chart_vegalite(facts, stage_))
    specs = [*fixed_piece_specs(facts, stage_), (chart, CHART)]
    return compose(placement, [(decode(render_png(spec, placement.scale)), box) for spec, box in specs])
