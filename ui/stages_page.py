"""The seven-stage page: the lesson in which the network builds its curve.

This file is the page's layout only. Numbers and charts come from the `relunet`
package; widgets, session/URL state and caches from `ui` (imported once, so its
caches and decorators are not rebuilt on every click).
"""

import streamlit as st

from relunet.stages import STAGE_COUNT
from ui.export_panel import export_panel
from ui.lesson import (
    cached_diagram,
    cached_view,
    changes_line,
    chart_templates_warming,
    numbers,
    sidebar,
    stage_body,
    stepper,
)
from ui.practice import mode_switch, practice_page
from ui.presenter import page_style
from ui.url import current_state, link_warnings, load_link_once, sync_url

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
mode_switch()
stepper()
state = current_state()
if state.mode == "predict":
    # The stage is drawn only once the learner has predicted it; no export, and no fit line (its training
    # error describes the final curve), to peek with.
    practice_page(state)
else:
    changes_line(state)
    view = cached_view(tuple(state.values().items()))
    stage_body(view, cached_diagram(state.stage, state.params, state.activation, state.probe, present), present)
    numbers(view)
    if state.stage == STAGE_COUNT:  # the question the last stage raises, answered on the next page
        st.page_link("ui/fit_page.py", label="Part 2: where do −16 and −40.8 come from? Fit the bias",
                     icon=":material/trending_down:")
    export_panel(state)
sync_url(state)
chart_templates_warming(state.activation, present)  # the other stages' charts, while the browser draws these
