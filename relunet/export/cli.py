"""`python -m relunet.export`: the seven stages as an animated GIF for slides.

Every limit comes from relunet.bounds, the table the page and the URL read
too. Bad input exits 2 with one line; the file is written by the rules of
relunet.export.output (regular files only, atomically, `-` for standard
output). Ctrl-C and SIGTERM print one line and exit 130 and 143, with nothing
written and no temporary file left.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from collections.abc import Callable

from relunet.bounds import BOUNDS, MAX_TOTAL_MEGAPIXELS, WEIGHT_LIMIT, Rejected
from relunet.export import animation
from relunet.export.gif import frames_in
from relunet.export.interrupts import (
    Interrupted,
    held_back,
    held_back_then_ignored,
    install_interrupt_handlers,
    report,
    restore_default_handlers,
)
from relunet.export.output import STDOUT, OutputRefused, check_target, write_output
from relunet.export.settings import ExportSettings
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params

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


def _file_name(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("needs a file name (or - for standard output)")
    return text


# A value such as -inf, -nan or -1e-3 starts with "-" but is not one of argparse's negative numbers, so
# argparse would take it for an option and say "expected one argument"; it is joined to its flag instead.
_NEGATIVE_VALUE = re.compile(r"-(\.?\d|inf|nan)", re.IGNORECASE)


def _join_negative_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    takes_value = {option for action in parser._actions if action.nargs is None for option in action.option_strings}
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in takes_value and _NEGATIVE_VALUE.match(arg):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


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
            "\nDurations are in seconds and are rounded to the GIF's 0.01 s steps."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--out", required=True, type=_file_name, default=argparse.SUPPRESS, metavar="FILE.gif",
                        help="where to write the GIF: a regular file, replaced atomically with its permissions "
                             "kept (a symlink is written through to its target), or - for standard output")
    parser.add_argument("--force", action="store_true", help="replace the file even if it is read-only")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    install_interrupt_handlers()
    try:
        return _run(argv)
    except Interrupted as interrupted:
        return report(interrupted)
    finally:
        restore_default_handlers()


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_negative_values(parser, sys.argv[1:] if argv is None else argv))
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
    to_stdout = args.out == STDOUT
    try:
        check_target(args.out, args.force)
        with held_back():
            _load_export_stack()
        data = animation.render_gif(settings)
        if to_stdout:
            write_output(args.out, data)
        else:
            with held_back_then_ignored():
                write_output(args.out, data, args.force)
                _report(args.out, data, settings)
            return 0
    except OutputRefused as reason:
        print(f"{parser.prog}: error: {reason}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        _silence_stdout()
        print(f"{parser.prog}: error: standard output was closed before the GIF was all written", file=sys.stderr)
        return 1
    except OSError as reason:
        print(f"{parser.prog}: error: cannot write {args.out}: {reason.strerror or reason}", file=sys.stderr)
        return 1
    except Exception as reason:  # a renderer or encoder failure: one line, nothing written
        print(f"{parser.prog}: error: export failed, nothing written ({type(reason).__name__}: {reason})",
              file=sys.stderr)
        return 1
    _report(args.out, data, settings)
    return 0


def _load_export_stack() -> None:
    """The slow imports, done while Ctrl-C waits (see interrupts.held_back)."""
    import imageio.v3  # noqa: F401
    import vl_convert  # noqa: F401

    from relunet.export import frames, slide  # noqa: F401


def _report(out: str, data: bytes, settings: ExportSettings) -> None:
    """What was written, on standard error when the GIF itself went to standard output."""
    where = "standard output" if out == STDOUT else out
    print(f"Wrote {where}: {frames_in(data)} frames of {settings.width}×{settings.height}, "
          f"{len(data) / 1024:.0f} KiB ({len(data):,} bytes)", file=sys.stderr if out == STDOUT else sys.stdout)


def _silence_stdout() -> None:
    """After a closed pipe, stop Python's final flush of standard output from failing loudly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
