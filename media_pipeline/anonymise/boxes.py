"""Rectangles in a picture: faces found, words read and regions a curator marked."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in pixels: left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        """One past the last column."""
        return self.x + self.width

    @property
    def bottom(self) -> int:
        """One past the last row."""
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class RelativeBox:
    """A rectangle as fractions (0..1) of a picture's width and height.

    Curators mark regions on a picture shown at any size; fractions keep the region in
    place however large the published copy is.
    """

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        values = (self.x, self.y, self.width, self.height)
        if not all(isinstance(v, int | float) and 0.0 <= v <= 1.0 for v in values):
            raise ValueError("a box's position and size are fractions between 0 and 1")
        if self.width <= 0 or self.height <= 0:
            raise ValueError("a box needs a width and a height")
        if self.x + self.width > 1.0 + 1e-9 or self.y + self.height > 1.0 + 1e-9:
            raise ValueError("a box must lie inside the picture")

    def in_pixels(self, size: tuple[int, int]) -> Box:
        """The box in a picture of ``size`` (width, height), rounded outwards."""
        width, height = size
        x0, y0 = int(self.x * width), int(self.y * height)
        x1 = min(width, math.ceil((self.x + self.width) * width))
        y1 = min(height, math.ceil((self.y + self.height) * height))
        return Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))
