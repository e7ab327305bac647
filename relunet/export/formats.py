"""The export's formats: what each one is, its limits, and which one a
command asked for (`--format`, else the extension of `--out`). Light
imports only, so `--help` stays instant."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from relunet.bounds import MAX_TOTAL_MEGAPIXELS, STAGE_COUNT


@dataclass(frozen=True)
class Format:
    name: str
    what: str
    limit: str
    default_size: tuple[int, int] = (960, 540)
    still: bool = False  # one stage (--stage N), or all seven in a ZIP


_FRAMES = f"7 held + 6 × TWEEN in-between frames of WIDTH×HEIGHT, at most {MAX_TOTAL_MEGAPIXELS} megapixels in all"
FORMATS: dict[str, Format] = {
    "gif": Format("gif", "looping animated GIF", _FRAMES),
    "mp4": Format("mp4", "H.264 video (yuv420p, constant frame rate, +faststart)", _FRAMES + "; WIDTH and HEIGHT even"),
    "pptx": Format("pptx", "PowerPoint deck: title slide with the MP4, one slide per stage with speaker notes, "
                           "closing slide", "as mp4 (default 1920×1080); 9 slides", default_size=(1920, 1080)),
    "png": Format("png", "still of one stage (--stage N), or a ZIP of all seven", "one frame of WIDTH×HEIGHT each",
                  still=True),
    "svg": Format("svg", "vector still of one stage (--stage N), or a ZIP of all seven",
                  "drawn WIDTH×HEIGHT, sharp at any size", still=True),
}
NAMES = ", ".join(FORMATS)
EXTENSIONS = ", ".join([f".{name}" for name in FORMATS] + [".zip"])


class FormatError(ValueError):
    """A format request that cannot be met; str() is one line."""


@dataclass(frozen=True)
class Request:
    format: Format
    as_zip: bool  # all seven stills in one ZIP
    stage: int | None  # the one still's stage


def resolve(out: str, name: str | None, stage: int | None) -> Request:
    """Which format the command asks for, or FormatError saying why not."""
    suffix = PurePath(out).suffix.lower().lstrip(".") if out != "-" else ""
    if name is None:
        if out == "-":  # standard output: the GIF, as before there were formats
            name = "gif"
        elif suffix == "zip":
            name = "png"
        elif suffix in FORMATS:
            name = suffix
        else:
            shown = f"'{suffix}'" if suffix else "no extension"
            raise FormatError(f"cannot tell the format from --out ({shown}): give --format {'|'.join(FORMATS)} "
                              f"or an --out ending in {EXTENSIONS}")
    if name not in FORMATS:
        raise FormatError(f"unknown format {name!r}: the formats are {NAMES}")
    chosen = FORMATS[name]
    as_zip = suffix == "zip"
    if suffix and suffix != name and not (as_zip and chosen.still):
        raise FormatError(f"--format {name} does not match --out ending in .{suffix}")
    if stage is not None and (not chosen.still or as_zip):
        raise FormatError("--stage picks the one stage of a png or svg still (not a ZIP, not an animation)")
    if chosen.still and not as_zip and stage is None:
        raise FormatError(f"a single {name} still needs --stage N (1 to {STAGE_COUNT}); for all seven, give an "
                          "--out ending in .zip")
    return Request(chosen, as_zip, stage)
