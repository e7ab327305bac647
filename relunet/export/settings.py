"""What to export and in which frames: `ExportSettings`, validated against the
one bounds table (relunet.bounds), and the frame plan (which stage, how far
into the morph, how long each frame shows). Light imports only."""

from __future__ import annotations

from dataclasses import dataclass, field

from relunet import bounds
from relunet.bounds import MAX_TOTAL_MEGAPIXELS, STAGE_COUNT
from relunet.network import ACTIVATIONS, ARTICLE_PARAMS, DEFAULT_ACTIVATION, PARAM_NAMES, Params
from relunet.style import SLIDE_SIZE


@dataclass(frozen=True)
class ExportSettings:
    """What to export. Durations are in milliseconds and are rounded to the
    GIF's 10 ms steps when encoded; `processes` counts this process and its
    helpers, None means one helper when there is a second core."""

    params: Params = field(default=ARTICLE_PARAMS)
    activation: str = DEFAULT_ACTIVATION
    width: int = SLIDE_SIZE[0]
    height: int = SLIDE_SIZE[1]
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
            bounds.check(name, getattr(self.params, name))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {self.activation!r}")
        for name in ("width", "height", "tween"):
            _check_whole(name, getattr(self, name))
        for name, ms in (("hold", self.hold_ms), ("final_hold", self.final_hold_ms), ("tween_time", self.tween_ms)):
            _check_whole(f"{name}_ms", ms)
            seconds = bounds.BOUNDS[name]  # the table is in seconds, as people type them
            bounds.Bound(seconds.low * 1000, seconds.high * 1000, whole=True, unit="ms").check(f"{name}_ms", ms)
        if self.processes is not None:
            _check_whole("processes", self.processes)
        megapixels = self.frame_count * self.width * self.height / 1e6
        if megapixels > MAX_TOTAL_MEGAPIXELS:
            raise ValueError(
                f"too many frames: {self.frame_count} frames of {self.width}×{self.height} are {megapixels:.0f} "
                f"megapixels, more than the {MAX_TOTAL_MEGAPIXELS} allowed; use fewer in-between frames or a "
                "smaller size"
            )
        return self


def _check_whole(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if name in bounds.BOUNDS:
        bounds.check(name, value)


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
