"""The geometry of the home page's charts: pure functions from a series to SVG shapes.

Every chart is drawn in a fixed viewBox (WIDTH x HEIGHT user units) that the page scales
to its width, so the numbers here do not depend on the screen. Coordinates are rounded to
a tenth of a unit: enough for a sharp drawing, and exact to compare in tests. The words
and numbers a person reads are HTML around the drawing (and a table for screen readers),
never SVG text, which would shrink with the drawing on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 150
HEIGHT_STACK = 24  # the stacked bar's own viewBox is WIDTH x HEIGHT_STACK
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between bars


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


def _r(value: float) -> float:
    return round(value, 1)


def columns(values: Sequence[int], width: int = WIDTH, height: int = HEIGHT) -> list[Rect]:
    """One bar per value, left to right, standing on the bottom edge; the largest value
    reaches the top. A zero (or a series of zeros) is a bar of no height."""
    if not values:
        return []
    slot = width / len(values)
    bar = slot * BAR_SHARE
    top = max(max(values), 1)
    bars = []
    for index, value in enumerate(values):
        tall = _r(max(value, 0) * height / top)
        bars.append(Rect(_r(index * slot + (slot - bar) / 2), _r(height - tall), _r(bar), tall))
    return bars


def line(
    rates: Sequence[float | None], width: int = WIDTH, height: int = HEIGHT
) -> list[list[Point]]:
    """A rate between 0 and 1 per slot, as runs of points at the slots' centres (1 at the
    top); a None (no data that day) breaks the line, so a run may be a single point."""
    if not rates:
        return []
    slot = width / len(rates)
    runs: list[list[Point]] = []
    current: list[Point] = []
    for index, rate in enumerate(rates):
        if rate is None:
            if current:
                runs.append(current)
            current = []
            continue
        clamped = min(max(rate, 0.0), 1.0)
        current.append(Point(_r(index * slot + slot / 2), _r(height - clamped * height)))
    if current:
        runs.append(current)
    return runs


def polyline(run: Sequence[Point]) -> str:
    """A run as the `points` attribute of an SVG polyline."""
    return " ".join(f"{p.x:g},{p.y:g}" for p in run)


def stack(values: Sequence[int], width: int = WIDTH) -> list[Rect]:
    """One bar across the whole width, split in proportion to the values, left to right;
    the last part ends exactly at `width` (rounding never leaves a gap). All zeros: none."""
    total = sum(max(v, 0) for v in values)
    if total == 0:
        return []
    parts: list[Rect] = []
    start, running = 0.0, 0
    for value in values:
        # Each edge is placed from the exact running total, so rounding never accumulates.
        running += max(value, 0)
        end = _r(running * width / total)
        parts.append(Rect(start, 0.0, _r(end - start), float(HEIGHT_STACK)))
        start = end
    return parts
