"""Practice mode on the page (AppTest): nothing of a stage's curve reaches the
browser before the learner commits; feedback, score, fresh weights, the link."""

import json
import os

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from relunet.facts import CURVES, facts_for
from relunet.network import ARTICLE_PARAMS, PARAM_NAMES, Params, forward
from relunet.practice import PICK, next_seed, question_for, random_params
from relunet.stages import stage
from relunet.state import PageState
from relunet.view import worked_examples
from relunet.wording import describe_curve

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "streamlit_app.py")
SEED = 11
CANDIDATE_LABELS = {"A", "B", "C"}


def open_practice(query: dict | None = None, seed: int = SEED) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["practice_seed"] = seed
    for key, value in {"mode": "predict", **(query or {})}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def page_params(at: AppTest) -> Params:
    return Params(**{name: at.number_input(key=name).value for name in PARAM_NAMES})


def chart_specs(at: AppTest) -> list[dict]:
    """Every chart spec the page sends, with any datasets Streamlit carries beside it."""
    specs = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        assert not chart.proto.datasets, "data outside the spec would escape these checks"
        specs.append(spec)
    return specs


def line_series(spec: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each drawn (dosage, value) series in a chart, by the label it carries."""
    series: dict[str, list[tuple[float, float]]] = {}
    for layer in spec.get("layer", [spec]):
        for record in layer.get("data", {}).get("values", []):
            if "dosage" in record and "value" in record:
                series.setdefault(record.get("curve", ""), []).append((record["dosage"], record["value"]))
    return {label: tuple(np.array(column) for column in zip(*points)) for label, points in series.items()}


def is_stage_curve(number: int, params: Params, dosages: np.ndarray, values: np.ndarray) -> bool:
    truth = getattr(forward(params, dosages), stage(number).curve)
    return len(dosages) >= 2 and bool(np.allclose(values, truth, atol=1e-9))


def page_text(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("markdown", "caption", "latex") for e in at.get(kind))


def answer(at: AppTest, number: int, right: bool) -> None:
    question = question_for(number, page_params(at), "relu", SEED)
    if question.kind == PICK:
        letter = next(c.letter for c in question.candidates if c.right == right)
        at.button(key=f"practice_pick_{number}_{letter}").click().run()
    else:
        at.number_input(key=f"practice_value_{number}").set_value(
            round(question.answer if right else question.answer + 3 * question.tolerance + 1, 2)
        )
        next(b for b in at.button if b.label == "Check my answer").click().run()
    assert not at.exception, at.exception


def assert_stage_hidden(at: AppTest, number: int, params: Params) -> None:
    """Nothing on the page, in chart data or text, gives stage `number`'s curve away."""
    own_label = CURVES[stage(number).curve][0]
    context_labels = {CURVES[c.curve][0] for c in stage(number).context}
    question = question_for(number, params, "relu", SEED)
    matching_candidates = []
    for spec in chart_specs(at):
        assert not spec.get("description", "").startswith(f"Stage {number} chart:")
        for label, (dosages, values) in line_series(spec).items():
            assert label != own_label
            if label in context_labels:
                continue  # what the stage starts from (it may coincide, e.g. when ReLU changes nothing)
            if is_stage_curve(number, params, dosages, values):
                assert label in CANDIDATE_LABELS, f"stage {number}'s curve sent as {label!r}"
                matching_candidates.append(label)
    assert matching_candidates == ([question.right_letter] if question.kind == PICK else [])
    text = page_text(at)
    assert describe_curve(facts_for(params, "relu"), stage(number)) not in text
    examples = worked_examples(PageState(stage=number, params=params)).as_markdown()
    assert examples.splitlines()[0] not in text  # the worked examples' header row
    assert "Value at x =" not in text  # no probe table while a question is open


def assert_stage_shown(at: AppTest, number: int, params: Params) -> None:
    stage_charts = [s for s in chart_specs(at) if s.get("description", "").startswith(f"Stage {number} chart:")]
    assert len(stage_charts) == 1
    own = line_series(stage_charts[0])[CURVES[stage(number).curve][0]]
    assert is_stage_curve(number, params, *own)


def test_every_stage_stays_hidden_until_the_learner_commits():
    at = open_practice()
    for number in range(1, 8):
        assert at.subheader[0].value.startswith(f"Stage {number} of 7")
        assert_stage_hidden(at, number, ARTICLE_PARAMS)
        answer(at, number, right=number % 2 == 1)
        assert_stage_shown(at, number, ARTICLE_PARAMS)
        if number < 7:
            at.button(key="practice_next").click().run()


def test_a_right_and_a_wrong_answer_each_get_their_feedback():
    at = open_practice()
    answer(at, 1, right=False)
    assert not at.success
    [error] = at.error
    assert "Not quite: you typed" in error.value and "the value is 0.17" in error.value
    assert "1.70 × 0.60 - 0.85 = 0.17" in error.value
    at.button(key="practice_next").click().run()
    answer(at, 2, right=True)
    [success] = at.success
    assert "Right: w3 = -40.80 flips it upside down" in success.value
    at.button(key="back").click().run()
    assert "Not quite" in at.error[0].value  # the answer given stays with its stage


def test_a_wrong_pick_explains_what_that_curve_would_have_needed():
    at = open_practice()
    answer(at, 1, right=True)
    at.button(key="practice_next").click().run()
    answer(at, 2, right=False)
    [error] = at.error
    assert error.value.startswith("You picked") and "Not this one." in error.value


def test_the_score_counts_right_answers_and_names_stages_to_revisit():
    at = open_practice()
    wrong = {2, 4}
    for number in range(1, 8):
        answer(at, number, right=number not in wrong)
        if number < 7:
            at.button(key="practice_next").click().run()
    assert at.subheader[-1].value == "Your score: 5 of 7"
    assert "stage 2 (Multiply the top path by w3); stage 4 (Multiply the bottom path by w4)" in page_text(at)
    at.button(key="practice_revisit_4").click().run()
    assert at.subheader[0].value.startswith("Stage 4 of 7")
    assert at.error  # its feedback, shown again


def test_try_again_brings_fresh_weights_and_new_questions():
    at = open_practice()
    for number in range(1, 8):
        answer(at, number, right=True)
        if number < 7:
            at.button(key="practice_next").click().run()
    assert at.subheader[-1].value == "Your score: 7 of 7"
    at.button(key="practice_again").click().run()
    assert not at.exception
    fresh = random_params(next_seed(SEED))
    assert page_params(at) == fresh != ARTICLE_PARAMS
    assert at.session_state["practice_seed"] == next_seed(SEED)
    assert at.subheader[0].value.startswith("Stage 1 of 7")
    assert "0 of 7 predicted" in page_text(at)
    assert_stage_hidden(at, 1, fresh)
    question = question_for(1, fresh, "relu", next_seed(SEED))
    assert f"dosage x = {question.dosage:.2f}" in page_text(at)


def test_later_stages_wait_for_the_earlier_ones():
    at = open_practice({"stage": "4"})
    assert "Predict stage 1 first" in at.info[0].value
    assert not at.get("vega_lite_chart")
    at.button(key="practice_go_first").click().run()
    assert at.subheader[0].value.startswith("Stage 1 of 7")


def test_changing_the_weights_starts_a_new_round():
    at = open_practice()
    answer(at, 1, right=True)
    assert "1 of 7 predicted" in page_text(at)
    at.number_input(key="w1").set_value(2.0).run()
    assert "0 of 7 predicted" in page_text(at)
    assert_stage_hidden(at, 1, ARTICLE_PARAMS.with_values(w1=2.0))


def test_checking_an_empty_value_asks_for_a_number():
    at = open_practice()
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert "Type a number first" in at.warning[0].value
    assert "0 of 7 predicted" in page_text(at)


def test_mode_predict_round_trips_through_the_link():
    at = open_practice()
    assert at.radio(key="mode").value == "predict"
    assert at.query_params["mode"] == "predict"
    at.radio(key="mode").set_value("explore").run()
    assert "mode" not in at.query_params
    assert any(s.get("description", "").startswith("Stage 1 chart:") for s in chart_specs(at))
    at.radio(key="mode").set_value("predict").run()
    assert at.query_params["mode"] == "predict"
    assert_stage_hidden(at, 1, ARTICLE_PARAMS)


@pytest.mark.parametrize("bad", ["PREDICTION", "<b>x</b>", ""])
def test_a_bad_mode_in_the_link_is_reported_and_ignored(bad):
    at = open_practice({"mode": bad})
    assert any("Ignored `mode`" in w.value for w in at.warning)
    assert at.radio(key="mode").value == "explore"
    assert any(s.get("description", "").startswith("Stage 1 chart:") for s in chart_specs(at))



def test_the_presenter_view_supports_practice():
    at = open_practice({"present": "1"})
    assert_stage_hidden(at, 1, ARTICLE_PARAMS)
    answer(at, 1, right=True)
    assert_stage_shown(at, 1, ARTICLE_PARAMS)
    assert at.success


def test_no_fit_line_gives_the_final_curve_away():
    """With changed weights the explore view reports the training error of the final curve."""
    weights = {"w3": "-30"}
    assert any("squared errors" in i.value for i in open_practice({**weights, "mode": "explore"}).info)
    at = open_practice(weights)
    assert not any("squared errors" in i.value for i in at.info)
    assert "squared errors" not in page_text(at)
