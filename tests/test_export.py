"""The GIF export: frames, timing, palette, exact size, atomic writes.

GIFs are read back with Pillow; sizes are kept small so the file runs fast.
"""

import io
import math
import multiprocessing
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import vl_convert as vlc
from PIL import Image

from relunet.charts import stage_domain
from relunet.export import ExportSettings, render_gif, render_stage_png, slide
from relunet.export.frames import composite
from relunet.export.gif import gif_delay
from relunet.export.output import write_atomically
from relunet.export.render import Renderer, render_png
from relunet.export.settings import frame_plan
from relunet.export.transition import own_curve
from relunet.facts import CURVES, facts_for
from relunet.network import ARTICLE_PARAMS
from relunet.stages import stage
from relunet.style import BADGE_COLOUR, INACTIVE_GREY, PALETTE

ROOT = Path(__file__).resolve().parent.parent


def held_chart_spec(facts, stage_):
    return vlc.vegalite_to_vega(slide.held_chart_vegalite(facts, stage_))

SMALL = ExportSettings(width=320, height=180, tween=1, hold_ms=1500, final_hold_ms=4000, tween_ms=60, processes=1)


def read_frames(data: bytes) -> tuple[list[Image.Image], list[int], dict]:
    gif = Image.open(io.BytesIO(data))
    info = dict(gif.info)
    frames, durations = [], []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
        frames.append(gif.convert("RGBA"))
    return frames, durations, info


@pytest.fixture(scope="module")
def small_gif():
    calls = []
    data = render_gif(SMALL, on_progress=lambda done, total: calls.append((done, total)))
    return data, calls


@pytest.fixture(scope="module")
def small_frames(small_gif):
    return read_frames(small_gif[0])


def held_indices(settings: ExportSettings) -> list[int]:
    return [i for i, p in enumerate(frame_plan(settings)) if p.progress >= 1.0]


def test_frame_count_is_seven_holds_plus_six_transitions(small_frames):
    frames, _, _ = small_frames
    assert SMALL.frame_count == 7 + 6 * SMALL.tween == 13
    assert len(frames) == SMALL.frame_count


def test_every_frame_is_exactly_the_requested_size_and_opaque(small_gif, small_frames):
    assert Image.open(io.BytesIO(small_gif[0])).size == (320, 180)
    frames, _, info = small_frames
    assert "transparency" not in info
    for frame in frames:
        assert frame.size == (320, 180)
        assert np.asarray(frame)[..., 3].min() == 255


def test_loops_forever_with_gif_safe_delays_and_a_longer_final_hold(small_frames):
    _, durations, info = small_frames
    assert info["loop"] == 0
    assert all(d % 10 == 0 and d >= 20 for d in durations)
    held = held_indices(SMALL)
    assert [durations[i] for i in held] == [1500] * 6 + [4000]
    assert all(durations[i] == 60 for i in range(len(durations)) if i not in held)
    assert durations[-1] == max(durations) and held[-1] == len(durations) - 1


def test_each_stage_has_its_own_held_frame_and_tweens_move_between_them(small_frames):
    frames, _, _ = small_frames
    held = [np.asarray(frames[i]).tobytes() for i in held_indices(SMALL)]
    assert len(set(held)) == 7
    all_frames = [np.asarray(f).tobytes() for f in frames]
    assert len(set(all_frames)) == len(all_frames)  # every in-between frame is new


def test_palette_keeps_flat_colours_flat(small_frames):
    frames, _, _ = small_frames
    for index in held_indices(SMALL):
        rgb = np.asarray(frames[index])[..., :3]
        colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
        assert len(colours) <= 256
        assert tuple(colours[np.argmax(counts)]) == (255, 255, 255)  # the background is pure white...
        corner = rgb[-6:, -40:].reshape(-1, 3)  # ...and a blank strip of it is one colour, no dithering
        assert (corner == 255).all()


def test_progress_is_reported_up_to_the_total(small_gif):
    _, calls = small_gif
    assert calls and calls[-1] == (SMALL.frame_count, SMALL.frame_count)
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(t == SMALL.frame_count for _, t in calls)


def test_helper_processes_give_the_same_gif():
    # In a fresh interpreter, the helper's run first: a process that rasterises a helper's SVG before it has
    # drawn anything itself must still set the text in the page's font (it once fell back to another face).
    code = (
        "from relunet.export.animation import render_gif\n"
        "from relunet.export.settings import ExportSettings\n"
        "with_helper = render_gif(ExportSettings(width=320, height=180, tween=1, processes=2))\n"
        "alone = render_gif(ExportSettings(width=320, height=180, tween=1, processes=1))\n"
        "print(with_helper == alone)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("helpers", [0, 1])
def test_renderer_reports_a_broken_spec_and_carries_on(helpers):
    good = slide.backdrop_spec(facts_for(ARTICLE_PARAMS, "relu"), stage(1))
    with Renderer(0.25, helpers) as renderer:
        renderer.render("bad", {"marks": [{"type": "no such mark"}]})
        renderer.compile_and_render("bad vega-lite", {"mark": "no such mark"})
        renderer.render("good", good)
        with pytest.raises(RuntimeError, match="rendering failed"):
            renderer.get("bad")
        with pytest.raises(RuntimeError, match="rendering failed"):
            renderer.compiled("bad vega-lite")
        with pytest.raises(RuntimeError, match="rendering failed"):
            renderer.get("bad vega-lite")
        assert Image.open(io.BytesIO(renderer.get("good"))).size == (240, 135)


def kill_helpers(spared: set) -> int:
    """Kill this process's children that were not there before (other tests may leave pools running)."""
    children = [child for child in multiprocessing.active_children() if child.pid not in spared]
    for child in children:
        child.kill()
    return len(children)


def child_pids() -> set:
    return {child.pid for child in multiprocessing.active_children()}


@pytest.mark.parametrize("kill_before_first_result", [True, False])
def test_renderer_carries_on_here_when_its_helper_dies(kill_before_first_result):
    facts = facts_for(ARTICLE_PARAMS, "relu")
    specs = {n: slide.backdrop_spec(facts, stage(n)) for n in (1, 2, 3)}
    spared = child_pids()
    with Renderer(0.25, helpers=1) as renderer:
        renderer.render(1, specs[1])
        if kill_before_first_result:
            assert kill_helpers(spared) == 1  # the job is in flight, or queued, when its helper dies
        first = renderer.get(1)
        if not kill_before_first_result:
            assert kill_helpers(spared) == 1
        renderer.render(2, specs[2])
        renderer.compile_and_render(3, slide.diagram_vegalite(facts, stage(3)))
        results = [first, renderer.get(2), renderer.get(3)]
    expected = [render_png(specs[1], 0.25), render_png(specs[2], 0.25)]
    assert results[:2] == expected
    assert Image.open(io.BytesIO(results[2])).size == (slide.DIAGRAM.outer[0] // 4, slide.DIAGRAM.outer[1] // 4)


def test_export_survives_its_helper_being_killed_mid_way():
    settings = ExportSettings(width=160, height=90, tween=2, processes=2)
    killed = []
    spared = child_pids()

    def kill_on_first_frame(done, total):
        if not killed:
            killed.append(kill_helpers(spared))

    assert render_gif(settings, kill_on_first_frame) == render_gif(replace(settings, processes=1))
    assert killed == [1]


def test_no_tween_gives_one_frame_per_stage():
    settings = ExportSettings(width=160, height=90, tween=0, processes=1)
    frames, durations, _ = read_frames(render_gif(settings))
    assert len(frames) == 7
    assert durations == [2000] * 6 + [5000]


def test_frame_plan_morphs_into_every_stage_but_the_first():
    plan = frame_plan(ExportSettings(tween=3))
    assert [p.stage for p in plan] == [1] + [n for n in range(2, 8) for _ in range(4)]
    assert [p.progress for p in plan[1:5]] == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(("ms", "delay"), [(0, 20), (14, 20), (25, 20), (26, 30), (2004, 2000), (2005, 2000)])
def test_gif_delays_are_whole_hundredths_of_at_least_20_ms(ms, delay):
    assert gif_delay(ms) == delay


@pytest.mark.parametrize(("size"), [(960, 540), (333, 201), (400, 400), (1920, 1080), (160, 90)])
def test_stage_stills_are_exactly_the_requested_size(size):
    if size == (1920, 1080):  # the largest size once, on the cheapest stage
        png = render_stage_png(ARTICLE_PARAMS, "relu", 1, *size)
    else:
        png = render_stage_png(ARTICLE_PARAMS, "softplus", 7, *size)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == size


def test_stage_still_shows_title_badge_and_chart():
    image = np.asarray(Image.open(io.BytesIO(render_stage_png(ARTICLE_PARAMS, "relu", 5))).convert("RGB"))
    purple = np.array([0x6A, 0x3D, 0x9A])
    badge = image[: slide.HEADER.height, :120]
    assert (np.abs(badge.astype(int) - purple).sum(axis=2) == 0).mean() > 0.2  # the "5/7" badge is drawn
    assert (image[slide.HEADER.height :, :550] != 255).any()


def test_the_badge_colour_means_nothing_in_the_charts():
    assert BADGE_COLOUR.lower() not in {c.lower() for c in PALETTE.values()}
    assert BADGE_COLOUR.lower() != INACTIVE_GREY.lower()


def test_final_curve_reaches_its_true_peak_in_the_held_frame():
    facts = facts_for(ARTICLE_PARAMS, "relu")
    spec = held_chart_spec(facts, stage(7))
    points = [
        (row["dosage"], row["value"])
        for data in spec["data"]
        for row in data.get("values", [])
        if row.get("curve") == "output"
    ]
    assert (0.5, pytest.approx(1.01)) in points
    y_domain = next(s["domain"] for s in spec["scales"] if s["name"] == "y")
    assert y_domain[0] <= 0 and y_domain[1] >= 1.01


def transition_into(number, activation="relu", params=ARTICLE_PARAMS):
    facts = facts_for(params, activation)
    return facts, slide.transition(facts, stage(number), held_chart_spec(facts, stage(number)))


def frame_poses(morph, steps=60):
    return [morph.motion.pose(i / steps) for i in range(steps + 1)]


@pytest.mark.parametrize("activation", ["relu", "softplus"])
@pytest.mark.parametrize("number", range(2, 8))
def test_every_transition_starts_where_the_viewer_was_and_ends_on_the_held_chart(number, activation):
    facts, morph = transition_into(number, activation)
    before, after = stage(number - 1), stage(number)
    first, last = morph.motion.pose(0.0), morph.motion.pose(1.0)
    start = getattr(facts.curves, after.morph_from)
    assert np.allclose(first.values, start) or first.reveal == 0.0  # an unchanged curve draws itself instead
    if before.curve == after.morph_from:  # the viewer just saw this curve on the previous stage's scale
        assert first.domain == pytest.approx(stage_domain(facts, before))
    assert np.allclose(last.values, getattr(facts.curves, after.curve)) and last.reveal == 1.0
    assert last.domain == pytest.approx(stage_domain(facts, after))


@pytest.mark.parametrize(
    "params",
    [ARTICLE_PARAMS, ARTICLE_PARAMS.with_values(w3=40, w4=-3, b3=5), ARTICLE_PARAMS.with_values(w3=-0.5, w4=0.2),
     ARTICLE_PARAMS.with_values(b2=-3.0, w1=-2, b1=1)],
)
def test_the_moving_curve_never_leaves_the_y_scale(params):
    """Whatever the weights, every in-between frame shows the whole curve: it
    never runs off the chart, so the viewer sees the change happen."""
    for number in range(2, 8):
        _, morph = transition_into(number, params=params)
        for pose in frame_poses(morph):
            low, high = pose.domain
            assert low <= pose.values.min() + 1e-9 and pose.values.max() <= high + 1e-9, (number, pose.domain)


def test_one_to_two_flips_on_the_old_scale_then_zooms_out_then_stretches():
    facts, morph = transition_into(2)
    assert [s.kind for s in morph.motion.steps] == ["flip", "zoom", "morph"]
    flip, zoom, stretch = morph.motion.steps
    assert flip.start.domain == flip.end.domain == stage_domain(facts, stage(1))  # seen at its old size
    assert np.allclose(flip.end.values, -facts.curves.top)
    assert zoom.end.domain == stage_domain(facts, stage(2))
    assert np.allclose(stretch.start.values, -facts.curves.top)
    mid_stretch = morph.motion.pose(0.9)
    assert -facts.curves.top.max() > mid_stretch.values.min() > facts.curves.top_scaled.min()  # growing


def test_six_to_seven_lifts_every_negative_value_to_zero_on_the_old_scale_then_zooms_in():
    facts, morph = transition_into(7)
    assert [s.kind for s in morph.motion.steps] == ["morph", "zoom"]
    lift, zoom = morph.motion.steps
    assert lift.start.domain == lift.end.domain == stage_domain(facts, stage(6))
    negative = facts.curves.output_input < 0
    halfway = lift.at(0.5).values
    assert (halfway[negative] < 0).all() and (halfway[negative] > facts.curves.output_input[negative]).all()
    assert (lift.end.values >= 0).all()
    assert zoom.end.domain == stage_domain(facts, stage(7))


def test_an_unchanged_curve_draws_itself_left_to_right():
    facts, morph = transition_into(3)  # the article's bottom node: its ReLU changes nothing
    assert [s.kind for s in morph.motion.steps] == ["draw"]
    reveals = [p.reveal for p in frame_poses(morph, 10)]
    assert reveals[0] == 0.0 and reveals[-1] == 1.0 and reveals == sorted(reveals)
    rows = own_curve(morph.curve(morph.motion.pose(0.5)), CURVES["bottom"][0])[1]
    end = rows[-1]["dosage"]
    assert 0.3 < end < 0.7
    assert rows[-1]["value"] == pytest.approx(facts.value_at("bottom", end))  # ends exactly on the line


@pytest.mark.parametrize("number", range(2, 8))
def test_every_step_eases_in_and_out(number):
    _, morph = transition_into(number)
    for step in morph.motion.steps:
        start, end, near_start, middle = step.at(0.0), step.at(1.0), step.at(0.02), step.at(0.5)

        def moved(a, b):
            return np.abs(a.values - b.values).max() + abs(a.domain[0] - b.domain[0]) + abs(a.reveal - b.reveal)

        assert moved(start, near_start) < 0.01 * moved(start, middle) + 1e-12  # starts at rest
        assert moved(end, step.at(0.98)) < 0.01 * moved(end, middle) + 1e-12  # and comes to rest


@pytest.mark.parametrize(("number", "activation"), [(2, "relu"), (3, "relu"), (5, "softplus"), (7, "relu")])
def test_transition_specs_are_the_held_chart_with_the_moving_curve_and_scale(number, activation):
    facts, morph = transition_into(number, activation, ARTICLE_PARAMS.with_values(b2=-3.0))
    held = held_chart_spec(facts, stage(number))
    label = CURVES[stage(number).curve][0]
    index = own_curve(held, label)[0]
    for progress in (0.2, 0.5, 0.7):
        pose = morph.motion.pose(progress)
        full = morph.full(pose)
        assert next(s["domain"] for s in full["scales"] if s["name"] == "y") == list(pose.domain)
        assert [m["name"] for m in full["marks"]] == [m["name"] for m in held["marks"][: index + 1]]
        for key in ("axes", "legends", "padding", "width", "height", "autosize"):
            assert full[key] == held[key], key
        rows = own_curve(full, label)[1]
        assert [r["value"] for r in rows] == pytest.approx(list(pose.values))
        curve = morph.curve(pose)
        assert [m["name"] for m in curve["marks"]] == [full["marks"][-1]["name"]]
        assert "axes" not in curve and "legends" not in curve and "background" not in curve
        assert own_curve(curve, label)[1] == rows
        background = morph.background(pose.domain)
        assert [m["name"] for m in background["marks"]] == [m["name"] for m in full["marks"][:-1]]


@pytest.mark.parametrize("number", [2, 7])
def test_composited_tween_frame_matches_a_full_render(number):
    """Where the scale holds still, the curve layer lies on the background
    pixel for pixel: compositing them gives what rendering the whole chart at
    once gives, up to anti-aliasing rounding on the curve's edge."""
    _, morph = transition_into(number)
    (domain, *_) = morph.motion.fixed_domains()
    step = next(s for s in morph.motion.steps if not s.moves_scale)
    background = np.asarray(slide.decode(render_png(morph.background(domain))))
    for t in (1 / 9, 8 / 9):
        pose = step.at(t)
        layer = render_png(morph.curve(pose))
        assert Image.open(io.BytesIO(layer)).size == background.shape[1::-1]
        composited = composite(background, layer, (0, 0)).astype(int)
        full = np.asarray(slide.decode(render_png(morph.full(pose)))).astype(int)
        difference = np.abs(composited - full).max(axis=2)
        assert difference.mean() < 0.1
        assert (difference > 8).mean() < 0.005  # a few edge pixels, not a shifted curve
        assert (np.abs(composited - background).max(axis=2) > 40).sum() > 1000  # the curve is really there


def test_curve_layer_is_transparent_around_the_curve():
    _, morph = transition_into(3)
    alpha = np.asarray(Image.open(io.BytesIO(render_png(morph.curve(morph.motion.pose(1.0))))).convert("RGBA"))[..., 3]
    assert alpha.shape == (slide.CHART.outer[1], slide.CHART.outer[0])
    left, top, right, bottom = slide.CHART.pad
    assert alpha[:top].max() == 0 and alpha[:, :left].max() == 0  # no legend, no axis
    assert alpha[-bottom:].max() == 0 and alpha[:, -right:].max() == 0
    assert (alpha == 255).sum() > 1000


def assert_same_numbers(actual, expected, path="spec"):
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), path
        for key in expected:
            assert_same_numbers(actual[key], expected[key], f"{path}/{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_numbers(a, e, f"{path}[{i}]")
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), path


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"width": 100}, "width"),
        ({"height": 5000}, "height"),
        ({"tween": -1}, "tween"),
        ({"tween": 2.5}, "whole number"),
        ({"hold_ms": 0}, "hold_ms"),
        ({"activation": "tanh"}, "activation"),
        ({"params": ARTICLE_PARAMS.with_values(w1=float("nan"))}, "w1 must be a finite number"),
        ({"params": ARTICLE_PARAMS.with_values(b3=float("inf"))}, "b3 must be a finite number"),
        ({"params": ARTICLE_PARAMS.with_values(w3=1e6)}, "w3 must be from -100 to 100"),
        ({"width": 1920, "height": 1080, "tween": 30}, "too many frames"),
    ],
)
def test_bad_settings_are_refused_in_one_line(changes, words):
    settings = ExportSettings(**changes)
    with pytest.raises(ValueError, match=words) as caught:
        settings.validate()
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError):
        render_gif(settings)


def test_bad_stage_number_is_refused():
    with pytest.raises(ValueError, match="stage_number"):
        render_stage_png(ARTICLE_PARAMS, "relu", 8)


def temp_leftovers(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_write_atomically_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.gif"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert temp_leftovers(tmp_path) == []


def test_failed_write_leaves_an_existing_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "out.gif"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert temp_leftovers(tmp_path) == []


def test_failed_write_into_a_missing_folder_creates_nothing(tmp_path):
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing" / "out.gif", b"data")
    assert os.listdir(tmp_path) == []
