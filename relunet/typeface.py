"""The page's typeface, Source Sans Pro, and how wide text set in it is.

The font files come from a Python package (font-source-sans-pro), so the
measure is the same everywhere, Community Cloud included. The browser draws
the page in this face and the export draws its slides with these very files,
so text laid out with `text_width` fits both.
"""

from __future__ import annotations

import functools
import os


def font_folder() -> str:
    import font_source_sans_pro

    return font_source_sans_pro.font_directory


@functools.cache
def _font(size: float, bold: bool):
    from PIL import ImageFont

    name = "SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf"
    return ImageFont.truetype(os.path.join(font_folder(), name), size=size)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Pixels `text` takes at `size` px."""
    return _font(size, bold).getlength(text)


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` pixels (a
    single word wider than that gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
