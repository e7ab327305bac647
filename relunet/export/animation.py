"""The export's entry points: the whole animation as GIF bytes, and one
stage's held frame as a PNG still. No Streamlit; the chart stack is imported
when first needed, so the command line's `--help` stays instant."""

from __future__ import annotations

import io
from collections.abc import Callable

from relunet import bounds
from relunet.export.gif import encode_gif
from relunet.export.layout import Placement
from relunet.export.settings import ExportSettings, frame_plan
from relunet.network import Params
from relunet.style import SLIDE_SIZE


def render_gif(settings: ExportSettings, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The animated GIF for `settings`, as bytes; on_progress(done, total)
    counts frames as they are composed."""
    settings.validate()
    plan = frame_plan(settings)
    from relunet.export.render import Renderer, helper_count

    # Started first: helpers warm vl-convert up while this process loads the chart stack.
    with Renderer(Placement(settings.width, settings.height).scale, helper_count(settings.processes)) as renderer:
        from relunet.export.frames import render_frames

        frames, palette = render_frames(settings, plan, renderer, on_progress)
    data = encode_gif(frames, [p.duration_ms for p in plan], palette)
    if on_progress is not None:
        on_progress(len(plan), len(plan))
    return data


def render_stage_png(
    params: Params, activation: str, stage_number: int, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1]
) -> bytes:
    """One stage's held frame as a PNG still, exactly width×height."""
    ExportSettings(params, activation, width, height).validate()
    if isinstance(stage_number, bool) or not isinstance(stage_number, int):
        raise ValueError(f"stage_number must be a whole number, not {stage_number!r}")
    bounds.BOUNDS["stage"].check("stage_number", stage_number)
    from relunet.export import slide
    from relunet.facts import facts_for
    from relunet.stages import stage

    image = slide.held_slide(facts_for(params, activation), stage(stage_number), width, height)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
