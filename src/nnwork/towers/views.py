"""The numbers behind the towers' figures: the article's surfaces, the leak on a tower's arms,
the corner of a naive tiling, an approximation against its target.

Each function builds and runs the towers and returns arrays; `nnwork.plot.towers` only draws
them, and `nnwork towers` names and writes the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from nnwork.towers.approximation import grid_points, net_values
from nnwork.towers.grid import TowerGrid
from nnwork.towers.modules import Tower, TowerSum, arm_leak, on_grid, original_four_towers, original_grid
from nnwork.towers.modules import original_tower, tower

Surface = tuple[np.ndarray, np.ndarray, np.ndarray, str]  # X, Y, Z over a meshgrid, and a title


def article_surfaces() -> dict[str, Surface]:
    """The article's two pictures on its 0.1 grid: one tower σ(30(z − 1.1)) over
    (−0.3, 0.7) × (−0.2, 0.8), and the sum of four towers over ±0.5, ±1, ±2, ±4."""
    X, Y = original_grid()
    return {"tower": (X, Y, on_grid(original_tower(), X, Y), "one tower: 5 sigmoid neurons"),
            "four_towers": (X, Y, on_grid(original_four_towers(), X, Y), "four towers, summed")}


@dataclass(frozen=True)
class LeakView:
    """A tower seen from above (`top` over the meshgrid X, Y) and cut along y = y_arm through
    its arms: `cuts` are (label, values at cut_x), for the tower and for one with t = d − ½."""

    X: np.ndarray
    Y: np.ndarray
    top: np.ndarray
    y_arm: float
    cut_x: np.ndarray
    cuts: list[tuple[str, np.ndarray]]
    leak: float  # what the tower keeps of its height on an arm
    fixed: float  # the same with threshold d − ½


def leak_view(article: Tower | None = None) -> LeakView:
    """The arms of `article` (default: the article's tower) next to the same tower with t = 1.5."""
    article = article or original_tower()
    fair = tower(article.box, threshold=1.5)
    axis = np.linspace(-2, 2, 401)
    X, Y = np.meshgrid(axis, axis)
    y_arm = float(np.mean(article.box[1]))
    x = np.linspace(-3, 3, 1201)
    line = np.column_stack([x, np.full_like(x, y_arm)])
    cuts = [(label, on_grid(t, line[:, :1], line[:, 1:]).ravel())
            for t, label in ((article, "threshold 1.1 (the article)"), (fair, "threshold 1.5 = d − ½"))]
    return LeakView(X, Y, on_grid(article, X, Y), y_arm, x, cuts, arm_leak(article), arm_leak(fair))


@dataclass(frozen=True)
class TilingView:
    """Four unit cells of height 1 meeting at 0, along the diagonal x = y = t: the naive sum of
    towers with shared steps (threshold 1.5) and the `TowerGrid` of the same cells."""

    t: np.ndarray
    naive: np.ndarray
    grid: np.ndarray


def tiling_view(outer_steepness: float = 30.0) -> TilingView:
    boxes = [[(a, a + 1), (b, b + 1)] for a in (-1, 0) for b in (-1, 0)]
    naive = TowerSum([tower(box, steepness=50, outer_steepness=outer_steepness, threshold=1.5) for box in boxes])
    grid = TowerGrid([(-1, 1), (-1, 1)], np.ones((2, 2)), 50.0, outer_steepness)
    t = np.linspace(-0.5, 0.5, 801)
    diagonal = np.column_stack([t, t])
    return TilingView(t, net_values(naive, diagonal), net_values(grid, diagonal))


@dataclass(frozen=True)
class ApproximationView:
    """G and the towers on a grid of a 1-D or 2-D domain: `axes` per axis, values flat (N,)."""

    axes: list[np.ndarray]
    target: np.ndarray
    approximation: np.ndarray

    @property
    def error(self) -> np.ndarray:
        return self.approximation - self.target


def approximation_view(G: Callable[[np.ndarray], Any], net: Any, domain: Sequence[tuple[float, float]],
                       points_per_axis: int = 121) -> ApproximationView:
    """G and `net` on 2001 points of a 1-D domain or a `points_per_axis`² grid of a 2-D one."""
    d = len(domain)
    if d not in (1, 2):
        raise ValueError(f"approximation figures draw 1-D and 2-D domains, got {d}-D; use an error histogram")
    per_axis = 2001 if d == 1 else points_per_axis
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in domain]
    points = grid_points(axes)
    return ApproximationView(axes, np.asarray(G(points), dtype=np.float64), net_values(net, points))
