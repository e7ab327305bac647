"""The export's entry points: the animation as GIF or MP4 bytes, a stage's
held frame as a PNG or SVG still, all seven stills in a ZIP (the deck is in
relunet.export.deck). No Streamlit; the chart stack is imported when first
needed, so the command line's `--help` stays instant."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from relunet import bounds
from relunet.export.gif import encode_gif
from relunet.export.layout import Placement
from relunet.export.mp4 import VideoEncoder, even_size_problem, grid_fps
from relunet.export.settings import ExportSettings, FramePlan, frame_plan
from relunet.network import Params
from relunet.style import SLIDE_SIZE

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Animation:
    """Every frame of the animation as palette indices, sharing one palette."""

    frames: list
    palette: bytes
    plan: list[FramePlan]

    def rgb(self, index: int):
        """Frame `index` as an H×W×3 RGB array (the GIF's exact colours)."""
        import numpy as np

        colours = np.frombuffer(self.palette, dtype=np.uint8).reshape(-1, 3)
        return colours[self.frames[index]]

    def held_index(self, stage_number: int) -> int:
        return next(i for i, p in enumerate(self.plan) if p.stage == stage_number and p.progress >= 1.0)

    @property
    def durations_ms(self) -> list[int]:
        return [p.duration_ms for p in self.plan]


def render_animation(settings: ExportSettings, on_progress: Progress = None) -> Animation:
    """Every frame for `settings`; on_progress(done, total) counts frames as they are composed."""
    settings.validate()
    plan = frame_plan(settings)
    from relunet.export.render import Renderer, helper_count

    # Started first: helpers warm vl-convert up while this process loads the chart stack.
    with Renderer(Placement(settings.width, settings.height).scale, helper_count(settings.processes)) as renderer:
        from relunet.export.frames import render_frames

        frames, palette = render_frames(settings, plan, renderer, on_progress)
    return Animation(frames, palette, plan)


def render_gif(settings: ExportSettings, on_progress: Progress = None) -> bytes:
    """The animated GIF for `settings`, as bytes."""
    animation = render_animation(settings, on_progress)
    data = encode_gif(animation.frames, animation.durations_ms, animation.palette)
    if on_progress is not None:
        on_progress(len(animation.plan), len(animation.plan))
    return data


def check_mp4(settings: ExportSettings) -> ExportSettings:
    """The settings, or ValueError if an MP4 cannot be made with them."""
    settings.validate()
    problem = even_size_problem(settings.width, settings.height)
    if problem:
        raise ValueError(problem)
    return settings


def render_mp4(settings: ExportSettings, on_progress: Progress = None) -> bytes:
    """The animation as an H.264 MP4 (a constant frame rate that gives every
    in-between frame the same time, same holds and eases as the GIF), as bytes."""
    return render_video(settings, on_progress)[0]


def render_video(settings: ExportSettings, on_progress: Progress = None) -> tuple[bytes, dict]:
    """The MP4, and each stage's held frame as an RGB array (the deck's
    pictures). Frames go to the encoder in full colour as they are made, so
    ffmpeg works while the next frame renders; the final hold is encoded
    from the moment its frame is made, first of all."""
    check_mp4(settings)
    plan = frame_plan(settings)
    from relunet.export.render import Renderer, helper_count

    with Renderer(Placement(settings.width, settings.height).scale, helper_count(settings.processes)) as renderer:
        from relunet.export.frames import stream_frames

        with VideoEncoder([p.duration_ms for p in plan], grid_fps(settings.tween_ms)) as video:

            def start_final_hold(stage_number: int, frame) -> None:
                if plan[-1].progress >= 1.0 and stage_number == plan[-1].stage:
                    video.final_frame(frame)

            stream = stream_frames(settings, plan, renderer, on_progress, indexed=False, on_held=start_final_hold)
            movie = video.encode(stream.frames)
    return movie, stream.held


def _check_stage(settings: ExportSettings, stage_number: int) -> None:
    settings.validate()
    if isinstance(stage_number, bool) or not isinstance(stage_number, int):
        raise ValueError(f"stage_number must be a whole number, not {stage_number!r}")
    bounds.BOUNDS["stage"].check("stage_number", stage_number)


def png_bytes(image, optimize: bool = True) -> bytes:
    """PNG bytes: smallest with `optimize`, else quick (zlib level 1: flat
    slide pictures compress well even so)."""
    out = io.BytesIO()
    if optimize:
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render_stage_png(
    params: Params, activation: str, stage_number: int, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1]
) -> bytes:
    """One stage's held frame as a PNG still, exactly width×height."""
    _check_stage(ExportSettings(params, activation, width, height), stage_number)
    from relunet.export import slide
    from relunet.facts import facts_for
    from relunet.stages import stage

    return png_bytes(slide.held_slide(facts_for(params, activation), stage(stage_number), width, height))


def render_stage_svg(
    params: Params, activation: str, stage_number: int, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1]
) -> bytes:
    """One stage's held frame as an SVG document (UTF-8), drawn width×height."""
    _check_stage(ExportSettings(params, activation, width, height), stage_number)
    from relunet.export import slide
    from relunet.facts import facts_for
    from relunet.stages import stage

    return slide.held_slide_svg(facts_for(params, activation), stage(stage_number), width, height).encode()


STILL_RENDERERS = {"png": render_stage_png, "svg": render_stage_svg}


def render_stills_zip(
    settings: ExportSettings, kind: str, stem: str = "relunet", on_progress: Progress = None
) -> bytes:
    """All seven held frames as `kind` ("png" or "svg") stills in a ZIP:
    STEM-stage-1.png … STEM-stage-7.png."""
    from relunet.stages import STAGES

    settings.validate()
    render = STILL_RENDERERS[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED if kind == "svg" else zipfile.ZIP_STORED) as zf:
        for stage_ in STAGES:
            data = render(settings.params, settings.activation, stage_.number, settings.width, settings.height)
            zf.writestr(f"{stem}-stage-{stage_.number}.{kind}", data)
            if on_progress is not None:
                on_progress(stage_.number, len(STAGES))
    return buffer.getvalue()
