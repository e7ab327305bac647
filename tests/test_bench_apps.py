"""The stand-in pages the browser benchmark measures as floors (bench/README.md) are what they say they are:
a floor figure from a page that broke, or that lost the lesson's elements, would prove nothing."""

import json
import os

from streamlit.testing.v1 import AppTest

from relunet.network import PARAM_NAMES
from relunet.stages import STAGE_COUNT

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


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
