"""What to export and in which frames: `ExportSettings` with its bounds and
one-line validation, and the frame plan (which stage, how far into the morph,
how long each frame shows). Light imports only."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params
from relunet.stages import STAGE_COUNT  # light: no chart stack behind it
from relunet.state import WEIGHT_LIMIT

WIDTH_RANGE = (160, 1920)
HEIGHT_RANGE = (90, 1080)
TWEEN_RANGE = (0, 30)
HOLD_MS_RANGE = (20, 60_000)
TWEEN_MS_RANGE = (20, 1_000)
MAX_FRAMES = STAGE_COUNT + (STAGE_COUNT - 1) * TWEEN_RANGE[1]
# Frames are kept in memory until encoded: about one byte per pixel.
MAX_TOTAL_MEGAPIXELS = 120
PROCESSES_RANGE = (1, 4)


@dataclass(frozen=True)
class ExportSettings:
    """What to export. Durations are in milliseconds and are rounded to the
    GIF's 10 ms steps when encoded; `processes` counts this process and its
    helpers, None means one helper when there is a second core."""

    params: Params = field(default=ARTICLE_PARAMS)
    activation: str = DEFAULT_ACTIVATION
    width: int = 960
    height: int = 540
    tween: int = 8
    hold_ms: int = 2000
    final_hold_ms: int = 5000
    tween_ms: int = 60
    processes: int | None = None

    @property
    def frame_count(self) -> int:
        return STAGE_COUNT + (STAGE_COUNT - 1) * self.tween

    def validate(self) -> ExportSettings:
        """The settings themselves, or ValueError with a one-line reason."""
        for name in PARAM_NAMES:
            value = getattr(self.params, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
            if abs(value) > WEIGHT_LIMIT:
                raise ValueError(f"{name} must be between -{WEIGHT_LIMIT:g} and {WEIGHT_LIMIT:g}, not {value:g}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {self.activation!r}")
        for name, bounds, unit in (
            ("width", WIDTH_RANGE, " px"),
            ("height", HEIGHT_RANGE, " px"),
            ("tween", TWEEN_RANGE, " frames"),
            ("hold_ms", HOLD_MS_RANGE, " ms"),
            ("final_hold_ms", HOLD_MS_RANGE, " ms"),
            ("tween_ms", TWEEN_MS_RANGE, " ms"),
        ):
            _check_whole(name, getattr(self, name), bounds, unit)
        if self.processes is not None:
            _check_whole("processes", self.processes, PROCESSES_RANGE, "")
        megapixels = self.frame_count * self.width * self.height / 1e6
        if megapixels > MAX_TOTAL_MEGAPIXELS:
            raise ValueError(
                f"too many frames: {self.frame_count} frames of {self.width}×{self.height} are {megapixels:.0f} "
                f"megapixels, more than the {MAX_TOTAL_MEGAPIXELS} allowed; use fewer in-between frames or a "
                "smaller size"
            )
        return self


def _check_whole(name: str, value: object, bounds: tuple[int, int], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number from {low} to {high}{unit}, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}{unit}, not {value}")


@dataclass(frozen=True)
class FramePlan:
    stage: int
    progress: float  # 1.0 = the stage's held frame
    duration_ms: int


def frame_plan(settings: ExportSettings) -> list[FramePlan]:
    """Every frame in order: stage 1 held, then for each next stage its
    in-between frames and its held frame; the final stage holds longest."""
    plan = []
    for number in range(1, STAGE_COUNT + 1):
        if number > 1:
            steps = settings.tween + 1
            plan += [FramePlan(number, i / steps, settings.tween_ms) for i in range(1, steps)]
        hold = settings.final_hold_ms if number == STAGE_COUNT else settings.hold_ms
        plan.append(FramePlan(number, 1.0, hold))
    return plan
