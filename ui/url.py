"""Session state <-> the shareable link, through the one schema in relunet/state.py.

Widget keys are the setting names, so widgets, session state and the URL
speak the same words."""

import streamlit as st

from relunet.state import SETTINGS, PageState, parse_query, to_query


def load_link_once() -> None:
    """Read the shared link into session state on a session's first run only,
    so later reruns keep what the user changed."""
    if "link_warnings" in st.session_state:
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    state, warnings = parse_query(query)
    st.session_state.update({**state.values(), "present": state.present})  # the toggle holds a bool
    st.session_state.link_warnings = warnings
    st.session_state.link_state = state


def link_warnings() -> list[str]:
    """What was wrong with the link, until the learner's first step or edit (the safe defaults stay)."""
    if st.session_state.link_warnings and current_state() != st.session_state.link_state:
        st.session_state.link_warnings = []
    return st.session_state.link_warnings


def current_state() -> PageState:
    return PageState.from_values({setting.name: st.session_state[setting.name] for setting in SETTINGS})


def sync_url(state: PageState) -> None:
    """Make the address bar hold exactly this state, so copying it shares the lesson."""
    wanted = to_query(state)
    for setting in SETTINGS:
        if setting.name in wanted:
            if st.query_params.get_all(setting.name) != [wanted[setting.name]]:  # also drops repeats
                st.query_params[setting.name] = wanted[setting.name]
        elif setting.name in st.query_params:
            del st.query_params[setting.name]
