"""The seven stages as an animated GIF for slides; `python -m relunet.export`.

Frames come from the page's own Altair builders (via relunet.slide), rendered
with vl-convert and encoded with imageio's Pillow plugin. The animation holds
each stage, and into each next stage its curve grows out of the curve that
stage transforms, in `tween` in-between frames:

    frames = 7 held frames + 6 × tween in-between frames (no morph into stage 1;
    the loop cuts from the final curve back to the start)

During a morph the chart keeps the stage's own axes (which already show the
curve it grows out of, faintly), so only the curve moves: it is rendered
alone and composited on a background rendered
once per transition. The work is split into modules with one job each:

- relunet.export_settings: settings, bounds, frame plan
- relunet.render: vl-convert here and in a helper process that warms up at once
- relunet.frames: which specs to render, frames composed from the pieces
- relunet.gif: shared palette and GIF encoding
- relunet.output: checking and atomically writing the target file

This module is the public API and the command line. No Streamlit here, and
nothing heavy at import time, so `--help` is instant.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import textwrap
from collections.abc import Callable

from relunet.export_settings import (  # noqa: F401  (the public API lives here too)
    HEIGHT_RANGE,
    HOLD_MS_RANGE,
    MAX_FRAMES,
    MAX_TOTAL_MEGAPIXELS,
    PROCESSES_RANGE,
    TWEEN_MS_RANGE,
    TWEEN_RANGE,
    WIDTH_RANGE,
    ExportSettings,
    FramePlan,
    frame_plan,
)
from relunet.gif import PaletteMap, encode_gif, frames_in, gif_delay, shared_palette  # noqa: F401
from relunet.layout import Placement
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params
from relunet.output import check_writable, write_atomically
from relunet.stages import STAGE_COUNT
from relunet.state import WEIGHT_LIMIT


def render_gif(settings: ExportSettings, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The animated GIF for `settings`, as bytes; on_progress(done, total)
    counts frames as they are composed."""
    settings.validate()
    plan = frame_plan(settings)
    from relunet.render import Renderer, helper_count

    try:
        # Started first: helpers warm vl-convert up while this process loads the chart stack.
        renderer = Renderer(Placement(settings.width, settings.height).scale, helper_count(settings.processes))
    except OSError as error:  # e.g. a helper process could not start: not about the output file
        raise RuntimeError(f"rendering failed: {error}") from error
    with renderer:
        from relunet.frames import render_frames

        frames, palette = render_frames(settings, plan, renderer, on_progress)
    data = encode_gif(frames, [p.duration_ms for p in plan], palette)
    if on_progress is not None:
        on_progress(len(plan), len(plan))
    return data


def render_stage_png(
    params: Params, activation: str, stage_number: int, width: int = 960, height: int = 540
) -> bytes:
    """One stage's held frame as a PNG still, exactly width×height."""
    ExportSettings(params, activation, width, height).validate()
    if isinstance(stage_number, bool) or not isinstance(stage_number, int) or not 1 <= stage_number <= STAGE_COUNT:
        raise ValueError(f"stage_number must be a whole number from 1 to {STAGE_COUNT}, not {stage_number!r}")
    from relunet import slide
    from relunet.charts import Frame
    from relunet.stages import facts_for, stage

    image = slide.slide_frame(facts_for(params, activation), Frame(stage(stage_number)), width, height)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- command line ----------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump, whatever the arguments held
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown, and the examples kept one per line."""


def _whole(name: str, bounds: tuple[int, int]) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, not {text!r}") from None
        if not bounds[0] <= value <= bounds[1]:
            raise argparse.ArgumentTypeError(f"{name} must be from {bounds[0]} to {bounds[1]}, not {value}")
        return value

    return parse


def _number(name: str, low: float, high: float, unit: str = "") -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number, not {text!r}")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be from {low:g} to {high:g}{unit}, not {value:g}")
        return value

    return parse


def _seconds_to_ms(seconds: float) -> int:
    return round(seconds * 100) * 10


def build_parser() -> argparse.ArgumentParser:
    lo_s, hi_s = HOLD_MS_RANGE[0] / 1000, HOLD_MS_RANGE[1] / 1000
    defaults = ExportSettings()
    parser = _Parser(
        prog="python -m relunet.export",
        description=textwrap.fill(
            "Export the seven stages in which the ReLU network builds its curve as a looping animated GIF for "
            "slides (PowerPoint, Keynote, Google Slides). Each stage is held long enough to say a sentence, the "
            "curve morphs smoothly between stages, and the final curve is held longest. "
            f"Frames: 7 held + 6 × TWEEN in-between, at most {MAX_TOTAL_MEGAPIXELS} megapixels in all.",
            width=78,
        ),
        epilog=(
            "example:\n"
            "  python -m relunet.export --out relu.gif\n"
            "  python -m relunet.export --out small.gif --width 640 --height 360 --tween 4 --hold 3 --w3 -20\n"
            "\nDurations are in seconds and are rounded to the GIF's 0.01 s steps."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--out", required=True, default=argparse.SUPPRESS, metavar="FILE.gif",
                        help="where to write the GIF (replaced atomically)")
    size = parser.add_argument_group("frame")
    size.add_argument("--width", type=_whole("width", WIDTH_RANGE), default=defaults.width,
                      help=f"frame width in pixels, {WIDTH_RANGE[0]}-{WIDTH_RANGE[1]}")
    size.add_argument("--height", type=_whole("height", HEIGHT_RANGE), default=defaults.height,
                      help=f"frame height in pixels, {HEIGHT_RANGE[0]}-{HEIGHT_RANGE[1]}")
    timing = parser.add_argument_group("timing")
    timing.add_argument("--tween", type=_whole("tween", TWEEN_RANGE), default=defaults.tween,
                        help=f"in-between frames per transition, {TWEEN_RANGE[0]}-{TWEEN_RANGE[1]} (0 = cut)")
    timing.add_argument("--hold", type=_number("hold", lo_s, hi_s, " s"), default=defaults.hold_ms / 1000,
                        metavar="SECONDS", help="how long each stage is held")
    timing.add_argument("--final-hold", type=_number("final hold", lo_s, hi_s, " s"),
                        default=defaults.final_hold_ms / 1000, metavar="SECONDS",
                        help="how long the final curve is held")
    lo_t, hi_t = TWEEN_MS_RANGE[0] / 1000, TWEEN_MS_RANGE[1] / 1000
    timing.add_argument("--tween-time", type=_number("tween time", lo_t, hi_t, " s"), default=defaults.tween_ms / 1000,
                        metavar="SECONDS", help="how long each in-between frame shows")
    network = parser.add_argument_group("network (defaults: the article's fitted weights)")
    for name in PARAM_NAMES:
        network.add_argument(f"--{name}", type=_number(name, -WEIGHT_LIMIT, WEIGHT_LIMIT),
                             default=getattr(ARTICLE_PARAMS, name), metavar="X",
                             help=f"{'bias' if name.startswith('b') else 'weight'}, ±{WEIGHT_LIMIT:g}")
    network.add_argument("--activation", choices=tuple(ACTIVATIONS), default=DEFAULT_ACTIVATION,
                         help="activation function of the nodes")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = ExportSettings(
        params=Params(**{name: getattr(args, name) for name in PARAM_NAMES}),
        activation=args.activation,
        width=args.width,
        height=args.height,
        tween=args.tween,
        hold_ms=_seconds_to_ms(args.hold),
        final_hold_ms=_seconds_to_ms(args.final_hold),
        tween_ms=_seconds_to_ms(args.tween_time),
    )
    try:
        settings.validate()
    except ValueError as reason:
        parser.error(str(reason))
    try:
        check_writable(args.out)
        data = render_gif(settings)
        write_atomically(args.out, data)
    except OSError as reason:
        print(f"{parser.prog}: error: cannot write {args.out}: {reason.strerror or reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; nothing written", file=sys.stderr)
        return 130
    except Exception as reason:  # a renderer or encoder failure: one line, nothing written
        print(f"{parser.prog}: error: export failed, nothing written ({type(reason).__name__}: {reason})",
              file=sys.stderr)
        return 1
    print(f"Wrote {args.out}: {frames_in(data)} frames of {settings.width}×{settings.height}, "
          f"{len(data) / 1024:.0f} KiB ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
