"""Export jobs for the server's worker pool (relunet.export.pool): each a
module-level `job(settings, on_progress) -> bytes`, run in a worker process
with no helpers of its own (the pool is the server's parallelism)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace

from relunet.export.mp4 import QUEUED_FRAMES
from relunet.export.settings import ExportSettings
from relunet.stages import STAGES

# A worker's peak memory: the interpreter with the chart stack and vl-convert, plus what a GIF holds per
# megapixel of all its frames (palette-index frames, the encoder's copies). Measured: 1920 × 1080 with 8
# in-between frames (57 frames, 118 megapixels) peaks at about 660 MB.
WORKER_BASE_MB = 130
GIF_MB_PER_MEGAPIXEL = 4.6
STILLS_MB = 220


def gif_memory_mb(settings: ExportSettings) -> float:
    return WORKER_BASE_MB + GIF_MB_PER_MEGAPIXEL * settings.frame_count * settings.width * settings.height / 1e6


def streamed_memory_mb(settings: ExportSettings) -> float:
    """An MP4, or a deck with its MP4, streams its frames to the encoder: only a few are held at once (and
    up to QUEUED_FRAMES more wait for ffmpeg), plus the seven stills (the deck's pictures)."""
    held = 4 + QUEUED_FRAMES
    return STILLS_MB + GIF_MB_PER_MEGAPIXEL * held * settings.width * settings.height / 1e6


def gif_job(settings: ExportSettings, on_progress: Callable[[int, int], None]) -> bytes:
    from relunet.export.animation import render_gif

    return render_gif(replace(settings, processes=1), on_progress)


def mp4_job(settings: ExportSettings, on_progress: Callable[[int, int], None]) -> bytes:
    from relunet.export.animation import render_mp4

    return render_mp4(replace(settings, processes=1), on_progress)


def deck_job(settings: ExportSettings, on_progress: Callable[[int, int], None]) -> bytes:
    from relunet.export.deck import render_deck

    return render_deck(replace(settings, processes=1), on_progress)


@dataclass(frozen=True)
class Stills:
    """Every stage's held frame as a PNG, in one ZIP whose files start with `stem`."""

    settings: ExportSettings
    stem: str

    def file_name(self, stage_number: int) -> str:
        return f"{self.stem}-stage-{stage_number}.png"


def stills_zip_job(stills: Stills, on_progress: Callable[[int, int], None]) -> bytes:
    from relunet.export.animation import render_stage_png

    settings = stills.settings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for done, stage_ in enumerate(STAGES):
            on_progress(done, len(STAGES))
            png = render_stage_png(settings.params, settings.activation, stage_.number, settings.width,
                                   settings.height)
            archive.writestr(stills.file_name(stage_.number), png)
    on_progress(len(STAGES), len(STAGES))
    return buffer.getvalue()


def still_from_zip(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def fit_gif_memory_mb(settings) -> float:
    """The fit GIF (relunet.export.fit_animation) holds at most MAX_FRAMES frames, like a stage GIF of as many."""
    from relunet.export.fit_animation import MAX_FRAMES

    return WORKER_BASE_MB + GIF_MB_PER_MEGAPIXEL * MAX_FRAMES * settings.width * settings.height / 1e6
