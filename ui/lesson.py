"""The lesson: sidebar weights, the stage stepper, the stage itself and its numbers."""

import threading

import streamlit as st

from relunet.network import ACTIVATIONS, PARAM_NAMES, Params
from relunet.stages import STAGE_COUNT, STAGES
from relunet.state import DEFAULT_STATE, SETTINGS_BY_NAME, PageState
from relunet.style import PAGE_STYLE, PRESENT_STYLE
from relunet.view import DiagramView, StageView, diagram_view, stage_view, warm_chart_templates
from relunet.wording import describe_changes
from ui.keys import stage_keys

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
    state = PageState.from_values(dict(values))
    return stage_view(state, PRESENT_STYLE if state.present else PAGE_STYLE)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_diagram(
    stage_number: int, params: Params, activation: str, probe: float | None, present: bool
) -> DiagramView:
    return diagram_view(stage_number, params, activation, probe, PRESENT_STYLE if present else PAGE_STYLE)


def without_negative_zero(value: float) -> float:
    """The widgets print two decimals, so -1e-12 (or -0.0) would show as "-0.00": a negative weight too
    small to show is zero, as every formula on the page also reads it."""
    return 0.0 if f"{value:.2f}" == "-0.00" else value


@st.cache_resource(show_spinner=False)
def chart_templates_warming(activation: str, present: bool) -> threading.Thread:
    """Once per server, activation and view, after the first page is out: every stage's chart template,
    built in the background, so a fresh server's first Next is as quick as any other (a template costs
    Altair tens of ms). Only relunet code runs in the thread, no Streamlit."""
    state = PageState(activation=activation, present=present)
    style = PRESENT_STYLE if present else PAGE_STYLE
    thread = threading.Thread(target=warm_chart_templates, args=(state, style), name="chart-templates", daemon=True)
    thread.start()
    return thread


def sidebar() -> None:
    with st.sidebar:
        st.header("Weights and biases")
        for name in PARAM_NAMES:
            setting = SETTINGS_BY_NAME[name]
            if f"{st.session_state[name]:.2f}" == "-0.00":
                st.session_state[name] = without_negative_zero(st.session_state[name])
            st.number_input(
                name, min_value=setting.low, max_value=setting.high, step=0.1, format="%.2f", key=name,
                persist_state="session",  # kept while the fit page, which reads them, is shown
                help=f"{WEIGHT_HELP[name]} ({setting.describe_bounds()}).",
            )
        st.radio(
            "Activation", options=list(ACTIVATIONS), format_func=lambda key: ACTIVATIONS[key].label,
            key="act", horizontal=True, persist_state="session",
            help="ReLU bends sharply; Softplus is its smooth cousin.",
        )
        st.button("Reset to the article's values", key="reset", on_click=reset_weights, width="stretch")
        st.caption("The address bar keeps the stage and the weights: copy it to share this exact view.")


def go_to(number: int) -> None:
    st.session_state.stage = number


def jump() -> None:
    st.session_state.stage = st.session_state.stage_jump


def stepper() -> None:
    """Back, "n of 7", Next and the seven stage numbers (a menu on a phone), all in one row; then
    the presenter-view toggle. The stage is state that only callbacks change: the buttons' and the
    keyboard's (ui/keys.py), which sends the stage a run of presses leads to, so none is lost."""
    current = st.session_state.stage
    st.session_state.stage_jump = current  # the phone's menu shows where the buttons took us
    with st.container(horizontal=True, vertical_alignment="center", key="stepper", gap="small", wrap=True):
        st.button("Back", key="back", on_click=step, args=(-1,), disabled=current <= 1,
                  help="Previous stage (←, PageUp or P; Home for the first)")
        with st.container(key="stage_of", width="content"):
            st.markdown(f"{current} of {STAGE_COUNT}")
        st.button("Next", key="next", on_click=step, args=(1,), disabled=current >= STAGE_COUNT,
                  help="Next stage (→, PageDown, Space or N; End for the last)")
        with st.container(horizontal=True, key="stage_numbers", gap="small", width="content"):
            for stage_ in STAGES:
                st.button(str(stage_.number), key=f"goto_{stage_.number}", on_click=go_to, args=(stage_.number,),
                          type="primary" if stage_.number == current else "secondary",
                          help=f"Stage {stage_.number}: {stage_.title}")
        st.selectbox("Jump to stage", [s.number for s in STAGES], key="stage_jump", on_change=jump,
                     format_func=lambda n: f"Stage {n}", label_visibility="collapsed", width=104)
        with st.container(horizontal=True, horizontal_alignment="right", key="present_toggle"):
            st.toggle("Presenter view", key="present", persist_state="session",  # kept across the fit page
                      help="Projector-sized type, everything on one screen")
    stage_keys()


def changes_line(state: PageState) -> None:
    """What differs from the article, how well the curve still fits, and a one-click way back."""
    line = describe_changes(state.params, state.activation)
    if line is None:
        return
    with st.container(horizontal=True, vertical_alignment="center", key="changes", wrap=False):
        st.info(line, icon=":material/edit:")
        st.button("Reset to the article", key="reset_inline", on_click=reset_weights)


def chart_and_diagram(chart_spec: dict, diagram_spec: dict, present: bool) -> None:
    """The stage chart and the network diagram side by side, each stretched to its column; in a window too
    narrow for the diagram's labels (ui/presenter.py), the diagram moves under the chart."""
    with st.container(key="pictures"):
        chart_column, diagram_column = st.columns([11, 9] if present else [3, 2], gap="medium")
        with chart_column:
            st.vega_lite_chart(chart_spec, width="stretch")
        with diagram_column:
            st.vega_lite_chart(diagram_spec, width="stretch")


def stage_body(view: StageView, diagram: DiagramView, present: bool) -> None:
    """Heading, then chart and diagram side by side at a fixed place (nothing above them changes
    height from stage to stage), then the explanation and the formula."""
    st.subheader(view.heading)
    chart_and_diagram(view.chart_spec, diagram.spec, present)
    st.markdown(view.explanation)
    if view.note:
        st.markdown(view.note)
    st.latex(view.formula)
    if not present:
        st.caption(view.chart_text)
        st.caption(diagram.text)


def numbers(view: StageView) -> None:
    examples_column, probe_column = st.columns(2)
    with examples_column:
        st.markdown("**Worked examples** · this stage's arithmetic, from the current weights")
        st.markdown(view.examples.as_markdown())
    with probe_column:
        st.slider("Probe dosage: follow one dosage through every stage", 0.0, 1.0, step=0.01, key="probe",
                  persist_state="session")
        st.markdown(view.probe_trace.as_markdown())
