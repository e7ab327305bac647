"""Every limit a value must keep, in one table that the URL parser, the page's
widgets, the export settings and the command line all read.

`parse_text` turns what a person typed (a link, a flag) into a value or a
one-line reason; `check` does the same for a value already in hand. Neither
echoes the rejected text back in full: a link may carry anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from relunet.network import PARAM_NAMES

MAX_TEXT_LENGTH = 32
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")

WEIGHT_LIMIT = 100.0  # |weight| and |bias|: wide enough to explore, narrow enough to plot
STAGE_COUNT = 7  # the stage registry checks that it has exactly this many
# Export frames are held in memory until encoded: about one byte per pixel.
MAX_TOTAL_MEGAPIXELS = 120


class Rejected(ValueError):
    """A value outside its bound. `reason` is the short why ("out of range",
    "not a number", "not a finite number", "too long"); str() is a whole
    sentence naming the setting and its range."""

    def __init__(self, name: str, reason: str, sentence: str):
        super().__init__(sentence)
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Bound:
    """A closed range [low, high]; `whole` for whole numbers; `unit` for messages."""

    low: float
    high: float
    whole: bool = False
    unit: str = ""

    def describe(self, number_format: str = "g") -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.whole:
            return f"a whole number from {int(self.low)} to {int(self.high)}{unit}"
        return f"a number from {self.low:{number_format}} to {self.high:{number_format}}{unit}"

    def _range(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.whole:
            return f"from {int(self.low)} to {int(self.high)}{unit}"
        return f"from {self.low:g} to {self.high:g}{unit}"

    def check(self, name: str, value: object) -> float | int:
        """`value` if it is allowed, else Rejected naming `name` and the range."""
        kind = "a whole number" if self.whole else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Rejected(name, "not a number", f"{name} must be {kind}, not {type(value).__name__}")
        if not math.isfinite(value):
            raise Rejected(name, "not a finite number", f"{name} must be a finite number")
        if self.whole and value != int(value):
            raise Rejected(name, "not a number", f"{name} must be a whole number, not {value:g}")
        if not self.low <= value <= self.high:
            raise Rejected(name, "out of range", f"{name} must be {self._range()}, not {value:g}")
        return int(value) if self.whole else float(value)

    def parse_text(self, name: str, text: str) -> float | int:
        """The value typed as `text`, or Rejected (which never quotes `text`)."""
        text = text.strip()
        kind = "a whole number" if self.whole else "a number"
        if len(text) > MAX_TEXT_LENGTH:
            raise Rejected(name, "the value is too long", f"{name} is too long: it must be {self.describe()}")
        pattern = _INTEGER if self.whole else _DECIMAL
        if not pattern.fullmatch(text):
            if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
                raise Rejected(name, "not a finite number", f"{name} must be a finite number")
            raise Rejected(name, "not a number", f"{name} must be {kind}")
        return self.check(name, int(text) if self.whole else float(text))


BOUNDS: dict[str, Bound] = {
    # The lesson: the shareable settings.
    "stage": Bound(1, STAGE_COUNT, whole=True),
    **{name: Bound(-WEIGHT_LIMIT, WEIGHT_LIMIT) for name in PARAM_NAMES},
    "probe": Bound(0.0, 1.0),
    "present": Bound(0, 1, whole=True),  # the presenter view: 1 on, 0 off
    # The export.
    "width": Bound(160, 1920, whole=True, unit="px"),
    "height": Bound(90, 1080, whole=True, unit="px"),
    "tween": Bound(0, 30, whole=True, unit="frames"),
    "hold": Bound(0.02, 60.0, unit="s"),
    "final_hold": Bound(0.02, 60.0, unit="s"),
    "tween_time": Bound(0.02, 1.0, unit="s"),
    "processes": Bound(1, 4, whole=True),
}


def check(name: str, value: object) -> float | int:
    return BOUNDS[name].check(name, value)
