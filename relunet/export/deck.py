"""The slide pack as a PowerPoint deck (python-pptx), 16:9:

1. a title slide with the network's weights and the animation as a movie
   (the MP4, its first frame as the poster, so it shows before it plays);
2. one slide per stage: its heading, its chart and network diagram (cut
   from the animation's held frame, so it is the very same picture), and its
   formula as text; the explanation and the worked examples in the speaker
   notes, for the teacher;
3. a closing slide: the final curve against the training data, with the
   network's value at each training dosage.

Everything is rendered once, by the animation (its MP4 and its held
frames); the deck only arranges it.
It opens in PowerPoint, Keynote, LibreOffice Impress and Google Slides.
"""

from __future__ import annotations

import io

from relunet.export.animation import Progress, png_bytes, render_video
from relunet.export.layout import Box, Placement
from relunet.export.settings import ExportSettings
from relunet.network import ACTIVATIONS, PARAM_NAMES, TRAINING_DATA, forward
from relunet.stages import STAGE_COUNT, STAGES, Stage
from relunet.wording import num

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5  # PowerPoint's own 16:9
TITLE = "How a ReLU network bends straight lines into a curve"
FONT_NAME = "Source Sans Pro"  # the page's and the pictures' typeface; slide programs without it substitute


def _crop(frame, box: Box, placement: Placement) -> bytes:
    """The part of an RGB frame that `box` covers on the 960×540 layout, as PNG."""
    from PIL import Image

    x, y = placement.origin(box)
    width, height = (round(side * placement.scale) for side in box.outer)
    return png_bytes(Image.fromarray(frame[y: y + height, x: x + width]), optimize=False)


def weights_line(settings: ExportSettings) -> str:
    values = settings.params.as_dict()
    weights = ",  ".join(f"{name} = {num(values[name])}" for name in PARAM_NAMES)
    return f"{weights}  ·  activation {ACTIVATIONS[settings.activation].label}"


def speaker_notes(facts, stage_: Stage, settings: ExportSettings) -> str:
    """The stage's explanation and its worked examples, from the current weights."""
    from relunet.state import PageState
    from relunet.view import worked_examples

    table = worked_examples(PageState(stage=stage_.number, params=settings.params, activation=settings.activation))
    lines = [stage_.explain(facts), "", "Worked examples:"]
    for row in table.rows:
        cells = [f"{header} = {value}" for header, value in zip(table.headers[1:], row[1:])]
        lines.append(f"x = {row[0]}:  " + ";  ".join(cells))
    return "\n".join(lines)


def _text(slide, left, top, width, height, text: str, size: int, bold: bool = False, colour=None):
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = text  # one paragraph per line
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.name = FONT_NAME
            run.font.bold = bold
            if colour is not None:
                run.font.color.rgb = _rgb(colour)
    return box


def _picture(slide, png: bytes, left: float, top: float, width: float | None = None, height: float | None = None):
    from pptx.util import Inches

    return slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top),
                                    Inches(width) if width else None, Inches(height) if height else None)


def build_deck(settings: ExportSettings, held: dict, movie: bytes) -> bytes:
    """The deck as .pptx bytes, from each stage's held frame (RGB arrays by
    stage number) and the animation's MP4, both already made."""
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    from relunet.export import slide as slide_layout
    from relunet.facts import facts_for
    from relunet.style import BADGE_COLOUR, TEXT_COLOUR

    facts = facts_for(settings.params, settings.activation)
    placement = Placement(settings.width, settings.height)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    blank = deck.slide_layouts[6]

    # 1. Title and the animation.
    title = deck.slides.add_slide(blank)
    _text(title, 0.5, 0.15, 12.3, 0.7, TITLE, 28, bold=True, colour=TEXT_COLOUR)
    _text(title, 0.5, 1.0, 12.3, 0.5, weights_line(settings), 16, colour="#444444")
    poster = png_bytes(Image.fromarray(held[1]), optimize=False)
    movie_height = 5.5
    movie_width = movie_height * settings.width / settings.height
    title.shapes.add_movie(io.BytesIO(movie), Inches((SLIDE_WIDTH_IN - movie_width) / 2), Inches(1.7),
                           Inches(movie_width), Inches(movie_height), poster_frame_image=io.BytesIO(poster),
                           mime_type="video/mp4")
    title.notes_slide.notes_text_frame.text = (
        "The animation plays the seven stages in which the network builds its curve; "
        "click it (or press play) in the slide show. " + weights_line(settings)
    )

    # 2. One slide per stage.
    for stage_ in STAGES:
        page = deck.slides.add_slide(blank)
        _text(page, 0.5, 0.25, 1.1, 0.7, f"{stage_.number}/{STAGE_COUNT}", 26, bold=True, colour="#FFFFFF")
        badge = page.shapes[-1]
        badge.fill.solid()
        badge.fill.fore_color.rgb = _rgb(BADGE_COLOUR)
        _text(page, 1.75, 0.25, 11.0, 0.7, stage_.title, 30, bold=True, colour=TEXT_COLOUR)
        chart = _crop(held[stage_.number], slide_layout.CHART, placement)
        _picture(page, chart, 0.4, 1.2, height=5.9)
        _picture(page, _crop(held[stage_.number], slide_layout.DIAGRAM, placement), 7.9, 1.3, width=5.0)
        _text(page, 7.9, 4.7, 5.0, 1.6, slide_layout.formula_text(stage_, facts), 20, colour=TEXT_COLOUR)
        page.notes_slide.notes_text_frame.text = speaker_notes(facts, stage_, settings)

    # 3. The final curve against the training data (the last stage's chart, encoded once).
    final_chart = chart
    closing = deck.slides.add_slide(blank)
    _text(closing, 0.5, 0.25, 12.3, 0.8, "The final curve and the training data", 30, bold=True, colour=TEXT_COLOUR)
    _picture(closing, final_chart, 0.4, 1.2, height=5.9)
    predicted = forward(settings.params, [d for d, _ in TRAINING_DATA], settings.activation).output
    rows = ["dosage → data, network"] + [
        f"{num(d)} → {num(target)}, {num(p)}" for (d, target), p in zip(TRAINING_DATA, predicted)
    ]
    _text(closing, 7.9, 1.6, 5.0, 2.2, "\n".join(rows), 22, colour=TEXT_COLOUR)
    dosage, peak = facts.highest("output")
    _text(closing, 7.9, 3.9, 5.0, 1.5, f"Peak {num(peak)} at dosage {num(dosage)}.", 20, colour=TEXT_COLOUR)
    closing.notes_slide.notes_text_frame.text = STAGES[-1].explain(facts)

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#"))


def render_deck(settings: ExportSettings, on_progress: Progress = None) -> bytes:
    """The whole slide pack as .pptx bytes."""
    movie, held = render_video(settings, on_progress)
    return build_deck(settings, held, movie)
