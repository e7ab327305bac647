"""The page's typeface for the export: Source Sans Pro, shipped by a Python
package (font-source-sans-pro), so slides look like the page everywhere,
Community Cloud included, without system fonts.

vl-convert must be told about the folder once per process, before it
measures or draws any text; `wrap` breaks a sentence into lines that fit a
width, measured with the very font files vl-convert draws with.
"""

from __future__ import annotations

import functools
import os

FAMILY = "Source Sans Pro"


def _folder() -> str:
    import font_source_sans_pro

    return font_source_sans_pro.font_directory


@functools.cache
def use_page_font() -> None:
    """Register the font with vl-convert in this process (once)."""
    import vl_convert

    vl_convert.register_font_directory(_folder())


@functools.cache
def _font(size: float, bold: bool):
    from PIL import ImageFont

    name = "SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf"
    return ImageFont.truetype(os.path.join(_folder(), name), size=size)


def text_width(text: str, size: float, bold: bool = False) -> float:
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
