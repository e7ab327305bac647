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
import re
from dataclasses import replace
from xml.sax.saxutils import escape

import altair as alt
import vl_convert as vlc
from PIL import Image

from relunet.charts import Frame, nice_domain, stage_domain, stage_spec
from relunet.diagram import diagram_spec
from relunet.export.layout import BASE_HEIGHT, BASE_WIDTH, Box, Placement
from relunet.export.render import render_png, render_svg
from relunet.export.transition import Motion, Transition
from relunet.facts import CURVES, StageFacts
from relunet.stages import STAGE_COUNT, Stage, stage
from relunet.style import BACKGROUND_RGB, BADGE_COLOUR, FONT, SLIDE_STYLE, TEXT_COLOUR
from relunet.typeface import text_width, wrap

FULL = Box(0, 0, BASE_WIDTH, BASE_HEIGHT)
HEADER = Box(0, 0, BASE_WIDTH, 64)
# Left: the chart (outer box 8..550 × 58..490) and the formula under it. Right: the network
# diagram, and under it the stage's explanation, so no corner of the slide is left empty.
CHART = Box(8, 58, SLIDE_STYLE.chart_width, SLIDE_STYLE.chart_height, pad=(84, 44, 18, 58))
CAPTION = Box(26, 492, 524, 44)
DIAGRAM_STYLE = replace(SLIDE_STYLE, chart_height=300, font_size=20, node_size=1700)
DIAGRAM = Box(556, 64, DIAGRAM_STYLE.diagram_width, DIAGRAM_STYLE.chart_height)
EXPLANATION = Box(570, 372, 372, 162)
TEXT_SIZE = 19  # the explanation; never below MIN_TEXT_SIZE, the smallest type on a 960 × 540 slide
MIN_TEXT_SIZE = 18
LINE_HEIGHT = 1.28

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
    "text": {"font": FONT},
}

_LATEX_TO_TEXT = ((r"\operatorname", ""), (r"\text", ""), (r"\times", "×"), (r"\,", "·"), (r"\cdot", "·"))


def formula_text(stage_: Stage, facts: StageFacts) -> str:
    """The stage's formula (the page's, with the current numbers) as plain
    text: "top = ReLU(w1·x + b1) = ReLU(1.70·x - 0.85)"."""
    text = stage_.formula(facts.params, facts.activation)
    for latex, plain in _LATEX_TO_TEXT:
        text = text.replace(latex, plain)
    text = re.sub(r"_\{?(\w)\}?", r"\1", text)  # w_3 -> w3
    return " ".join(text.replace("{", "").replace("}", "").split()).replace(" x ", "·x ")


def explanation_lines(facts: StageFacts, stage_: Stage) -> tuple[list[str], float]:
    """The stage's explanation (the page's own sentence) wrapped to the
    explanation box, and the type size that lets it fit: TEXT_SIZE, smaller
    down to MIN_TEXT_SIZE, and at that size a last line ending in "…"."""
    text = stage_.explain(facts)
    for size in (TEXT_SIZE, MIN_TEXT_SIZE):
        lines = wrap(text, size, EXPLANATION.width)
        room = int(EXPLANATION.height // (size * LINE_HEIGHT))
        if len(lines) <= room:
            return lines, size
    kept = lines[:room]
    while kept[-1] and text_width(kept[-1] + " …", size) > EXPLANATION.width:
        kept[-1] = kept[-1].rsplit(" ", 1)[0] if " " in kept[-1] else ""
    kept[-1] += " …"
    return kept, size


def backdrop_spec(facts: StageFacts, stage_: Stage) -> dict:
    """The slide's fixed text as a plain Vega spec (text needs no Vega-Lite
    compile): "n/7" in a purple badge and the stage title, large, at the top;
    its formula with the current numbers under the chart; the explanation under
    the diagram."""
    size = SLIDE_STYLE.title_size
    middle = HEADER.height / 2
    badge_width = size * 2.4
    text = {"font": {"value": FONT}, "baseline": {"value": "middle"}}
    lines, text_size = explanation_lines(facts, stage_)
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": BASE_WIDTH, "height": BASE_HEIGHT, "padding": 0, "autosize": "none", "background": "white",
        "marks": [
            {"type": "rect", "encode": {"enter": {
                "x": {"value": 18}, "width": {"value": badge_width}, "y": {"value": middle - size * 0.75},
                "height": {"value": size * 1.5}, "cornerRadius": {"value": 8}, "fill": {"value": BADGE_COLOUR}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width / 2}, "y": {"value": middle}, "align": {"value": "center"},
                "text": {"value": f"{stage_.number}/{STAGE_COUNT}"}, "fontSize": {"value": size},
                "fontWeight": {"value": "bold"}, "fill": {"value": "white"}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width + 18}, "y": {"value": middle}, "align": {"value": "left"},
                "text": {"value": stage_.title}, "fontSize": {"value": size}, "fontWeight": {"value": "bold"},
                "fill": {"value": TEXT_COLOUR}, "limit": {"value": BASE_WIDTH - badge_width - 60}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": CAPTION.x}, "y": {"value": CAPTION.y + CAPTION.height / 2},
                "align": {"value": "left"}, "text": {"value": formula_text(stage_, facts)},
                "fontSize": {"value": SLIDE_STYLE.font_size + 2}, "fill": {"value": "#333333"},
                "limit": {"value": CAPTION.width}}}},
            {"type": "rect", "encode": {"enter": {
                "x": {"value": EXPLANATION.x - 14}, "width": {"value": 4}, "y": {"value": EXPLANATION.y + 2},
                "height": {"value": len(lines) * text_size * LINE_HEIGHT - 4}, "fill": {"value": BADGE_COLOUR}}}},
            {"type": "text", "encode": {"enter": {
                **text, "baseline": {"value": "top"}, "x": {"value": EXPLANATION.x},
                "y": {"value": EXPLANATION.y}, "align": {"value": "left"}, "text": {"value": lines},
                "lineHeight": {"value": text_size * LINE_HEIGHT}, "fontSize": {"value": text_size},
                "fill": {"value": TEXT_COLOUR}}}},
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
    return piece_vegalite(diagram_spec(facts, stage_, DIAGRAM_STYLE), DIAGRAM)


def held_chart_vegalite(facts: StageFacts, stage_: Stage) -> dict:
    return piece_vegalite(stage_spec(facts, Frame(stage_, 1.0), SLIDE_STYLE), CHART)


def compose(placement: Placement, pieces: list[tuple[Image.Image, Box]]) -> Image.Image:
    """The pieces pasted at their places on a background of exactly the frame size."""
    frame = Image.new("RGB", (placement.width, placement.height), BACKGROUND_RGB)
    for image, box in pieces:
        frame.paste(image, placement.origin(box))
    return frame


def transition(facts: StageFacts, stage_: Stage, held: dict) -> Transition:
    """The in-between frames into `stage_`, from its held chart spec: its curve
    moves out of its `morph_from` curve, starting on the y range the viewer
    last saw that curve on (the previous stage's, when it showed it)."""
    start = getattr(facts.curves, stage_.morph_from)
    end = getattr(facts.curves, stage_.curve)
    end_domain = stage_domain(facts, stage_)
    before = stage(stage_.number - 1) if stage_.number > 1 else None
    start_domain = stage_domain(facts, before) if before and before.curve == stage_.morph_from else end_domain
    flip_domain = nice_domain(float(-start.max()), float(-start.min()))
    return Transition(held, CURVES[stage_.curve][0], Motion(start, end, start_domain, end_domain, flip_domain))


def held_slide(facts: StageFacts, stage_: Stage, width: int = BASE_WIDTH, height: int = BASE_HEIGHT) -> Image.Image:
    """A stage's held frame, exactly width×height, every piece rendered here in
    one go (the animation renders fixed pieces once per stage and layers the curve)."""
    placement = Placement(width, height)
    chart = vlc.vegalite_to_vega(held_chart_vegalite(facts, stage_))
    specs = [*fixed_piece_specs(facts, stage_), (chart, CHART)]
    return compose(placement, [(decode(render_png(spec, placement.scale)), box) for spec, box in specs])


def held_slide_svg(facts: StageFacts, stage_: Stage, width: int = BASE_WIDTH, height: int = BASE_HEIGHT) -> str:
    """A stage's held frame as one SVG document drawn width×height (the
    960×540 layout centred, as in the PNG): each piece's SVG straight from
    vl-convert, nested at its place, so it is vector and sharp at any size."""
    chart = vlc.vegalite_to_vega(held_chart_vegalite(facts, stage_))
    specs = [*fixed_piece_specs(facts, stage_), (chart, CHART)]
    parts = []
    for spec, box in specs:
        svg = render_svg(spec)
        if not svg.startswith("<svg "):
            raise ValueError("vl-convert returned something other than an SVG document")
        parts.append(f'<svg x="{box.x}" y="{box.y}" ' + svg[len("<svg "):])
    title = escape(f"Stage {stage_.number} of {STAGE_COUNT}: {stage_.title}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {BASE_WIDTH} {BASE_HEIGHT}" role="img"><title>{title}</title>'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(parts)}</svg>'
    )
