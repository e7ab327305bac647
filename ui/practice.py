"""Predict, then reveal: the practice mode's page glue.

Before the learner commits, nothing of the stage's own curve reaches the
browser: no stage chart, no text alternative, no worked examples, no probe
value for it or any later stage. After committing: feedback, then the stage
as the explore mode shows it. The shuffle seed lives in the session, so a
learner's order is stable across reruns and differs between learners.
"""

import dataclasses
import secrets

import streamlit as st

from relunet.facts import CURVES, facts_for
from relunet.network import Params
from relunet.practice import (
    PICK,
    Answer,
    Question,
    Round,
    Score,
    answer_pick,
    answer_value,
    first_unanswered,
    masked_probe_trace,
    next_seed,
    question_for,
    random_params,
    score,
)
from relunet.practice_charts import candidate_chart, describe_candidate, question_chart
from relunet.stages import STAGE_COUNT, stage
from relunet.state import PageState
from relunet.style import PAGE_STYLE, PRESENT_STYLE
from relunet.view import DiagramView
from ui.lesson import cached_diagram, cached_view, chart_and_diagram, numbers, stage_body

SEED_KEY = "practice_seed"
ROUND_KEY = "practice_round"
NOTICE_KEY = "practice_notice"
MODE_LABELS = {"explore": "Explore", "predict": "Predict, then reveal"}


def mode_switch() -> None:
    st.radio(
        "Mode", options=list(MODE_LABELS), format_func=MODE_LABELS.get, key="mode", horizontal=True,
        persist_state="session",  # kept while the fit page is shown
        help="Predict, then reveal: at each stage, pick the curve or type a value before the stage is drawn.",
    )


def _seed() -> int:
    if SEED_KEY not in st.session_state:
        st.session_state[SEED_KEY] = secrets.randbelow(2**31 - 1)
    return st.session_state[SEED_KEY]


def current_round(state: PageState) -> Round:
    """This session's round for these weights; new weights start a new round."""
    seed = _seed()
    round_ = st.session_state.get(ROUND_KEY)
    if round_ is None or not round_.matches(state.params, state.activation, seed):
        round_ = Round(state.params, state.activation, seed)
        st.session_state[ROUND_KEY] = round_
    return round_


@st.cache_data(max_entries=256, show_spinner=False)
def cached_question(stage_number: int, params: Params, activation: str, seed: int) -> Question:
    return question_for(stage_number, params, activation, seed)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_question_charts(stage_number: int, params: Params, activation: str, seed: int, present: bool) -> tuple:
    """(question chart spec, its text, [(candidate spec, text)])."""
    question = cached_question(stage_number, params, activation, seed)
    facts = facts_for(params, activation)
    stage_ = stage(stage_number)
    style = PRESENT_STYLE if present else PAGE_STYLE
    chart = question_chart(facts, stage_, question, style)
    candidates = []
    if question.kind == PICK:
        candidates = [
            (candidate_chart(facts, stage_, question, c, style).to_dict(validate=False),
             describe_candidate(question, c))
            for c in question.candidates
        ]
    return chart.to_dict(validate=False), chart.description, candidates


def _record(answer: Answer) -> None:
    st.session_state[ROUND_KEY].answers[answer.stage] = answer
    st.session_state.pop(NOTICE_KEY, None)


def commit_pick(stage_number: int, letter: str) -> None:
    round_ = st.session_state[ROUND_KEY]
    question = cached_question(stage_number, round_.params, round_.activation, round_.seed)
    _record(answer_pick(question, letter))


def commit_value(stage_number: int) -> None:
    round_ = st.session_state[ROUND_KEY]
    typed = st.session_state.get(f"practice_value_{stage_number}")
    if typed is None:
        st.session_state[NOTICE_KEY] = "Type a number first, then check it."
        return
    question = cached_question(stage_number, round_.params, round_.activation, round_.seed)
    _record(answer_value(question, float(typed), round_.params, round_.activation))
    st.session_state.probe = question.dosage  # the reveal's probe marks the dosage asked about


def go_to(number: int) -> None:
    st.session_state.stage = number


def try_again() -> None:
    """Fresh, well-behaved weights and a new seed: new questions, a new round."""
    seed = next_seed(_seed())
    params = random_params(seed, st.session_state.act)
    st.session_state.update(params.as_dict())
    st.session_state[SEED_KEY] = seed
    st.session_state.stage = 1
    st.session_state.pop(ROUND_KEY, None)


def practice_page(state: PageState) -> None:
    """The stage in practice mode: the question, or after an answer the reveal."""
    round_ = current_round(state)
    result = score(round_.answers)
    st.caption(f"Practice: {result.answered} of {STAGE_COUNT} predicted, {result.right} right.")
    first = first_unanswered(round_.answers)
    if first is not None and state.stage > first:
        st.info(f"Predict stage {first} first: each stage starts from the curve of the one before.")
        st.button(f"Go to stage {first}", key="practice_go_first", on_click=go_to, args=(first,), type="primary")
        return
    answer = round_.answers.get(state.stage)
    if answer is None:
        _ask(state, round_)
    else:
        _reveal(state, round_, answer)


def _diagram(state: PageState) -> DiagramView:
    # No values at the probe on the diagram: its later nodes would give later answers away.
    return cached_diagram(state.stage, state.params, state.activation, None, state.present)


def _ask(state: PageState, round_: Round) -> None:
    stage_ = stage(state.stage)
    question = cached_question(state.stage, state.params, state.activation, round_.seed)
    chart_spec, chart_text, candidates = cached_question_charts(
        state.stage, state.params, state.activation, round_.seed, state.present
    )
    diagram = _diagram(state)
    # The layout of ui.lesson.stage_body, so nothing moves at the reveal; the question stands where the
    # explanation will.
    st.subheader(f"Stage {stage_.number} of {STAGE_COUNT} · {stage_.title}")
    chart_and_diagram(chart_spec, diagram.spec, state.present)
    st.markdown(f"**Predict:** {question.prompt}")
    st.latex(stage_.formula(state.params, state.activation))
    if not state.present:
        st.caption(chart_text)
        st.caption(diagram.text)
    if NOTICE_KEY in st.session_state:
        st.warning(st.session_state[NOTICE_KEY], icon=":material/edit:")
    if question.kind == PICK:
        starts = " and ".join(CURVES[c.curve][0] for c in stage_.context)
        st.caption(f"Bold: a candidate. Dashed: {starts}, what the stage starts from. All three share one y axis.")
        for column, (spec, text), candidate in zip(st.columns(3), candidates, question.candidates):
            with column:
                st.vega_lite_chart(spec, width="stretch")
                st.button(f"Choose {candidate.letter}", key=f"practice_pick_{state.stage}_{candidate.letter}",
                          on_click=commit_pick, args=(state.stage, candidate.letter), width="stretch")
                st.caption(text)
    else:
        answer_column, _ = st.columns([1, 2])
        with answer_column, st.form(f"practice_form_{state.stage}", border=False):
            st.number_input("Your value", value=None, step=0.01, format="%.2f", key=f"practice_value_{state.stage}",
                            placeholder="e.g. 1.25")
            st.form_submit_button("Check my answer", on_click=commit_value, args=(state.stage,), type="primary")


def _reveal(state: PageState, round_: Round, answer: Answer) -> None:
    if answer.correct:
        st.success(answer.feedback, icon=":material/check_circle:")
    else:
        st.error(answer.feedback, icon=":material/lightbulb:")
    view = cached_view(tuple(state.values().items()))
    stage_body(view, _diagram(state), state.present)
    # Going on (or the score) right under the chart, where the eye is after the reveal; the tables follow.
    result = score(round_.answers)
    if result.complete:
        _score_panel(result)
    elif state.stage < STAGE_COUNT:
        st.button(f"Next: predict stage {state.stage + 1}", key="practice_next", on_click=go_to,
                  args=(state.stage + 1,), type="primary")
    numbers(dataclasses.replace(view, probe_trace=masked_probe_trace(state, set(round_.answers))))


def _score_panel(result: Score) -> None:
    st.subheader(f"Your score: {result.right} of {STAGE_COUNT}")
    st.markdown(result.summary())
    if result.revisit:
        for column, number in zip(st.columns(len(result.revisit)), result.revisit):
            column.button(f"Revisit stage {number}", key=f"practice_revisit_{number}", on_click=go_to, args=(number,))
    st.button("Try again with new weights", key="practice_again", on_click=try_again, type="primary",
              help="Fresh random weights whose final curve still has a visible shape; the questions change with them.")
