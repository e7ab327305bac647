"""The least the lesson page can cost while Streamlit draws it: relunet's own seven-stage page,
every element as it is (sidebar, stepper, heading, explanation, formula, worked examples, probe,
export panel), except that the stage chart is the floor's one green line (`floor_altair_app.py`)
and the network diagram is left out. No chart can be drawn more cheaply than that one.

`python bench/browser_ratio.py --ours bench/floor_lesson_app.py` measures it against the peer:
if its click ratio is above issue 7's target, no way of drawing the charts (data swaps, SVG,
canvas) can meet the target while the lesson's elements are Streamlit's.
"""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ui.lesson  # noqa: E402

W1, B1, W2, B2, W3, W4, B3 = 1.70, -0.85, 12.6, 0.0, -40.8, 2.70, -16.0
DOSAGES = np.linspace(0, 1, 100)
RELU1 = np.maximum(0, W1 * DOSAGES + B1)
Z2 = W2 * DOSAGES + B2
CURVES = [RELU1, RELU1 * W3, Z2, Z2 * W4, RELU1 * W3 + Z2 * W4,
          RELU1 * W3 + Z2 * W4 + B3, np.maximum(0, RELU1 * W3 + Z2 * W4 + B3)]


def floor_chart(chart_spec: dict, diagram_spec: dict, present: bool) -> None:
    """In place of the stage chart and the diagram: one line, as in the floor app."""
    stage = st.session_state.stage
    st.vega_lite_chart({
        "description": f"Stage {stage} of 7",
        "data": {"values": [{"dosage": float(x), "value": float(y)} for x, y in zip(DOSAGES, CURVES[stage - 1])]},
        "mark": {"type": "line", "color": "green"},
        "encoding": {"x": {"field": "dosage", "type": "quantitative", "title": "Dosage"},
                     "y": {"field": "value", "type": "quantitative", "title": None}},
    }, width="stretch")


ui.lesson.chart_and_diagram = floor_chart

st.set_page_config(page_title="relunet lesson floor", layout="wide")
FIT_PAGE = st.Page(ROOT / "ui" / "fit_page.py", url_path="fit")
_page_link = st.page_link
# The last stage links to the fit page by its path from the repository's root, not from bench/.
st.page_link = lambda page, **options: _page_link(FIT_PAGE if page == "ui/fit_page.py" else page, **options)
st.navigation([st.Page(ROOT / "ui" / "stages_page.py", default=True), FIT_PAGE]).run()
