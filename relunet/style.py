"""Every visual constant, once: palette, fonts, chart styles and slide sizes.

The page, the network diagram and the export all read these, so a colour
means the same thing everywhere (as CNN Explainer's config.js does).
"""

from __future__ import annotations

from dataclasses import dataclass

# Okabe-Ito: colour-blind safe, and each colour keeps one meaning everywhere:
# top path, bottom path, sum and output, training data.
PALETTE = {"top": "#0072B2", "bottom": "#E69F00", "sum": "#009E73", "data": "#D55E00", "input": "#555555"}
# The same hues, dark enough for text carrying numbers on white (at least
# 4.5 : 1, WCAG AA): blue already is; orange, green and vermillion are not.
TEXT_PALETTE = {"top": "#0072B2", "bottom": "#8A6100", "sum": "#007A58", "data": "#B34F00", "input": "#555555"}
# Parts a stage is not about: lines and nodes at 3.1 : 1, their numbers at 5.3 : 1.
INACTIVE_GREY = "#929292"
INACTIVE_TEXT = "#6B6B6B"
TEXT_COLOUR = "#222222"
MUTED_TEXT = "#444444"  # axis titles, the zero line's label: 9.7 : 1
BACKGROUND_RGB = (255, 255, 255)
# The page's typeface (Streamlit's Source Sans), shipped for the export (relunet.export.fonts). A family name
# with a bare digit ("Source Sans 3") would void the whole CSS list, so none is listed.
FONT = "Source Sans Pro, Liberation Sans, Arial, Helvetica, sans-serif"
# The page theme's purple (.streamlit/config.toml): it means nothing in the charts, so the stage
# badge can use it without looking like a curve.
BADGE_COLOUR = "#6A3D9A"


def relative_luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def ink_on(fill: str) -> str:
    """White or near-black, whichever reads better on `fill`."""
    return "#FFFFFF" if contrast("#FFFFFF", fill) >= contrast(TEXT_COLOUR, fill) else TEXT_COLOUR


@dataclass(frozen=True)
class ChartStyle:
    """Every size a chart builder uses, in pixels of the drawn chart."""

    chart_width: int
    chart_height: int
    diagram_width: int
    font_size: int  # axis labels, legend, annotations, diagram labels
    title_size: int  # the slide's own title
    line_width: float
    node_size: int  # area of a diagram node, in square pixels
    diagram_height: int = 0  # 0: as tall as the chart's plot

    @property
    def axis_title_size(self) -> int:
        return self.font_size + 2

    @property
    def diagram_plot_height(self) -> int:
        return self.diagram_height or self.chart_height


# The page stretches chart and diagram to their columns. The diagram's labels are laid out for its narrowest
# width (diagram_width) and keep their pixel distance from their nodes when it is drawn wider; the page's
# layout never draws it narrower (ui/presenter.py).
PAGE_STYLE = ChartStyle(
    chart_width=440, chart_height=330, diagram_width=280, font_size=13, title_size=16, line_width=3.5, node_size=1800,
    diagram_height=360,
)
# On a projector, read from the back row: at least 16 px chart type on a
# 1280 × 720 screen, and a chart and diagram that fit beside the text.
PRESENT_STYLE = ChartStyle(
    chart_width=560, chart_height=280, diagram_width=360, font_size=18, title_size=20, line_width=5, node_size=3000,
    diagram_height=400,
)
# Read from the back of a lecture hall: large type, thick lines.
SLIDE_STYLE = ChartStyle(
    chart_width=440, chart_height=330, diagram_width=396, font_size=18, title_size=34, line_width=6, node_size=2600
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
