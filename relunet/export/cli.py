"""`python -m relunet.export`: the seven stages, or the fit (`--lesson fit`), as an
animated GIF for slides.

Every limit comes from relunet.bounds, the table the page and the URL read
too. Bad input exits 2 with one line; the file is written atomically.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable

from relunet.bounds import BOUNDS, MAX_TOTAL_MEGAPIXELS, WEIGHT_LIMIT, Rejected
from relunet.export import animation
from relunet.export.fit_animation import FitExportSettings, render_fit_gif
from relunet.export.gif import frames_in
from relunet.export.output import check_writable, write_atomically
from relunet.export.settings import ExportSettings
from relunet.fit_state import FIXED_WEIGHTS, MODES
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params

LESSONS = ("stages", "fit")

# --- command line ----------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump, whatever the arguments held
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown, and the examples kept one per line."""


def _bounded(name: str, label: str | None = None) -> Callable[[str], float | int]:
    """An argparse type that parses and checks against the bounds table."""

    def parse(text: str) -> float | int:
        try:
            return BOUNDS[name].parse_text(label or name, text)
        except Rejected as rejected:
            raise argparse.ArgumentTypeError(str(rejected)) from None

    return parse


def _seconds_to_ms(seconds: float) -> int:
    return round(seconds * 100) * 10


def build_parser() -> argparse.ArgumentParser:
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
            "  python -m relunet.export --lesson fit --out fit.gif\n"
            "  python -m relunet.export --lesson fit --mode all --seed 27 --out backprop.gif\n"
            "\nDurations are in seconds and are rounded to the GIF's 0.01 s steps."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--out", required=True, default=argparse.SUPPRESS, metavar="FILE.gif",
                        help="where to write the GIF (replaced atomically)")
    parser.add_argument("--lesson", choices=LESSONS, default="stages",
                        help="the seven stages, or the fit: the loss and the fit side by side, one frame per step")
    size = parser.add_argument_group("frame")
    size.add_argument("--width", type=_bounded("width"), default=defaults.width,
                      help=f"frame width, {BOUNDS['width'].describe()}")
    size.add_argument("--height", type=_bounded("height"), default=defaults.height,
                      help=f"frame height, {BOUNDS['height'].describe()}")
    timing = parser.add_argument_group("timing")
    timing.add_argument("--tween", type=_bounded("tween"), default=defaults.tween,
                        help=f"in-between frames per transition, {BOUNDS['tween'].describe()} (0 = cut)")
    timing.add_argument("--hold", type=_bounded("hold"), default=defaults.hold_ms / 1000,
                        metavar="SECONDS", help="how long each stage is held")
    timing.add_argument("--final-hold", type=_bounded("final_hold", "final hold"),
                        default=defaults.final_hold_ms / 1000, metavar="SECONDS",
                        help="how long the final curve is held")
    timing.add_argument("--tween-time", type=_bounded("tween_time", "tween time"), default=defaults.tween_ms / 1000,
                        metavar="SECONDS", help="how long each in-between frame shows")
    network = parser.add_argument_group("network (defaults: the article's fitted weights)")
    for name in PARAM_NAMES:
        network.add_argument(f"--{name}", type=_bounded(name),
                             default=getattr(ARTICLE_PARAMS, name), metavar="X",
                             help=f"{'bias' if name.startswith('b') else 'weight'}, ±{WEIGHT_LIMIT:g}")
    network.add_argument("--activation", choices=tuple(ACTIVATIONS), default=DEFAULT_ACTIVATION,
                         help="activation function of the nodes")
    fit = parser.add_argument_group("the fit (--lesson fit; --hold is the first step's, eased shorter in between)")
    fit.add_argument("--mode", choices=MODES, default=FitExportSettings.mode,
                     help="fit b3 alone by gradient descent, or all seven weights by backpropagation")
    fit.add_argument("--lr", type=_bounded("lr", "learning rate"), default=FitExportSettings.lr, metavar="RATE",
                     help=f"learning rate, {BOUNDS['lr'].describe()}")
    fit.add_argument("--b3start", type=_bounded("b3start"), default=FitExportSettings.b3start, metavar="X",
                     help="where b3 starts (mode bias)")
    fit.add_argument("--seed", type=_bounded("seed"), default=FitExportSettings.seed, metavar="N",
                     help=f"the random start (mode all), {BOUNDS['seed'].describe()}")
    return parser


def _given(argv: list[str], flag: str) -> bool:
    return any(token == flag or token.startswith(flag + "=") for token in argv)


def _fit_settings(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]) -> FitExportSettings:
    for flag in ("--tween", "--tween-time", "--activation", "--b3"):
        if _given(argv, flag):
            parser.error(f"{flag} applies to --lesson stages only" + (" (the fit starts from --b3start)"
                                                                      if flag == "--b3" else ""))
    return FitExportSettings(
        mode=args.mode, lr=args.lr, b3start=args.b3start, seed=args.seed,
        params=ARTICLE_PARAMS.with_values(**{name: getattr(args, name) for name in FIXED_WEIGHTS}),
        width=args.width, height=args.height,
        hold_ms=_seconds_to_ms(args.hold), final_hold_ms=_seconds_to_ms(args.final_hold),
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.lesson == "fit":
        fit_settings = _fit_settings(parser, args, argv)
        try:
            fit_settings.validate()
        except ValueError as reason:
            parser.error(str(reason))
        return _write(parser, args.out, lambda: render_fit_gif(fit_settings), fit_settings.width,
                      fit_settings.height)
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
    return _write(parser, args.out, lambda: animation.render_gif(settings), settings.width, settings.height)


def _write(parser: argparse.ArgumentParser, out: str, render: Callable[[], bytes], width: int, height: int) -> int:
    """Render and write the GIF atomically; every failure is one line and writes nothing."""
    try:
        check_writable(out)
        data = render()
        write_atomically(out, data)
    except OSError as reason:
        print(f"{parser.prog}: error: cannot write {out}: {reason.strerror or reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; nothing written", file=sys.stderr)
        return 130
    except Exception as reason:  # a renderer or encoder failure: one line, nothing written
        print(f"{parser.prog}: error: export failed, nothing written ({type(reason).__name__}: {reason})",
              file=sys.stderr)
        return 1
    print(f"Wrote {out}: {frames_in(data)} frames of {width}×{height}, "
          f"{len(data) / 1024:.0f} KiB ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
