"""relunet: step through the seven stages in which a tiny ReLU network builds its curve.

This file is layout and widgets only; every number and chart comes from the
`relunet` package. Widget keys are the URL setting names, so session state,
widgets and the shareable link all speak the schema in relunet/state.py.
"""

import io
import zipfile

import streamlit as st

from relunet.export import ExportSettings, frames_in, render_gif, render_stage_png
from relunet.network import ACTIVATIONS, PARAM_NAMES
from relunet.stages import STAGE_COUNT, STAGES
from relunet.state import DEFAULT_STATE, SETTINGS, SETTINGS_BY_NAME, PageState, parse_query, to_query
from relunet.view import StageView, export_file_stem, stage_view

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
            if st.query_params.get_all(setting.name) != [wanted[setting.name]]:  # also drops repeats
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


FRAME_SIZES = {  # label -> (width, height); 16:9 suits every slide program's default layout
    "960 × 540 (slides)": (960, 540),
    "1280 × 720 (HD)": (1280, 720),
    "1920 × 1080 (Full HD)": (1920, 1080),
    "640 × 360 (small)": (640, 360),
}


@st.cache_data(max_entries=8, show_spinner="Rendering the GIF…")
def gif_bytes(settings: ExportSettings, _rendered: bytes | None = None) -> bytes:
    """A bounded store of made GIFs (a few hundred KB each), keyed by settings. The page renders
    with a progress bar outside the cache (a cached function may not draw) and stores the result
    here; a GIF evicted since is simply rendered again."""
    return _rendered if _rendered is not None else render_gif(settings)


@st.cache_data(max_entries=64, show_spinner=False)
def stage_png(settings: ExportSettings, stage_number: int) -> bytes:
    return render_stage_png(settings.params, settings.activation, stage_number, settings.width, settings.height)


def all_stages_zip(settings: ExportSettings, stem: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for stage_ in STAGES:
            archive.writestr(f"{stem}-stage-{stage_.number}.png", stage_png(settings, stage_.number))
    return buffer.getvalue()


@st.fragment
def export_panel(state: PageState) -> None:
    """A fragment: its widgets rerun only this panel, never the lesson above it."""
    with st.expander("Export for slides: animated GIF and PNG stills"):
        st.caption(
            "Uses the current weights and activation. The GIF loops forever, holds each stage long enough to say "
            "a sentence, morphs the curve between stages and holds the final curve longest."
        )
        size_column, tween_column, hold_column = st.columns(3)
        size = size_column.selectbox("Frame size", list(FRAME_SIZES), key="gif_size")
        tween = tween_column.number_input(
            "In-between frames", min_value=0, max_value=30, value=8, step=1, key="gif_tween",
            help="Frames in which the curve morphs from one stage to the next; 0 cuts straight to each stage.",
        )
        hold = hold_column.number_input(
            "Seconds on each stage", min_value=0.5, max_value=30.0, value=2.0, step=0.5, key="gif_hold",
            help="The final curve stays two and a half times as long.",
        )
        width, height = FRAME_SIZES[size]
        settings = ExportSettings(
            params=state.params, activation=state.activation, width=width, height=height, tween=int(tween),
            hold_ms=int(round(hold * 1000)), final_hold_ms=int(round(hold * 2500)), processes=1,
        )
        stem = export_file_stem(state)
        made = st.session_state.get("gif_made_for") == settings
        clicked = st.button("Make the GIF", key="make_gif", type="primary", help=f"{settings.frame_count} frames")
        if clicked and not made:
            bar = st.progress(0.0, text="Rendering frames…")
            rendered = render_gif(
                settings, lambda done, total: bar.progress(done / total, text=f"Rendering frame {done} of {total}")
            )
            gif_bytes(settings, rendered)
            bar.empty()
            st.session_state.gif_made_for = settings
        if st.session_state.get("gif_made_for") == settings:
            gif = gif_bytes(settings)
            st.image(gif, caption=f"{frames_in(gif)} frames, {width} × {height}, {len(gif) / 1e6:.2f} MB")
            st.download_button(
                "Download GIF", data=gif, file_name=f"{stem}.gif", mime="image/gif", key="download_gif",
                on_click="ignore", icon=":material/download:",
            )
        elif "gif_made_for" in st.session_state:
            st.info("The settings changed since the last GIF: make it again to include them.")
        st.markdown("**PNG stills** for slide builds that step on click")
        still_column, zip_column = st.columns(2)
        still_column.download_button(
            f"Stage {state.stage} as PNG", data=lambda: stage_png(settings, state.stage),
            file_name=f"{stem}-stage-{state.stage}.png", mime="image/png", key="download_png", on_click="ignore",
        )
        zip_column.download_button(
            "All seven stages (ZIP of PNGs)", data=lambda: all_stages_zip(settings, stem),
            file_name=f"{stem}-stages.zip", mime="application/zip", key="download_zip", on_click="ignore",
        )


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
export_panel(state)
sync_url(state)
