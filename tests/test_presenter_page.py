"""The page's classroom features under AppTest: presenter view, the change line,
the Softplus comparison, chart annotations with their numbers, link warnings."""

import json
import os

import pytest
from streamlit.testing.v1 import AppTest

from relunet.style import PAGE_STYLE, PRESENT_STYLE

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")


def open_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> tuple[dict, dict]:
    stage_chart, diagram = (json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart"))
    assert stage_chart["description"].startswith("Stage ") and diagram["description"].startswith("Network diagram:")
    return stage_chart, diagram


def chart_texts(spec: dict) -> list[str]:
    return [r["text"] for layer in spec["layer"] for r in layer.get("data", {}).get("values", []) if "text" in r]


def font_sizes(spec: dict) -> set[float]:
    sizes = set()
    for layer in spec["layer"]:
        mark = layer["mark"] if isinstance(layer["mark"], dict) else {}
        if mark.get("type") == "text" and "fontSize" in mark:
            sizes.add(mark["fontSize"])
        elif mark.get("type") == "text":  # sized per datum (a node's value shrinks to fit its circle)
            field = layer["encoding"]["size"]["field"]
            sizes.update(row[field] for row in layer["data"]["values"])
        for channel in layer.get("encoding", {}).values():
            axis = channel.get("axis") if isinstance(channel, dict) else None
            if axis:
                sizes.update((axis["labelFontSize"], axis["titleFontSize"]))
    return sizes


def test_present_1_opens_the_presenter_view_with_projector_type():
    at = open_page({"present": "1", "stage": "4"})
    assert not at.title  # the title block is left out
    assert at.toggle(key="present").value is True
    assert at.subheader[0].value.startswith("Stage 4 of 7")
    stage_chart, diagram = charts(at)
    assert min(font_sizes(stage_chart)) >= 16 and min(font_sizes(diagram)) >= 16
    assert stage_chart["height"] == PRESENT_STYLE.chart_height
    assert at.query_params["present"] == "1"
    at.button(key="next").click().run()
    assert at.query_params == {"present": "1", "stage": "5"}  # the link keeps the view


def test_the_toggle_switches_the_view_and_the_link_follows():
    at = open_page({"stage": "2"})
    assert at.title and at.toggle(key="present").value is False
    assert charts(at)[0]["height"] == PAGE_STYLE.chart_height
    at.toggle(key="present").set_value(True).run()
    assert not at.title and at.query_params["present"] == "1"
    assert charts(at)[0]["height"] == PRESENT_STYLE.chart_height
    at.toggle(key="present").set_value(False).run()
    assert "present" not in at.query_params


def test_a_bad_present_value_warns_and_keeps_the_ordinary_view():
    at = open_page({"present": "yes"})
    assert at.toggle(key="present").value is False
    assert "Ignored `present` from the link" in at.warning[0].value


def test_changed_weights_get_a_line_with_the_training_error_and_a_reset():
    at = open_page({"stage": "3", "w3": "5"})
    [line] = [info.value for info in at.info if info.value.startswith("Changed from the article")]
    assert "w3 = 5.00 (article: -40.80)" in line
    assert "Sum of squared errors on the three training points: 495.95 (article: 0.00)" in line
    at.button(key="reset_inline").click().run()
    assert not [info for info in at.info if info.value.startswith("Changed from the article")]
    assert at.number_input(key="w3").value == -40.8
    assert at.query_params == {"stage": "3"}


def test_the_change_line_names_the_activation_too():
    at = open_page({"act": "softplus", "w1": "2"})
    [line] = [info.value for info in at.info if info.value.startswith("Changed from the article")]
    assert "w1 = 2.00 (article: 1.70)" in line and "activation Softplus (article: ReLU)" in line


def test_no_change_line_with_the_articles_network():
    at = open_page({"stage": "5"})
    assert not [info for info in at.info if info.value.startswith("Changed from the article")]


def test_softplus_is_drawn_beside_the_faint_relu_curve_with_a_note():
    at = open_page({"act": "softplus", "stage": "7"})
    stage_chart, _ = charts(at)
    records = [r for layer in stage_chart["layer"] for r in layer.get("data", {}).get("values", [])]
    relu = [r for r in records if r.get("curve") == "output with ReLU"]
    assert max(r["value"] for r in relu) == pytest.approx(1.01)
    assert any(r.get("curve") == "output" for r in records)  # the Softplus curve itself
    colour = next(layer["encoding"]["color"]["scale"] for layer in stage_chart["layer"]
                  if "color" in layer.get("encoding", {}) and "scale" in layer["encoding"]["color"])
    assert "output with ReLU" in colour["domain"]
    text = "\n".join(m.value for m in at.markdown)
    assert "fitted for ReLU" in text
    assert "peaks at 0.00" not in text  # no peak to speak of: the text says it stays flat
    assert "stays flat at about 0.00" in text


def test_relu_shows_no_comparison():
    stage_chart, _ = charts(open_page({"stage": "7"}))
    curves = {r.get("curve") for layer in stage_chart["layer"] for r in layer.get("data", {}).get("values", [])}
    assert "output with ReLU" not in curves
    assert "fitted for ReLU" not in "\n".join(m.value for m in open_page({"stage": "7"}).markdown)


def test_charts_mark_the_numbers_the_text_talks_about():
    assert "bend at 0.50" in chart_texts(charts(open_page({"stage": "1"}))[0])
    stage_six = chart_texts(charts(open_page({"stage": "6"}))[0])
    assert "0 at 0.47" in stage_six and "0 at 0.53" in stage_six
    at = open_page({"stage": "7"})
    assert "peak 1.01 at 0.50" in chart_texts(charts(at)[0])
    assert "vermillion dots" in "\n".join(m.value for m in at.markdown)


def test_diagram_shows_each_nodes_value_at_the_probe():
    at = open_page({"stage": "5", "probe": "0.2"})
    _, diagram = charts(at)
    assert "At dosage 0.20: top = 0.00, bottom = 2.52, sum = 6.80" in diagram["description"]
    at.slider(key="probe").set_value(0.5).run()
    _, diagram = charts(at)
    assert "At dosage 0.50: top = 0.00, bottom = 6.30, sum = 17.01, sum + b3 = 1.01, output = 1.01." in (
        diagram["description"])


def test_link_warnings_go_after_the_first_step_and_the_defaults_stay():
    at = open_page({"stage": "99", "w1": "nan"})
    assert len(at.warning) == 2
    at.button(key="next").click().run()
    assert not at.warning
    assert at.subheader[0].value.startswith("Stage 2 of 7")  # stepped on from the safe default
    assert at.number_input(key="w1").value == 1.7


def test_link_warnings_go_after_the_first_edit():
    at = open_page({"w2": "abc"})
    assert at.warning
    at.number_input(key="w4").set_value(3.0).run()
    assert not at.warning
    at.number_input(key="w4").set_value(2.7).run()  # back to the link's values: the warning stays gone
    assert not at.warning
