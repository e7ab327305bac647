"""The fit page's Streamlit glue: its link, its sidebar, the stepper with Play, and the view.

Session keys are the URL names with a `fit_` prefix (`fit_mode` for `fit`) (the seven-stage page owns the
plain weight names, which the fit page reads). Widgets keep their values for the
whole session (`persist_state="session"`), across page switches and while a mode
hides them."""

import math
import time

import streamlit as st

from relunet.fit import dead_nodes, first_seed, random_start
from relunet.fit_state import FIT_SETTINGS, FIT_SETTINGS_BY_NAME, FIXED_WEIGHTS, FitState, fit_query, parse_fit_query
from relunet.fit_view import FitView, fit_view, run_length
from relunet.network import ARTICLE_PARAMS
from relunet.wording import num

PLAY_SECONDS = 0.5  # between steps while playing
PLAY_FRAMES = 60  # a long run plays in about this many ticks, several steps each
MODE_LABELS = {"bias": "Only the bias b3 (gradient descent)", "all": "Every weight (backpropagation)"}
POINT_LABELS = {"0": "dosage 0", "0.5": "dosage 0.5", "1": "dosage 1"}


def session_key(name: str) -> str:
    """The session key of a fit setting: `fit_` and its URL name (`fit_mode` for `fit`)."""
    return "fit_mode" if name == "fit" else f"fit_{name}"


def load_fit_link_once() -> None:
    """Read the fit settings from the link on the fit page's first run in a session, so later
    reruns (and visits from the other page) keep what the user changed."""
    if "fit_link_warnings" in st.session_state:
        return
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    state, warnings = parse_fit_query(query, FIT_SETTINGS)
    st.session_state.update({session_key(name): value for name, value in state.values().items()
                             if name in FIT_SETTINGS_BY_NAME})
    st.session_state.fit_playing = False
    st.session_state.fit_link_warnings = warnings


def current_fit_state() -> FitState:
    """The settings in the session, with the step kept inside the run (a changed learning rate can
    make the run shorter than the step shown)."""
    values = {setting.name: st.session_state[session_key(setting.name)] for setting in FIT_SETTINGS}
    values.update({name: st.session_state.get(name, getattr(ARTICLE_PARAMS, name)) for name in FIXED_WEIGHTS})
    state = FitState.from_values(values)
    last = run_length(state)
    if state.step > last:
        state = state.with_step(last)
        st.session_state.fit_step = last
    return state


@st.cache_data(max_entries=512, show_spinner=False)
def cached_fit_view(values: tuple) -> FitView:
    return fit_view(FitState.from_values(dict(values)))


def sync_fit_url(state: FitState) -> None:
    """Make the address bar hold exactly this fit, so copying it shares the step."""
    wanted = fit_query(state)
    for name in state.values():
        if name in wanted:
            if st.query_params.get_all(name) != [wanted[name]]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def _dead_start() -> None:
    st.session_state.fit_seed = first_seed(lambda params: bool(dead_nodes(params)))
    st.session_state.fit_step = 0


def _reset() -> None:
    defaults = FitState().values()
    st.session_state.update({session_key(s.name): defaults[s.name] for s in FIT_SETTINGS})
    st.session_state.fit_playing = False


def fit_sidebar(state: FitState) -> None:
    bounds = {name: FIT_SETTINGS_BY_NAME[name] for name in ("lr", "b3start", "seed")}
    with st.sidebar:
        st.header("Fitting")
        st.radio("What to fit", options=list(MODE_LABELS), format_func=MODE_LABELS.get, key="fit_mode",
                 persist_state="session")
        st.number_input(
            "Learning rate", min_value=bounds["lr"].low, max_value=bounds["lr"].high, step=0.05, format="%.3f",
            key="fit_lr", persist_state="session",
            help=f"Each step moves by learning rate × slope ({bounds['lr'].describe_bounds()}).",
        )
        if state.mode == "bias":
            st.number_input(
                "Starting b3", min_value=bounds["b3start"].low, max_value=bounds["b3start"].high, step=1.0,
                format="%.2f", key="fit_b3start", persist_state="session",
                help=f"Where b3 starts ({bounds['b3start'].describe_bounds()}).",
            )
            weights = ", ".join(f"{name} = {num(getattr(state.params, name))}" for name in FIXED_WEIGHTS)
            st.caption(f"The other weights are the seven-stage page's: {weights}. Change them there.")
            if st.session_state.get("act", "relu") != "relu":
                st.caption("The fit uses ReLU, as the article's network does, whatever the seven-stage page shows.")
        else:
            st.number_input(
                "Random start (seed)", min_value=int(bounds["seed"].low), max_value=int(bounds["seed"].high), step=1,
                key="fit_seed", persist_state="session",
                help="Weights start from a standard normal distribution and biases at 0, as in StatQuest's videos; "
                     "the seed picks which random numbers.",
            )
            start = random_start(state.seed)
            st.caption("Start: " + ", ".join(f"{k} = {num(v)}" for k, v in start.as_dict().items()))
            st.button("Show a dead-ReLU start", key="fit_dead_start", on_click=_dead_start, width="stretch",
                      help="The first seed whose start has a hidden node that is off at all three dosages.")
        st.button("Reset the fit's settings", key="fit_reset", on_click=_reset, width="stretch")
        st.caption("The address bar keeps the step and the settings: copy it to share this exact step.")


def _go(step: int, keep_playing: bool = False) -> None:
    st.session_state.fit_step = max(step, 0)
    if not keep_playing:
        st.session_state.fit_playing = False


def _toggle_play(last: int) -> None:
    playing = not st.session_state.fit_playing
    if playing and st.session_state.fit_step >= last:
        st.session_state.fit_step = 0  # Play at the end starts over, as a video player does
    st.session_state.fit_playing = playing
    st.session_state.fit_last_tick = time.monotonic()


def fit_stepper(view: FitView) -> None:
    """Start, Back, Next, Play/Pause and End, all plain buttons: the step is state only their callbacks
    change, so quick presses are never lost."""
    step, last = view.step, view.last_step
    playing = st.session_state.fit_playing
    # One row that wraps on a phone, instead of columns that stack into five rows.
    start = back = forward = play = end = st.container(horizontal=True, gap="small")
    start.button("Start", key="fit_first", icon=":material/first_page:", on_click=_go, args=(0,),
                 disabled=step <= 0, help="Back to step 0 (Home key)", shortcut="Home")
    back.button("Back", key="fit_back", on_click=_go, args=(step - 1,), disabled=step <= 0,
                help="One step back (← key)", shortcut="Left")
    forward.button("Next", key="fit_next", on_click=_go, args=(step + 1,), disabled=step >= last,
                   help="One step of gradient descent (→ key)", shortcut="Right")
    play.button("Pause" if playing else "Play", key="fit_play",
                icon=":material/pause:" if playing else ":material/play_arrow:", on_click=_toggle_play,
                args=(last,), type="primary", help="Step on by itself, about two steps a second")
    end.button("End", key="fit_end", icon=":material/last_page:", on_click=_go, args=(last,),
               disabled=step >= last, help=f"Jump to the last step, {last} (End key)", shortcut="End")


def play_ticker(view: FitView) -> None:
    """While playing, a fragment reruns every PLAY_SECONDS and moves the step on, then reruns the
    page so everything shows the new step. Long runs take several steps per tick."""
    if not st.session_state.fit_playing:
        return
    if view.step >= view.last_step:
        st.session_state.fit_playing = False
        st.rerun()
    stride = max(1, math.ceil(view.last_step / PLAY_FRAMES))

    @st.fragment(run_every=PLAY_SECONDS)
    def tick() -> None:
        # The fragment also runs once as part of every page run; only the timer's runs step on.
        if time.monotonic() - st.session_state.get("fit_last_tick", 0.0) < PLAY_SECONDS * 0.8:
            return
        st.session_state.fit_last_tick = time.monotonic()
        if st.session_state.fit_playing:
            st.session_state.fit_step = min(st.session_state.fit_step + stride, view.last_step)
            st.rerun(scope="app")

    tick()


def show_fit(view: FitView) -> None:
    st.subheader(view.heading)
    show = {"info": st.info, "success": st.success, "warning": st.warning, "error": st.error}
    for message in view.messages:
        show[message.kind](message.text)
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(view.left_spec, width="stretch")
        st.caption(view.left_text)
    with right:
        st.vega_lite_chart(view.right_spec, width="stretch")
        st.caption(view.right_text)
    for index, (title, markdown) in enumerate(view.sections):
        st.markdown(f"**{title}**")
        if view.mode == "all" and index == len(view.sections) - 1:
            st.radio("Training point", options=list(POINT_LABELS), format_func=POINT_LABELS.get, key="fit_point",
                     horizontal=True, persist_state="session",
                     help="Backpropagation is shown for one training point at a time.")
        st.markdown(markdown)
    st.markdown("**The steps so far** (newest first)")
    config = {name: st.column_config.NumberColumn(name, format=fmt) for name, fmt in view.steps_formats.items()}
    st.dataframe(view.steps_table, column_config=config, hide_index=True, height=280)

