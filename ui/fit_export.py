"""The fit page's export panel: the fit as an animated GIF for slides, with the same
frame sizes, server-wide export limit and caching as the seven-stage page's panel."""

import streamlit as st

from relunet.export import frames_in
from relunet.export.fit_animation import MAX_FRAMES, FitExportSettings, render_fit_gif
from relunet.fit_state import FitState
from relunet.style import FRAME_SIZES
from ui.export_panel import export_slots


@st.cache_data(max_entries=8, show_spinner="Rendering the GIF…")
def fit_gif_bytes(settings: FitExportSettings, _rendered: bytes | None = None) -> bytes:
    """A bounded store of made GIFs, keyed by settings (rendered with a progress bar outside)."""
    if _rendered is not None:
        return _rendered
    with export_slots():
        return render_fit_gif(settings)


def file_name(settings: FitExportSettings) -> str:
    what = "bias" if settings.mode == "bias" else f"all-seed{settings.seed}"
    return f"relunet-fit-{what}-lr{settings.lr:g}.gif"


@st.fragment
def fit_export_panel(state: FitState) -> None:
    """A fragment: its widgets rerun only this panel. Closed, it builds nothing."""
    panel = st.expander("Export the fit for slides: animated GIF", key="fit_export_open", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(
            "The loss and the fit side by side, one frame per step (a longer run: "
            f"{MAX_FRAMES} evenly spaced steps), with the current settings. The first and last steps are held "
            "longest; the ones in between go by quickly."
        )
        size = st.selectbox("Frame size", list(FRAME_SIZES), key="fit_gif_size")
        width, height = FRAME_SIZES[size]
        settings = FitExportSettings(
            mode=state.mode, lr=state.lr, b3start=state.b3start, seed=state.seed, params=state.params,
            width=width, height=height, processes=1,
        )
        made = st.session_state.get("fit_gif_made_for") == settings
        if st.button("Make the GIF", key="fit_make_gif", type="primary") and not made:
            bar = st.progress(0.0, text="Rendering frames…")
            slots = export_slots()
            if not slots.acquire(blocking=False):
                bar.progress(0.0, text="Other exports are rendering; yours starts as soon as one finishes…")
                slots.acquire()
            try:
                rendered = render_fit_gif(
                    settings, lambda done, total: bar.progress(done / total, text=f"Rendering frame {done} of {total}")
                )
            finally:
                slots.release()
            fit_gif_bytes(settings, rendered)
            bar.empty()
            st.session_state.fit_gif_made_for = settings
        if st.session_state.get("fit_gif_made_for") == settings:
            gif = fit_gif_bytes(settings)
            st.image(gif, caption=f"{frames_in(gif)} frames, {width} × {height}, {len(gif) / 1e6:.2f} MB")
            st.download_button(
                "Download GIF", data=gif, file_name=file_name(settings), mime="image/gif", key="fit_download_gif",
                on_click="ignore", icon=":material/download:",
            )
        elif "fit_gif_made_for" in st.session_state:
            st.info("The settings changed since the last GIF: make it again to include them.")
