"""Plain-text tables: statistics of repeated samples, number formats, aligned columns."""

from __future__ import annotations

import math
import statistics
from typing import Callable, Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def spread(values: Sequence[float], fmt: Callable[[float], str] | None = None) -> str:
    """'min–max' of the samples."""
    if not values:
        return "—"
    show = fmt or number
    return f"{show(min(values))}–{show(max(values))}"


def paired_ratio(ours: Sequence[float], theirs: Sequence[float], higher_is_better: bool = True) -> float:
    """How many times better `ours` is: the median over repeats of ours/theirs (throughput)
    or theirs/ours (times), pairing the samples taken in the same repeat, which cancels
    slow drifts of the machine's load. Falls back to the ratio of medians if unpaired."""
    if not ours or not theirs:
        return math.nan
    if len(ours) == len(theirs):
        ratios = [a / b if higher_is_better else b / a for a, b in zip(ours, theirs)]
        return median(ratios)
    a, b = median(ours), median(theirs)
    return a / b if higher_is_better else b / a


def number(value: float) -> str:
    """3 significant figures, thousands separated: 7,310 / 122 / 3.71 / 0.0512."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def ratio(value: float) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:.2f}×"


def mse(value: float) -> str:
    if value is None or math.isnan(value):
        return "—"
    if math.isinf(value):
        return "none"
    return f"{value:.2e}"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], notes: Sequence[str] = ()) -> str:
    """An aligned text table (first column left-aligned, the others right-aligned)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [str(cells[0]).ljust(widths[0])]
        parts += [str(cell).rjust(width) for cell, width in zip(cells[1:], widths[1:])]
        return "  ".join(parts).rstrip()

    out = [title, "=" * len(title), line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out += [f"  {note}" for note in notes]
    return "\n".join(out) + "\n"


def problems(errors: dict[str, str], missing: dict[str, str] | None = None) -> list[str]:
    """Note lines for the tools that gave no figure: an error, or not installed."""
    lines = [f"{label}: error: {problem}" for label, problem in errors.items()]
    lines += [f"{display}: {problem}" for display, problem in (missing or {}).items()]
    return lines
