"""MP4 encoding: H.264 in yuv420p at a constant 25 fps, the moov atom up
front (+faststart) so it starts playing while it loads: the combination
PowerPoint, Keynote, QuickTime and every browser play. ffmpeg comes from
imageio-ffmpeg (imageio's ffmpeg plugin ships the binary), so no system
ffmpeg is needed.

Each distinct picture crosses the pipe to ffmpeg once, stamped with its start
on the 25 fps grid, and is converted to yuv420p once; ffmpeg's fps filter
then repeats it for as long as it is shown (a stage held for 2 s becomes 50
frames), so the file has one frame every 1/25 s, as a constant-rate video
must. Only the encoder sees the repeats, and it spends about 6 ms on each at
1920×1080 whatever the settings, so the frame rate sets the cost
(bench/slide_pack.py).

Why 25 fps, the PAL video standard, and not 30: the animation's fastest
change is an in-between frame every 60 ms (about 17 a second), so either
rate shows every picture, each for 40 or 80 ms here (33 or 67 at 30 fps);
25 fps has a sixth fewer frames to encode. The x264 options below search
less for motion (diamond search, whole pixels, one reference): a slide's
pictures barely move, and the file stayed as sharp (the same PSNR against
the stills to 1 dB) and as small. Together these took ffmpeg from 5.6 to
2.9 s of CPU for the default animation at 1920×1080 (55 pictures, 497
frames at 25 fps, 596 at 30).
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Iterable

FPS = 25  # see above
# Frames waiting for ffmpeg. While ffmpeg encodes a hold (50 frames of one
# picture for 2 s), the renderer goes on with the next frames instead of
# waiting on the pipe (at 1920×1080 and 30 fps that took the MP4 from 1.34× the
# GIF's time to 1.30×, bench/slide_pack.py); each waiting frame costs W×H×3 bytes.
QUEUED_FRAMES = 4
CODEC_ARGS = ["-preset", "veryfast", "-crf", "20", "-tune", "animation", "-profile:v", "high", "-bf", "0",
              "-x264-params", "me=dia:subme=0:trellis=0:ref=1"]


def frame_ticks(durations_ms: list[int], fps: int = FPS) -> list[int]:
    """How many ticks of the frame grid each frame lasts: its start and end
    rounded to the grid, so no rounding error adds up over the animation (a
    60 ms in-between frame lasts 1 or 2 ticks of 40 ms; the total is exact)."""
    ticks, start = [], 0
    for duration in durations_ms:
        end = start + duration
        ticks.append(round(end * fps / 1000) - round(start * fps / 1000))
        start = end
    return ticks


def even_size_problem(width: int, height: int) -> str | None:
    """Why an MP4 cannot have this size, or None. H.264 in yuv420p halves
    the colour resolution, so both sides must be even."""
    if width % 2 or height % 2:
        return f"an MP4 needs an even width and height (H.264 in yuv420p), not {width}×{height}"
    return None


def _start_times(ticks: list[int]) -> str:
    """An ffmpeg `setpts` expression giving frame N its start on the grid (in
    ticks; the input runs at the grid's rate, so a tick is one time base)."""
    terms, start = ["0"], 0
    for n, length in enumerate(ticks[:-1], start=1):
        start += length
        terms.append(f"{start}*eq(N,{n})")
    return "+".join(terms)


class _Feeder:
    """Sends frames to an imageio-ffmpeg writer from a thread of its own, up
    to QUEUED_FRAMES behind the caller. A failure to send is raised on the
    caller's next `send` or at `close`."""

    def __init__(self, writer):
        self._writer = writer
        self._frames: queue.Queue = queue.Queue(QUEUED_FRAMES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mp4-feeder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (frame := self._frames.get()) is not None:
            if self._error is None:  # after a failure, frames are only drained, so `send` never blocks for good
                try:
                    self._writer.send(frame)
                except BaseException as error:  # handed to the caller's thread
                    self._error = error

    def send(self, frame) -> None:
        if self._error is not None:
            raise self._error
        self._frames.put(frame)

    def close(self, check: bool = True) -> None:
        """Wait until every queued frame has been sent; with `check`, raise what failed."""
        if self._thread.is_alive():
            self._frames.put(None)
            self._thread.join()
        if check and self._error is not None:
            raise self._error


def encode_mp4(frames: Iterable, durations_ms: list[int]) -> bytes:
    """An MP4 of RGB frames (H×W×3 uint8 arrays of one even size), each shown
    for its duration, as bytes. Frames are encoded as they come, so ffmpeg
    works while the next frame renders. A frame too short for the grid is
    left out. The last frame is sent once more, one tick past the end: the
    fps filter fills the grid up to that mark, so the final hold lasts its
    full length and the frame count is exactly the animation's ticks."""
    import imageio_ffmpeg
    import numpy as np

    ticks = frame_ticks(durations_ms)
    kept = [t for t in ticks if t > 0]
    if not kept:
        raise ValueError("an MP4 needs at least one frame")
    writer = None
    with tempfile.TemporaryDirectory(prefix="relunet-mp4-") as folder:
        path = os.path.join(folder, "animation.mp4")
        feeder = None
        try:
            last = None
            for frame, length in zip(frames, ticks):
                if length == 0:
                    continue
                if writer is None:
                    height, width = frame.shape[:2]
                    problem = even_size_problem(width, height)
                    if problem:
                        raise ValueError(problem)
                    writer = imageio_ffmpeg.write_frames(
                        path, (width, height), fps=FPS, codec="libx264", quality=None, macro_block_size=1,
                        ffmpeg_log_level="error",
                        # yuv420p before the fps filter: each picture is converted once, not once per repeat.
                        output_params=[*CODEC_ARGS, "-vf", f"setpts='{_start_times([*kept, 1])}',format=yuv420p,"
                                       f"fps={FPS}", "-fps_mode", "passthrough",
                                       "-video_track_timescale", str(FPS * 512), "-movflags", "+faststart"],
                    )
                    writer.send(None)  # start ffmpeg
                    feeder = _Feeder(writer)
                last = np.ascontiguousarray(frame)
                feeder.send(last)
            feeder.send(last)  # the end mark
            feeder.close()
        finally:
            if feeder is not None:
                feeder.close(check=False)  # after a failure here: stop the thread, keep the first error
            if writer is not None:
                writer.close()
        with open(path, "rb") as encoded:
            return encoded.read()
