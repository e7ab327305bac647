"""The fit page under Streamlit's AppTest: stepping, Play, the URL round trip, bad
values, the divergent learning rate, every-weight mode and the shared weights."""

import json
import os

import pytest
from streamlit.testing.v1 import AppTest

from relunet.fit import dead_nodes, first_seed, ssr
from relunet.fit_state import FitState
from relunet.fit_view import fit_view
from relunet.network import ARTICLE_PARAMS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "streamlit_app.py")
FIT_PAGE = "ui/fit_page.py"


def open_fit(query: dict | None = None) -> AppTest:
    """A new session opened on /fit with this query: the app's first run registers the pages,
    the page switch then opens the fit page."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(FIT_PAGE).run()
    assert not at.exception, at.exception
    return at


def heading(at: AppTest) -> str:
    return at.subheader[0].value


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def messages(at: AppTest, kind: str) -> list[str]:
    return [m.value for m in getattr(at, kind)]


def test_the_fit_page_opens_at_step_0_with_the_first_steps_numbers():
    at = open_fit()
    assert at.title[0].value == "Where do the weights come from?"
    assert heading(at) == "Step 0 of 34 · b3 = 0.0000, SSR = 256.32"
    assert "**32.0200**" in text(at) and "**3.2020**" in text(at)
    assert at.button(key="fit_back").disabled and at.button(key="fit_first").disabled
    charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert [c["description"].split(":")[0] for c in charts] == ["Loss chart", "Fit chart, step 0"]
    assert at.query_params == {}


def test_pressing_next_34_times_takes_b3_from_0_to_minus_16():
    at = open_fit()
    for step in range(1, 35):
        at.button(key="fit_next").click().run()
        assert heading(at).startswith(f"Step {step} of 34")
    assert heading(at).startswith("Step 34 of 34 · b3 = -16.0019")
    assert at.button(key="fit_next").disabled and at.button(key="fit_end").disabled
    [done] = messages(at, "success")
    assert "drops below 0.0001 after step 34, at b3 = -16.0019" in done
    table = at.dataframe[0].value
    assert len(table) == 35 and table["step"].tolist()[:2] == [34, 33]
    assert at.query_params == {"step": "34"}
    at.button(key="fit_back").click().run()
    assert heading(at).startswith("Step 33 of 34")


def test_end_jumps_to_the_last_step_and_start_goes_back():
    at = open_fit()
    at.button(key="fit_end").click().run()
    assert heading(at).startswith("Step 34 of 34")
    at.button(key="fit_first").click().run()
    assert heading(at).startswith("Step 0 of 34") and "step" not in at.query_params


def test_the_link_opens_its_step_and_the_address_bar_follows_the_settings():
    at = open_fit({"step": "12", "lr": "0.1", "b3start": "0"})
    assert heading(at).startswith("Step 12 of 34")
    assert at.query_params == {"step": "12"}  # defaults are left out
    at.number_input(key="fit_lr").set_value(0.2).run()
    assert at.query_params["lr"] == "0.2"
    at.number_input(key="fit_b3start").set_value(-5.0).run()
    assert at.query_params["b3start"] == "-5"
    assert not at.warning


@pytest.mark.parametrize(
    ("query", "name"),
    [({"step": "abc"}, "step"), ({"lr": "nan"}, "lr"), ({"lr": "0"}, "lr"), ({"b3start": "1e9"}, "b3start"),
     ({"fit": "<b>all</b>"}, "fit"), ({"seed": "-1"}, "seed"), ({"step": "9" * 5000}, "step")],
)
def test_a_bad_link_value_warns_falls_back_and_leaves_the_address_bar(query, name):
    at = open_fit(query)
    assert heading(at).startswith("Step 0 of 34")
    [warning] = messages(at, "warning")
    assert f"`{name}`" in warning and "<b>" not in warning
    assert name not in at.query_params


def test_a_step_past_the_end_of_the_run_shows_the_last_step():
    at = open_fit({"step": "999"})
    assert heading(at).startswith("Step 34 of 34")
    assert at.query_params == {"step": "34"}


def test_a_divergent_learning_rate_is_allowed_and_said_to_diverge():
    at = open_fit({"lr": "1.1"})
    assert at.number_input(key="fit_lr").value == pytest.approx(1.1)
    assert any("diverges" in w for w in messages(at, "warning"))
    at.button(key="fit_end").click().run()
    assert heading(at).startswith("Step 1 of 1 · b3 = -35.2220")
    assert any("dead ReLU" in w for w in messages(at, "warning"))


def test_play_steps_on_by_itself_and_pause_stops():
    at = open_fit()
    at.button(key="fit_play").click().run()
    assert at.button(key="fit_play").label == "Pause"
    at.session_state["fit_last_tick"] = 0.0  # as if the play interval had passed
    at.run()
    assert heading(at).startswith("Step 1 of 34")
    at.button(key="fit_play").click().run()
    assert at.button(key="fit_play").label == "Play"
    at.session_state["fit_last_tick"] = 0.0
    at.run()
    assert heading(at).startswith("Step 1 of 34")


def test_every_weight_mode_shows_gradients_stage_by_stage_for_one_point():
    at = open_fit({"fit": "all", "step": "3"})
    assert heading(at).startswith("Step 3 of 130")
    assert "Every parameter's gradient" in text(at)
    assert "d SSR / d w1" in text(at)
    at.radio(key="fit_point").set_value("1").run()
    assert "Backpropagation for the training point at dosage 1.00" in text(at)
    assert at.query_params == {"fit": "all", "step": "3", "point": "1"}
    charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert charts[0]["description"].startswith("SSR chart")


def test_the_dead_relu_start_says_which_node_is_dead():
    at = open_fit({"fit": "all"})
    at.button(key="fit_dead_start").click().run()
    seed = first_seed(lambda params: bool(dead_nodes(params)))
    assert at.number_input(key="fit_seed").value == seed
    assert any("node is dead" in w for w in messages(at, "warning"))


def test_the_fit_uses_the_seven_stage_pages_weights_and_both_pages_keep_their_state():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.number_input(key="w4").set_value(3.0).run()
    at.button(key="next").click().run()
    at.switch_page(FIT_PAGE).run()
    assert not at.exception
    assert "w4 = 3.00" in " ".join(c.value for c in at.caption)
    expected = ssr(ARTICLE_PARAMS.with_values(w4=3.0, b3=0.0))
    assert heading(at).startswith("Step 0 of ") and heading(at).endswith(f"SSR = {expected:.2f}")
    at.button(key="fit_next").click().run()
    at.switch_page("ui/stages_page.py").run()
    assert at.number_input(key="w4").value == 3.0 and at.subheader[0].value.startswith("Stage 2 of 7")
    at.switch_page(FIT_PAGE).run()
    assert heading(at).startswith("Step 1 of")


def test_the_export_panel_makes_the_fit_gif_and_offers_it():
    at = open_fit({"step": "3"})
    assert not at.download_button  # closed, the panel builds nothing
    at.session_state["fit_export_open"] = True  # what opening the expander does
    at.run()
    at.selectbox(key="fit_gif_size").set_value("640 × 360 (small)").run()
    at.button(key="fit_make_gif").click().run()
    assert not at.exception
    assert [b.label for b in at.download_button] == ["Download GIF"]
    [preview] = at.get("image")
    assert "35 frames, 640 × 360" in preview.proto.imgs[0].caption
    at.number_input(key="fit_lr").set_value(0.2).run()
    assert not at.download_button and "settings changed" in at.info[0].value


def test_a_fit_link_with_weights_fits_with_them_and_keeps_them_in_the_address_bar():
    at = open_fit({"w4": "3", "step": "2"})
    assert "w4 = 3.00" in " ".join(c.value for c in at.caption)
    expected = fit_view(FitState(step=2, params=ARTICLE_PARAMS.with_values(w4=3.0))).heading
    assert heading(at) == expected
    assert at.query_params == {"w4": "3", "step": "2"}


def test_the_last_stage_links_to_the_fit_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["stage"] = "6"
    at.run()
    assert not at.get("page_link")
    at.button(key="next").click().run()
    [link] = at.get("page_link")
    assert link.proto.label.startswith("Part 2") and link.proto.page.endswith("fit")
