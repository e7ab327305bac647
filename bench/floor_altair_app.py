"""The least an Altair page can cost: the peer app's page with its one chart drawn by
Altair (`st.altair_chart`, SVG renderer) instead of `st.pyplot`, and a Next button (key
`next`) instead of the slider. No diagram, sidebar, text or export: what is left is
Streamlit's own rerun plus one Vega-Lite chart embedded in the browser.

`python bench/browser_ratio.py --ours bench/floor_altair_app.py` measures it against the
peer exactly as relunet is measured: the floor under relunet's browser figures.
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

W1, B1, W2, B2, W3, W4, B3 = 1.70, -0.85, 12.6, 0.0, -40.8, 2.70, -16.0
if "stage" not in st.session_state:
    st.session_state.stage = 1
if st.button("Next", key="next"):
    st.session_state.stage = st.session_state.stage % 7 + 1
stage = st.session_state.stage
x = np.linspace(0, 1, 100)
relu1 = np.maximum(0, W1 * x + B1)
z2 = W2 * x + B2
curves = [relu1, relu1 * W3, z2, z2 * W4, relu1 * W3 + z2 * W4,
          relu1 * W3 + z2 * W4 + B3, np.maximum(0, relu1 * W3 + z2 * W4 + B3)]
data = pd.DataFrame({"dosage": x, "value": curves[stage - 1]})
chart = (
    alt.Chart(data, description=f"Stage {stage} of 7")
    .mark_line(color="green")
    .encode(x=alt.X("dosage", title="Dosage"), y=alt.Y("value", title=None))
)
st.altair_chart(chart, width="stretch")
