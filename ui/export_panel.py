"""The export panel: the animation (GIF, MP4 or a PowerPoint deck) and PNG
stills of the current lesson.

Exports are made by one pool of worker processes that serves every session
(relunet.export.pool), so the server itself keeps answering clicks while a
class exports; the same settings render once for everyone who asks. The
panel offers only settings the export accepts (relunet.export.choices), and
a failure is one line, never a traceback.

Downloads carry bytes already made, never a callable: a callable download
gets a new id on every rerun and Streamlit forgets the old one when the run
ends, so a click sent from the page before the new id arrived asked for an
id that was gone ("Deferred file ... not found") and nothing downloaded.
Bytes are stored under their content's hash, the same id on every rerun.
"""

import threading
import time
from collections.abc import Callable

import streamlit as st

from relunet.bounds import BOUNDS
from relunet.export import ExportSettings, frames_in
from relunet.export.choices import HOLD_STEP_S, hold_ms, hold_range, max_tween
from relunet.export.jobs import (
    STILLS_MB,
    Stills,
    deck_job,
    gif_job,
    gif_memory_mb,
    mp4_job,
    still_from_zip,
    stills_zip_job,
    streamed_memory_mb,
)
from relunet.export.pool import ExportFailed, ExportPool, Ticket
from relunet.state import PageState
from relunet.style import FRAME_SIZES
from relunet.view import export_file_stem

# Worker processes for the whole server, each replaced after its export so the memory it used goes back. Two
# small exports run side by side; a large one (up to about 660 MB at 1920 × 1080) runs alone: with the server
# itself (about 250 MB with a class connected) the whole app stays within Community Cloud's 1 GB.
POOL_WORKERS = 2
WORKERS_MEMORY_MB = 700
# The longest a session waits: for its export once it runs (the pool itself kills a job stuck for 10 minutes),
# and in the queue before that (the queue moves, as every job in it is bounded the same way).
WAIT_LIMIT_S = 15 * 60
QUEUE_LIMIT_S = 60 * 60
POLL_S = 0.3

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Choice label -> (file extension, what it is called in messages, MIME type).
ANIMATIONS = {
    "GIF": ("gif", "The GIF", "image/gif"),
    "MP4 video": ("mp4", "The MP4", "video/mp4"),
    "PowerPoint deck": ("pptx", "The deck", PPTX_MIME),
}


def animation_job(extension: str):
    """The pool job for a format (looked up when called, so a test can stand in for one)."""
    return {"gif": gif_job, "mp4": mp4_job, "pptx": deck_job}[extension]


def is_current_pool(pool: ExportPool) -> bool:
    """False for a pool made before its module was reloaded (code changed under a running server, with the
    file watcher on): its workers' class no longer pickles, so it could start no worker. It is shut down, in
    the background, and a new pool made in its place."""
    if type(pool) is ExportPool:
        return True
    threading.Thread(target=pool.shutdown, name="stale-pool-shutdown", daemon=True).start()
    return False


@st.cache_resource(validate=is_current_pool)
def export_pool() -> ExportPool:
    return ExportPool(workers=POOL_WORKERS, max_tasks_per_child=1, memory_budget_mb=WORKERS_MEMORY_MB)


@st.cache_data(max_entries=16, show_spinner=False)
def frame_count(gif: bytes) -> int:
    """Counting a GIF's frames decodes them all: once per GIF, not on every rerun of the panel."""
    return frames_in(gif)


def wait_for(ticket: Ticket, what: str, unit: str) -> bytes | None:
    """The job's bytes, showing its place in the queue and then its progress; None (and one line of
    error, the progress bar gone) if it failed or took too long."""
    bar = st.empty()
    deadline = time.monotonic() + QUEUE_LIMIT_S
    running = False
    shown = None
    while not ticket.wait(timeout=POLL_S):
        place = ticket.position()
        if not place and not running:  # it started: from now on the export's own limit counts
            running, deadline = True, min(deadline, time.monotonic() + WAIT_LIMIT_S)
        if time.monotonic() > deadline:
            bar.empty()
            st.error(f"{what} took too long to make; try a smaller frame size or fewer in-between frames.")
            return None
        done, total = ticket.progress()
        if place:
            where = "next in the queue" if place == 1 else f"number {place} in the queue"
            now = (0.0, f"All renderers are busy with other exports; yours is {where}…")
        elif total:
            now = (min(done / total, 1.0), f"Rendering {unit} {done} of {total}…")
        else:
            now = (0.0, "Starting the renderer…")
        if now != shown:  # only changes go to the browser: ten waiting sessions must not keep the server busy
            bar.progress(now[0], text=now[1])
            shown = now
    bar.empty()
    try:
        return ticket.result(timeout=0)
    except ExportFailed as failure:
        st.error(f"{what} could not be made: {failure}")
        return None


def frame_choices() -> tuple[int, int, int, float]:
    """Frame size, in-between frames and hold, offered within what the export accepts."""
    size_column, tween_column, hold_column = st.columns(3)
    size = size_column.selectbox("Frame size", list(FRAME_SIZES), key="gif_size")
    width, height = FRAME_SIZES[size]
    most = max_tween(width, height)
    if st.session_state.get("gif_tween", 0) > most:  # a bigger frame size allows fewer frames
        st.session_state.gif_tween = most
    tween = tween_column.number_input(
        "In-between frames", min_value=int(BOUNDS["tween"].low), max_value=most, value=min(8, most), step=1,
        key="gif_tween",
        help=f"Frames in which the curve morphs from one stage to the next; 0 cuts straight to each stage. "
             f"At most {most} at {width} × {height}.",
    )
    low, high = hold_range()
    hold = hold_column.number_input(
        "Seconds on each stage", min_value=low, max_value=high, value=2.0, step=HOLD_STEP_S, key="gif_hold",
        help="The final curve stays two and a half times as long.",
    )
    return width, height, int(tween), float(hold)


def lazy_export_panel(title: str, key: str, body: Callable[..., None], *args) -> None:
    """An expander that builds its export body only while open (so closed it costs a page's reruns
    nothing), and shows whatever still fails as one line, never a traceback with the server's paths.
    Every export panel of the app is one of these."""
    panel = st.expander(title, key=key, on_change="rerun")
    if not panel.open:
        return
    with panel:
        try:
            body(*args)
        except Exception as error:
            st.error(f"The export failed: {type(error).__name__}: {' '.join(str(error).split())}")


@st.fragment
def export_panel(state: PageState) -> None:
    """A fragment: its widgets rerun only this panel, never the lesson above it."""
    lazy_export_panel("Export for slides: GIF, MP4, PowerPoint deck and PNG stills", "export_open", panel_body, state)


def panel_body(state: PageState) -> None:
    st.caption(
        "Uses the current weights and activation. The animation loops, holds each stage long enough to say a "
        "sentence, shows each change happen and holds the final curve longest. The deck has the animation on its "
        "title slide, one slide per stage with the explanation in the speaker notes, and the final curve."
    )
    width, height, tween, hold = frame_choices()
    hold_stage_ms, final_hold_ms = hold_ms(hold)
    settings = ExportSettings(
        params=state.params, activation=state.activation, width=width, height=height, tween=tween,
        hold_ms=hold_stage_ms, final_hold_ms=final_hold_ms, processes=1,
    ).validate()
    pool = export_pool()
    stem = export_file_stem(state)

    kind = st.radio("Animation as", list(ANIMATIONS), horizontal=True, key="export_format")
    extension, name, mime = ANIMATIONS[kind]
    made_key = f"{extension}_for"
    if st.button(f"Make the {extension.upper() if extension != 'pptx' else 'deck'}", key=f"make_{extension}",
                 type="primary", help=f"{settings.frame_count} frames"):
        st.session_state[made_key] = settings
    if st.session_state.get(made_key) == settings:
        memory = gif_memory_mb(settings) if extension == "gif" else streamed_memory_mb(settings)
        data = wait_for(pool.submit(animation_job(extension), settings, memory), name, "frame")
        if data is not None:
            size = f"{width} × {height}, {len(data) / 1e6:.2f} MB"
            if extension == "gif":
                st.image(data, caption=f"{frame_count(data)} frames, {size}")
            elif extension == "mp4":
                st.video(data, format="video/mp4", loop=True)
                st.caption(f"H.264 video, {size}")
            else:
                st.caption(f"9 slides with speaker notes, pictures and movie at {size}")
            st.download_button(
                f"Download {extension.upper()}", data=data, file_name=f"{stem}.{extension}", mime=mime,
                key=f"download_{extension}", on_click="ignore", icon=":material/download:",
            )
    elif made_key in st.session_state:
        st.info(f"The settings changed since the last {extension.upper()}: make it again to include them.")

    st.markdown("**PNG stills** for slide builds that step on click")
    stills = Stills(settings, stem)
    if st.button("Make the PNG stills", key="make_stills"):
        st.session_state.stills_for = stills
    if st.session_state.get("stills_for") == stills:
        archive = wait_for(pool.submit(stills_zip_job, stills, STILLS_MB), "The PNG stills", "stage")
        if archive is not None:
            still_column, zip_column = st.columns(2)
            still_column.download_button(
                f"Stage {state.stage} as PNG", data=still_from_zip(archive, stills.file_name(state.stage)),
                file_name=stills.file_name(state.stage), mime="image/png", key="download_png", on_click="ignore",
            )
            zip_column.download_button(
                "All seven stages (ZIP of PNGs)", data=archive, file_name=f"{stem}-stages.zip",
                mime="application/zip", key="download_zip", on_click="ignore",
            )
    elif "stills_for" in st.session_state:
        st.info("The settings changed since the last stills: make them again to include them.")
