"""The slide pack: MP4, PowerPoint deck, PNG and SVG stills, ZIPs, and how
the command line picks a format. Every file is read back with the library a
user's program would trust; sizes are small so the file runs fast."""

import io
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from relunet.bounds import BOUNDS
from relunet.export import ExportSettings, slide
from relunet.export.animation import render_animation, render_mp4, render_stage_svg, render_stills_zip
from relunet.export.cli import main
from relunet.export.deck import render_deck
from relunet.export.formats import FormatError, resolve
from relunet.export.mp4 import MIN_FPS, EncoderFailed, encode_mp4, frame_ticks, grid_fps, is_complete_mp4
from relunet.facts import facts_for
from relunet.network import ARTICLE_PARAMS
from relunet.stages import STAGES, stage
from relunet.wording import num

SMALL = ExportSettings(width=320, height=180, tween=2, hold_ms=1000, final_hold_ms=2000, tween_ms=100, processes=1)
FPS = grid_fps(SMALL.tween_ms)  # 20
CUSTOM = ARTICLE_PARAMS.with_values(w3=-20.0, b3=-7.5)


@pytest.fixture(scope="module")
def animation():
    return render_animation(SMALL)


@pytest.fixture(scope="module")
def mp4_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mp4") / "stages.mp4"
    path.write_bytes(render_mp4(SMALL))
    return path


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    settings = ExportSettings(params=CUSTOM, width=320, height=180, tween=1, processes=1)
    path = tmp_path_factory.mktemp("deck") / "lesson.pptx"
    path.write_bytes(render_deck(settings))
    return path, settings


# --- MP4 ---------------------------------------------------------------------


def decoded_frames(path):
    """How many frames a player shows (one per tick of the grid), and the first and last of them."""
    import imageio.v2 as imageio

    count, first, last = 0, None, None
    with imageio.get_reader(path, format="FFMPEG") as reader:
        meta = reader.get_meta_data()
        for frame in reader:
            first = frame if first is None else first
            last, count = frame, count + 1
    return meta, count, first, last


def test_mp4_is_h264_yuv420p_on_the_grid_and_lasts_as_long_as_the_plan(mp4_file, animation):
    meta, count, _, _ = decoded_frames(mp4_file)
    assert meta["codec"] == "h264"
    assert meta["fps"] == FPS
    assert meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (320, 180)
    total_s = sum(animation.durations_ms) / 1000
    assert meta["duration"] == pytest.approx(total_s, abs=float(1 / FPS))
    assert count == sum(frame_ticks(animation.durations_ms, FPS)) == round(total_s * FPS)


def frame_times(path) -> list[float]:
    """Each stored frame's time, as ffmpeg reads them."""
    import imageio_ffmpeg

    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(path), "-vf", "showinfo", "-f", "null", "-"],
                           capture_output=True, text=True, timeout=60)
    return [float(t) for t in re.findall(r"pts_time:([0-9.]+)", probe.stderr)]


def test_mp4_has_a_constant_frame_rate_and_starts_playing_at_once(mp4_file, animation):
    times = frame_times(mp4_file)
    assert len(times) == sum(frame_ticks(animation.durations_ms, FPS))  # every frame stored, none implied
    assert times[0] == 0.0
    assert all(round((later - earlier) * FPS, 3) == 1 for earlier, later in zip(times, times[1:]))
    data = mp4_file.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart


def test_mp4_first_and_last_frames_are_the_held_stills(mp4_file, animation):
    _, _, first, last = decoded_frames(mp4_file)
    for decoded, index in ((first, animation.held_index(1)), (last, animation.held_index(7))):
        difference = np.abs(decoded.astype(int) - animation.rgb(index).astype(int)).mean()
        assert difference < 2  # lossy, but the same picture...
        other = animation.rgb(animation.held_index(4)).astype(int)
        assert np.abs(decoded.astype(int) - other).mean() > 3 * difference  # ...and not another stage's


def top_level_boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """(kind, whole box) for each top-level box of an MP4 ffmpeg wrote (32-bit sizes)."""
    boxes, offset = [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset: offset + 4], "big")
        boxes.append((data[offset + 4: offset + 8], data[offset: offset + size]))
        offset += size
    return boxes


def test_a_finished_mp4_is_told_from_an_unfinished_one(mp4_file):
    data = mp4_file.read_bytes()
    assert is_complete_mp4(data)
    for cut in (8, len(data) // 2, len(data) - 1):
        assert not is_complete_mp4(data[:cut])
    boxes = top_level_boxes(data)
    assert [kind for kind, _ in boxes][:2] == [b"ftyp", b"moov"]
    without_index = b"".join(box for kind, box in boxes if kind != b"moov")  # as a killed ffmpeg leaves it
    assert not is_complete_mp4(without_index)
    index_last = b"".join(box for kind, box in boxes if kind != b"moov") + dict(boxes)[b"moov"]
    assert not is_complete_mp4(index_last)


def ffmpeg_children() -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"ffmpeg" in command:
            children.append(int(entry))
    return children


def frames_killing_the_encoder(animation):
    """The animation's frames; before the third, every ffmpeg this process started is killed."""
    for index in range(len(animation.plan)):
        if index == 2:
            for pid in ffmpeg_children():
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        yield animation.rgb(index)


def test_an_encoder_killed_mid_video_fails_in_one_line(animation):
    with pytest.raises(EncoderFailed) as failure:
        encode_mp4(frames_killing_the_encoder(animation), animation.durations_ms, FPS)
    assert "\n" not in str(failure.value) and "ffmpeg" in str(failure.value)
    assert "FFMPEG COMMAND" not in str(failure.value)


def test_an_encoder_that_stops_after_the_last_frame_is_not_taken_for_a_video(animation, monkeypatch):
    """imageio-ffmpeg does not report how ffmpeg ended: a writer that takes every frame and leaves an unfinished
    file (as a killed ffmpeg does) must fail the export, not hand that file on."""
    import imageio_ffmpeg

    def stops_early(path, *args, **kwargs):
        with open(path, "wb") as out:
            out.write(b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00" + b"\x00\x00\x00\x08mdat")
        while True:
            yield

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", stops_early)
    with pytest.raises(EncoderFailed, match="before the video was finished"):
        encode_mp4((animation.rgb(i) for i in range(len(animation.plan))), animation.durations_ms, FPS)


def test_a_final_hold_encoded_beside_the_rest_joins_into_one_seamless_video(animation, tmp_path):
    """The final hold, started before the other frames, is its own part; joined, the video is the one a single
    pass makes: every tick one frame, the same pictures, one track with one description (what players need)."""
    frames = [animation.rgb(i) for i in range(len(animation.plan))]
    single, joined = tmp_path / "single.mp4", tmp_path / "joined.mp4"
    single.write_bytes(encode_mp4(iter(frames), animation.durations_ms, FPS))
    joined.write_bytes(encode_mp4(iter(frames), animation.durations_ms, FPS, last=frames[-1]))
    times = frame_times(joined)
    assert len(times) == sum(frame_ticks(animation.durations_ms, FPS)) == len(frame_times(single))
    assert all(round((later - earlier) * FPS, 3) == 1 for earlier, later in zip(times, times[1:]))
    import imageio.v3 as iio

    for ours, theirs in zip(iio.imread(joined, index=None), iio.imread(single, index=None), strict=True):
        assert np.abs(ours.astype(int) - theirs.astype(int)).mean() < 1
    data = joined.read_bytes()
    index = dict(top_level_boxes(data))[b"moov"]
    assert is_complete_mp4(data) and index.count(b"trak") == 1 and index.count(b"avcC") == 1


def test_a_killed_encoder_of_the_final_hold_fails_in_one_line_and_leaves_nothing(animation, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(EncoderFailed) as failure:
        encode_mp4(frames_killing_the_encoder(animation), animation.durations_ms, FPS,
                   last=animation.rgb(len(animation.plan) - 1))
    assert "\n" not in str(failure.value) and "ffmpeg" in str(failure.value) and str(tmp_path) not in str(failure.value)
    assert ffmpeg_children() == [] and list(tmp_path.iterdir()) == []


def two_parts_fail_in_one_line(animation, tmp_path, monkeypatch, words: str) -> None:
    """Encoding the animation with its final hold as a part of its own fails with `words`, in one line that
    names no temporary path, and leaves no temporary file."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    frames = (animation.rgb(i) for i in range(len(animation.plan)))
    with pytest.raises(EncoderFailed, match=words) as failure:
        encode_mp4(frames, animation.durations_ms, FPS, last=animation.rgb(len(animation.plan) - 1))
    assert "\n" not in str(failure.value) and str(tmp_path) not in str(failure.value)
    assert list(tmp_path.iterdir()) == []


def test_a_final_hold_left_unfinished_fails_the_export_in_one_line(animation, tmp_path, monkeypatch):
    import imageio_ffmpeg

    real_writer = imageio_ffmpeg.write_frames

    def final_part_stops_early(path, *args, **kwargs):
        if not path.endswith("final.mp4"):
            yield from real_writer(path, *args, **kwargs)
            return
        with open(path, "wb") as out:  # what a killed ffmpeg leaves: media, no index
            out.write(b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00" + b"\x00\x00\x00\x08mdat")
        while True:
            yield

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", final_part_stops_early)
    two_parts_fail_in_one_line(animation, tmp_path, monkeypatch, "before the video was finished")


def test_a_join_that_fails_says_so_in_one_line_without_paths(animation, tmp_path, monkeypatch):
    def concat_fails(command, **kwargs):
        listing = command[command.index("-i") + 1]
        return subprocess.CompletedProcess(command, 1, "", f"{listing}: Invalid data found\nmore words\n")

    monkeypatch.setattr(subprocess, "run", concat_fails)
    two_parts_fail_in_one_line(animation, tmp_path, monkeypatch, "could not join")


def test_frames_that_fail_to_render_stop_the_final_holds_encoder_too(animation, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def frames_then_fail():
        yield animation.rgb(0)
        raise RuntimeError("the renderer broke")

    with pytest.raises(RuntimeError, match="the renderer broke"):
        encode_mp4(frames_then_fail(), animation.durations_ms, FPS, last=animation.rgb(len(animation.plan) - 1))
    assert ffmpeg_children() == [] and list(tmp_path.iterdir()) == []


def test_the_frame_rate_gives_every_in_between_frame_the_same_whole_number_of_frames():
    assert grid_fps(60) == Fraction(50, 3) and grid_fps(100) == 20 and grid_fps(20) == 50 and grid_fps(1000) == 15
    low, high = BOUNDS["tween_time"].low, BOUNDS["tween_time"].high
    for tween_ms in range(round(low * 1000), round(high * 1000) + 1):
        fps = grid_fps(tween_ms)
        assert MIN_FPS <= fps < 2 * MIN_FPS or fps == Fraction(1000, tween_ms), tween_ms
        assert (tween_ms * fps / 1000).denominator == 1, tween_ms


def test_frame_ticks_round_holds_to_the_grid_without_drifting():
    fps = grid_fps(60)
    ticks = frame_ticks([60] * 50 + [2000] + [60] * 50 + [5000], fps)
    assert set(ticks[:50] + ticks[51:101]) == {1}  # even motion: each in-between picture one frame
    assert ticks[50] == 33  # 2000 ms is 33.3 frames of 60 ms
    assert sum(ticks) == round((100 * 60 + 7000) * fps / 1000)  # the error does not add up


# --- PowerPoint deck ---------------------------------------------------------


def test_deck_has_a_title_with_the_movie_seven_stage_slides_and_a_closing_slide(deck):
    from pptx import Presentation
    from pptx.util import Emu

    path, settings = deck
    presentation = Presentation(str(path))
    slides = list(presentation.slides)
    assert len(slides) == 9
    assert Emu(presentation.slide_width).inches / Emu(presentation.slide_height).inches == pytest.approx(16 / 9, 1e-3)
    title_rels = [rel.reltype for rel in slides[0].part.rels.values()]
    assert any(r.endswith("/video") for r in title_rels) and any(r.endswith("/image") for r in title_rels)
    movie = next(rel.target_part for rel in slides[0].part.rels.values() if rel.reltype.endswith("/media"))
    assert movie.content_type == "video/mp4" and movie.blob[4:8] == b"ftyp"
    texts = ["\n".join(shape.text_frame.text for shape in s.shapes if shape.has_text_frame) for s in slides]
    for stage_, text in zip(STAGES, texts[1:8]):
        assert stage_.title in text and f"{stage_.number}/7" in text
        pictures = [shape for shape in slides[stage_.number].shapes if shape.shape_type == 13]
        assert len(pictures) == 2
    assert "w3 = -20.00" in texts[0]
    assert "top × w3 = top × (-20.00)" in texts[2]  # the formula as text, with the weights used
    assert "training data" in texts[8]


def test_deck_notes_hold_the_explanation_and_worked_examples_with_computed_numbers(deck):
    from pptx import Presentation

    path, settings = deck
    facts = facts_for(settings.params, settings.activation)
    slides = list(Presentation(str(path)).slides)
    for stage_ in STAGES:
        notes = slides[stage_.number].notes_slide.notes_text_frame.text
        assert stage_.explain(facts) in notes
        assert "Worked examples" in notes and "x = 0.50" in notes
    notes2 = slides[2].notes_slide.notes_text_frame.text
    assert num(facts.value_at("top_scaled", 1.0)) in notes2  # -20 × 0.85 = -17.00, not the article's -34.68
    assert "-17.00" in notes2 and "-34.68" not in notes2


def test_deck_pictures_are_the_animations_held_frames(deck):
    from pptx import Presentation

    path, settings = deck
    slides = list(Presentation(str(path)).slides)
    chart = next(shape for shape in slides[7].shapes if shape.shape_type == 13)
    image = np.asarray(Image.open(io.BytesIO(chart.image.blob)).convert("RGB"))
    assert image.shape[1] == round(slide.CHART.outer[0] / 3)  # cut from the 320×180 frame, a third of the layout
    vermillion = np.array([0xD5, 0x5E, 0x00])
    assert (np.abs(image.astype(int) - vermillion).sum(axis=2) < 30).sum() > 20  # the training data points


soffice = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.soffice
def test_libreoffice_opens_the_deck_and_renders_every_slide(deck, tmp_path):
    if soffice is None:
        reason = "LibreOffice (soffice) is not installed: apt-get install libreoffice-impress"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    path, _ = deck
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "lesson.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())
    assert len(pages) == 9


# --- stills ------------------------------------------------------------------


def test_svg_still_is_one_vector_document_with_the_stage_text():
    svg = render_stage_svg(CUSTOM, "relu", 2, 1280, 720)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("1280", "720", "0 0 960 540")
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert stage(2).title in texts and "-20.00" in texts
    assert root.find("{http://www.w3.org/2000/svg}image") is None  # vector, no embedded bitmap


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_zip_holds_all_seven_stills(kind):
    data = render_stills_zip(ExportSettings(width=160, height=90, processes=1), kind, "lesson")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"lesson-stage-{n}.{kind}" for n in range(1, 8)]
        first = archive.read(f"lesson-stage-1.{kind}")
    if kind == "png":
        assert Image.open(io.BytesIO(first)).size == (160, 90)
    else:
        assert ET.fromstring(first).get("width") == "160"


# --- held frames as slides ---------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "softplus"])
def test_held_frames_carry_the_pages_explanation_in_full(activation):
    facts = facts_for(ARTICLE_PARAMS, activation)
    for stage_ in STAGES:
        lines, size = slide.explanation_lines(facts, stage_)
        assert " ".join(lines) == stage_.explain(facts)
        assert size >= slide.MIN_TEXT_SIZE >= 18


def test_a_very_long_explanation_is_cut_with_an_ellipsis_not_shrunk_below_18px(monkeypatch):
    facts = facts_for(ARTICLE_PARAMS, "relu")
    long_stage = stage(1)
    monkeypatch.setattr(type(long_stage), "explain", property(lambda self: lambda f: "word " * 400), raising=False)
    lines, size = slide.explanation_lines(facts, long_stage)
    assert size == slide.MIN_TEXT_SIZE and lines[-1].endswith("…")
    assert len(lines) * size * slide.LINE_HEIGHT <= slide.EXPLANATION.height


def test_held_frame_is_balanced_and_its_type_is_large():
    from relunet.export import render_stage_png

    image = np.asarray(Image.open(io.BytesIO(render_stage_png(ARTICLE_PARAMS, "relu", 7))).convert("L"))
    height, width = image.shape
    for rows in (slice(0, height // 2), slice(height // 2, height)):
        for cols in (slice(0, width // 2), slice(width // 2, width)):
            assert (image[rows, cols] < 160).mean() > 0.01  # ink in every quarter: no empty corner
    assert slide.SLIDE_STYLE.font_size >= 18 and slide.DIAGRAM_STYLE.font_size * 0.9 >= 18


# --- choosing a format -------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "name", "stage_number", "expected"),
    [
        ("a.gif", None, None, ("gif", False)), ("a.MP4", None, None, ("mp4", False)),
        ("a.pptx", None, None, ("pptx", False)), ("a.png", None, 3, ("png", False)),
        ("a.svg", None, 7, ("svg", False)), ("a.zip", None, None, ("png", True)),
        ("a.zip", "svg", None, ("svg", True)), ("-", "mp4", None, ("mp4", False)),
    ],
)
def test_format_from_flag_or_extension(out, name, stage_number, expected):
    request = resolve(out, name, stage_number)
    assert (request.format.name, request.as_zip) == expected


@pytest.mark.parametrize(
    ("out", "name", "stage_number", "words"),
    [
        ("a.avi", None, None, "cannot tell the format"), ("a", None, None, "no extension"),
        ("a.gif", "mp4", None, "does not match"), ("a.zip", "gif", None, "does not match"),
        ("a.png", None, None, "needs --stage"), ("a.gif", None, 2, "--stage picks"),
        ("a.zip", None, 2, "--stage picks"), ("a.x", "webm", None, "the formats are gif, mp4, pptx, png, svg"),
    ],
)
def test_bad_format_requests_say_why_in_one_line(out, name, stage_number, words):
    with pytest.raises(FormatError, match=words) as caught:
        resolve(out, name, stage_number)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "x.webm"], "gif|mp4|pptx|png|svg"),
        (["--out", "x.mp4", "--width", "321"], "even width and height"),
        (["--out", "x.pptx", "--height", "181", "--width", "320"], "even width and height"),
        (["--out", "x.png"], "--stage"), (["--out", "x.svg", "--stage", "8"], "stage must be from 1 to 7"),
    ],
)
def test_cli_refuses_what_it_cannot_make_with_exit_2(tmp_path, capsys, args, words):
    out = tmp_path / args[1]
    args = ["--out", str(out), *args[2:]]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "args", "check"),
    [
        ("one.png", ["--stage", "4", "--width", "320", "--height", "180"],
         lambda data: Image.open(io.BytesIO(data)).size == (320, 180)),
        ("one.svg", ["--stage", "4"], lambda data: ET.fromstring(data).get("width") == "960"),
        ("all.zip", ["--width", "160", "--height", "90"], lambda data: len(zipfile.ZipFile(io.BytesIO(data)).namelist())
         == 7),
        ("anim.mp4", ["--width", "160", "--height", "90", "--tween", "0"], lambda data: data[4:8] == b"ftyp"),
    ],
)
def test_cli_writes_each_format_it_names(tmp_path, capsys, name, args, check):
    out = tmp_path / name
    assert main(["--out", str(out), *args]) == 0
    assert check(out.read_bytes())
    assert str(out) in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == [name]
