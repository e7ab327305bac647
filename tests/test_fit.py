"""The fitting maths: StatQuest's numbers exactly, and the gradients against finite
differences and an independent scalar implementation, for random weights."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relunet.fit import (
    BACKWARD,
    HIDDEN_NODES,
    SSR_THRESHOLD,
    TRAINING_X,
    backprop,
    best_bias,
    bias_kinks,
    dead_nodes,
    first_seed,
    fit_all,
    fit_bias,
    random_start,
    relu_slope,
    ssr,
    ssr_over_bias,
    training_sum,
)
from relunet.fit_state import DEFAULT_SEED, MODES, TRAINING_POINTS, FitState, fit_query, parse_fit_query
from relunet.fit_view import fit_view
from relunet.network import ARTICLE_PARAMS, PARAM_NAMES, TRAINING_DATA, Params, forward
from relunet.stages import STAGES

START = ARTICLE_PARAMS.with_values(b3=0.0)  # StatQuest's start: the article's weights, b3 = 0


# ---------------------------------------------------------------- StatQuest's numbers


def test_the_start_predicts_17_01_at_the_middle_dosage_and_ssr_256_32():
    assert round(float(forward(START, [0.5], "relu").output[0]), 2) == 17.01
    assert round(ssr(START), 2) == 256.32


def test_only_the_middle_dosage_pulls_at_the_start():
    points = fit_bias(ARTICLE_PARAMS, 0.0, 0.1).points(0)
    assert [round(v, 2) for v in points.output_input] == [0.0, 17.01, -0.66]
    assert points.relu_slope.tolist() == [0.0, 1.0, 0.0]  # ReLU'(0) = 0, as PyTorch
    assert points.share[0] == 0.0 and points.share[2] == 0.0
    assert round(points.slope, 2) == 32.02


def test_gradient_descent_reproduces_statquest_step_by_step():
    run = fit_bias(ARTICLE_PARAMS, 0.0, 0.1)
    assert round(run.learning_rate * run.slope[0], 2) == 3.20  # step 1 moves b3 by -3.20
    assert [round(float(b), 2) for b in run.b3[1:4]] == [-3.20, -5.76, -7.81]
    assert round(float(run.ssr[1]), 2) == 164.04


def test_the_ssr_first_drops_below_0_0001_after_step_34_at_b3_minus_16_0019():
    run = fit_bias(ARTICLE_PARAMS, 0.0, 0.1)
    assert run.stop == "converged" and run.last_step == 34
    assert (run.ssr[:34] >= SSR_THRESHOLD).all() and run.ssr[34] < SSR_THRESHOLD
    assert round(float(run.b3[34]), 4) == -16.0019


def test_relu_slope_is_zero_at_exactly_zero():
    assert relu_slope(np.array([-1.0, 0.0, 1e-12, 3.0])).tolist() == [0.0, 0.0, 1.0, 1.0]


def test_the_lowest_ssr_in_b3_is_where_the_middle_point_is_fitted_exactly():
    assert best_bias(training_sum(ARTICLE_PARAMS)) == pytest.approx(1.0 - 17.01)


# ---------------------------------------------------------------- an independent scalar implementation


def scalar_gradient(p: Params) -> dict[str, float]:
    """Backpropagation written out by hand, one training point at a time, in plain floats."""
    grad = dict.fromkeys(PARAM_NAMES, 0.0)
    for x, observed in TRAINING_DATA:
        z1, z2 = p.w1 * x + p.b1, p.w2 * x + p.b2
        a1, a2 = max(z1, 0.0), max(z2, 0.0)
        z3 = p.w3 * a1 + p.w4 * a2 + p.b3
        predicted = max(z3, 0.0)
        d_z3 = -2.0 * (observed - predicted) * (1.0 if z3 > 0 else 0.0)
        d_z1 = d_z3 * p.w3 * (1.0 if z1 > 0 else 0.0)
        d_z2 = d_z3 * p.w4 * (1.0 if z2 > 0 else 0.0)
        for name, value in (("w1", d_z1 * x), ("b1", d_z1), ("w2", d_z2 * x), ("b2", d_z2),
                            ("w3", d_z3 * a1), ("w4", d_z3 * a2), ("b3", d_z3)):
            grad[name] += value
    return grad


weights = st.floats(-20, 20, allow_nan=False)
random_params = st.builds(Params, *(weights for _ in PARAM_NAMES))


@settings(max_examples=300, deadline=None)
@given(random_params)
def test_backprop_through_the_stage_registry_matches_the_scalar_chain_rule(params):
    ours = backprop(params).gradient()
    theirs = scalar_gradient(params)
    for name in PARAM_NAMES:
        assert ours[name] == pytest.approx(theirs[name], rel=1e-9, abs=1e-9), name


@settings(max_examples=300, deadline=None)
@given(random_params)
def test_backprop_matches_finite_differences_away_from_the_kinks(params):
    trace = forward(params, TRAINING_X, "relu")
    # At a kink the SSR has no derivative; keep every ReLU input clear of 0 by more than the nudge moves it.
    for curve in ("top_input", "bottom_input", "output_input"):
        assume(np.min(np.abs(getattr(trace, curve))) > 1e-3)
    gradient = backprop(params).gradient()
    h = 1e-6
    for name in PARAM_NAMES:
        value = getattr(params, name)
        up, down = params.with_values(**{name: value + h}), params.with_values(**{name: value - h})
        numeric = (ssr(up) - ssr(down)) / (2 * h)
        assert gradient[name] == pytest.approx(numeric, rel=1e-4, abs=1e-4), name


@settings(max_examples=200, deadline=None)
@given(random_params)
def test_the_fast_training_step_computes_the_same_gradient_as_the_stage_walk(params):
    run = fit_all(params, 0.1, limit=0)
    np.testing.assert_allclose(run.gradient[0], backprop(params).gradient_vector(), rtol=1e-12, atol=1e-12)
    assert run.ssr[0] == pytest.approx(ssr(params), rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(random_params, st.lists(st.floats(-60, 60), min_size=1, max_size=20))
def test_the_loss_curve_over_b3_is_the_ssr(params, b3_values):
    curve = ssr_over_bias(training_sum(params), np.array(b3_values))
    expected = [ssr(params.with_values(b3=b)) for b in b3_values]
    np.testing.assert_allclose(curve, expected, rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(random_params)
def test_best_bias_is_no_worse_than_any_b3_on_a_fine_grid(params):
    summed = training_sum(params)
    best = best_bias(summed)
    kinks = bias_kinks(summed)
    grid = np.linspace(kinks.min() - 5, kinks.max() + 5, 2001)
    assert ssr_over_bias(summed, np.array([best]))[0] <= ssr_over_bias(summed, grid).min() + 1e-9


@settings(max_examples=100, deadline=None)
@given(random_params)
def test_the_bias_slope_is_backprops_b3_gradient(params):
    run = fit_bias(params, params.b3, 0.1, limit=0)
    assert run.slope[0] == pytest.approx(backprop(params).gradient()["b3"], rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------- the walk, the runs, dead ReLUs


def test_backprop_walks_the_stage_registry_from_last_to_first():
    assert backprop(START).order == tuple(stage.number for stage in reversed(STAGES))
    assert set(BACKWARD) == {stage.curve for stage in STAGES}


def test_the_default_seed_fits_the_training_data():
    run = fit_all(random_start(DEFAULT_SEED), 0.1)
    assert run.stop == "converged" and run.ssr[-1] < SSR_THRESHOLD
    assert run.last_step < 1000


def test_random_starts_are_seeded_normal_weights_with_zero_biases():
    assert random_start(5) == random_start(5) != random_start(6)
    start = random_start(5)
    assert start.b1 == start.b2 == start.b3 == 0.0


def test_a_dead_hidden_node_keeps_a_zero_gradient_and_never_moves():
    seed = first_seed(lambda params: bool(dead_nodes(params)))
    start = random_start(seed)
    [node] = dead_nodes(start)[:1]
    curve, names = HIDDEN_NODES[node]
    assert (getattr(forward(start, TRAINING_X, "relu"), curve) <= 0).all()
    run = fit_all(start, 0.1, limit=200)
    columns = [PARAM_NAMES.index(name) for name in names]
    assert (run.gradient[:, columns] == 0.0).all()
    assert (run.params[:, columns] == run.params[0, columns]).all()


def test_a_start_with_every_relu_off_is_stuck_at_once():
    run = fit_bias(ARTICLE_PARAMS, -50.0, 0.1)
    assert run.stop == "stuck" and run.last_step == 0 and run.slope[0] == 0.0


def test_a_learning_rate_of_1_1_overshoots_the_minimum():
    run = fit_bias(ARTICLE_PARAMS, 0.0, 1.1)
    best = best_bias(run.summed)
    # Each step lands further from the lowest point than it started (here straight into ReLU's flat part).
    assert abs(run.b3[1] - best) > abs(run.b3[0] - best)
    assert run.stop == "stuck" and run.ssr[-1] == pytest.approx(1.0)


def test_a_huge_learning_rate_kills_the_output_relu():
    run = fit_all(random_start(DEFAULT_SEED), 5.0)
    assert run.stop == "stuck" and run.last_step < 5
    assert not run.gradient[-1].any() and run.ssr[-1] == pytest.approx(1.0)  # predicts 0 everywhere


def test_numbers_that_overflow_stop_the_run_without_a_warning(recwarn):
    huge = Params(w1=1e200, b1=0.0, w2=1e200, b2=0.0, w3=1e200, w4=1e200, b3=1.0)
    run = fit_all(huge, 0.1)
    assert run.stop == "blown up" and run.last_step == 0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ---------------------------------------------------------------- the link, the view, the charts


fit_states = st.builds(
    FitState,
    mode=st.sampled_from(MODES),
    step=st.integers(0, 1000),
    lr=st.floats(0.01, 5.0),
    b3start=st.floats(-100, 100),
    seed=st.integers(0, 99_999),
    point=st.sampled_from(TRAINING_POINTS),
    params=st.builds(lambda w1, w4: ARTICLE_PARAMS.with_values(w1=w1, w4=w4), st.floats(-100, 100),
                     st.floats(-100, 100)),
)


@settings(max_examples=200, deadline=None)
@given(fit_states)
def test_a_fit_link_reads_back_to_the_same_state(state):
    parsed, warnings = parse_fit_query(fit_query(state))
    assert warnings == []
    assert parsed == state


def test_the_statquest_link_has_only_what_differs_from_the_defaults():
    assert fit_query(FitState(step=12)) == {"step": "12"}
    state, warnings = parse_fit_query({"step": "12", "lr": "0.1", "b3start": "0"})
    assert warnings == [] and state == FitState(step=12)


@pytest.mark.parametrize(
    ("name", "value"),
    [("step", "abc"), ("step", "-1"), ("step", "1001"), ("lr", "nan"), ("lr", "0"), ("lr", "0.0001"), ("lr", "inf"),
     ("b3start", "1e9"), ("fit", "<b>all</b>"), ("seed", "1.5"), ("point", "0.25"), ("w1", "x" * 5000)],
)
def test_a_bad_fit_link_value_is_named_ignored_and_not_echoed(name, value):
    state, warnings = parse_fit_query({name: value})
    assert state == FitState()
    [warning] = warnings
    assert warning.startswith(f"Ignored `{name}` from the link")
    assert len(value) < 4 or value not in warning  # what the link carried is not echoed


def test_the_view_explains_the_first_step_with_the_current_numbers():
    view = fit_view(FitState())
    assert view.heading == "Step 0 of 34 · b3 = 0.0000, SSR = 256.32"
    text = "\n".join(markdown for _, markdown in view.sections)
    assert "| 0.50 | 1.00 | 17.0100 | 17.0100 | -16.0100 | 1 | 32.0200 |" in text
    assert "is 0.00 and -0.66: ReLU is flat there" in text and "Only dosage 0.50 pulls." in text
    assert "**Slope** d SSR / d b3 = the sum of the shares = 0.0000 + 32.0200 + 0.0000 = **32.0200**" in text
    assert "= 0.1 × 32.0200 = **3.2020**" in text and "= **-3.2020**" in text


def test_the_view_past_the_end_shows_the_last_step_and_says_it_is_done():
    view = fit_view(FitState(step=500))
    assert view.step == view.last_step == 34
    assert view.heading.startswith("Step 34 of 34 · b3 = -16.0019")
    assert [m.kind for m in view.messages] == ["success"]
    assert "after step 34, at b3 = -16.0019" in view.messages[0].text


def test_a_learning_rate_of_1_1_is_said_to_diverge():
    view = fit_view(FitState(lr=1.1))
    [verdict] = [m for m in view.messages if "diverges" in m.text]
    assert verdict.kind == "warning" and "1.20" in verdict.text  # |1 - 2 × 1 × 1.1|


def test_a_dead_hidden_node_is_explained_in_every_weight_mode():
    seed = first_seed(lambda params: bool(dead_nodes(params)))
    view = fit_view(FitState(mode="all", seed=seed))
    node = dead_nodes(random_start(seed))[0]
    weight, bias = HIDDEN_NODES[node][1]
    assert any(f"The {node} node is dead" in m.text and f"gradients of {weight} and {bias} are exactly 0" in m.text
               for m in view.messages)
    gradients = view.sections[0][1]
    assert f"| {weight} |" in gradients


def test_the_backprop_table_walks_back_from_stage_7_for_the_chosen_point():
    view = fit_view(FitState(mode="all", step=3, point="1"))
    title, table = view.sections[1]
    assert title.endswith("at dosage 1.00")
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [int(row[2]) for row in rows] == [7, 6, 5, 4, 3, 2, 1]


def test_the_chart_templates_are_valid_vega_lite_and_a_step_fills_only_its_layers():
    import altair as alt

    view = fit_view(FitState(step=3))
    for spec in (view.left_spec, view.right_spec, fit_view(FitState(mode="all", step=3)).left_spec):
        alt.LayerChart.from_dict(spec)  # raises on an invalid spec
    path = view.left_spec["layer"][1]["data"]["values"]
    assert [round(p["b3"], 4) for p in path] == [0.0, -3.202, -5.7636, -7.8129]
    again = fit_view(FitState(step=1)).left_spec["layer"][1]["data"]["values"]
    assert len(again) == 2  # the cached template was not changed by the step before


def test_the_loss_curve_is_exact_at_the_kinks():
    view = fit_view(FitState())
    curve = view.left_spec["layer"][0]["data"]["values"]
    summed = training_sum(ARTICLE_PARAMS)
    drawn = {round(p["b3"], 9) for p in curve}
    low, high = min(drawn), max(drawn)
    for kink in bias_kinks(summed):
        if low < kink < high:
            assert round(float(kink), 9) in drawn
