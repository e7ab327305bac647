"""Where the weights come from: the loss, its slopes, and gradient descent.

Pure numpy, no page or chart code. The loss is the sum of squared residuals
(SSR) on the three training points. Fitting b3 alone needs one slope; fitting
every weight needs backpropagation, which here walks the seven-stage registry
in reverse, applying each stage's local derivative (the chain rule).

ReLU's slope is taken as 0 at exactly 0, as PyTorch does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from relunet.bounds import FIT_STEP_LIMIT as STEP_LIMIT
from relunet.network import PARAM_NAMES, TRAINING_DATA, Params, Trace, forward
from relunet.stages import STAGES

TRAINING_X = np.array([x for x, _ in TRAINING_DATA], dtype=float)
TRAINING_Y = np.array([y for _, y in TRAINING_DATA], dtype=float)
SSR_THRESHOLD = 1e-4  # a fit this close counts as done
# Once the SSR is this large the numbers no longer mean anything on a page: the run has blown up.
BLOWN_UP_SSR = 1e12


def relu_slope(z: np.ndarray) -> np.ndarray:
    """ReLU'(z): 1 where z > 0, else 0 (0 at exactly 0, as PyTorch)."""
    return (np.asarray(z) > 0).astype(float)


def ssr(params: Params) -> float:
    """Sum of squared residuals of the ReLU network on the training data."""
    predicted = forward(params, TRAINING_X, "relu").output
    return float(np.sum((TRAINING_Y - predicted) ** 2))


# ---------------------------------------------------------------- fitting b3 alone


@dataclass(frozen=True)
class BiasPoints:
    """Each training point's part in d SSR / d b3 at one value of b3."""

    dosage: np.ndarray
    observed: np.ndarray
    output_input: np.ndarray  # sum + b3, what the final ReLU receives
    predicted: np.ndarray
    error: np.ndarray  # observed - predicted
    relu_slope: np.ndarray
    share: np.ndarray  # -2 · error · ReLU'(sum + b3)

    @property
    def slope(self) -> float:
        return float(self.share.sum())

    @property
    def ssr(self) -> float:
        return float(np.sum(self.error**2))


def bias_points(summed: np.ndarray, b3: float) -> BiasPoints:
    """`summed` is w3·top + w4·bottom at the training dosages (it does not depend on b3)."""
    output_input = summed + b3
    predicted = np.maximum(output_input, 0.0)
    error = TRAINING_Y - predicted
    slope = relu_slope(output_input)
    return BiasPoints(TRAINING_X, TRAINING_Y, output_input, predicted, error, slope, -2.0 * error * slope)


def training_sum(params: Params) -> np.ndarray:
    return forward(params, TRAINING_X, "relu").summed


@dataclass(frozen=True)
class BiasRun:
    """Gradient descent on b3 alone: entry k is the state after k steps."""

    summed: np.ndarray
    learning_rate: float
    b3: np.ndarray
    slope: np.ndarray
    ssr: np.ndarray
    stop: str  # "converged", "stuck", "blown up" or "step limit"

    @property
    def last_step(self) -> int:
        return len(self.b3) - 1

    def points(self, step: int) -> BiasPoints:
        return bias_points(self.summed, float(self.b3[step]))

    @property
    def best_b3(self) -> float:
        """Where the SSR is lowest, from the exact piecewise-quadratic loss."""
        return best_bias(self.summed)


def fit_bias(params: Params, b3_start: float, learning_rate: float, limit: int = STEP_LIMIT) -> BiasRun:
    """Step b3 downhill until the SSR is below SSR_THRESHOLD, the slope is 0 (nothing can move),
    the numbers blow up, or `limit` steps."""
    summed = training_sum(params)
    b3, slopes, losses = [float(b3_start)], [], []
    stop = "step limit"
    for step in range(limit + 1):
        points = bias_points(summed, b3[-1])
        slopes.append(points.slope)
        losses.append(points.ssr)
        if points.ssr < SSR_THRESHOLD:
            stop = "converged"
            break
        if points.slope == 0.0:
            stop = "stuck"
            break
        if not np.isfinite(points.ssr) or points.ssr > BLOWN_UP_SSR:
            stop = "blown up"
            break
        if step == limit:
            break
        b3.append(b3[-1] - learning_rate * points.slope)
    return BiasRun(summed, float(learning_rate), np.array(b3), np.array(slopes), np.array(losses), stop)


def bias_kinks(summed: np.ndarray) -> np.ndarray:
    """Values of b3 where a training point's final ReLU switches on or off."""
    return np.unique(-summed)


def ssr_over_bias(summed: np.ndarray, b3: np.ndarray) -> np.ndarray:
    """The SSR for many values of b3 at once."""
    predicted = np.maximum(summed[None, :] + np.asarray(b3, dtype=float)[:, None], 0.0)
    return np.sum((TRAINING_Y[None, :] - predicted) ** 2, axis=1)


def best_bias(summed: np.ndarray) -> float:
    """The b3 with the lowest SSR. Between kinks the SSR is a parabola in b3 (or flat), so its
    minimum is at a kink or at a parabola's vertex: the mean of (observed - sum) over the points
    that are on."""
    kinks = bias_kinks(summed)
    candidates = list(kinks)
    edges = [-np.inf, *kinks, np.inf]
    for left, right in zip(edges[:-1], edges[1:]):
        probe = (left + right) / 2 if np.isfinite(left) and np.isfinite(right) else (
            right - 1.0 if np.isfinite(right) else left + 1.0
        )
        on = summed + probe > 0
        if on.any():
            vertex = float(np.mean(TRAINING_Y[on] - summed[on]))
            if left <= vertex <= right:
                candidates.append(vertex)
    values = ssr_over_bias(summed, np.array(candidates))
    return float(candidates[int(np.argmin(values))])


# ---------------------------------------------------------------- backpropagation

# Each stage's local derivatives: d(stage's curve) / d(what it is computed from), per point.
# Keys that are curves pass the gradient further back; keys that are parameters collect it.
LocalDerivatives = Callable[[Trace, Params], dict[str, np.ndarray | float]]

BACKWARD: dict[str, LocalDerivatives] = {
    "output": lambda t, p: {"output_input": relu_slope(t.output_input)},
    "output_input": lambda t, p: {"summed": 1.0, "b3": 1.0},
    "summed": lambda t, p: {"top_scaled": 1.0, "bottom_scaled": 1.0},
    "bottom_scaled": lambda t, p: {"bottom": p.w4, "w4": t.bottom},
    "bottom": lambda t, p: {"w2": relu_slope(t.bottom_input) * t.dosage, "b2": relu_slope(t.bottom_input)},
    "top_scaled": lambda t, p: {"top": p.w3, "w3": t.top},
    "top": lambda t, p: {"w1": relu_slope(t.top_input) * t.dosage, "b1": relu_slope(t.top_input)},
}


@dataclass(frozen=True)
class Backprop:
    """One backward pass. Arrays hold one value per training point."""

    trace: Trace
    observed: np.ndarray
    # d SSR / d curve, for the output and every stage's curve: what flows back into each stage.
    upstream: dict[str, np.ndarray]
    # d SSR / d parameter, split by training point; sum over points for the gradient.
    per_point: dict[str, np.ndarray]
    # The stages in the order the chain rule visited them.
    order: tuple[int, ...]

    def gradient(self) -> dict[str, float]:
        return {name: float(self.per_point[name].sum()) for name in PARAM_NAMES}

    def gradient_vector(self) -> np.ndarray:
        return np.array([self.per_point[name].sum() for name in PARAM_NAMES])


def backprop(params: Params, dosage: np.ndarray = TRAINING_X, observed: np.ndarray = TRAINING_Y) -> Backprop:
    """The gradient of the SSR with respect to all seven parameters, by the chain rule: start
    from d SSR / d output = -2·(observed - output) and walk the stages from last to first,
    multiplying by each stage's local derivative."""
    trace = forward(params, dosage, "relu")
    observed = np.asarray(observed, dtype=float)
    upstream: dict[str, np.ndarray] = {"output": -2.0 * (observed - trace.output)}
    per_point: dict[str, np.ndarray] = {}
    order = []
    for stage_ in reversed(STAGES):
        order.append(stage_.number)
        arriving = upstream[stage_.curve]
        for name, local in BACKWARD[stage_.curve](trace, params).items():
            contribution = arriving * local
            if name in PARAM_NAMES:
                per_point[name] = contribution
            else:
                upstream[name] = upstream[name] + contribution if name in upstream else contribution
    return Backprop(trace, observed, upstream, per_point, tuple(order))


def random_start(seed: int) -> Params:
    """A seeded start as in StatQuest's backpropagation videos: weights from a standard normal
    distribution, biases 0."""
    w1, w2, w3, w4 = np.random.default_rng(seed).standard_normal(4)
    return Params(w1=float(w1), b1=0.0, w2=float(w2), b2=0.0, w3=float(w3), w4=float(w4), b3=0.0)


@dataclass(frozen=True)
class FullRun:
    """Gradient descent on all seven parameters: row k is the state after k steps."""

    learning_rate: float
    params: np.ndarray  # (steps + 1, 7), columns in PARAM_NAMES order
    gradient: np.ndarray  # (steps + 1, 7): the gradient at each row's parameters
    ssr: np.ndarray
    stop: str  # "converged", "stuck", "blown up" or "step limit"

    @property
    def last_step(self) -> int:
        return len(self.ssr) - 1

    def params_at(self, step: int) -> Params:
        return Params(**dict(zip(PARAM_NAMES, map(float, self.params[step]))))


def _loss_and_gradient(values: np.ndarray, gradient: np.ndarray) -> float:
    """The SSR, with its gradient written into `gradient`, for parameters in PARAM_NAMES order, in
    a handful of array operations: the two hidden nodes side by side as columns, the training
    points as rows. The same chain rule as `backprop` (tests hold the two equal); this form is
    what makes a thousand steps take milliseconds, where the stage-by-stage walk spends its time
    in Python."""
    w_in, b_in, w_out, b3 = values[0:4:2], values[1:4:2], values[4:6], values[6]
    hidden_input = np.multiply.outer(TRAINING_X, w_in) + b_in
    hidden = np.maximum(hidden_input, 0.0)
    output_input = hidden @ w_out + b3
    residual = TRAINING_Y - np.maximum(output_input, 0.0)
    d_output_input = -2.0 * residual * (output_input > 0)
    d_hidden_input = np.multiply.outer(d_output_input, w_out) * (hidden_input > 0)
    gradient[0:4:2] = TRAINING_X @ d_hidden_input
    gradient[1:4:2] = d_hidden_input.sum(axis=0)
    gradient[4:6] = d_output_input @ hidden
    gradient[6] = d_output_input.sum()
    return float(residual @ residual)


def fit_all(start: Params, learning_rate: float, limit: int = STEP_LIMIT) -> FullRun:
    """Plain gradient descent on all seven parameters until the SSR is below SSR_THRESHOLD,
    every gradient is 0 (nothing can move), the numbers blow up, or `limit` steps."""
    rows = np.empty((limit + 1, 7))  # row k: the parameters after k steps, written in place
    gradients = np.empty((limit + 1, 7))
    losses = np.empty(limit + 1)
    rows[0] = [getattr(start, name) for name in PARAM_NAMES]
    stop, step = "step limit", 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(limit + 1):
            gradient = gradients[step]
            loss = losses[step] = _loss_and_gradient(rows[step], gradient)
            if loss < SSR_THRESHOLD:
                stop = "converged"
                break
            size = float(gradient @ gradient)  # one number that is NaN or inf if any gradient is
            if not (math.isfinite(loss) and math.isfinite(size)) or loss > BLOWN_UP_SSR:
                stop = "blown up"
                break
            if size == 0.0 and not gradient.any():
                stop = "stuck"
                break
            if step < limit:
                np.subtract(rows[step], learning_rate * gradient, out=rows[step + 1])
    end = step + 1
    return FullRun(float(learning_rate), rows[:end].copy(), gradients[:end].copy(), losses[:end].copy(), stop)


HIDDEN_NODES = {"top": ("top_input", ("w1", "b1")), "bottom": ("bottom_input", ("w2", "b2"))}


def dead_nodes(params: Params) -> list[str]:
    """Hidden nodes whose ReLU is off (input <= 0) at every training dosage: their weight and bias
    get a gradient of exactly 0, so gradient descent can never switch them back on."""
    trace = forward(params, TRAINING_X, "relu")
    return [node for node, (curve, _) in HIDDEN_NODES.items() if not np.any(getattr(trace, curve) > 0)]


def output_dead(params: Params) -> bool:
    """The output ReLU is off at every training dosage: every gradient is 0."""
    return not np.any(forward(params, TRAINING_X, "relu").output_input > 0)


def first_seed(condition: Callable[[Params], bool], limit: int = 1000) -> int:
    """The smallest seed whose random start satisfies `condition`."""
    return next(seed for seed in range(limit) if condition(random_start(seed)))
