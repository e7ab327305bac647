"""MP4 encoding: H.264 in yuv420p at a constant frame rate, the moov atom up
front (+faststart) so it starts playing while it loads: the combination
PowerPoint, Keynote, QuickTime and every browser play. ffmpeg comes from
imageio-ffmpeg (imageio's ffmpeg plugin ships the binary), so no system
ffmpeg is needed.

The frame rate is the animation's own: one frame per in-between frame's time
(60 ms by default: 50/3, about 16.7 frames a second), doubled, tripled...
until it is at least 15 a second. So every in-between picture shows for the
same whole number of frames, and the motion is as even as the GIF's; at 25
fps the default 60 ms pictures alternated between 40 and 80 ms. Holds are
rounded to the grid (at most half a frame, 30 ms by default), without the
error adding up.

Each distinct picture crosses the pipe to ffmpeg once, stamped with its start
on the grid, and is converted to yuv420p once; ffmpeg's fps filter then
repeats it for as long as it is shown (a stage held for 2 s becomes 33
frames), so the file has a frame on every tick, as a constant-rate video
must. Only the encoder sees the repeats, and it spends about 6 ms on each at
1920×1080 whatever the settings, so the frame count sets the cost
(bench/slide_pack.py): 331 frames for the default animation, 497 at 25 fps.
The final hold, a quarter of those, is encoded by a second ffmpeg from the
moment its picture exists (see VideoEncoder).
The x264 options below search less for motion (diamond search, whole pixels,
one reference; a slide's pictures barely move, and the file stayed as sharp,
the same PSNR against the stills to 1 dB, and as small), and x264 runs on one
thread: the export's renderer has the other cores, and threads cost x264 a
tenth more CPU in all.
"""

from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from fractions import Fraction

MIN_FPS = 15  # see above
# Frames waiting for ffmpeg. While ffmpeg encodes a hold (33 frames of one
# picture for 2 s), the renderer goes on with the next frames instead of
# waiting on the pipe (at 1920×1080 and 30 fps that took the MP4 from 1.34× the
# GIF's time to 1.30×, bench/slide_pack.py); each waiting frame costs W×H×3 bytes.
QUEUED_FRAMES = 4
CODEC_ARGS = ["-preset", "veryfast", "-crf", "20", "-tune", "animation", "-profile:v", "high", "-bf", "0",
              "-x264-params", "me=dia:subme=0:trellis=0:ref=1", "-threads", "1"]


def grid_fps(tween_ms: int) -> Fraction:
    """The video's frame rate for in-between frames of `tween_ms`: a whole number of frames per in-between
    frame, at least MIN_FPS a second (60 ms: 50/3; 100 ms: 20; 20 ms: 50)."""
    per_tween = 1
    while Fraction(1000 * per_tween, tween_ms) < MIN_FPS:
        per_tween += 1
    return Fraction(1000 * per_tween, tween_ms)


def frame_ticks(durations_ms: list[int], fps: Fraction) -> list[int]:
    """How many ticks of the frame grid each frame lasts: its start and end
    rounded to the grid, so no rounding error adds up over the animation (a
    2000 ms hold on a 60 ms grid lasts 33 or 34 ticks; the total is exact)."""
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


class EncoderFailed(RuntimeError):
    """ffmpeg failed or was stopped before the video was finished; str() is one line (imageio-ffmpeg's own
    errors carry ffmpeg's whole command line, with this machine's paths)."""

    @classmethod
    def unfinished(cls) -> EncoderFailed:
        """What a file ffmpeg left without its index means (imageio-ffmpeg does not say how ffmpeg ended)."""
        return cls("the video encoder (ffmpeg) stopped before the video was finished")

    @classmethod
    def from_error(cls, error: BaseException) -> EncoderFailed:
        first_line = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        return cls(f"the video encoder (ffmpeg) stopped: {first_line}")


def is_complete_mp4(data: bytes, index_first: bool = True) -> bool:
    """True if `data` is whole top-level MP4 boxes, end to end, with the index (moov) and, if `index_first`,
    before the media (mdat): ffmpeg (with +faststart) leaves that only once it has finished. A killed ffmpeg
    leaves a file without it."""
    offset, kinds = 0, []
    while offset < len(data):
        if len(data) - offset < 8:
            return False
        size, kind = int.from_bytes(data[offset: offset + 4], "big"), data[offset + 4: offset + 8]
        header = 8
        if size == 1:  # a 64-bit size follows
            if len(data) - offset < 16:
                return False
            size, header = int.from_bytes(data[offset + 8: offset + 16], "big"), 16
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < header or offset + size > len(data):
            return False
        kinds.append(kind)
        offset += size
    if b"moov" not in kinds or b"mdat" not in kinds:
        return False
    return kinds.index(b"moov") < kinds.index(b"mdat") or not index_first


class _Feeder:
    """Sends frames to an imageio-ffmpeg writer from a thread of its own, up
    to QUEUED_FRAMES behind the caller. A failure to send is raised, as
    EncoderFailed, on the caller's next `send` or at `close`."""

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
            raise EncoderFailed.from_error(self._error) from None
        self._frames.put(frame)

    def close(self, check: bool = True) -> None:
        """Wait until every queued frame has been sent; with `check`, raise what failed."""
        if self._thread.is_alive():
            self._frames.put(None)
            self._thread.join()
        if check and self._error is not None:
            raise EncoderFailed.from_error(self._error) from None


def encode_mp4(frames: Iterable, durations_ms: list[int], fps: Fraction, last=None) -> bytes:
    """An MP4 of RGB frames (H×W×3 uint8 arrays of one even size), each shown
    for its duration, as bytes; `last`, if given, is the final frame, known
    before the others are made (see VideoEncoder)."""
    with VideoEncoder(durations_ms, fps) as video:
        if last is not None:
            video.final_frame(last)
        return video.encode(frames)


class VideoEncoder:
    """Encodes an animation into an MP4, frame by frame as the frames are made,
    so ffmpeg works while the next frame renders; a frame too short for the
    grid is left out.

    The final frame's run (the final hold, the animation's longest run of one
    picture) can be started before the other frames exist: `final_frame` hands
    it to a second ffmpeg at once, and the two parts are joined without
    re-encoding. Otherwise its repeats were encoded after the last frame was
    made, on one core while the other idled: the default 1920×1080 MP4 took
    1.08–1.12× the GIF's time that way, and 1.00–1.04× this way
    (bench/slide_pack.py).

        with VideoEncoder(durations_ms, fps) as video:
            video.final_frame(last)  # optional, as early as it is known
            data = video.encode(frames)
    """

    def __init__(self, durations_ms: list[int], fps: Fraction):
        self._ticks = frame_ticks(durations_ms, fps)
        if not any(self._ticks):
            raise ValueError("an MP4 needs at least one frame")
        self._fps = fps
        self._folder = tempfile.TemporaryDirectory(prefix="relunet-mp4-")
        self._final: Future | None = None

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(self, *failure) -> None:
        try:
            if self._final is not None:  # after a failure elsewhere: let it end, keep the first error
                wait_for_all([self._final])
        finally:
            self._folder.cleanup()

    def _path(self, name: str) -> str:
        return os.path.join(self._folder.name, name)

    def final_frame(self, frame) -> None:
        """Start encoding the final frame's run (if the animation has other frames before it)."""
        if self._final is None and self._ticks[-1] > 0 and any(self._ticks[:-1]):
            runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mp4-final-part")
            self._final = runner.submit(_encode, self._path("final.mp4"), [frame], self._ticks[-1:], self._fps,
                                        faststart=False)
            runner.shutdown(wait=False)  # the part runs on; its thread ends with it

    def encode(self, frames: Iterable) -> bytes:
        """The MP4 of `frames` (with the final one left to its part, if it was started), as bytes."""
        path = self._path("animation.mp4")
        if self._final is None:
            _encode(path, frames, self._ticks, self._fps, faststart=True)
        else:
            try:
                _encode(self._path("first.mp4"), frames, self._ticks[:-1], self._fps, faststart=False)
            finally:
                self._final.result()  # waits; raises what failed there
            _join([self._path("first.mp4"), self._path("final.mp4")], path, self._fps)
        try:
            with open(path, "rb") as encoded:
                data = encoded.read()
        except FileNotFoundError:
            data = b""
        if not is_complete_mp4(data):  # ffmpeg stopped after taking every frame (imageio-ffmpeg does not say so)
            raise EncoderFailed.unfinished()
        return data


def _encode(path: str, frames: Iterable, ticks: list[int], fps: Fraction, faststart: bool) -> None:
    """Encode `frames`, each lasting its `ticks`, into an MP4 at `path` (frames of 0 ticks are left out; frames
    beyond the ticks are not taken). The last frame is sent once more, one tick past the end: the fps filter
    fills the grid up to that mark, so the last frame lasts its full length and the frame count is exactly the
    ticks'."""
    import imageio_ffmpeg
    import numpy as np

    kept = [t for t in ticks if t > 0]
    writer = feeder = last = None
    try:
        for frame, length in zip(frames, ticks):
            if length == 0:
                continue
            if writer is None:
                height, width = frame.shape[:2]
                problem = even_size_problem(width, height)
                if problem:
                    raise ValueError(problem)
                writer = imageio_ffmpeg.write_frames(
                    path, (width, height), fps=fps, codec="libx264", quality=None, macro_block_size=1,
                    ffmpeg_log_level="error",
                    # yuv420p before the fps filter: each picture is converted once, not once per repeat.
                    output_params=[*CODEC_ARGS, "-vf", f"setpts='{_start_times([*kept, 1])}',format=yuv420p,"
                                   f"fps={fps}", "-fps_mode", "passthrough",
                                   "-video_track_timescale", str(_timescale(fps)),
                                   *(["-movflags", "+faststart"] if faststart else [])],
                )
                try:
                    writer.send(None)  # start ffmpeg
                except OSError as error:
                    raise EncoderFailed.from_error(error) from None
                feeder = _Feeder(writer)
            last = np.ascontiguousarray(frame)
            feeder.send(last)
        if feeder is None:
            raise ValueError("an MP4 needs at least one frame")
        feeder.send(last)  # the end mark
        feeder.close()
    finally:
        if feeder is not None:
            feeder.close(check=False)  # after a failure here: stop the thread, keep the first error
        if writer is not None:
            writer.close()


def _timescale(fps: Fraction) -> int:
    """The track's time units a second: a whole number of units per frame."""
    return fps.numerator * 512


def _join(parts: list[str], path: str, fps: Fraction) -> None:
    """The parts, one after the other, as one MP4 at `path`: ffmpeg's concat demuxer copies the encoded frames
    (all parts share one encoder's settings and size), and +faststart puts the index first."""
    import imageio_ffmpeg

    for part in parts:  # ffmpeg's concat skips a part it cannot read, and still exits 0
        with open(part, "rb") as encoded:
            if not is_complete_mp4(encoded.read(), index_first=False):
                raise EncoderFailed.unfinished()
    listing = os.path.join(os.path.dirname(path), "parts.txt")
    with open(listing, "w", encoding="utf-8") as out:
        out.write("ffconcat version 1.0\n" + "".join(f"file '{os.path.basename(part)}'\n" for part in parts))
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "concat", "-i", listing,
               "-c", "copy", "-video_track_timescale", str(_timescale(fps)), "-movflags", "+faststart", path]
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError as error:
        raise EncoderFailed.from_error(error) from None
    if result.returncode != 0 or result.stderr.strip():  # its words name the parts' files: this machine's paths
        raise EncoderFailed(f"the video encoder (ffmpeg) could not join the video's parts (exit status "
                            f"{result.returncode})")
