"""The fit animation: one frame per step with eased holds, the moving layers alone on
the left chart, and `python -m relunet.export --lesson fit`."""

import numpy as np
import pytest
from PIL import Image

from relunet.export.cli import main
from relunet.export.fit_animation import (
    MAX_FRAMES,
    FitExportSettings,
    eased_holds,
    fit_slides,
    frame_steps,
    moving_layers,
)
from relunet.fit import fit_bias
from relunet.network import ARTICLE_PARAMS

SMALL = ["--width", "160", "--height", "90"]


def test_every_step_gets_a_frame_and_long_runs_are_sampled_evenly():
    assert frame_steps(34) == list(range(35))
    steps = frame_steps(1000)
    assert len(steps) == MAX_FRAMES and steps[0] == 0 and steps[-1] == 1000
    assert np.all(np.diff(steps) > 0)


def test_holds_ease_from_the_first_step_to_quick_steps_and_back_then_hold_the_end():
    holds = eased_holds(35, 1500, 5000)
    assert holds[0] == 1500 and holds[-1] == 5000
    assert min(holds) == holds[17] == 300  # a fifth, in the middle
    assert holds[1:17] == sorted(holds[1:17], reverse=True) and holds[1:-1] == holds[-2:0:-1]  # eased, symmetric
    assert eased_holds(1, 1500, 5000) == [5000]


def test_a_slide_per_step_with_the_steps_numbers():
    background, slides = fit_slides(FitExportSettings())
    assert len(slides) == fit_bias(ARTICLE_PARAMS, 0.0, 0.1).last_step + 1 == 35
    texts = [mark["encode"]["enter"]["text"]["value"] for mark in slides[1][0]["marks"] if mark["type"] == "text"]
    assert texts == ["1/34", "Fitting b3: b3 = -3.2020, SSR = 164.04",
                     "slope 25.6160 × learning rate 0.1 = step 2.5616  →  next b3 = -5.7636"]
    assert background["layer"][1]["data"]["values"] == []  # the background holds no step


def test_the_moving_layers_have_no_axes_legend_background_or_fixed_curve():
    _, slides = fit_slides(FitExportSettings())
    left = slides[5][1]
    assert left["background"] is None and left["layer"][0]["data"]["values"] == []
    for layer in left["layer"]:
        assert layer["encoding"]["x"]["axis"] is None and layer["encoding"]["y"]["axis"] is None
        assert layer["encoding"].get("color", {}).get("legend", None) is None
    assert len(left["layer"][1]["data"]["values"]) == 6  # the path: steps 0 to 5
    assert moving_layers(left)["layer"][1] == left["layer"][1]


def test_every_weight_mode_slides_follow_the_run():
    _, slides = fit_slides(FitExportSettings(mode="all"))
    titles = [next(m for m in s[0]["marks"] if m["type"] == "text" and "Fitting" in m["encode"]["enter"]["text"]
                   ["value"])["encode"]["enter"]["text"]["value"] for s in slides[:2]]
    assert all(t.startswith("Fitting every weight: SSR = ") for t in titles)


def test_the_cli_writes_the_fit_gif_one_frame_per_step(tmp_path, capsys):
    out = tmp_path / "fit.gif"
    assert main(["--lesson", "fit", "--out", str(out), *SMALL, "--hold", "1", "--final-hold", "3"]) == 0
    gif = Image.open(out)
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert gif.n_frames == 35 and gif.size == (160, 90)
    assert durations[0] == 1000 and durations[-1] == 3000 and min(durations) == 200
    assert "35 frames" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["fit.gif"]


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--tween", "3"], "--tween applies to --lesson stages only"),
     (["--activation", "softplus"], "--activation applies to --lesson stages only"),
     (["--b3", "2"], "the fit starts from --b3start"),
     (["--lr", "0"], "learning rate must be from 0.01 to 5"),
     (["--lr", "nan"], "must be a finite number"),
     (["--mode", "everything"], "invalid choice"),
     (["--seed", "-3"], "seed must be"),
     (["--lesson", "fits"], "invalid choice")],
)
def test_bad_fit_flags_stop_with_one_line_and_write_nothing(tmp_path, capsys, args, says):
    out = tmp_path / "fit.gif"
    with pytest.raises(SystemExit) as stopped:
        main(["--lesson", "fit", "--out", str(out), *SMALL, *args])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert says in error and error.count("\n") == 1
    assert not out.exists()
