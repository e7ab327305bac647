"""relunet: step through the seven stages in which a tiny ReLU network builds its curve.

This file is the page's layout only. Numbers and charts come from the `relunet`
package; widgets, session/URL state and caches from `ui` (imported once, so its
caches and decorators are not rebuilt on every click).
"""

import streamlit as st

from ui.export_panel import export_panel
from ui.lesson import cached_diagram, cached_view, changes_line, numbers, sidebar, stage_body, stepper
from ui.presenter import page_style
from ui.url import current_state, link_warnings, load_link_once, sync_url

st.set_page_config(page_title="relunet · how a ReLU network bends lines", page_icon="📈", layout="wide")

load_link_once()
present = st.session_state.present  # the presenter view: no title block or sidebar, one screen
page_style(present)
if not present:
    st.title("How a ReLU network bends straight lines into a curve")
    st.caption(
        "A tiny network turns a drug dosage (0 to 1) into an efficacy. Step through the seven stages in which "
        "its two hidden nodes and its output build the final curve."
    )
for warning in link_warnings():
    st.warning(warning, icon="⚠️")
sidebar()
stepper()
state = current_state()
changes_line(state)
view = cached_view(tuple(state.values().items()))
stage_body(view, cached_diagram(state.stage, state.params, state.activation, state.probe, present), present)
numbers(view)
export_panel(state)
sync_url(state)
