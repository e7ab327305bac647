"""The lesson: sidebar weights, the stage stepper, the stage itself and its numbers."""

import streamlit as st

from relunet.network import ACTIVATIONS, PARAM_NAMES, Params
from relunet.stages import STAGE_COUNT, STAGES
from relunet.state import DEFAULT_STATE, SETTINGS_BY_NAME, PageState
from relunet.view import DiagramView, StageView, diagram_view, stage_view

WEIGHT_HELP = {
    "w1": "Weight from dosage to the top node",
    "b1": "Bias of the top node",
    "w2": "Weight from dosage to the bottom node",
    "b2": "Bias of the bottom node",
    "w3": "Weight from the top node to the output",
    "w4": "Weight from the bottom node to the output",
    "b3": "Bias of the output node",
}


def step(delta: int) -> None:
    st.session_state.stage = min(max(st.session_state.stage + delta, 1), STAGE_COUNT)


def reset_weights() -> None:
    defaults = DEFAULT_STATE.values()
    st.session_state.update({name: defaults[name] for name in (*PARAM_NAMES, "act")})


@st.cache_data(max_entries=256, show_spinner=False)
def cached_view(values: tuple) -> StageView:
    return stage_view(PageState.from_values(dict(values)))


@st.cache_data(max_entries=128, show_spinner=False)
def cached_diagram(stage_number: int, params: Params, activation: str) -> DiagramView:
    return diagram_view(stage_number, params, activation)


def sidebar() -> None:
    with st.sidebar:
        st.header("Weights and biases")
        for name in PARAM_NAMES:
            setting = SETTINGS_BY_NAME[name]
            st.number_input(
                name, min_value=setting.low, max_value=setting.high, step=0.1, format="%.2f", key=name,
                help=f"{WEIGHT_HELP[name]} ({setting.describe_bounds()}).",
            )
        st.radio(
            "Activation", options=list(ACTIVATIONS), format_func=lambda key: ACTIVATIONS[key].label,
            key="act", horizontal=True, help="ReLU bends sharply; Softplus is its smooth cousin.",
        )
        st.button("Reset to the article's values", key="reset", on_click=reset_weights, width="stretch")
        st.caption("The address bar keeps the stage and the weights: copy it to share this exact view.")


def go_to(number: int) -> None:
    st.session_state.stage = number


def stepper() -> None:
    """Back, the seven stage numbers and Next, all plain buttons: `stage` is state that only their
    callbacks change. (A value widget holding the stage would let a quick second click, sent before
    the first one's answer arrived, carry the old stage back and lose a step.)"""
    current = st.session_state.stage
    back, *numbers_, forward = st.columns([2] + [1] * STAGE_COUNT + [2], vertical_alignment="center")
    # Arrow keys step too, as they do in slide programs (and on most presentation clickers).
    back.button("Back", key="back", on_click=step, args=(-1,), disabled=current <= 1, width="stretch",
                shortcut="Left", help="Previous stage (← key)")
    for stage_, column in zip(STAGES, numbers_):
        column.button(str(stage_.number), key=f"goto_{stage_.number}", on_click=go_to, args=(stage_.number,),
                      type="primary" if stage_.number == current else "secondary", width="stretch",
                      help=f"Stage {stage_.number}: {stage_.title}")
    forward.button("Next", key="next", on_click=step, args=(1,), disabled=current >= STAGE_COUNT,
                   width="stretch", shortcut="Right", help="Next stage (→ key)")


def stage_body(view: StageView, diagram: DiagramView) -> None:
    st.subheader(view.heading)
    st.markdown(view.explanation)
    st.latex(view.formula)
    diagram_column, chart_column = st.columns([2, 3])
    with diagram_column:
        st.vega_lite_chart(diagram.spec, width="stretch")
        st.caption(diagram.text)
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
