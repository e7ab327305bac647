"""The export half of relunet: the seven stages as an animated GIF and PNG
stills for slides, drawn with the lesson's own chart builders.

    relunet.export.settings    what to export, validated; the frame plan
    relunet.export.slide       one slide: title, diagram and chart at fixed places
    relunet.export.layout      where the 960×540 layout lands in a frame of any size
    relunet.export.transition  a morph split into a background and the moving curve
    relunet.export.render      vl-convert here and in a warm helper process
    relunet.export.frames      the frames, composed from rendered pieces
    relunet.export.gif         shared palette and GIF encoding
    relunet.export.output      checking and atomically writing the target file
    relunet.export.animation   the entry points below
    relunet.export.cli         `python -m relunet.export`
"""

from relunet.export.animation import render_gif, render_stage_png
from relunet.export.gif import frames_in
from relunet.export.settings import ExportSettings

__all__ = ["ExportSettings", "frames_in", "render_gif", "render_stage_png"]
