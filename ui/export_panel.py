"""The export panel: the animated GIF and PNG stills of the current lesson."""

import io
import threading
import zipfile

import streamlit as st

from relunet.bounds import BOUNDS
from relunet.export import ExportSettings, frames_in, render_gif, render_stage_png
from relunet.stages import STAGES
from relunet.state import PageState
from relunet.style import FRAME_SIZES
from relunet.view import export_file_stem


@st.cache_resource
def export_slots() -> threading.BoundedSemaphore:
    """At most two exports render at once on the whole server: each holds a renderer's memory, and a
    class exporting together must not exhaust a small host (Community Cloud gives an app about 1 GB)."""
    return threading.BoundedSemaphore(2)


@st.cache_data(max_entries=8, show_spinner="Rendering the GIF…")
def gif_bytes(settings: ExportSettings, _rendered: bytes | None = None) -> bytes:
    """A bounded store of made GIFs (a few hundred KB each), keyed by settings. The page renders
    with a progress bar outside the cache (a cached function may not draw) and stores the result
    here; a GIF evicted since is simply rendered again."""
    if _rendered is not None:
        return _rendered
    with export_slots():
        return render_gif(settings)


@st.cache_data(max_entries=64, show_spinner=False)
def stage_png(settings: ExportSettings, stage_number: int) -> bytes:
    with export_slots():
        return render_stage_png(settings.params, settings.activation, stage_number, settings.width, settings.height)


def all_stages_zip(settings: ExportSettings, stem: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for stage_ in STAGES:
            archive.writestr(f"{stem}-stage-{stage_.number}.png", stage_png(settings, stage_.number))
    return buffer.getvalue()


@st.fragment
def export_panel(state: PageState) -> None:
    """A fragment: its widgets rerun only this panel, never the lesson above it. Closed, it
    builds nothing, so it costs the lesson's reruns nothing."""
    panel = st.expander("Export for slides: animated GIF and PNG stills", key="export_open", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(
            "Uses the current weights and activation. The GIF loops forever, holds each stage long enough to say "
            "a sentence, morphs the curve between stages and holds the final curve longest."
        )
        size_column, tween_column, hold_column = st.columns(3)
        size = size_column.selectbox("Frame size", list(FRAME_SIZES), key="gif_size")
        tween_bound = BOUNDS["tween"]
        tween = tween_column.number_input(
            "In-between frames", min_value=int(tween_bound.low), max_value=int(tween_bound.high), value=8, step=1,
            key="gif_tween",
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
            slots = export_slots()
            if not slots.acquire(blocking=False):
                bar.progress(0.0, text="Other exports are rendering; yours starts as soon as one finishes…")
                slots.acquire()
            try:
                rendered = render_gif(
                    settings, lambda done, total: bar.progress(done / total, text=f"Rendering frame {done} of {total}")
                )
            finally:
                slots.release()
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
