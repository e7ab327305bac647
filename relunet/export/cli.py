"""`python -m relunet.export`: the seven stages for slides, as an animated
GIF, an MP4, a PowerPoint deck, or PNG / SVG stills.

Every limit comes from relunet.bounds, the table the page and the URL read
too. Bad input exits 2 with one line; the file is written atomically.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from relunet.bounds import BOUNDS, WEIGHT_LIMIT, Rejected
from relunet.export import animation
from relunet.export.formats import FORMATS, FormatError, Request, resolve
from relunet.export.gif import frames_in
from relunet.export.output import check_writable, write_atomically
from relunet.export.settings import ExportSettings, frame_plan
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params

# --- command line ----------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump, whatever the arguments held
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown (unless there is none), and the examples kept one per line."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return action.help if action.default is None else super()._get_help_string(action)


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
            "  python -m relunet.export --out small.gif --width 640 --height 360 --tween 4 --hold 3\n"
            "\nDurations are in seconds; a GIF rounds them to 0.01 s, an MP4 to its 30 fps grid."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--out", required=True, default=argparse.SUPPRESS, metavar="FILE",
                        help="where to write (replaced atomically); its extension picks the format")
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
    return parser


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        request = resolve(args.out, args.format, args.stage)
    except FormatError as reason:
        parser.error(str(reason))
    default_width, default_height = request.format.default_size
    settings = ExportSettings(
        params=Params(**{name: getattr(args, name) for name in PARAM_NAMES}),
        activation=args.activation,
        width=default_width if args.width is None else args.width,
        height=default_height if args.height is None else args.height,
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
    try:
        check_writable(args.out)
        data, what = render(request, settings, Path(args.out).stem or "relunet")
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
    print(f"Wrote {args.out}: {what}, {len(data) / 1024:.0f} KiB ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
