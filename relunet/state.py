"""The shareable settings: one schema, URL query <-> page state, validation.

Adding a setting is one row in SETTINGS; its limits come from the one table
in relunet.bounds. Parsing never raises: a bad value is replaced by its
default and reported in plain words (never echoed, so nothing a link carries
is rendered back to the reader).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from relunet.bounds import BOUNDS, MAX_TEXT_LENGTH, Rejected
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params
from relunet.wording import num


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    kind: type  # int, float or str
    default: object
    choices: tuple[str, ...] = ()

    @property
    def low(self) -> float | None:
        return BOUNDS[self.name].low if self.name in BOUNDS else None

    @property
    def high(self) -> float | None:
        return BOUNDS[self.name].high if self.name in BOUNDS else None

    def describe_bounds(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is int:
            return f"a whole number from {int(self.low)} to {int(self.high)}"
        return f"a number from {num(self.low)} to {num(self.high)}"

    def default_text(self) -> str:
        return num(self.default) if self.kind is float else str(self.default)

    def parse(self, text: str) -> object:
        """The value `text` stands for, or ValueError with the short reason."""
        if self.choices:
            text = text.strip()
            if len(text) > MAX_TEXT_LENGTH:
                raise ValueError("the value is too long")
            if text.lower() not in self.choices:
                raise ValueError("not a known choice")
            return text.lower()
        try:
            return BOUNDS[self.name].parse_text(self.name, text)
        except Rejected as rejected:
            raise ValueError(rejected.reason) from None

    def format(self, value: object) -> str:
        if self.kind is float:
            # Shortest text that reads back to the same float; "3" not "3.0".
            text = repr(float(value))
            return text[:-2] if text.endswith(".0") else text
        return str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting("stage", "Stage", int, 1),
    *(Setting(name, name, float, getattr(ARTICLE_PARAMS, name)) for name in PARAM_NAMES),
    Setting("act", "Activation", str, DEFAULT_ACTIVATION, choices=tuple(ACTIVATIONS)),
    Setting("probe", "Probe dosage", float, 0.5),
    Setting("present", "Presenter view", int, 0),
    # "predict": the learner predicts each stage's curve before it is shown (relunet.practice).
    Setting("mode", "Mode", str, "explore", choices=("explore", "predict")),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class PageState:
    stage: int = 1
    params: Params = field(default=ARTICLE_PARAMS)
    activation: str = DEFAULT_ACTIVATION
    probe: float = 0.5
    present: bool = False  # the presenter view: projector-sized, one screen
    mode: str = "explore"

    def values(self) -> dict[str, object]:
        """The state as {setting name: value}, the shape widgets and URLs use."""
        return {"stage": self.stage, **self.params.as_dict(), "act": self.activation, "probe": self.probe,
                "present": int(self.present), "mode": self.mode}

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> PageState:
        merged = {**cls().values(), **{k: v for k, v in values.items() if k in SETTINGS_BY_NAME}}
        params = Params(**{name: float(merged[name]) for name in PARAM_NAMES})
        return cls(int(merged["stage"]), params, str(merged["act"]), float(merged["probe"]),
                   bool(merged["present"]), str(merged["mode"]))


DEFAULT_STATE = PageState()


def parse_query(query: Mapping[str, str | Sequence[str]]) -> tuple[PageState, list[str]]:
    """Page state from URL query values, and a message for each value ignored.

    Unknown keys are left alone: hosts add their own (e.g. `embed`)."""
    values, warnings = read_settings(query, SETTINGS)
    return PageState.from_values(values), warnings


def read_settings(
    query: Mapping[str, str | Sequence[str]], settings: Sequence[Setting]
) -> tuple[dict[str, object], list[str]]:
    """The values of `settings` a URL query gives, and a one-line message for each value ignored
    (the link's text is never echoed). Shared by every page's link reader."""
    values: dict[str, object] = {}
    warnings: list[str] = []
    for setting in settings:
        raw = query.get(setting.name)
        texts = [raw] if isinstance(raw, str) else list(raw or ())
        if not texts:
            continue
        if len(texts) > 1:
            warnings.append(f"`{setting.name}` was given {len(texts)} times in the link; using the last one.")
        try:
            values[setting.name] = setting.parse(str(texts[-1]))
        except ValueError as reason:
            warnings.append(
                f"Ignored `{setting.name}` from the link ({reason}): it must be {setting.describe_bounds()}. "
                f"Using the default, {setting.default_text()}."
            )
    return values, warnings


def to_query(state: PageState) -> dict[str, str]:
    """The URL query for a state: only what differs from the defaults."""
    defaults = DEFAULT_STATE.values()
    return {
        name: SETTINGS_BY_NAME[name].format(value)
        for name, value in state.values().items()
        if value != defaults[name]
    }
