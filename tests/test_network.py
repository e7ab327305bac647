"""The model against the article's numbers and an independent computation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relunet.bounds import WEIGHT_LIMIT
from relunet.facts import facts_for
from relunet.network import ARTICLE_PARAMS, PARAM_NAMES, Params, forward, kinks, sample_dosages

CURVE_NAMES = ("top_input", "top", "top_scaled", "bottom_input", "bottom", "bottom_scaled", "summed",
               "output_input", "output")


def scalar_network(p: Params, x: float, act) -> dict[str, float]:
    """The network written out by hand, one number at a time."""
    top_input = p.w1 * x + p.b1
    bottom_input = p.w2 * x + p.b2
    top, bottom = act(top_input), act(bottom_input)
    summed = p.w3 * top + p.w4 * bottom
    return {"top_input": top_input, "top": top, "top_scaled": p.w3 * top, "bottom_input": bottom_input,
            "bottom": bottom, "bottom_scaled": p.w4 * bottom, "summed": summed, "output_input": summed + p.b3,
            "output": act(summed + p.b3)}


def relu(z: float) -> float:
    return z if z > 0 else 0.0


def softplus(z: float) -> float:
    return math.log1p(math.exp(-abs(z))) + max(z, 0.0)


def test_article_defaults():
    assert ARTICLE_PARAMS.as_dict() == {"w1": 1.70, "b1": -0.85, "w2": 12.6, "b2": 0.0, "w3": -40.8, "w4": 2.70,
                                        "b3": -16.0}


@pytest.mark.parametrize(("dosage", "before", "after"), [(0.0, -0.85, 0.0), (0.2, -0.51, 0.0), (0.6, 0.17, 0.17)])
def test_article_worked_examples(dosage, before, after):
    trace = forward(ARTICLE_PARAMS, [dosage])
    assert trace.top_input[0] == pytest.approx(before)
    assert trace.top[0] == pytest.approx(after)


def test_true_peak_is_drawn_where_even_sampling_misses_it():
    dosage, value = facts_for(ARTICLE_PARAMS, "relu").highest("output")
    assert dosage == pytest.approx(0.5)
    assert value == pytest.approx(1.01)
    # The article's 100 even samples straddle the peak and draw it too low.
    even = forward(ARTICLE_PARAMS, np.linspace(0, 1, 100)).output.max()
    assert even == pytest.approx(0.84, abs=0.01)
    assert 0.5 in sample_dosages(ARTICLE_PARAMS)


def test_article_kinks_are_the_bends_of_the_final_curve():
    np.testing.assert_allclose(kinks(ARTICLE_PARAMS), [16 / 34.02, 0.5, 18.68 / 35.34], rtol=1e-9)


weights = st.floats(-WEIGHT_LIMIT, WEIGHT_LIMIT, allow_nan=False)
random_params = st.builds(Params, **{name: weights for name in PARAM_NAMES})


@settings(max_examples=200, deadline=None)
@given(random_params, st.lists(st.floats(0, 1), min_size=1, max_size=20), st.sampled_from(["relu", "softplus"]))
def test_forward_matches_scalar_network(params, dosages, activation):
    act = relu if activation == "relu" else softplus
    trace = forward(params, dosages, activation)
    for i, x in enumerate(dosages):
        expected = scalar_network(params, x, act)
        for name in CURVE_NAMES:
            assert getattr(trace, name)[i] == pytest.approx(expected[name], rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(random_params, st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_straight_segments_between_samples_are_exact(params, probes):
    """Every ReLU curve drawn through the samples equals the true curve everywhere."""
    samples = sample_dosages(params, "relu")
    drawn = forward(params, samples, "relu")
    for name in CURVE_NAMES:
        values = getattr(drawn, name)
        true = np.array([scalar_network(params, x, relu)[name] for x in probes])
        scale = 1.0 + np.abs(values).max()
        np.testing.assert_allclose(np.interp(probes, samples, values), true, rtol=0, atol=1e-9 * scale)


def test_samples_are_sorted_unique_and_span_the_range():
    samples = sample_dosages(ARTICLE_PARAMS)
    assert samples[0] == 0.0 and samples[-1] == 1.0
    assert np.all(np.diff(samples) > 0)
    assert len(sample_dosages(ARTICLE_PARAMS, "softplus")) > 100


@pytest.mark.parametrize("params", [Params(w1=0, w2=0), Params(w1=0, b1=0, w2=0, b2=0, w3=0, w4=0, b3=0)])
def test_flat_networks_have_no_kinks_and_no_errors(params):
    assert kinks(params).size == 0
    assert facts_for(params, "relu").highest("output")[1] >= 0


def test_softplus_is_smooth_and_positive():
    trace = forward(ARTICLE_PARAMS, np.linspace(0, 1, 50), "softplus")
    assert np.all(trace.top > 0) and np.all(trace.output > 0)
    assert trace.top[0] == pytest.approx(math.log1p(math.exp(-0.85)))
