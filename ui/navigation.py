"""What the two pages share across navigation.

Streamlit forgets a widget's value at the end of a run in which the widget was not
drawn. The fit page's settings are re-stored on every run (some of its widgets show
only in one mode), and the seven-stage page's while the fit page is shown, so going
to the fit page and back keeps the weights, the stage and the fit's settings (and
the fit page can read the seven-stage page's weights)."""

import streamlit as st

from relunet.state import SETTINGS
from ui.fit_controls import FIT_KEYS

STAGE_KEYS = tuple(setting.name for setting in SETTINGS)


def keep_hidden_pages_state(fit_page_shown: bool) -> None:
    for key in FIT_KEYS + (STAGE_KEYS if fit_page_shown else ()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
