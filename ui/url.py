"""Session state <-> the shareable link, through the one schema in relunet/state.py.

Widget keys are the setting names, so widgets, session state and the URL
speak the same words."""

import streamlit as st

from relunet.state import SETTINGS, SETTINGS_BY_NAME, PageState, parse_query, to_query


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
    """Make the address bar hold exactly this state, so copying it shares the lesson.

    Written in full on every run (one small message): during quick presses, the address an
    interrupted run sent can reach the browser after the browser asked for a newer run, so
    comparing with the address the browser last reported could leave a stale one standing."""
    others = {key: st.query_params.get_all(key) for key in st.query_params if key not in SETTINGS_BY_NAME}
    query = {**others, **to_query(state)}
    if query:
        st.query_params.from_dict(query)  # one message per key, the last one whole; embed options kept
    else:
        st.query_params.clear()
