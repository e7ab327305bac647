"""The animation's frames as palette indices, from rendered pieces.

Every spec is built here and handed to the renderer in the order the frames
need them: per stage the backdrop, diagram and held chart (the shared palette
comes from the held frames), then per transition the chart's background once
and the moving curve once per in-between frame. A held frame is its stage's
pieces pasted together; an in-between frame is the transition's background
frame with the curve layer alpha-composited on it, and only the pixels the
curve touches are mapped to the palette again.
"""

from __future__ import annotations

import io
from collections.abc import Callable

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


def render_frames(
    settings: ExportSettings,
    plan: list[FramePlan],
    renderer: Renderer,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[np.ndarray], bytes]:
    """Palette-index frames for `plan`, in order, and their shared palette."""
    from relunet.export import slide
    from relunet.facts import facts_for
    from relunet.stages import stage

    facts = facts_for(settings.params, settings.activation)
    placement = Placement(settings.width, settings.height)
    chart_origin = placement.origin(slide.CHART)
    for number in range(1, STAGE_COUNT + 1):
        renderer.render(("piece", number, 0), slide.backdrop_spec(facts, stage(number)))
        renderer.compile_and_render(("piece", number, 1), slide.diagram_vegalite(facts, stage(number)))
        renderer.compile_and_render(("held", number), slide.held_chart_vegalite(facts, stage(number)))
    for number in range(2, STAGE_COUNT + 1) if settings.tween else ():
        morph = slide.transition(facts, stage(number), renderer.compiled(("held", number)))
        renderer.render(("background", number), morph.background)
        for i, p in enumerate(plan):
            if p.stage == number and p.progress < 1.0:
                renderer.render(("curve", i), morph.curve(p.progress))

    done = 0

    def report() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(plan))

    stage_images = {}
    held_frames = {}
    for number in range(1, STAGE_COUNT + 1):
        boxes = (slide.FULL, slide.DIAGRAM)
        pieces = [(slide.decode(renderer.get(("piece", number, i))), box) for i, box in enumerate(boxes)]
        stage_images[number] = slide.compose(placement, pieces)
        frame = stage_images[number].copy()
        frame.paste(slide.decode(renderer.get(("held", number))), chart_origin)
        held_frames[number] = np.asarray(frame)
        report()
    palette = shared_palette(list(held_frames.values()))
    to_indices = PaletteMap(palette).indices

    frames: list[np.ndarray] = []
    backgrounds = {}
    for i, p in enumerate(plan):
        if p.progress >= 1.0:
            frames.append(to_indices(held_frames[p.stage]))
            continue
        if p.stage not in backgrounds:
            image = stage_images[p.stage].copy()
            image.paste(slide.decode(renderer.get(("background", p.stage))), chart_origin)
            rgb = np.asarray(image)
            backgrounds[p.stage] = (rgb, to_indices(rgb))
        rgb, indexed = backgrounds[p.stage]
        rows, cols, colours = over(rgb, _rgba(renderer.get(("curve", i))), chart_origin)
        frame = indexed.copy()
        frame[rows, cols] = to_indices(colours)
        frames.append(frame)
        report()
    return frames, palette
