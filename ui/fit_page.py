"""Part 2, "Where do the weights come from?": fit b3 by gradient descent, or every weight by
backpropagation, one step at a time with every number shown.

This file is the page's layout only; the numbers, words and charts come from
relunet.fit_view, the widgets and session state from ui.fit_controls."""

import streamlit as st

from ui.fit_controls import (
    cached_fit_view,
    current_fit_state,
    fit_sidebar,
    fit_stepper,
    load_fit_link_once,
    play_ticker,
    show_fit,
    sync_fit_url,
)
from ui.fit_export import fit_export_panel
from ui.url import load_link_once

load_link_once()  # the seven-stage page's weights, from the link if it has them
load_fit_link_once()
st.title("Where do the weights come from?")
st.caption(
    "Training data: dosage 0 → efficacy 0, 0.5 → 1, 1 → 0. The loss is the sum of the squared errors (SSR). "
    "Gradient descent lowers it step by step: the slope of the SSR says which way is downhill, and the learning "
    "rate how far to go."
)
for warning in (*st.session_state.link_warnings, *st.session_state.fit_link_warnings):
    st.warning(warning, icon="⚠️")
state = current_fit_state()
fit_sidebar(state)
view = cached_fit_view(tuple(state.values().items()))
fit_stepper(view)
show_fit(view)
fit_export_panel(state)
sync_fit_url(state)
play_ticker(view)
