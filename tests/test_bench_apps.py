"""The stand-in pages the browser benchmark measures as floors (bench/README.md) are what they say they are:
a floor figure from a page that broke, or that lost the lesson's elements, would prove nothing."""

import json
import os

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.lesson
from relunet.network import PARAM_NAMES
from relunet.stages import STAGE_COUNT

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


@pytest.fixture(autouse=True)
def lesson_restored(monkeypatch):
    """The lesson floor swaps the lesson's picture function and st.page_link in this process's modules, which
    AppTest shares with every later test: put both back afterwards."""
    monkeypatch.setattr(ui.lesson, "chart_and_diagram", ui.lesson.chart_and_diagram)
    monkeypatch.setattr(st, "page_link", st.page_link)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_the_lesson_floor_is_the_lesson_with_one_plain_line_for_its_pictures():
    at = AppTest.from_file(os.path.join(BENCH, "floor_lesson_app.py"), default_timeout=60).run()
    for stage_number in range(1, STAGE_COUNT + 1):
        assert not at.exception, [e.message for e in at.exception]
        [chart] = charts(at)  # no diagram
        assert chart["description"] == f"Stage {stage_number} of 7" and chart["mark"]["type"] == "line"
        # The lesson's own elements are all there.
        assert [box.key for box in at.sidebar.number_input] == list(PARAM_NAMES)
        assert at.button(key="next") and at.subheader and at.latex and at.slider(key="probe")
        if stage_number < STAGE_COUNT:
            at.button(key="next").click().run()
    assert at.session_state.stage == STAGE_COUNT


def test_the_altair_floor_steps_through_its_seven_stages():
    at = AppTest.from_file(os.path.join(BENCH, "floor_altair_app.py"), default_timeout=60).run()
    for stage_number in range(1, STAGE_COUNT + 1):
        assert not at.exception, [e.message for e in at.exception]
        [chart] = charts(at)
        assert chart["description"] == f"Stage {stage_number} of 7"
        at.button(key="next").click().run()
