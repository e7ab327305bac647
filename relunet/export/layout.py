"""Where things sit on a slide: the 960×540 layout and how it lands in a
frame of any size. Plain arithmetic, no chart imports, so the export can
start its renderer before the chart stack is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from relunet.style import SLIDE_SIZE

BASE_WIDTH, BASE_HEIGHT = SLIDE_SIZE


@dataclass(frozen=True)
class Box:
    """A piece's place on the 960×540 layout; `pad` is room outside the plot
    for axes, legend and titles (Vega padding: left, top, right, bottom)."""

    x: int
    y: int
    width: int
    height: int
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def outer(self) -> tuple[int, int]:
        left, top, right, bottom = self.pad
        return self.width + left + right, self.height + top + bottom


@dataclass(frozen=True)
class Placement:
    """Where the 960×540 layout lands in a frame of another size."""

    width: int
    height: int

    @property
    def scale(self) -> float:
        return min(self.width / BASE_WIDTH, self.height / BASE_HEIGHT)

    def origin(self, box: Box) -> tuple[int, int]:
        left = (self.width - BASE_WIDTH * self.scale) / 2
        top = (self.height - BASE_HEIGHT * self.scale) / 2
        return round(left + box.x * self.scale), round(top + box.y * self.scale)
