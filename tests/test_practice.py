"""Practice questions from the weights: candidates, typed values, feedback, score, fresh weights."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from relunet.bounds import WEIGHT_LIMIT
from relunet.network import ARTICLE_PARAMS, Params, forward
from relunet.practice import (
    LETTERS,
    PICK,
    PREFERRED_KIND,
    VALUE,
    Answer,
    answer_pick,
    answer_value,
    first_unanswered,
    masked_probe_trace,
    question_for,
    random_params,
    score,
    stage_dosages,
)
from relunet.practice_charts import axis_ticks
from relunet.stages import STAGES, stage
from relunet.state import PageState

finite = st.floats(-WEIGHT_LIMIT, WEIGHT_LIMIT, allow_nan=False)
any_params = st.builds(Params, w1=finite, b1=finite, w2=finite, b2=finite, w3=finite, w4=finite, b3=finite)
stage_numbers = st.integers(1, 7)
activations = st.sampled_from(["relu", "softplus"])
seeds = st.integers(0, 2**31 - 2)


def true_curve(params: Params, activation: str, number: int, dosages: np.ndarray) -> np.ndarray:
    return getattr(forward(params, dosages, activation), stage(number).curve)


def assert_candidates_fair(question, params: Params, activation: str) -> None:
    """Exactly one candidate is the stage's curve, and every two differ visibly somewhere."""
    truth = true_curve(params, activation, question.stage, question.dosages)
    matches = [c for c in question.candidates if np.allclose(c.values, truth, rtol=1e-9, atol=1e-9)]
    assert len(matches) == 1 and matches[0].right
    assert [c.letter for c in question.candidates] == list(LETTERS)
    values = np.concatenate([c.values for c in question.candidates])
    span = values.max() - values.min()
    for i, a in enumerate(question.candidates):
        for b in question.candidates[i + 1:]:
            gap = np.max(np.abs(a.values - b.values))
            # 8 % of the shared y range is about 12 px on the smallest candidate chart.
            assert gap >= 0.08 * span and gap > 0.01, (question.stage, a.key, b.key, gap, span)


@settings(max_examples=150, deadline=None)
@given(any_params, stage_numbers, activations, seeds)
def test_any_weights_give_a_fair_question(params, number, activation, seed):
    question = question_for(number, params, activation, seed)
    if question.kind == PICK:
        assert_candidates_fair(question, params, activation)
    else:
        truth = float(true_curve(params, activation, number, np.array([question.dosage]))[0])
        assert question.answer == truth
        assert question.accepts(truth) and question.accepts(truth + 0.9 * question.tolerance)
        assert not question.accepts(truth + 1.5 * question.tolerance)
        assert not question.accepts(truth - 1.5 * question.tolerance)
        assert not question.accepts(float("nan"))
        assert answer_value(question, truth, params, activation).correct
        assert not answer_value(question, truth + 2 * question.tolerance, params, activation).correct


@settings(max_examples=40, deadline=None)
@given(seeds)
def test_fresh_weights_are_well_behaved_and_ask_every_kind_as_planned(seed):
    params = random_params(seed)
    assert params == random_params(seed)  # reproducible
    for value in params.as_dict().values():
        assert abs(value) <= WEIGHT_LIMIT and round(value, 2) == value
    output = forward(params, np.linspace(0, 1, 401)).output
    assert output.max() - output.min() >= 0.3, "the final curve must have a visible peak"
    assert output[0] < output.max() - 0.1 or output[-1] < output.max() - 0.1, "and fall back somewhere"
    for number in range(1, 8):
        question = question_for(number, params, "relu", seed)
        assert question.kind == PREFERRED_KIND[number]
        if question.kind == PICK:
            assert_candidates_fair(question, params, "relu")


def test_fresh_weights_change_with_the_seed():
    assert len({random_params(seed) for seed in range(8)}) == 8


def test_article_weights_ask_the_planned_questions():
    kinds = {n: question_for(n, ARTICLE_PARAMS, "relu", 1).kind for n in range(1, 8)}
    assert kinds == PREFERRED_KIND
    first = question_for(1, ARTICLE_PARAMS, "relu", 1)
    assert (first.dosage, round(first.answer, 2)) == (0.6, 0.17)  # the article's hand-checkable row
    assert round(question_for(7, ARTICLE_PARAMS, "relu", 1).answer, 2) == 1.01  # the peak


def test_the_shuffle_follows_the_seed():
    orders = {seed: question_for(2, ARTICLE_PARAMS, "relu", seed).right_letter for seed in range(30)}
    assert orders == {seed: question_for(2, ARTICLE_PARAMS, "relu", seed).right_letter for seed in range(30)}
    assert set(orders.values()) == set(LETTERS)


def test_a_wrong_pick_says_what_that_curve_would_have_needed():
    question = question_for(2, ARTICLE_PARAMS, "relu", 1)
    unflipped = next(c for c in question.candidates if c.key == "direction")
    answer = answer_pick(question, unflipped.letter)
    assert not answer.correct
    assert "keeps the top path's direction" in answer.feedback
    assert "w3 is -40.80, so the top path flips" in answer.feedback
    right = answer_pick(question, question.right_letter)
    assert right.correct and right.feedback.startswith(f"You picked {question.right_letter}. Right")


def test_feedback_follows_the_weights():
    flipped = ARTICLE_PARAMS.with_values(w3=40.8)
    question = question_for(2, flipped, "relu", 1)
    wrong = next(c for c in question.candidates if c.key == "direction")
    assert "flipped upside down: that would need a negative w3" in answer_pick(question, wrong.letter).feedback


def test_a_wrong_value_shows_the_arithmetic_beside_the_typed_value():
    question = question_for(1, ARTICLE_PARAMS, "relu", 1)
    answer = answer_value(question, 0.3, ARTICLE_PARAMS, "relu")
    assert not answer.correct
    assert "you typed 0.30, the value is 0.17" in answer.feedback
    assert "1.70 × 0.60 - 0.85 = 0.17; ReLU(0.17) = 0.17" in answer.feedback
    assert answer_value(question, 0.17, ARTICLE_PARAMS, "relu").correct


def test_score_counts_right_answers_and_lists_stages_to_revisit():
    answers = {n: Answer(n, VALUE, n % 3 != 0, "1", "") for n in range(1, 8)}
    result = score(answers)
    assert (result.right, result.answered, result.revisit, result.complete) == (5, 7, (3, 6), True)
    assert "5 of 7" in result.summary() and "stage 3 (The bottom node)" in result.summary()
    assert first_unanswered({1: answers[1], 2: answers[2]}) == 3
    assert first_unanswered(answers) is None


def test_probe_values_of_stages_not_yet_predicted_are_hidden():
    table = masked_probe_trace(PageState(stage=2), revealed={1, 2})
    values = [row[-1] for row in table.rows]
    assert values[2:] == ["?"] * 5
    assert values[0] != "?" and values[1] != "?"


def test_question_samples_hold_no_kink_of_a_later_curve():
    # The final curve crosses zero near 0.47 and 0.53: stages before 6 must not sample there.
    for number in range(1, 6):
        assert not np.any(np.isclose(stage_dosages(ARTICLE_PARAMS, number), 0.4703, atol=1e-3))
    assert np.any(np.isclose(stage_dosages(ARTICLE_PARAMS, 6), 0.4703, atol=1e-3))


def test_every_stage_is_in_the_plan():
    assert set(PREFERRED_KIND) == {s.number for s in STAGES}


def test_axis_ticks_are_round_and_hold_zero():
    for domain in [(-60, 40), (-5, 15), (0, 1.2), (-1500, 500)]:
        ticks = axis_ticks(domain)
        assert 0.0 in ticks and 2 <= len(ticks) <= 5
        assert domain[0] <= min(ticks) and max(ticks) <= domain[1]
