"""The export half of relunet: the seven stages as an animated GIF and PNG
stills for slides, drawn with the lesson's own chart builders.

    relunet.export.settings    what to export, validated; the frame plan
    relunet.export.slide       one slide: title, diagram and chart at fixed places
    relunet.export.layout      where the 960×540 layout lands in a frame of any size
    relunet.export.transition  a morph split into a background and the moving curve
    relunet.export.render      vl-convert here and in a warm helper process
    relunet.export.frames      the frames, composed from rendered pieces
    relunet.export.gif         shared palette and GIF encoding
    relunet.export.output      writing bytes only where it is safe: regular files, atomically, or stdout
    relunet.export.animation   the entry points below
    relunet.export.cli         `python -m relunet.export`
"""


from importlib import import_module

# Imported when first used, so `python -m relunet.export` sets up its Ctrl-C handling before anything slow.
_HOMES = {
    "ExportSettings": "relunet.export.settings",
    "frames_in": "relunet.export.gif",
    "render_gif": "relunet.export.animation",
    "render_stage_png": "relunet.export.animation",
}

__all__ = list(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
