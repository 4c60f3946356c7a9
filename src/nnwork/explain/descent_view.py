"""What a picture of gradient descent shows, computed: for each run, the stretch of x to draw,
h over it, the path x₀ → x₁ → … on it, the verdict and the evidence behind it.

`nnwork.plot.explain.descent_figure(descent_panels(runs))` draws them; the numbers are made
here so that the plot only draws (and never runs backpropagation or judges a run itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnwork.explain.descent import Evidence, Trajectory, classify, evidence, value_and_slope

CURVE_POINTS = 400
FAR = 50.0  # points this many times the calm runs' spread away are left out of the window
PAD = 0.15  # margin around the window, as a fraction of its width (at least 1)


@dataclass(frozen=True)
class DescentPanel:
    """One run as its panel shows it.

    `curve_x`, `curve_h`: h on CURVE_POINTS points of `window`. `path_x`, `path_h`: the path,
    with points outside the window moved to its edge (h there, so they sit on the curve) and
    `inside` telling which were not moved.
    """

    trajectory: Trajectory
    verdict: str
    evidence: Evidence
    window: tuple[float, float]
    curve_x: np.ndarray
    curve_h: np.ndarray
    path_x: np.ndarray
    path_h: np.ndarray
    inside: np.ndarray


def windows(trajectories: list[Trajectory]) -> list[tuple[float, float]]:
    """The x-range of each panel: all of its own points, except those that flew more than FAR
    times the size of the calm runs' region away (so a diverging run still shows its first
    jumps, not a curve over ±10⁶)."""
    calm = [t.x for t in trajectories if classify(t) != "too large"] or [t.x[:1] for t in trajectories]
    calm_points = np.concatenate(calm)
    centre = 0.5 * (float(calm_points.min()) + float(calm_points.max()))
    reach = FAR * max(float(calm_points.max() - calm_points.min()), 1.0)
    found = []
    for t in trajectories:
        points = t.x[np.isfinite(t.x) & (np.abs(t.x - centre) <= reach)]
        low, high = float(points.min()), float(points.max())
        pad = PAD * max(high - low, 1.0)
        found.append((low - pad, high + pad))
    return found


def descent_panels(trajectories: list[Trajectory], shared: bool = False) -> list[DescentPanel]:
    """The panels of `trajectories` (each made by `descend`, which keeps its h to draw);
    `shared`: every panel over the same x range (the union of their windows), to compare."""
    panels = []
    found = windows(list(trajectories))
    if shared:
        found = [(min(w[0] for w in found), max(w[1] for w in found))] * len(found)
    for trajectory, window in zip(trajectories, found):
        if trajectory.function is None:
            raise ValueError("a trajectory to draw must keep its function (as `descend` makes them)")
        curve_x = np.linspace(*window, CURVE_POINTS)
        path_x = np.clip(trajectory.x, *window)
        inside = (trajectory.x >= window[0]) & (trajectory.x <= window[1])
        path_h = np.where(inside, trajectory.h, value_and_slope(trajectory.function, path_x)[0])
        panels.append(DescentPanel(trajectory, classify(trajectory), evidence(trajectory), window, curve_x,
                                   value_and_slope(trajectory.function, curve_x)[0], path_x, path_h, inside))
    return panels
