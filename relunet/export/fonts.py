"""The page's typeface for the export: vl-convert is told where the font
files are (relunet.typeface) once per process, before it measures or draws
any text, so slides look like the page everywhere, without system fonts.
"""

from __future__ import annotations

import functools

from relunet.typeface import font_folder


@functools.cache
def use_page_font() -> None:
    """Register the font with vl-convert in this process (once)."""
    import vl_convert

    vl_convert.register_font_directory(font_folder())
