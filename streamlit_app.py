"""relunet: step through the seven stages in which a tiny ReLU network builds its curve.

This file is layout and widgets only; every number and chart comes from the
`relunet` package. Widget keys are the URL setting names, so session state,
widgets and the shareable link all speak the schema in relunet/state.py.
"""

import streamlit as st

from relunet.network import ACTIVATIONS, PARAM_NAMES
from relunet.stages import STAGE_COUNT, STAGES
from relunet.state import DEFAULT_STATE, SETTINGS, SETTINGS_BY_NAME, PageState, parse_query, to_query
from relunet.view import StageView, stage_view

st.set_page_config(page_title="relunet · how a ReLU network bends lines", page_icon="📈", layout="wide")

WEIGHT_HELP = {
    "w1": "Weight from dosage to the top node",
    "b1": "Bias of the top node",
    "w2": "Weight from dosage to the bottom node",
    "b2": "Bias of the bottom node",
    "w3": "Weight from the top node to the output",
    "w4": "Weight from the bottom node to the output",
    "b3": "Bias of the output node",
}


def load_link_once() -> None:
    """Read the shared link into session state on a session's first run only,
    so later reruns keep what the user changed."""
    if "link_warnings" in st.session_state:
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    state, warnings = parse_query(query)
    st.session_state.update(state.values())
    st.session_state.link_warnings = warnings


def current_state() -> PageState:
    return PageState.from_values({setting.name: st.session_state[setting.name] for setting in SETTINGS})


def sync_url(state: PageState) -> None:
    """Make the address bar hold exactly this state, so copying it shares the lesson."""
    wanted = to_query(state)
    for setting in SETTINGS:
        if setting.name in wanted:
            if st.query_params.get(setting.name) != wanted[setting.name]:
                st.query_params[setting.name] = wanted[setting.name]
        elif setting.name in st.query_params:
            del st.query_params[setting.name]


def step(delta: int) -> None:
    st.session_state.stage = min(max(st.session_state.stage + delta, 1), STAGE_COUNT)


def reset_weights() -> None:
    defaults = DEFAULT_STATE.values()
    st.session_state.update({name: defaults[name] for name in (*PARAM_NAMES, "act")})


@st.cache_data(max_entries=256, show_spinner=False)
def cached_view(values: tuple) -> StageView:
    return stage_view(PageState.from_values(dict(values)))


def sidebar() -> None:
    with st.sidebar:
        st.header("Weights and biases")
        for name in PARAM_NAMES:
            setting = SETTINGS_BY_NAME[name]
            st.number_input(
                name, min_value=setting.low, max_value=setting.high, step=0.1, format="%.2f", key=name,
                help=f"{WEIGHT_HELP[name]} (from {setting.low:g} to {setting.high:g}).",
            )
        st.radio(
            "Activation", options=list(ACTIVATIONS), format_func=lambda key: ACTIVATIONS[key].label,
            key="act", horizontal=True, help="ReLU bends sharply; Softplus is its smooth cousin.",
        )
        st.button("Reset to the article's values", key="reset", on_click=reset_weights, width="stretch")
        st.caption("The address bar keeps the stage and the weights: copy it to share this exact view.")


def stepper() -> None:
    back, picker, forward = st.columns([1, 4, 1], vertical_alignment="bottom")
    # Arrow keys step too, as they do in slide programs (and on most presentation clickers).
    back.button("← Back", key="back", on_click=step, args=(-1,), disabled=st.session_state.stage <= 1,
                width="stretch", shortcut="Left", help="Previous stage (← key)")
    picker.segmented_control(
        "Jump to a stage", options=[s.number for s in STAGES], key="stage", required=True,
        format_func=lambda n: f"Stage {n}" if n == 1 else str(n), width="stretch",
    )
    forward.button("Next →", key="next", on_click=step, args=(1,), disabled=st.session_state.stage >= STAGE_COUNT,
                   width="stretch", shortcut="Right", help="Next stage (→ key)")


def stage_body(view: StageView) -> None:
    st.subheader(view.heading)
    st.markdown(view.explanation)
    st.latex(view.formula)
    diagram_column, chart_column = st.columns([2, 3])
    with diagram_column:
        st.vega_lite_chart(view.diagram_spec, width="stretch")
        st.caption(view.diagram_text)
    with chart_column:
        st.vega_lite_chart(view.chart_spec, width="stretch")
        st.caption(view.chart_text)


def numbers(view: StageView) -> None:
    examples_column, probe_column = st.columns(2)
    with examples_column:
        st.markdown("**Worked examples** · this stage's arithmetic, from the current weights")
        st.markdown(view.examples.as_markdown())
    with probe_column:
        st.slider("Probe dosage: follow one dosage through every stage", 0.0, 1.0, step=0.01, key="probe")
        st.markdown(view.probe_trace.as_markdown())


load_link_once()
st.title("How a ReLU network bends straight lines into a curve")
st.caption(
    "A tiny network turns a drug dosage (0 to 1) into an efficacy. Step through the seven stages in which "
    "its two hidden nodes and its output build the final curve."
)
for warning in st.session_state.link_warnings:
    st.warning(warning, icon="⚠️")
sidebar()
stepper()
state = current_state()
view = cached_view(tuple(state.values().items()))
stage_body(view)
numbers(view)
sync_url(state)
