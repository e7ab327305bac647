"""URL state: one schema, round trips, and bad links turned into warnings."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relunet.bounds import WEIGHT_LIMIT
from relunet.network import ARTICLE_PARAMS, Params
from relunet.state import DEFAULT_STATE, SETTINGS, PageState, parse_query, to_query


def test_empty_link_is_the_article_at_stage_one():
    assert parse_query({}) == (DEFAULT_STATE, [])
    assert DEFAULT_STATE.params == ARTICLE_PARAMS
    assert to_query(DEFAULT_STATE) == {}


def test_shared_stage_and_weight():
    state, warnings = parse_query({"stage": "7", "w4": "3"})
    assert warnings == []
    assert state.stage == 7 and state.params.w4 == 3.0 and state.params.w1 == ARTICLE_PARAMS.w1
    assert to_query(state) == {"stage": "7", "w4": "3"}


def test_every_setting_has_a_schema_row():
    assert {s.name for s in SETTINGS} == set(DEFAULT_STATE.values())


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("stage", "0", "out of range"), ("stage", "8", "out of range"), ("stage", "3.5", "not a number"),
        ("stage", "two", "not a number"), ("w1", "nan", "not a finite number"), ("w1", "inf", "not a finite number"),
        ("b3", "-Infinity", "not a finite number"), ("w2", "1e999", "not a finite number"),
        ("w3", "500", "out of range"), ("w4", "", "not a number"), ("b1", "1_000", "not a number"),
        ("b2", "<script>alert(1)</script>", "not a number"), ("w1", "9" * 400, "too long"),
        ("act", "tanh", "not a known choice"), ("probe", "1.5", "out of range"), ("probe", "0x10", "not a number"),
    ],
)
def test_bad_values_fall_back_to_the_default_with_a_warning(key, value, reason):
    state, warnings = parse_query({key: value})
    assert state == DEFAULT_STATE
    assert len(warnings) == 1
    assert f"`{key}`" in warnings[0] and reason in warnings[0] and "default" in warnings[0]
    if len(value) > 1:
        assert value not in warnings[0]  # the link's text is never echoed


def test_bounds_are_named_in_the_warning():
    _, warnings = parse_query({"w3": "-500"})
    assert f"{-WEIGHT_LIMIT:.2f} to {WEIGHT_LIMIT:.2f}" in warnings[0]


def test_repeated_key_uses_the_last_value_and_says_so():
    state, warnings = parse_query({"stage": ["2", "5"]})
    assert state.stage == 5
    assert "2 times" in warnings[0]


def test_unknown_keys_are_left_alone():
    assert parse_query({"embed": "true", "utm_source": "x"}) == (DEFAULT_STATE, [])


def test_values_are_read_leniently_but_exactly():
    state, warnings = parse_query({"w1": " 2.5 ", "act": "SoftPlus", "b1": "-1e-1", "stage": "+3"})
    assert warnings == []
    assert (state.params.w1, state.params.b1, state.activation, state.stage) == (2.5, -0.1, "softplus", 3)


finite = st.floats(-WEIGHT_LIMIT, WEIGHT_LIMIT, allow_nan=False)


@given(
    st.integers(1, 7), st.builds(Params, w1=finite, b1=finite, w2=finite, b2=finite, w3=finite, w4=finite, b3=finite),
    st.sampled_from(["relu", "softplus"]), st.floats(0, 1), st.sampled_from(["explore", "predict"]), st.booleans(),
)
def test_any_valid_state_round_trips_through_the_url(stage, params, activation, probe, mode, present):
    state = PageState(stage, params, activation, probe, present=present, mode=mode)
    parsed, warnings = parse_query(to_query(state))
    assert warnings == []
    assert parsed == state
    assert all(math.isfinite(v) for v in parsed.params.as_dict().values())


def test_practice_mode_is_one_setting_of_the_link():
    state, warnings = parse_query({"mode": " Predict "})
    assert (state.mode, warnings) == ("predict", [])
    assert to_query(state) == {"mode": "predict"}
    assert to_query(DEFAULT_STATE) == {}
    ignored, [warning] = parse_query({"mode": "quiz"})
    assert ignored.mode == "explore" and "one of explore, predict" in warning
