"""The fit page's shareable settings: URL query <-> state, validated with the same
`Setting` rows as the seven-stage page (a bad value is replaced by its default and
reported, never echoed).

The fit page also carries the six weights it does not fit in bias mode (w1 … w4,
b1, b2), using the seven-stage page's own rows, so a shared /fit link reproduces
the numbers it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from relunet.network import ARTICLE_PARAMS, PARAM_NAMES, Params
from relunet.state import SETTINGS_BY_NAME, Setting, read_settings

MODES = ("bias", "all")  # fit b3 alone, or every weight by backpropagation
TRAINING_POINTS = ("0", "0.5", "1")  # the dosages, as the backprop table's point choice
# Seed 27 is the first start (weights from a standard normal, biases 0) that plain gradient
# descent at learning rate 0.1 fits to the training data; tests check that it still does.
DEFAULT_SEED = 27
FIXED_WEIGHTS = tuple(name for name in PARAM_NAMES if name != "b3")  # b3 is fitted, from `b3start`

FIT_SETTINGS: tuple[Setting, ...] = (
    # `fit`, not `mode`: the seven-stage page's `mode` (explore/predict) reads every link too.
    Setting("fit", "What to fit", str, "bias", choices=MODES),
    # Limits: relunet.bounds, the one table.
    Setting("step", "Step", int, 0),
    Setting("lr", "Learning rate", float, 0.1),
    Setting("b3start", "Starting b3", float, 0.0),
    Setting("seed", "Seed", int, DEFAULT_SEED),
    Setting("point", "Training point", str, "0.5", choices=TRAINING_POINTS),
)
FIT_SETTINGS_BY_NAME = {s.name: s for s in FIT_SETTINGS}
WEIGHT_SETTINGS: tuple[Setting, ...] = tuple(SETTINGS_BY_NAME[name] for name in FIXED_WEIGHTS)
ALL_SETTINGS: tuple[Setting, ...] = FIT_SETTINGS + WEIGHT_SETTINGS


@dataclass(frozen=True)
class FitState:
    mode: str = "bias"
    step: int = 0
    lr: float = 0.1
    b3start: float = 0.0
    seed: int = DEFAULT_SEED
    point: str = "0.5"
    params: Params = field(default=ARTICLE_PARAMS)  # b3 is ignored: the fit starts from b3start

    def values(self) -> dict[str, object]:
        weights = self.params.as_dict()
        return {
            "fit": self.mode, "step": self.step, "lr": self.lr, "b3start": self.b3start, "seed": self.seed,
            "point": self.point, **{name: weights[name] for name in FIXED_WEIGHTS},
        }

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> FitState:
        known = {setting.name for setting in ALL_SETTINGS}
        merged = {**cls().values(), **{k: v for k, v in values.items() if k in known}}
        params = ARTICLE_PARAMS.with_values(**{name: float(merged[name]) for name in FIXED_WEIGHTS})
        return cls(
            str(merged["fit"]), int(merged["step"]), float(merged["lr"]), float(merged["b3start"]),
            int(merged["seed"]), str(merged["point"]), params,
        )

    def with_step(self, step: int) -> FitState:
        return replace(self, step=step)

    @property
    def point_index(self) -> int:
        return TRAINING_POINTS.index(self.point)


DEFAULT_FIT_STATE = FitState()


def parse_fit_query(
    query: Mapping[str, str | Sequence[str]], settings: Sequence[Setting] = ALL_SETTINGS
) -> tuple[FitState, list[str]]:
    """Fit state from URL query values, and a one-line message for each value ignored. Only
    `settings` are read (the page leaves the weights to the seven-stage page's reader)."""
    values, warnings = read_settings(query, settings)
    return FitState.from_values(values), warnings


def fit_query(state: FitState) -> dict[str, str]:
    """The URL query for a fit state: only what differs from the defaults."""
    defaults = DEFAULT_FIT_STATE.values()
    by_name = {setting.name: setting for setting in ALL_SETTINGS}
    return {name: by_name[name].format(value) for name, value in state.values().items() if value != defaults[name]}
