"""The seven stages as an animated GIF for slides; `python -m relunet.export`.

Frames come from the page's own Altair builders (via relunet.slide), rendered
with vl-convert and encoded with imageio's Pillow plugin. The animation holds
each stage, and between stages the curve morphs from the previous stage's to
the next in `tween` in-between frames:

    frames = 7 held frames + 6 × tween in-between frames (no morph into stage 1;
    the loop cuts from the final curve back to the start)

No Streamlit here, and nothing heavy at import time, so `--help` is instant
and helper processes start quickly.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params
from relunet.state import WEIGHT_LIMIT

STAGES = 7  # relunet.stages.STAGE_COUNT, without importing the chart stack
WIDTH_RANGE = (160, 1920)
HEIGHT_RANGE = (90, 1080)
TWEEN_RANGE = (0, 30)
HOLD_MS_RANGE = (20, 60_000)
TWEEN_MS_RANGE = (20, 1_000)
MAX_FRAMES = 7 + 6 * TWEEN_RANGE[1]
# Frames are kept in memory until encoded: about one byte per pixel.
MAX_TOTAL_MEGAPIXELS = 120
PROCESSES_RANGE = (1, 4)
# Below this many frames a helper process costs more to start than it saves.
PARALLEL_MIN_FRAMES = 20


@dataclass(frozen=True)
class ExportSettings:
    """What to export. Durations are in milliseconds and are rounded to the
    GIF's 10 ms steps when encoded; `processes` None means decide by size."""

    params: Params = field(default=ARTICLE_PARAMS)
    activation: str = DEFAULT_ACTIVATION
    width: int = 960
    height: int = 540
    tween: int = 8
    hold_ms: int = 2000
    final_hold_ms: int = 5000
    tween_ms: int = 60
    processes: int | None = None

    @property
    def frame_count(self) -> int:
        return STAGES + (STAGES - 1) * self.tween

    def validate(self) -> ExportSettings:
        """The settings themselves, or ValueError with a one-line reason."""
        for name in PARAM_NAMES:
            value = getattr(self.params, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
            if abs(value) > WEIGHT_LIMIT:
                raise ValueError(f"{name} must be between -{WEIGHT_LIMIT:g} and {WEIGHT_LIMIT:g}, not {value:g}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {self.activation!r}")
        for name, bounds, unit in (
            ("width", WIDTH_RANGE, " px"),
            ("height", HEIGHT_RANGE, " px"),
            ("tween", TWEEN_RANGE, " frames"),
            ("hold_ms", HOLD_MS_RANGE, " ms"),
            ("final_hold_ms", HOLD_MS_RANGE, " ms"),
            ("tween_ms", TWEEN_MS_RANGE, " ms"),
        ):
            _check_whole(name, getattr(self, name), bounds, unit)
        if self.processes is not None:
            _check_whole("processes", self.processes, PROCESSES_RANGE, "")
        megapixels = self.frame_count * self.width * self.height / 1e6
        if megapixels > MAX_TOTAL_MEGAPIXELS:
            raise ValueError(
                f"too many frames: {self.frame_count} frames of {self.width}×{self.height} are {megapixels:.0f} "
                f"megapixels, more than the {MAX_TOTAL_MEGAPIXELS} allowed; use fewer in-between frames or a "
                "smaller size"
            )
        return self


def _check_whole(name: str, value: object, bounds: tuple[int, int], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number from {low} to {high}{unit}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}{unit}, not {value}")


@dataclass(frozen=True)
class FramePlan:
    stage: int
    progress: float  # 1.0 = the stage's held frame
    duration_ms: int


def frame_plan(settings: ExportSettings) -> list[FramePlan]:
    """Every frame in order: stage 1 held, then for each next stage its
    in-between frames and its held frame; the final stage holds longest."""
    plan = []
    for number in range(1, STAGES + 1):
        if number > 1:
            steps = settings.tween + 1
            plan += [FramePlan(number, i / steps, settings.tween_ms) for i in range(1, steps)]
        hold = settings.final_hold_ms if number == STAGES else settings.hold_ms
        plan.append(FramePlan(number, 1.0, hold))
    return plan


def gif_delay(ms: int) -> int:
    """GIF delays are whole hundredths of a second, and browsers slow any
    delay under 20 ms down to 100 ms."""
    return max(20, round(ms / 10) * 10)


# --- rendering -------------------------------------------------------------


def _render_png(vega_spec: dict, scale: float) -> bytes:
    """Runs in helper processes too, so it imports only vl-convert."""
    import vl_convert

    return vl_convert.vega_to_png(vega_spec, scale=scale)


_WARM_UP_SPEC = {"width": 1, "height": 1, "marks": []}


@dataclass
class _Job:
    key: tuple  # ("piece", stage, index) or ("chart", frame index)
    spec: dict


def _jobs(settings: ExportSettings, plan: list[FramePlan]) -> Iterator[_Job]:
    """Vega specs to render, built lazily: every stage's fixed pieces and held
    chart first (the palette comes from the held frames), then the morphs."""
    from relunet import slide
    from relunet.stages import facts_for, stage

    facts = facts_for(settings.params, settings.activation)
    held = {p.stage: i for i, p in enumerate(plan) if p.progress >= 1.0}
    held_specs = {}
    for number in range(1, STAGES + 1):
        for index, (spec, _box) in enumerate(slide.fixed_piece_specs(facts, stage(number))):
            yield _Job(("piece", number, index), spec)
        held_specs[number] = slide.held_chart_spec(facts, stage(number))
        yield _Job(("chart", held[number]), held_specs[number])
    for number in range(2, STAGES + 1):
        if settings.tween == 0:
            break
        morph = slide.ChartMorph(facts, stage(number), held_specs[number])
        for i, p in enumerate(plan):
            if p.stage == number and p.progress < 1.0:
                yield _Job(("chart", i), morph.spec(p.progress))


def _helper_count(settings: ExportSettings, frames: int) -> int:
    if settings.processes is not None:
        return settings.processes - 1
    if frames < PARALLEL_MIN_FRAMES:
        return 0
    return min((os.cpu_count() or 1) - 1, 1)


def _render_all(
    settings: ExportSettings, plan: list[FramePlan], on_progress: Callable[[int, int], None] | None
) -> dict[tuple, bytes]:
    """PNG bytes for every job. This process renders too; helper processes
    (spawned, so safe wherever vl-convert already runs) take jobs as they
    free up. vl-convert renders one spec at a time per process."""
    from relunet.slide import Placement

    scale = Placement(settings.width, settings.height).scale
    jobs = _jobs(settings, plan)
    results: dict[tuple, bytes] = {}
    helpers = _helper_count(settings, len(plan))
    pool = ProcessPoolExecutor(helpers, mp_context=get_context("spawn")) if helpers else None
    in_flight: dict[Future, tuple] = {}
    if pool is not None:  # start the helpers and their renderer while this process builds specs
        for _ in range(helpers):
            pool.submit(_render_png, _WARM_UP_SPEC, 1.0)

    def report() -> None:
        if on_progress is not None:
            on_progress(sum(1 for key in results if key[0] == "chart"), len(plan))

    try:
        for job in _scheduled(jobs, in_flight, pool, helpers, scale):
            if job is not None:
                results[job.key] = _render_png(job.spec, scale)
            elif in_flight:
                wait(in_flight, return_when=FIRST_COMPLETED)
            for future in [f for f in in_flight if f.done()]:
                results[in_flight.pop(future)] = future.result()
            report()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results


def _scheduled(jobs: Iterator[_Job], in_flight: dict, pool, helpers: int, scale: float) -> Iterator[_Job | None]:
    """Jobs for this process, keeping each helper two jobs ahead; None means
    'wait for a helper'. Ends when every job is handed out and collected."""
    while True:
        while pool is not None and len(in_flight) < 2 * helpers:
            job = next(jobs, None)
            if job is None:
                break
            in_flight[pool.submit(_render_png, job.spec, scale)] = job.key
        job = next(jobs, None)
        if job is None and not in_flight:
            return
        yield job


# --- encoding --------------------------------------------------------------


class _Slides:
    """Frames composed from rendered pieces: each stage's fixed pieces once,
    then its chart per frame."""

    def __init__(self, settings: ExportSettings, pngs: dict[tuple, bytes]):
        from relunet import slide

        self._slide = slide
        self._pngs = pngs
        self._placement = slide.Placement(settings.width, settings.height)
        boxes = (slide.FULL, slide.DIAGRAM)
        self._backgrounds = {
            number: slide.compose(
                self._placement, [(slide.decode(pngs[("piece", number, i)]), box) for i, box in enumerate(boxes)]
            )
            for number in range(1, STAGES + 1)
        }

    def frame(self, index: int, stage_number: int):
        image = self._backgrounds[stage_number].copy()
        image.paste(self._slide.decode(self._pngs[("chart", index)]), self._placement.origin(self._slide.CHART))
        return image


def shared_palette(images: list) -> bytes:
    """256 RGB colours for every frame: the ones the held frames use most.
    Flat areas and text are exact colours there, so they stay flat; only
    rare anti-aliasing shades snap to a near colour (no dithering)."""
    import numpy as np

    pixels = np.concatenate([np.asarray(im)[::2, ::2].reshape(-1, 3) for im in images]).astype(np.uint32)
    keys = (pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2]
    colours, counts = np.unique(keys, return_counts=True)
    top = colours[np.argsort(-counts, kind="stable")[:256]]
    top = np.concatenate([top, np.setdiff1d(np.arange(256, dtype=np.uint32), top)[: 256 - top.size]])
    rgb = np.stack([(top >> 16) & 255, (top >> 8) & 255, top & 255], axis=1).astype(np.uint8)
    return rgb.tobytes()


class PaletteMap:
    """Frames to palette indices: exact colours map to themselves, any other
    colour to its nearest palette entry, no dithering. (Pillow's quantize
    looks colours up in a coarse cube, which turns pure white into 252.)"""

    def __init__(self, palette: bytes):
        import numpy as np

        self._colours = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        self._lookup = np.full(1 << 24, -1, dtype=np.int16)  # filled in as colours turn up

    def indices(self, image):
        import numpy as np

        rgb = np.asarray(image, dtype=np.uint8)
        keys = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
        found = self._lookup[keys]
        if (found < 0).any():
            new = np.unique(keys[found < 0])
            new_rgb = np.stack([(new >> 16) & 255, (new >> 8) & 255, new & 255], axis=1).astype(np.int32)
            distances = ((new_rgb[:, None, :] - self._colours[None, :, :]) ** 2).sum(axis=2)
            self._lookup[new] = distances.argmin(axis=1)
            found = self._lookup[keys]
        return found.astype(np.uint8)


def encode_gif(indexed_frames: list, durations_ms: list[int], palette: bytes) -> bytes:
    """An endlessly looping GIF of palette-index frames sharing one global
    palette; every frame opaque (no transparency index)."""
    import imageio.v3 as iio

    return iio.imwrite(
        "<bytes>", indexed_frames, extension=".gif", palette=palette,
        duration=[gif_delay(d) for d in durations_ms], loop=0, optimize=False, disposal=1,
    )


def render_gif(settings: ExportSettings, on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """The animated GIF for `settings`, as bytes; on_progress(done, total)
    counts frames as they render."""
    settings.validate()
    plan = frame_plan(settings)
    try:
        pngs = _render_all(settings, plan, on_progress)
    except OSError as error:  # e.g. a helper process could not start: not about the output file
        raise RuntimeError(f"rendering failed: {error}") from error
    slides = _Slides(settings, pngs)
    held = [slides.frame(i, p.stage) for i, p in enumerate(plan) if p.progress >= 1.0]
    palette = shared_palette(held)
    to_indices = PaletteMap(palette).indices
    indexed = [to_indices(slides.frame(i, p.stage)) for i, p in enumerate(plan)]
    data = encode_gif(indexed, [p.duration_ms for p in plan], palette)
    if on_progress is not None:
        on_progress(len(plan), len(plan))
    return data


def render_stage_png(
    params: Params, activation: str, stage_number: int, width: int = 960, height: int = 540
) -> bytes:
    """One stage's held frame as a PNG still, exactly width×height."""
    ExportSettings(params, activation, width, height).validate()
    if isinstance(stage_number, bool) or not isinstance(stage_number, int) or not 1 <= stage_number <= STAGES:
        raise ValueError(f"stage_number must be a whole number from 1 to {STAGES}, not {stage_number!r}")
    from relunet import slide
    from relunet.charts import Frame
    from relunet.stages import facts_for, stage

    image = slide.slide_frame(facts_for(params, activation), Frame(stage(stage_number)), width, height)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- writing ---------------------------------------------------------------


def check_writable(path: str | os.PathLike) -> None:
    """OSError with a plain reason if `path` cannot be written; checked
    before the slow part so a typo fails at once."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder, not a file name")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"no permission to write in {folder}")


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` all at once or not at all: a temporary file in
    the same folder, synced to disk, then renamed over `path`. On any failure
    the temporary file is removed and an existing `path` is left untouched."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- command line ----------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


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
        description=(
            "Export the seven stages in which the ReLU network builds its curve as a looping animated GIF for "
            "slides (PowerPoint, Keynote, Google Slides). Each stage is held long enough to say a sentence, the "
            "curve morphs smoothly between stages, and the final curve is held longest. "
            f"Frames: 7 held + 6 × TWEEN in-between, at most {MAX_TOTAL_MEGAPIXELS} megapixels in all."
        ),
        epilog=(
            "example:\n"
            "  python -m relunet.export --out relu.gif\n"
            "  python -m relunet.export --out small.gif --width 640 --height 360 --tween 4 --hold 3 --w3 -20\n"
            "\nDurations are in seconds and are rounded to the GIF's 0.01 s steps."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
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
    print(f"Wrote {args.out}: {settings.frame_count} frames of {settings.width}×{settings.height}, "
          f"{len(data) / 1024:.0f} KiB ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
