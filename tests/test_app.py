"""The page under Streamlit's AppTest: stages, stepping, URL state, bad links."""

import json
import os

import pytest
from streamlit.testing.v1 import AppTest

from relunet.stages import STAGES

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")


def open_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def heading(at: AppTest) -> str:
    return at.subheader[0].value


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_first_visit_shows_stage_one_with_the_articles_worked_examples():
    at = open_page()
    assert heading(at) == "Stage 1 of 7 · The top node bends a line"
    assert not at.warning
    assert at.button(key="back").disabled
    table = markdown_text(at)
    for row in ("| 0.00 | -0.85 | 0.00 |", "| 0.20 | -0.51 | 0.00 |", "| 0.60 | 0.17 | 0.17 |"):
        assert row in table
    assert r"1.70\,x - 0.85" in at.latex[0].value
    assert at.query_params == {}


def test_every_stage_renders_its_title_formula_charts_and_text_alternatives():
    at = open_page()
    for stage in STAGES:
        at.button(key=f"goto_{stage.number}").click().run()
        assert not at.exception
        assert heading(at) == f"Stage {stage.number} of 7 · {stage.title}"
        assert len(at.latex) == 1
        charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
        assert len(charts) == 2
        # Screen readers get the same text alternatives from the charts themselves.
        assert charts[0]["description"].startswith(f"Stage {stage.number} chart:")
        assert charts[1]["description"].startswith("Network diagram:")
        captions = [c.value for c in at.caption]
        assert any(c.startswith("Network diagram:") for c in captions)
        assert any(c.startswith(f"Stage {stage.number} chart:") for c in captions)


def test_back_and_next_step_through_all_stages():
    at = open_page()
    for number in range(2, 8):
        at.button(key="next").click().run()
        assert heading(at).startswith(f"Stage {number} of 7")
        assert at.query_params["stage"] == str(number)
    assert at.button(key="next").disabled
    at.button(key="back").click().run()
    assert heading(at).startswith("Stage 6 of 7")


def test_shared_link_opens_the_stage_with_its_weights():
    at = open_page({"stage": "7", "w4": "3"})
    assert heading(at).startswith("Stage 7 of 7")
    assert at.number_input(key="w4").value == 3.0
    assert at.query_params == {"stage": "7", "w4": "3"}


def test_final_stage_shows_the_true_peak():
    at = open_page({"stage": "7"})
    assert "peaks at 1.01 at dosage 0.50" in markdown_text(at)
    assert "(0.50, 1.01)" in " ".join(c.value for c in at.caption)


def test_editing_weights_and_activation_follows_into_the_url_and_numbers():
    at = open_page()
    at.number_input(key="b1").set_value(-0.5).run()
    assert at.query_params["b1"] == "-0.5"
    assert "| 0.20 | -0.16 | 0.00 |" in markdown_text(at)  # 0.2 * 1.7 - 0.5
    at.radio(key="act").set_value("softplus").run()
    assert at.query_params["act"] == "softplus"
    assert "Softplus" in at.latex[0].value
    at.button(key="reset").click().run()
    assert at.number_input(key="b1").value == -0.85 and at.radio(key="act").value == "relu"
    assert "b1" not in at.query_params and "act" not in at.query_params


def test_probe_traces_one_dosage_through_every_stage():
    at = open_page({"stage": "7", "probe": "0.5"})
    text = markdown_text(at)
    assert "| **7** | **Activation again: the final curve** | **output** | **1.01** |" in text
    assert "| 4 | Multiply the bottom path by w4 | bottom × w4 | 17.01 |" in text
    at.slider(key="probe").set_value(0.6).run()
    assert at.query_params["probe"] == "0.6"
    assert "Value at x = 0.60" in markdown_text(at)


@pytest.mark.parametrize(
    ("query", "setting"),
    [
        ({"stage": "99"}, "stage"), ({"w1": "nan"}, "w1"), ({"b3": "inf"}, "b3"), ({"w2": "ten"}, "w2"),
        ({"act": "<b>relu</b>"}, "act"), ({"probe": "-1"}, "probe"), ({"w3": "1" * 5000}, "w3"),
    ],
)
def test_bad_links_warn_and_fall_back(query, setting):
    at = open_page(query)
    assert heading(at).startswith("Stage 1 of 7")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and f"`{setting}`" in warnings[0]
    assert setting not in at.query_params  # the bad value is dropped from the address bar
    assert "<b>" not in warnings[0]


def test_warnings_from_the_link_do_not_undo_later_edits():
    at = open_page({"w1": "abc"})
    at.number_input(key="w1").set_value(2.0).run()
    assert at.number_input(key="w1").value == 2.0
    assert at.query_params["w1"] == "2"


def open_export_panel(query: dict | None = None) -> AppTest:
    at = open_page(query)
    assert not at.download_button  # closed, the panel builds nothing
    at.session_state["export_open"] = True  # what opening the expander does
    at.run()
    return at


def test_export_panel_makes_the_gif_of_the_current_weights_and_offers_it():
    at = open_export_panel({"w4": "3"})
    at.selectbox(key="gif_size").set_value("640 × 360 (small)")
    at.number_input(key="gif_tween").set_value(0)
    at.run()
    assert not at.download_button  # nothing made yet
    at.button(key="make_gif").click().run()
    assert not at.exception and not at.error
    assert [b.label for b in at.download_button] == ["Download GIF"]
    [preview] = at.get("image")
    assert "7 frames, 640 × 360" in preview.proto.imgs[0].caption
    assert not at.get("progress")  # the progress bar is gone
    # A changed weight makes the shown GIF stale: it is withdrawn, with a word why.
    at.number_input(key="w1").set_value(2.0).run()
    assert "Download GIF" not in [b.label for b in at.download_button]
    assert any("settings changed" in info.value for info in at.info)


def test_export_panel_makes_the_png_stills_and_offers_both_downloads():
    at = open_export_panel({"stage": "3"})
    at.selectbox(key="gif_size").set_value("640 × 360 (small)").run()
    at.button(key="make_stills").click().run()
    assert not at.exception and not at.error
    assert [b.label for b in at.download_button] == ["Stage 3 as PNG", "All seven stages (ZIP of PNGs)"]


@pytest.mark.parametrize(("size", "most"), [("1920 × 1080 (Full HD)", 8), ("1280 × 720 (HD)", 20),
                                            ("960 × 540 (slides)", 30)])
def test_export_panel_offers_only_frames_the_export_accepts(size, most):
    at = open_export_panel()
    at.number_input(key="gif_tween").set_value(30).run()
    at.selectbox(key="gif_size").set_value(size).run()
    tween = at.number_input(key="gif_tween")
    assert tween.proto.max == most and tween.value == most
    assert at.number_input(key="gif_hold").proto.max == 24.0  # the final hold, 2.5 × 24 s, is the most allowed
    assert not at.exception and not at.error


def test_export_panel_makes_the_gif_at_its_most_extreme_settings():
    """The largest frames with the most in-between frames and the longest hold the panel offers."""
    at = open_export_panel()
    at.selectbox(key="gif_size").set_value("1920 × 1080 (Full HD)").run()
    at.number_input(key="gif_tween").set_value(8)
    at.number_input(key="gif_hold").set_value(24.0)
    at.run()
    at.button(key="make_gif").click()
    at.run(timeout=900)
    assert not at.exception and not at.error
    assert "1920 × 1080" in at.get("image")[0].proto.imgs[0].caption


def test_a_failing_export_is_one_line_and_the_progress_bar_is_gone(monkeypatch):
    import pool_jobs

    import ui.export_panel

    monkeypatch.setattr(ui.export_panel, "gif_job", pool_jobs.raises)
    at = open_export_panel()
    at.button(key="make_gif").click().run()
    assert not at.exception and not at.get("progress") and not at.download_button
    [error] = at.error
    assert error.value == "The GIF could not be made: ValueError: no such stage"


def test_a_pool_made_before_its_module_was_reloaded_is_shut_and_replaced():
    import threading

    from ui.export_panel import export_pool, is_current_pool

    class PoolOfTheOldModule:  # what a reload leaves in the cache: same name, another class
        def __init__(self):
            self.shut = threading.Event()

        def shutdown(self):
            self.shut.set()

    stale = PoolOfTheOldModule()
    assert not is_current_pool(stale) and stale.shut.wait(timeout=10)
    assert is_current_pool(export_pool())


@pytest.mark.parametrize("tiny", ["-1e-12", "-0.0", "-0.004"])
def test_a_tiny_negative_weight_never_shows_as_minus_zero(tiny):
    at = open_page({"w1": tiny, "b3": tiny, "stage": "6"})
    for name in ("w1", "b3"):
        value = at.number_input(key=name).value
        assert f"{value:.2f}" == "0.00"  # the widget prints with "%.2f"
    page_text = markdown_text(at) + "\n".join(latex.value for latex in at.latex)
    assert "-0.00" not in page_text and "does not shift" in page_text


@pytest.mark.parametrize(("choice", "key", "label"), [("MP4 video", "make_mp4", "Download MP4"),
                                                      ("PowerPoint deck", "make_pptx", "Download PPTX")])
def test_export_panel_makes_the_mp4_and_the_deck(choice, key, label):
    at = open_export_panel({"w3": "-20"})
    at.selectbox(key="gif_size").set_value("640 × 360 (small)")
    at.number_input(key="gif_tween").set_value(0)
    at.radio(key="export_format").set_value(choice).run()
    at.button(key=key).click()
    at.run(timeout=300)
    assert not at.exception and not at.error
    assert label in [b.label for b in at.download_button]
    assert bool(at.get("video")) == (key == "make_mp4")  # the MP4 plays in the page
