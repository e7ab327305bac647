"""`python -m relunet.export`: the seven stages for slides, as an animated
GIF, an MP4, a PowerPoint deck, or PNG / SVG stills; or the fit of the
weights (`--lesson fit`) as an animated GIF.

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
from pathlib import Path

from relunet.bounds import BOUNDS, WEIGHT_LIMIT, Rejected
from relunet.export import animation
from relunet.export.fit_animation import FitExportSettings, render_fit_gif
from relunet.export.formats import FORMATS, FormatError, Request, resolve
from relunet.export.gif import frames_in
from relunet.export.interrupts import (
    Interrupted,
    held_back,
    held_back_then_ignored,
    ignore_interrupts,
    install_interrupt_handlers,
    report,
    restore_default_handlers,
)
from relunet.export.output import STDOUT, OutputRefused, check_target, write_output
from relunet.export.settings import ExportSettings, frame_plan
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


def _format_help() -> str:
    lines = ["formats (--format, or the extension of --out; .zip means all seven stills):"]
    for f in FORMATS.values():
        lines.append(textwrap.fill(f.what, 78, initial_indent=f"  {f.name:<5} ", subsequent_indent=" " * 8))
        lines.append(textwrap.fill(f"limit: {f.limit}", 78, initial_indent=" " * 8, subsequent_indent=" " * 10))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    defaults = ExportSettings()
    parser = _Parser(
        prog="python -m relunet.export",
        description=textwrap.fill(
            "Export the seven stages in which the ReLU network builds its curve, for slides (PowerPoint, "
            "Keynote, Google Slides): a looping animation (GIF or MP4), a PowerPoint deck, or PNG / SVG stills. "
            "Each stage is held long enough to say a sentence, the curve moves between stages in eased steps, "
            "and the final curve is held longest.",
            width=78,
        ) + "\n\n" + _format_help(),
        epilog=(
            "example:\n"
            "  python -m relunet.export --out relu.gif\n"
            "  python -m relunet.export --out relu.mp4 --width 1920 --height 1080\n"
            "  python -m relunet.export --out lesson.pptx --w3 -20\n"
            "  python -m relunet.export --out stage5.svg --stage 5\n"
            "  python -m relunet.export --out stills.zip --format svg\n"
            "  python -m relunet.export --lesson fit --out fit.gif\n"
            "  python -m relunet.export --lesson fit --mode all --seed 27 --out backprop.gif\n"
            "  python -m relunet.export --out small.gif --width 640 --height 360 --tween 4 --hold 3\n"
            "\nDurations are in seconds; a GIF rounds them to 0.01 s, an MP4 to its frame grid."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--out", required=True, type=_file_name, default=argparse.SUPPRESS, metavar="FILE",
                        help="where to write; its extension picks the format. A regular file, replaced atomically "
                             "with its permissions kept (a symlink is written through to its target), or - for "
                             "standard output (a GIF unless --format says otherwise)")
    parser.add_argument("--lesson", choices=LESSONS, default="stages",
                        help="the seven stages, or the fit: the loss and the fit side by side, one frame per step "
                             "(GIF only)")
    parser.add_argument("--force", action="store_true", help="replace the file even if it is read-only")
    parser.add_argument("--format", default=None, metavar="|".join(FORMATS),
                        help="the format, when --out's extension does not say it")
    parser.add_argument("--stage", type=_bounded("stage"), default=None, metavar="N",
                        help=f"the stage of a single png or svg still, {BOUNDS['stage'].describe()}")
    size = parser.add_argument_group("frame")
    size.add_argument("--width", type=_bounded("width"), default=None,
                      help=f"frame width, {BOUNDS['width'].describe()} (default: 960; 1920 for pptx)")
    size.add_argument("--height", type=_bounded("height"), default=None,
                      help=f"frame height, {BOUNDS['height'].describe()} (default: 540; 1080 for pptx)")
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


def render(request: Request, settings: ExportSettings, stem: str) -> tuple[bytes, str]:
    """The file's bytes and a few words on what they hold."""
    size = f"{settings.width}×{settings.height}"
    name = request.format.name
    if request.as_zip:
        return animation.render_stills_zip(settings, name, stem), f"7 {name.upper()} stills of {size}"
    if request.format.still:
        render_still = animation.STILL_RENDERERS[name]
        data = render_still(settings.params, settings.activation, request.stage, settings.width, settings.height)
        return data, f"stage {request.stage} as a {size} still ({name.upper()})"
    if name == "mp4":
        seconds = sum(p.duration_ms for p in frame_plan(settings)) / 1000
        return animation.render_mp4(settings), f"H.264 MP4 of {size}, {seconds:.1f} s"
    if name == "pptx":
        from relunet.export.deck import render_deck

        return render_deck(settings), f"PowerPoint deck of 9 slides, pictures and movie at {size}"
    data = animation.render_gif(settings)
    return data, f"{frames_in(data)} frames of {size}"


def main(argv: list[str] | None = None, program: bool = False) -> int:
    """The exit code. As the `program` (python -m), Ctrl-C and SIGTERM stay ignored once it is done, until
    the process exits: with the defaults back, a late SIGTERM killed an export that had written its file, and
    the shell saw 143 instead of 0. Called from other code, the default handlers come back."""
    install_interrupt_handlers()
    try:
        return _run(argv)
    except Interrupted as interrupted:
        return report(interrupted)
    finally:
        if program:
            ignore_interrupts()
        else:
            restore_default_handlers()


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    argv = _join_negative_values(parser, sys.argv[1:] if argv is None else list(argv))
    args = parser.parse_args(argv)
    try:
        request = resolve(args.out, args.format, args.stage)
    except FormatError as reason:
        parser.error(str(reason))
    default_width, default_height = request.format.default_size
    if args.width is None:
        args.width = default_width
    if args.height is None:
        args.height = default_height
    if args.lesson == "fit":
        if request.format.name != "gif":
            parser.error(f"--lesson fit exports a GIF only, not {request.format.name}")
        fit_settings = _fit_settings(parser, args, argv)
        try:
            fit_settings.validate()
        except ValueError as reason:
            parser.error(str(reason))

        def produce() -> tuple[bytes, str]:
            data = render_fit_gif(fit_settings)
            return data, f"{frames_in(data)} frames of {fit_settings.width}×{fit_settings.height}"

        return _produce_and_write(parser, args, produce)
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
        if request.format.name in ("mp4", "pptx"):
            animation.check_mp4(settings)
    except ValueError as reason:
        parser.error(str(reason))
    stem = "relunet" if args.out == STDOUT else (Path(args.out).stem or "relunet")
    return _produce_and_write(parser, args, lambda: render(request, settings, stem))


def _produce_and_write(parser: argparse.ArgumentParser, args: argparse.Namespace,
                       produce: Callable[[], tuple[bytes, str]]) -> int:
    """Make the file and write it; every failure is one line and writes nothing."""
    to_stdout = args.out == STDOUT
    try:
        check_target(args.out, args.force)
        with held_back():
            _load_export_stack()
        data, what = produce()
        if to_stdout:
            write_output(args.out, data)
        else:
            with held_back_then_ignored():
                write_output(args.out, data, args.force)
                _report(args.out, data, what)
            return 0
    except OutputRefused as reason:
        print(f"{parser.prog}: error: {reason}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        _silence_stdout()
        print(f"{parser.prog}: error: standard output was closed before the file was all written", file=sys.stderr)
        return 1
    except OSError as reason:
        print(f"{parser.prog}: error: cannot write {args.out}: {reason.strerror or reason}", file=sys.stderr)
        return 1
    except Exception as reason:  # a renderer or encoder failure: one line, nothing written
        print(f"{parser.prog}: error: export failed, nothing written ({type(reason).__name__}: {reason})",
              file=sys.stderr)
        return 1
    _report(args.out, data, what)
    return 0


def _load_export_stack() -> None:
    """The slow imports, done while Ctrl-C waits (see interrupts.held_back)."""
    import imageio.v3  # noqa: F401
    import vl_convert  # noqa: F401

    from relunet.export import frames, slide  # noqa: F401


def _report(out: str, data: bytes, what: str) -> None:
    """What was written, on standard error when the file itself went to standard output."""
    where = "standard output" if out == STDOUT else out
    print(f"Wrote {where}: {what}, {len(data) / 1024:.0f} KiB ({len(data):,} bytes)",
          file=sys.stderr if out == STDOUT else sys.stdout)


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
