"""Page styling: the presenter view (projector type, one screen) and the compact phone stepper.

Streamlit has no setting for these, so they are a few CSS rules on Streamlit's
stable test ids and on our own widget keys (`.st-key-<key>`).
"""

import streamlit as st

from relunet.style import PAGE_STYLE, PRESENT_STYLE

_VEGA_PADDING = 10  # Vega's default 5 px on each side of the plot

# Every view: on a phone the stepper stays one row, the seven number buttons give way
# to a "jump to stage" menu, and the title takes less of the first screen.
_PAGE_CSS = """
<style>
/* In a window too narrow for the whole row (1024 px with the sidebar open) the toggle takes a row of its own
   under the buttons; squeezed, it shrank to "Pr…" or to nothing, and a teacher could not find it. */
.st-key-present_toggle { min-width: max-content; }
.st-key-stepper button { white-space: nowrap; }
.st-key-stage_of { min-width: 4.5em; text-align: center; }
.st-key-stage_of p { margin: 0 !important; font-weight: 600; }
.st-key-stage_of [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-stage_jump { display: none; }
/* The diagram's labels are laid out for a plot at least PAGE_STYLE.diagram_width wide (plus Vega's padding);
   in a narrower column it moves under the chart instead of squeezing its labels into each other. */
.st-key-pictures [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }
.st-key-pictures [data-testid="stColumn"]:last-child { min-width: min(%(page_diagram)dpx, 100%%); }
@media (max-width: 640px) {
  .st-key-stepper { flex-wrap: nowrap !important; }
  .st-key-stage_numbers { display: none !important; }
  .st-key-stepper { gap: 0.5rem !important; }
  .st-key-stage_of { min-width: 0; }
  .st-key-changes { flex-wrap: wrap !important; }
  .st-key-stage_jump { display: block; max-width: 6.5em; }
  .st-key-stage_jump label { display: none; }
  .st-key-present_toggle { display: none; }
  h1 { font-size: 1.6rem !important; padding-top: 0 !important; }
  .block-container { padding-top: 3.5rem !important; }
}
</style>
"""

# The presenter view: no sidebar, no header, no mode switch (leave the view to change mode),
# projector-sized text. Chart and diagram type comes
# from relunet.style.PRESENT_STYLE.
_PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], .st-key-mode { display: none !important; }
.block-container { padding: 0.75rem 1.5rem 1rem 1.5rem !important; max-width: none !important; }
.block-container [data-testid="stMarkdownContainer"] p,
.block-container [data-testid="stMarkdownContainer"] li { font-size: 22px !important; line-height: 1.4; }
.block-container h3 { font-size: 30px !important; padding: 0 !important; }
.block-container .katex { font-size: 1.45em !important; }
.block-container button p { font-size: 20px !important; }
.st-key-stage_of p { font-size: 22px !important; }
.st-key-pictures [data-testid="stColumn"]:last-child { min-width: min(%(present_diagram)dpx, 100%%); }
.block-container [data-testid="stCaptionContainer"] { font-size: 18px !important; }
</style>
"""


def page_style(present: bool) -> None:
    widths = {"page_diagram": PAGE_STYLE.diagram_width + _VEGA_PADDING,
              "present_diagram": PRESENT_STYLE.diagram_width + _VEGA_PADDING}
    st.html((_PAGE_CSS + (_PRESENT_CSS if present else "")) % widths)
