"""The animation's frames as palette indices, from rendered pieces.

Every spec is built here and handed to the renderer in the order the frames
need them: per stage the backdrop, diagram and held chart (the shared palette
comes from the held frames), then per transition what moves. While a step of
the motion holds the y scale still, the chart's background is rendered once
for that scale and only the moving curve per frame; an in-between frame is
then that background with the curve layer alpha-composited on it, and only
the pixels the curve touches are mapped to the palette again. While the scale
itself moves (a zoom), the chart piece alone is rendered per frame, never the
whole slide.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
from PIL import Image

from relunet.bounds import STAGE_COUNT
from relunet.export.gif import PaletteMap, shared_palette
from relunet.export.layout import Placement
from relunet.export.render import Renderer
from relunet.export.settings import ExportSettings, FramePlan


def _rgba(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def over(background: np.ndarray, layer: np.ndarray, origin: tuple[int, int]):
    """Where `layer` (RGBA) covers `background` (RGB) at `origin` (x, y): the
    covered pixels' rows and columns and their colours with the layer
    alpha-composited on top (rounded like Pillow's alpha_composite)."""
    x, y = origin
    height = min(layer.shape[0], background.shape[0] - y)
    width = min(layer.shape[1], background.shape[1] - x)
    alpha = layer[:height, :width, 3]
    rows, cols = np.nonzero(alpha)
    a = alpha[rows, cols].astype(np.uint32)[:, None]
    top = layer[rows, cols, :3].astype(np.uint32)
    under = background[rows + y, cols + x].astype(np.uint32)
    colours = ((top * a + under * (255 - a) + 127) // 255).astype(np.uint8)
    return rows + y, cols + x, colours


def composite(background: np.ndarray, layer_png: bytes, origin: tuple[int, int]) -> np.ndarray:
    """`background` (RGB) with a transparent PNG layer composited at `origin`."""
    rows, cols, colours = over(background, _rgba(layer_png), origin)
    frame = background.copy()
    frame[rows, cols] = colours
    return frame


def _with_chart(stage_rgb: np.ndarray, stage_indexed: np.ndarray, chart_png: bytes, origin, to_indices):
    """A stage's fixed pieces with a rendered chart pasted in, as RGB and as
    palette indices; only the chart's pixels are mapped to the palette."""
    from relunet.export import slide

    chart = np.asarray(slide.decode(chart_png))
    x, y = origin
    height, width = min(chart.shape[0], stage_rgb.shape[0] - y), min(chart.shape[1], stage_rgb.shape[1] - x)
    rgb = stage_rgb.copy()
    rgb[y: y + height, x: x + width] = chart[:height, :width]
    if stage_indexed is stage_rgb:  # RGB frames (a video): one frame serves as both
        return rgb, rgb
    indexed = stage_indexed.copy()
    indexed[y: y + height, x: x + width] = to_indices(chart[:height, :width])
    return rgb, indexed


def render_frames(
    settings: ExportSettings,
    plan: list[FramePlan],
    renderer: Renderer,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[np.ndarray], bytes]:
    """Palette-index frames for `plan`, in order, and their shared palette."""
    stream = stream_frames(settings, plan, renderer, on_progress, indexed=True)
    return list(stream.frames), stream.palette


class FrameStream(NamedTuple):
    frames: Iterator[np.ndarray]  # made as they are taken
    palette: bytes | None  # the frames' shared palette; None for RGB frames
    held: dict[int, np.ndarray]  # each stage's held frame as RGB, made before the first frame is taken


def stream_frames(
    settings: ExportSettings,
    plan: list[FramePlan],
    renderer: Renderer,
    on_progress: Callable[[int, int], None] | None = None,
    indexed: bool = True,
    on_held: Callable[[int, np.ndarray], None] | None = None,
) -> FrameStream:
    """The frames for `plan`, in order, made as they are taken (so an encoder
    can work on one while the next renders): palette indices and their shared
    palette, or with `indexed` False RGB frames and no palette (a video
    encoder keeps every colour); and each stage's held frame in RGB.
    on_held(stage number, RGB frame) gets each held frame as soon as it is
    made, the last stage's first (a video encoder can start on the final hold
    while the rest renders)."""
    from relunet.export import slide
    from relunet.facts import facts_for
    from relunet.stages import stage

    facts = facts_for(settings.params, settings.activation)
    placement = Placement(settings.width, settings.height)
    chart_origin = placement.origin(slide.CHART)
    final_first = (STAGE_COUNT, *range(1, STAGE_COUNT))
    for number in final_first:
        renderer.render(("piece", number, 0), slide.backdrop_spec(facts, stage(number)))
        renderer.compile_and_render(("piece", number, 1), slide.diagram_vegalite(facts, stage(number)))
        renderer.compile_and_render(("held", number), slide.held_chart_vegalite(facts, stage(number)))
    poses = {}
    for number in range(2, STAGE_COUNT + 1) if settings.tween else ():
        morph = slide.transition(facts, stage(number), renderer.compiled(("held", number)))
        fixed = morph.motion.fixed_domains()
        for domain in dict.fromkeys(fixed):
            renderer.render(("background", number, domain), morph.background(domain))
        for i, p in enumerate(plan):
            if p.stage == number and p.progress < 1.0:
                pose = poses[i] = morph.motion.pose(p.progress)
                if pose.domain in fixed:
                    renderer.render(("curve", i), morph.curve(pose))
                else:
                    renderer.render(("chart", i), morph.full(pose))

    done = 0

    def report() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(plan))

    stage_images = {}
    held_frames = {}
    for number in final_first:
        boxes = (slide.FULL, slide.DIAGRAM)
        pieces = [(slide.decode(renderer.get(("piece", number, i))), box) for i, box in enumerate(boxes)]
        stage_images[number] = slide.compose(placement, pieces)
        frame = stage_images[number].copy()
        frame.paste(slide.decode(renderer.get(("held", number))), chart_origin)
        held_frames[number] = np.asarray(frame)
        if on_held is not None:
            on_held(number, held_frames[number])
        report()
    held_frames = dict(sorted(held_frames.items()))
    palette = shared_palette(list(held_frames.values())) if indexed else None
    to_indices = PaletteMap(palette).indices if indexed else _same
    frames = _frames(plan, poses, renderer, stage_images, held_frames, chart_origin, to_indices, report)
    return FrameStream(frames, palette, held_frames)


def _same(pixels: np.ndarray) -> np.ndarray:
    return pixels


def _frames(plan, poses, renderer, stage_images, held_frames, chart_origin, to_indices, report):
    backgrounds = {}
    fixed_pieces = {}
    for i, p in enumerate(plan):
        if p.progress >= 1.0:
            yield to_indices(held_frames[p.stage])
            continue
        if p.stage not in fixed_pieces:
            rgb = np.asarray(stage_images[p.stage])
            fixed_pieces[p.stage] = (rgb, to_indices(rgb))
        domain = poses[i].domain
        key = ("background", p.stage, domain)
        if key not in backgrounds and ("chart", i) not in renderer:
            backgrounds[key] = _with_chart(*fixed_pieces[p.stage], renderer.get(key), chart_origin, to_indices)
        if ("chart", i) in renderer:
            yield _with_chart(*fixed_pieces[p.stage], renderer.get(("chart", i)), chart_origin, to_indices)[1]
        else:
            rgb, indexed = backgrounds[key]
            rows, cols, colours = over(rgb, _rgba(renderer.get(("curve", i))), chart_origin)
            frame = indexed.copy()
            frame[rows, cols] = to_indices(colours)
            yield frame
        report()
