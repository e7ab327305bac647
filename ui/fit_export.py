"""The fit page's export panel: the fit as an animated GIF for slides, made by the same
server-wide export pool, with the same frame sizes, as the seven-stage page's panel."""

import streamlit as st

from relunet.export import frames_in
from relunet.export.fit_animation import MAX_FRAMES, FitExportSettings, fit_gif_job
from relunet.export.jobs import fit_gif_memory_mb
from relunet.fit_state import FitState
from relunet.style import FRAME_SIZES
from ui.export_panel import export_pool, lazy_export_panel, wait_for


def file_name(settings: FitExportSettings) -> str:
    what = "bias" if settings.mode == "bias" else f"all-seed{settings.seed}"
    return f"relunet-fit-{what}-lr{settings.lr:g}.gif"


@st.fragment
def fit_export_panel(state: FitState) -> None:
    """A fragment: its widgets rerun only this panel."""
    lazy_export_panel("Export the fit for slides: animated GIF", "fit_export_open", panel_body, state)


def panel_body(state: FitState) -> None:
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
    ).validate()
    if st.button("Make the GIF", key="fit_make_gif", type="primary"):
        st.session_state.fit_gif_for = settings
    if st.session_state.get("fit_gif_for") == settings:
        gif = wait_for(export_pool().submit(fit_gif_job, settings, fit_gif_memory_mb(settings)), "The GIF", "frame")
        if gif is not None:
            st.image(gif, caption=f"{frames_in(gif)} frames, {width} × {height}, {len(gif) / 1e6:.2f} MB")
            st.download_button(
                "Download GIF", data=gif, file_name=file_name(settings), mime="image/gif", key="fit_download_gif",
                on_click="ignore", icon=":material/download:",
            )
    elif "fit_gif_for" in st.session_state:
        st.info("The settings changed since the last GIF: make it again to include them.")
