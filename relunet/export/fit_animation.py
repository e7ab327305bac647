"""The fit lesson as an animated GIF: the loss (or the SSR against steps) and the fit
side by side, one frame per step, held longest at the start and the end.

The same machinery as the seven-stage animation: the page's own chart builders
(relunet.fit_charts) at a slide style, vl-convert through `Renderer` (helper
processes when there is a second core), one shared palette, `encode_gif`. No
Streamlit.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from relunet import bounds
from relunet.export.gif import PaletteMap, encode_gif, shared_palette
from relunet.export.layout import BASE_WIDTH, Box, Placement
from relunet.fit_state import DEFAULT_SEED, FIXED_WEIGHTS, MODES
from relunet.network import ARTICLE_PARAMS, Params
from relunet.style import FIT_SLIDE_STYLE, FONT, PALETTE, SLIDE_SIZE, SLIDE_STYLE, TEXT_COLOUR

MAX_FRAMES = 120  # a long run is shown at evenly spaced steps, its first and last always among them
HEADER = Box(0, 0, BASE_WIDTH, 64)
LEFT = Box(8, 66, FIT_SLIDE_STYLE.chart_width, FIT_SLIDE_STYLE.chart_height, pad=(78, 44, 14, 58))
RIGHT = Box(8 + sum(LEFT.pad[0::2]) + LEFT.width + 20, 66, FIT_SLIDE_STYLE.chart_width,
            FIT_SLIDE_STYLE.chart_height, pad=(78, 44, 14, 58))
FULL = Box(0, 0, *SLIDE_SIZE)
CAPTION_Y = 66 + LEFT.outer[1] + 18


@dataclass(frozen=True)
class FitExportSettings:
    """What to export: the fit's settings as on the page, the frame size and the holds (ms)."""

    mode: str = "bias"
    lr: float = 0.1
    b3start: float = 0.0
    seed: int = DEFAULT_SEED
    params: Params = field(default=ARTICLE_PARAMS)  # b3 is ignored: the fit starts from b3start
    width: int = SLIDE_SIZE[0]
    height: int = SLIDE_SIZE[1]
    hold_ms: int = 1500  # the first step's hold; the middle steps go by faster
    final_hold_ms: int = 5000
    processes: int | None = None  # this process and its helpers; None: one helper when there is a second core

    def validate(self) -> FitExportSettings:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        for name in ("lr", "b3start", "seed", "width", "height"):
            bounds.check(name, getattr(self, name))
        for name in FIXED_WEIGHTS:
            bounds.check(name, getattr(self.params, name))
        for name, ms in (("hold", self.hold_ms), ("final_hold", self.final_hold_ms)):
            seconds = bounds.BOUNDS[name]
            bounds.Bound(seconds.low * 1000, seconds.high * 1000, whole=True, unit="ms").check(f"{name}_ms", ms)
        megapixels = MAX_FRAMES * self.width * self.height / 1e6
        if megapixels > bounds.MAX_TOTAL_MEGAPIXELS:
            raise ValueError(f"frames of {self.width}×{self.height} are too large for {MAX_FRAMES} frames")
        return self


def frame_steps(last_step: int) -> list[int]:
    """Which steps get a frame: all of them, or at most MAX_FRAMES evenly spaced ones."""
    if last_step + 1 <= MAX_FRAMES:
        return list(range(last_step + 1))
    return sorted({round(i * last_step / (MAX_FRAMES - 1)) for i in range(MAX_FRAMES)})


def eased_holds(count: int, hold_ms: int, final_hold_ms: int) -> list[int]:
    """Frame durations: `hold_ms` at the first step, easing (a cosine) down to a fifth of it in
    the middle and back up towards the end, so the first and last steps can be read and the
    middle ones show the motion; the last frame is held for `final_hold_ms`."""
    if count == 1:
        return [final_hold_ms]
    short = max(hold_ms / 5, 20)
    holds = [round(short + (hold_ms - short) * (1 + math.cos(2 * math.pi * i / (count - 1))) / 2)
             for i in range(count)]
    holds[-1] = final_hold_ms
    return holds


def _piece(spec: dict, box: Box) -> dict:
    """A chart spec as a fixed-size piece at the slide's type sizes (as slide.piece_vegalite)."""
    from relunet.export.slide import SLIDE_CONFIG

    left, top, right, bottom = box.pad
    return {**spec, "config": {**spec.get("config", {}), **SLIDE_CONFIG}, "autosize": {"type": "none",
            "contains": "content"}, "padding": {"left": left, "top": top, "right": right, "bottom": bottom}}


def backdrop_spec(badge: str, title: str, caption: str) -> dict:
    """The slide's text as a plain Vega spec: the step in a green badge and a title at the top,
    the step's arithmetic at the bottom."""
    size = SLIDE_STYLE.title_size * 0.8
    middle = HEADER.height / 2
    badge_width = size * (0.75 + 0.6 * len(badge))
    text = {"font": {"value": FONT}, "baseline": {"value": "middle"}}
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": SLIDE_SIZE[0], "height": SLIDE_SIZE[1], "padding": 0, "autosize": "none", "background": "white",
        "marks": [
            {"type": "rect", "encode": {"enter": {
                "x": {"value": 18}, "width": {"value": badge_width}, "y": {"value": middle - size * 0.75},
                "height": {"value": size * 1.5}, "cornerRadius": {"value": 8}, "fill": {"value": PALETTE["sum"]}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width / 2}, "y": {"value": middle}, "align": {"value": "center"},
                "text": {"value": badge}, "fontSize": {"value": size}, "fontWeight": {"value": "bold"},
                "fill": {"value": "white"}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 18 + badge_width + 16}, "y": {"value": middle}, "align": {"value": "left"},
                "text": {"value": title}, "fontSize": {"value": size}, "fontWeight": {"value": "bold"},
                "fill": {"value": TEXT_COLOUR}, "limit": {"value": BASE_WIDTH - badge_width - 50}}}},
            {"type": "text", "encode": {"enter": {
                **text, "x": {"value": 26}, "y": {"value": CAPTION_Y}, "align": {"value": "left"},
                "text": {"value": caption}, "fontSize": {"value": SLIDE_STYLE.font_size + 2},
                "fill": {"value": "#333333"}, "limit": {"value": BASE_WIDTH - 40}}}},
        ],
    }


def moving_layers(spec: dict) -> dict:
    """Only what a step moves on the left chart (its first layer, the fixed curve, emptied), on a
    transparent canvas with no axes or legend: the same size, padding and explicit scales as the
    whole chart, so it lies pixel for pixel on the chart's background, rendered once per run."""
    def bare(layer: dict) -> dict:
        encoding = {channel: {**value, "axis": None} if channel in ("x", "y") else
                    {**value, "legend": None} if channel == "color" else value
                    for channel, value in layer["encoding"].items()}
        return {**layer, "encoding": encoding}

    layers = [bare(dict(spec["layer"][0], data={"values": []})), *map(bare, spec["layer"][1:])]
    return {**spec, "layer": layers, "config": {**spec["config"], "view": {"stroke": None}}, "background": None}


def fit_slides(settings: FitExportSettings) -> tuple[dict, list[tuple[dict, dict, dict]]]:
    """The left chart's background (a Vega-Lite piece, the same for every frame) and, per frame,
    the backdrop (Vega), the left chart's moving layers and the right chart (Vega-Lite pieces)."""
    from relunet.fit import fit_all, fit_bias, random_start
    from relunet.fit_charts import fill, fit_step, fit_template, loss_step, loss_template, ssr_step, ssr_template
    from relunet.fit_view import num4, ssr_text

    style = FIT_SLIDE_STYLE
    right_template = fit_template(style)
    slides = []
    if settings.mode == "bias":
        run = fit_bias(settings.params, settings.b3start, settings.lr)
        left_template = loss_template(run, style)
        background = _piece(left_template, LEFT)
        for step in frame_steps(run.last_step):
            params = settings.params.with_values(b3=float(run.b3[step]))
            previous = settings.params.with_values(b3=float(run.b3[step - 1])) if step else None
            size = run.learning_rate * float(run.slope[step])
            caption = (f"slope {num4(float(run.slope[step]))} × learning rate {run.learning_rate:g} = step "
                       f"{num4(size)}  →  next b3 = {num4(params.b3 - size)}")
            slides.append((
                backdrop_spec(f"{step}/{run.last_step}", f"Fitting b3: b3 = {num4(params.b3)}, "
                              f"SSR = {ssr_text(float(run.ssr[step]))}", caption),
                moving_layers(_piece(fill(left_template, loss_step(run, step)), LEFT)),
                _piece(fill(right_template, fit_step(params, previous, f"step {step}")), RIGHT),
            ))
        return background, slides
    run = fit_all(random_start(settings.seed), settings.lr)
    left_template = ssr_template(run, style)
    background = _piece(left_template, LEFT)
    for step in frame_steps(run.last_step):
        params = run.params_at(step)
        previous = run.params_at(step - 1) if step else None
        caption = "   ".join(f"{name} {num4(value)}" for name, value in params.as_dict().items())
        slides.append((
            backdrop_spec(f"{step}/{run.last_step}", f"Fitting every weight: SSR = {ssr_text(float(run.ssr[step]))}",
                          caption),
            moving_layers(_piece(fill(left_template, ssr_step(run, step)), LEFT)),
            _piece(fill(right_template, fit_step(params, previous, f"step {step}")), RIGHT),
        ))
    return background, slides


def render_fit_gif(settings: FitExportSettings, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The fit animation as GIF bytes; on_progress(done, total) counts frames as they are composed."""
    import numpy as np
    from PIL import Image

    from relunet.export.frames import over
    from relunet.export.render import Renderer, helper_count
    from relunet.export.slide import compose, decode

    settings.validate()
    placement = Placement(settings.width, settings.height)
    background, slides = fit_slides(settings)
    with Renderer(placement.scale, helper_count(settings.processes)) as renderer:
        renderer.compile_and_render("background", background)
        for i, (backdrop, left, right) in enumerate(slides):
            renderer.render((i, "backdrop"), backdrop)
            renderer.compile_and_render((i, "right"), right)
            renderer.compile_and_render((i, "left"), left)
        left_background = decode(renderer.get("background"))
        images = []
        for i in range(len(slides)):
            pieces = [(decode(renderer.get((i, "backdrop"))), FULL), (left_background, LEFT),
                      (decode(renderer.get((i, "right"))), RIGHT)]
            frame = np.asarray(compose(placement, pieces))
            rows, cols, colours = over(frame, np.asarray(Image.open(io.BytesIO(renderer.get((i, "left"))))
                                                         .convert("RGBA")), placement.origin(LEFT))
            frame = frame.copy()
            frame[rows, cols] = colours
            images.append(frame)
            if on_progress is not None:
                on_progress(i + 1, len(slides))
    palette = shared_palette(images[:: max(1, len(images) // 12)] + [images[-1]])
    to_indices = PaletteMap(palette).indices
    return encode_gif([to_indices(image) for image in images],
                      eased_holds(len(images), settings.hold_ms, settings.final_hold_ms), palette)


def fit_gif_job(settings: FitExportSettings, on_progress: Callable[[int, int], None]) -> bytes:
    """The fit's GIF as a job for the server's export pool (relunet.export.pool): one process, no helpers."""
    from dataclasses import replace

    return render_fit_gif(replace(settings, processes=1), on_progress)
