"""Every sentence is true of the numbers it prints, for any weights: near 0,
near ±1, and anywhere in range. (Hypothesis looks for the counter-example.)"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from relunet.facts import facts_for
from relunet.network import PARAM_NAMES, Params
from relunet.stages import STAGES
from relunet.wording import (
    explain_bias,
    explain_bottom,
    explain_scale_bottom,
    explain_scale_top,
    explain_top,
    num,
    shown,
)

NUMBER = r"-?\d+\.\d+"
tiny = st.floats(min_value=1e-15, max_value=0.02)
near_zero = st.one_of(st.just(0.0), st.just(-0.0), tiny, tiny.map(lambda v: -v))
near_one = st.builds(lambda sign, offset: sign * (1 + offset), st.sampled_from([1, -1]),
                     st.one_of(st.just(0.0), tiny, tiny.map(lambda v: -v)))
on_a_rounding_edge = st.builds(lambda k, offset: k / 200 + offset, st.integers(-400, 400),
                               st.floats(min_value=-1e-9, max_value=1e-9))
anywhere = st.floats(min_value=-100, max_value=100, allow_nan=False)
weight = st.one_of(near_zero, near_one, on_a_rounding_edge, anywhere)
params = st.builds(lambda values: Params(**dict(zip(PARAM_NAMES, values))),
                   st.tuples(*[weight for _ in PARAM_NAMES]))
activation = st.sampled_from(["relu", "softplus"])


def everything_said(p: Params, act: str) -> list[str]:
    facts = facts_for(p, act)
    return [text for stage in STAGES for text in (stage.explain(facts), stage.formula(p, act))]


def sign(value: float) -> int:
    return (value > 0) - (value < 0)


@settings(max_examples=150, deadline=None)
@given(params, activation)
def test_no_negative_zero_and_no_zero_terms_anywhere(p, act):
    for text in everything_said(p, act):
        assert not re.search(r"-0\.0+(?![0-9]*[1-9])", text), text  # "-0.00", "-0.000"
        assert not re.search(r"[+-] 0\.0+(?![0-9]*[1-9])", text), text  # "x - 0.00", "sum + 0.00"
        assert not re.search(r"(?<![0-9.])0\.0+(·|\\,)", text), text  # "0.00·x"


@settings(max_examples=300, deadline=None)
@given(weight, st.sampled_from(["w3", "w4"]))
def test_scaling_words_are_true_of_the_printed_weight(value, name):
    p = Params(**{**dict(zip(PARAM_NAMES, [1.7, -0.85, 12.6, 0.0, -40.8, 2.7, -16.0])), name: value})
    explain = explain_scale_top if name == "w3" else explain_scale_bottom
    sentence = explain(facts_for(p, "relu"))
    printed_text, words = re.search(rf"{name} = ({NUMBER}), which ([^:]*):", sentence).groups()
    printed = float(printed_text)
    if printed == 0:
        assert "into 0 everywhere" in words and "flips" not in words
        return
    assert ("flips" in words) == (printed < 0), sentence
    expected = "stretches" if abs(printed) > 1 else "shrinks" if abs(printed) < 1 else "unchanged"
    assert expected in words, sentence
    # The printed weight is the real one's side of 0, 1 and -1, or indistinguishable from it at 4 decimals.
    same_side = sign(printed) == sign(value) and sign(abs(printed) - 1) == sign(abs(value) - 1)
    assert same_side or abs(value - printed) < 5e-5, (value, sentence)


@settings(max_examples=300, deadline=None)
@given(weight)
def test_the_bias_sentence_matches_its_number(b3):
    p = Params(1.7, -0.85, 12.6, 0.0, -40.8, 2.7, b3)
    sentence = explain_bias(facts_for(p, "relu"))
    printed = float(re.search(rf"b3 = ({NUMBER})", sentence).group(1))
    assert printed == float(num(b3))
    if printed == 0:
        assert "does not shift" in sentence
    else:
        direction = "down" if printed < 0 else "up"
        assert f"shifts the whole sum {direction} by {num(abs(printed))}." in sentence


@settings(max_examples=300, deadline=None)
@given(weight, weight, st.sampled_from(["top", "bottom"]))
def test_the_node_line_prints_the_weights_it_uses(w, b, node):
    values = dict(zip(PARAM_NAMES, [1.7, -0.85, 12.6, 0.0, -40.8, 2.7, -16.0]))
    values.update({"w1": w, "b1": b} if node == "top" else {"w2": w, "b2": b})
    explain = explain_top if node == "top" else explain_bottom
    sentence = explain(facts_for(Params(**values), "relu"))
    line = re.search(r"b[12] = (.*?)[:.](?: |$)", sentence).group(1)
    slope_match = re.match(rf"({NUMBER})·x", line)
    slope = float(slope_match.group(1)) if slope_match else 0.0
    rest = line[slope_match.end():] if slope_match else line
    if rest.startswith(" "):
        sign_text, constant_text = rest.split()
        constant = float(constant_text) * (-1 if sign_text == "-" else 1)
    else:
        constant = float(rest) if rest else 0.0
    assert slope == float(shown(w)[0]) and constant == float(num(b)), sentence
    assert (slope_match is None) == (float(shown(w)[0]) == 0), sentence  # a zero slope is no term


def test_examples_from_the_issue_read_right():
    article = dict(zip(PARAM_NAMES, [1.7, -0.85, 12.6, 0.0, -40.8, 2.7, -16.0]))
    assert "w1·x + b1 = 1.70·x:" in explain_top(facts_for(Params(**{**article, "b1": -1e-12}), "relu"))
    assert "does not shift" in explain_bias(facts_for(Params(**{**article, "b3": 0.0}), "relu"))
    assert "w3 = 1.004, which stretches" in explain_scale_top(facts_for(Params(**{**article, "w3": 1.004}), "relu"))
    sentence = explain_scale_top(facts_for(Params(**{**article, "w3": -0.999}), "relu"))
    assert "w3 = -0.999, which flips the bent line upside down and shrinks it" in sentence
    assert STAGES[5].formula(Params(**{**article, "b3": -1e-9}), "relu").endswith(r"= \text{sum}")
