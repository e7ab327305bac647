"""Every visual constant, once: palette, fonts, chart styles and slide sizes.

The page, the network diagram and the export all read these, so a colour
means the same thing everywhere (as CNN Explainer's config.js does).
"""

from __future__ import annotations

from dataclasses import dataclass

# Okabe-Ito: colour-blind safe, and each colour keeps one meaning everywhere:
# top path, bottom path, sum and output, training data.
PALETTE = {"top": "#0072B2", "bottom": "#E69F00", "sum": "#009E73", "data": "#D55E00", "input": "#555555"}
INACTIVE_GREY = "#A8A8A8"
TEXT_COLOUR = "#222222"
BACKGROUND_RGB = (255, 255, 255)
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class ChartStyle:
    chart_width: int
    chart_height: int
    diagram_width: int
    font_size: int
    title_size: int
    line_width: float
    node_size: int


PAGE_STYLE = ChartStyle(
    chart_width=520, chart_height=360, diagram_width=320, font_size=13, title_size=16, line_width=3.5, node_size=1800
)
# Read from the back of a lecture hall: large type, thick lines.
SLIDE_STYLE = ChartStyle(
    chart_width=440, chart_height=330, diagram_width=400, font_size=17, title_size=34, line_width=6, node_size=2600
)
# The fit lesson's slides put two charts side by side (no diagram).
FIT_SLIDE_STYLE = ChartStyle(
    chart_width=350, chart_height=300, diagram_width=0, font_size=17, title_size=30, line_width=5, node_size=2200
)

# Slides: the layout is drawn at 960 × 540 and scaled to the frame size.
SLIDE_SIZE = (960, 540)
# 16:9 suits every slide program's default layout. Label -> (width, height).
FRAME_SIZES = {
    "960 × 540 (slides)": SLIDE_SIZE,
    "1280 × 720 (HD)": (1280, 720),
    "1920 × 1080 (Full HD)": (1920, 1080),
    "640 × 360 (small)": (640, 360),
}
