"""approximate(G, domain, eps): a network of towers within ε of G, built by hand and measured.

The recipe, for G continuous on a box:
1. Sample G on a dense grid; estimate its Lipschitz constant Lᵢ along each axis, and how far
   the slopes add up at one point (the alignment a, between 1 and d).
2. A tower of height G(centre) is off by at most Σᵢ |∂ᵢG|·hᵢ/2 anywhere in its cell, so cells
   of width hᵢ = 2·0.8·ε/(a·Lᵢ) keep that below 0.8·ε: nᵢ ∝ 1/ε cells per axis, ∝ ε^−d towers.
3. Steep enough neurons that the rest stays small: steps with kᵢhᵢ = 2 ln(16·range/ε) are
   saturated to ε/(16·range) half a cell away; corner neurons with threshold d − ½ and
   s = 2 ln(16·Σ|Δ|/ε) leak and fall short by σ(−s/2) ≤ ε/(16·Σ|Δ|) each.
4. Build the `TowerGrid`, then *measure* the max and RMS error on a grid m times finer than
   the cells (m ≥ 2) that holds every cell's edges, corners and centre, and on the points just
   inside every edge, where the error of steep towers peaks. If it misses ε (the
   estimate of step 1 was optimistic), refine the cells and rebuild; if the neurons needed pass
   `max_neurons`, say so with a ValueError instead of returning a worse network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from nnwork._grad_mode import no_grad
from nnwork.ops.elementwise import stable_sigmoid
from nnwork.tensor import Tensor
from nnwork.towers.grid import TowerGrid, differences
from nnwork.towers.modules import check_box

CELL_SAFETY = 0.8  # the cells aim at this fraction of ε, ε/16 each goes to the steps and the leak
SAMPLE_POINTS = 100_000  # G evaluations for the Lipschitz estimate
EVAL_POINTS = 400_000  # at most this many measuring points ...
EVAL_WORK = 100_000_000  # ... and points × towers (the cost of one evaluation of the net)
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class ApproximationReport:
    """What `approximate` built and what it measured."""

    max_error: float
    rms_error: float
    neurons: int
    cells: tuple[int, ...]  # cells per axis
    eval_grid: tuple[int, ...]  # points per axis of the measuring grid (edges, corners, centres, ...)
    eval_points: int  # all points measured: that grid and the grid just inside every edge
    eps: float | None
    domain: tuple[tuple[float, float], ...]
    lipschitz: tuple[float, ...]  # estimated |∂G/∂xᵢ| bound per axis
    steepness: tuple[float, ...]  # kᵢ of the step neurons
    outer_steepness: float
    threshold: float
    attempts: int

    def __str__(self) -> str:
        towers = math.prod(self.cells)
        box = " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in self.domain)
        goal = f" to eps = {self.eps:g}" if self.eps is not None else ""
        verdict = ""
        if self.eps is not None:
            verdict = "  (≤ eps)" if self.max_error <= self.eps else "  (> eps!)"
        widths = [(hi - lo) / n for (lo, hi), n in zip(self.domain, self.cells)]
        kh = self.steepness[0] * widths[0]
        lines = [
            f"towers approximating G on {box}{goal}",
            f"  cells        {' × '.join(map(str, self.cells))} = {towers} towers"
            + (f" (after {self.attempts} builds)" if self.attempts > 1 else ""),
            f"  neurons      {self.neurons} ({sum(self.cells)} step, {towers} corner, 1 output)",
            f"  steepness    steps k = {', '.join(f'{k:.4g}' for k in self.steepness)} (k·cell = {kh:.3g}); "
            f"corner neurons σ({self.outer_steepness:.3g}(z − {self.threshold:g}))",
            f"  Lipschitz    ≈ {', '.join(f'{v:.4g}' for v in self.lipschitz)} (estimated per axis)",
            f"  max error    {self.max_error:.4g}{verdict}",
            f"  rms error    {self.rms_error:.4g}",
            f"  measured on  {self.eval_points} points: a {' × '.join(map(str, self.eval_grid))} grid "
            "through every cell's edges, corners and centre,\n               and the grid just inside every edge",
        ]
        return "\n".join(lines)


def evaluate(G: Callable[[np.ndarray], Any], points: np.ndarray) -> np.ndarray:
    """G on (N, d) points as a float64 (N,) array; ValueError if G gives another shape or a
    value that is not finite."""
    values = np.asarray(G(points), dtype=np.float64)
    if values.shape not in ((len(points),), (len(points), 1)):
        raise ValueError(f"G must map (N, d) inputs to N values; for N = {len(points)} it gave shape {values.shape}")
    values = values.reshape(-1)
    if not np.all(np.isfinite(values)):
        row = int(np.argmax(~np.isfinite(values)))
        raise ValueError(f"G is not finite at {points[row].tolist()}: {values[row]!r}")
    return values


def grid_points(axes: Sequence[np.ndarray]) -> np.ndarray:
    """All points of the tensor grid with these per-axis coordinates, shape (N, d)."""
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def net_values(net: Any, points: np.ndarray, dtype: Any = np.float64) -> np.ndarray:
    """net(points) as a float64 (N,) array, in chunks so memory stays bounded."""
    towers = int(np.prod(getattr(net, "cells", (1,))))
    chunk = max(1, 250_000 // towers)  # arrays that stay in cache: twice as fast as big ones
    out = np.empty(len(points))
    with no_grad():
        for start in range(0, len(points), chunk):
            part = points[start : start + chunk]
            out[start : start + chunk] = net(Tensor(part, dtype=dtype)).data.reshape(-1)
    return out


def estimate_variation(
    G: Callable[[np.ndarray], Any], domain: Sequence[tuple[float, float]]
) -> tuple[np.ndarray, float, float]:
    """(Lᵢ, alignment, range): from G on a dense sample grid, the largest slope |∂G/∂xᵢ| along
    each axis between neighbouring points; max over points of Σᵢ |∂G/∂xᵢ|/Lᵢ (between 1 and d:
    d only if all the steepest slopes meet at one point); and max G − min G."""
    d = len(domain)
    per_axis = int(min(4001, max(3, round(SAMPLE_POINTS ** (1 / d)))))
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in domain]
    values = evaluate(G, grid_points(axes)).reshape((per_axis,) * d)
    slopes = [np.abs(np.diff(values, axis=i)) / (axes[i][1] - axes[i][0]) for i in range(d)]
    lipschitz = np.array([float(slope.max()) for slope in slopes])
    # at the points with a neighbour along every axis, all slopes side by side
    common = [slope[tuple(slice(None) if j == i else slice(0, -1) for j in range(d))]
              for i, slope in enumerate(slopes)]
    relative = [slope / top for slope, top in zip(common, lipschitz) if top > 0]
    alignment = float(max(1.0, np.max(sum(relative)))) if relative else 1.0
    return lipschitz, alignment, float(values.max() - values.min())


def cells_for(
    eps: float, lipschitz: np.ndarray, alignment: float, domain: Sequence[tuple[float, float]]
) -> tuple[int, ...]:
    """Cells per axis so that a tower's height G(centre) is within CELL_SAFETY·ε of G anywhere
    in its cell: hᵢ = 2·CELL_SAFETY·ε / (alignment·Lᵢ), since |G(x) − G(c)| ≤ Σᵢ |∂ᵢG|·hᵢ/2."""
    widths = np.array([hi - lo for lo, hi in domain])
    counts = np.ceil(alignment * lipschitz * widths / (2 * CELL_SAFETY * eps) - 1e-9)
    return tuple(int(max(1, c)) for c in counts)


def neurons_for(cells: Sequence[int]) -> int:
    return sum(cells) + math.prod(cells) + 1


def cell_heights(
    G: Callable[[np.ndarray], Any], domain: Sequence[tuple[float, float]], cells: Sequence[int]
) -> np.ndarray:
    """G at the centre of every cell of the grid, shape `cells`: the towers' heights."""
    centres = [lo + (hi - lo) / n * (np.arange(n) + 0.5) for (lo, hi), n in zip(domain, cells)]
    return evaluate(G, grid_points(centres)).reshape(tuple(cells))


def build(
    G: Callable[[np.ndarray], Any],
    domain: Sequence[tuple[float, float]],
    cells: Sequence[int],
    accuracy: float,
    spread: float,
    dtype: Any = np.float64,
) -> TowerGrid:
    """The TowerGrid with tower heights G(cell centres) and steepness chosen for `accuracy`."""
    heights = cell_heights(G, domain, cells)
    kh = float(np.clip(2 * math.log(16 * max(spread, accuracy) / accuracy), 8.0, 60.0))
    steepness = [kh * n / (hi - lo) for (lo, hi), n in zip(domain, cells)]
    total = float(np.abs(differences(heights)).sum())
    s = float(np.clip(2 * math.log(16 * max(total, accuracy) / accuracy), 8.0, 200.0))
    return TowerGrid(domain, heights, steepness, s, dtype=dtype)


def peak_offset(kh: float, s: float) -> float:
    """Where, in cells from an edge, the error of a linear G peaks: the net blends the two
    neighbouring heights with weight w(u) = σ(s(σ(−kh·u) − ½)) on the far one, so its error
    is ∝ |u − ½ + w(u)|, 0 on the edge (the plain average) and largest just inside."""
    u = np.linspace(0.0, 0.5, 2001)
    w = stable_sigmoid(s * (stable_sigmoid(-kh * u) - 0.5))
    return float(u[np.argmax(np.abs(u - 0.5 + w))])


def measuring_points(net: TowerGrid) -> tuple[np.ndarray, tuple[int, ...]]:
    """(points, points per axis of the main grid) at which to measure `net`'s error.

    The main grid has m·nᵢ + 1 evenly spaced points per axis, m ∈ {16, 8, 4, 2}, so it holds
    every cell's edges, corners and centre. Added to it: the grid of points just inside the
    edges of every cell (of every q-th cell on each axis if there are too many), where the
    error of a tiling sum of towers peaks (see `peak_offset`). m is the finest, and q the
    smallest, that keep each grid's points × towers within EVAL_WORK / 2; m = 2 in any case.
    """
    towers = math.prod(net.cells)
    budget = min(EVAL_POINTS, EVAL_WORK // towers) // 2
    near_axes = []
    for axis, ((low, high), n) in enumerate(zip(net.domain, net.cells)):
        width = (high - low) / n
        k = float(getattr(net, f"steps{axis}_weight").data[0])
        u = peak_offset(k * width, float(net.corner_weight.data.flat[0]))
        edges = low + width * np.arange(n + 1)
        near_axes.append(np.sort(np.concatenate([edges[:-1] + u * width, edges[1:] - u * width])))
    for q in range(1, max(net.cells) + 1):
        thinned = [a.reshape(-1, 2)[::q].ravel() for a in near_axes]  # the two points of every q-th cell
        if math.prod(len(a) for a in thinned) <= budget:
            break
    for m in (16, 8, 4, 2):
        if math.prod(m * n + 1 for n in net.cells) <= budget:
            break
    axes = [np.linspace(low, high, m * n + 1) for (low, high), n in zip(net.domain, net.cells)]
    return np.concatenate([grid_points(axes), grid_points(thinned)]), tuple(len(a) for a in axes)


def approximate(
    G: Callable[[np.ndarray], Any],
    domain: Sequence[tuple[float, float]] | None,
    eps: float | None = None,
    *,
    cells: int | Sequence[int] | None = None,
    max_neurons: int = 50_000,
    dtype: Any = np.float64,
) -> tuple[TowerGrid, ApproximationReport]:
    """A sum of sigmoid towers within `eps` of G on `domain`, and a report of what it measured.

    Arguments:
        G: maps an (N, d) float array to N values (a formula, a named target, any function).
        domain: d pairs (low, high); None takes G's own `.domain` (named targets have one).
        eps: the wanted maximum error; the cells are chosen for it (give `eps` or `cells`).
        cells: build on exactly this grid instead (a number, or one per axis); no ε goal.
        max_neurons: the budget; if ε needs more, ValueError says how many.
        dtype: float64 (default) or float32 for the network's parameters.
    Returns:
        (net, report): net maps an (N, d) Tensor to (N, 1); report has max_error,
        rms_error, neurons, cells, eval_grid and prints readably.

    >>> net, report = approximate(lambda X: np.sin(X[:, 0]), [(0, 3)], eps=0.05)
    >>> report.max_error <= 0.05, report.cells
    (True, (38,))
    """
    if domain is None:
        domain = getattr(G, "domain", None)
        if domain is None:
            raise ValueError("`domain` is needed: a list of (low, high) pairs, one per input of G")
    domain = check_box(domain, "domain")
    if (eps is None) == (cells is None):
        raise ValueError("give exactly one of `eps` (the wanted max error) and `cells` (the grid to build)")
    if eps is not None and not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"`eps` must be a positive number, got {eps!r}")
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)) or max_neurons < 1:
        raise ValueError(f"`max_neurons` must be a positive integer, got {max_neurons!r}")
    d = len(domain)
    lipschitz, alignment, spread = estimate_variation(G, domain)
    if cells is not None:
        grid = _checked_cells(cells, d)
        accuracy = max(spread, 1.0) * 1e-3
    else:
        grid = cells_for(float(eps), lipschitz, alignment, domain)  # type: ignore[arg-type]
        accuracy = float(eps)  # type: ignore[arg-type]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        needed = neurons_for(grid)
        if needed > max_neurons:
            raise ValueError(
                f"eps = {eps:g} needs about {needed} neurons ({' × '.join(map(str, grid))} cells, for G's "
                f"estimated slopes {', '.join(f'{v:.3g}' for v in lipschitz)} on this domain), but "
                f"max_neurons = {max_neurons}; allow more neurons or ask for a larger eps"
                if eps is not None else
                f"{' × '.join(map(str, grid))} cells need {needed} neurons, but max_neurons = {max_neurons}"
            )
        net = build(G, domain, grid, accuracy, spread, dtype)
        points, eval_grid = measuring_points(net)
        errors = np.abs(net_values(net, points, dtype) - evaluate(G, points))
        max_error, rms_error = float(errors.max()), float(np.sqrt(np.mean(errors**2)))
        if eps is None or max_error <= eps:
            break
        if attempt == MAX_ATTEMPTS:
            raise ValueError(f"could not reach eps = {eps:g} in {MAX_ATTEMPTS} builds: the last, with "
                             f"{needed} neurons, has max error {max_error:.4g}")
        grid = _refined(grid, lipschitz, max_error / float(eps))
    report = ApproximationReport(
        max_error, rms_error, net.neurons, tuple(grid), eval_grid, len(points),
        None if eps is None else float(eps), domain, tuple(float(v) for v in lipschitz),
        tuple(float(getattr(net, f"steps{i}_weight").data[0]) for i in range(d)),
        float(net.corner_weight.data.flat[0]), net.threshold, attempt,
    )
    return net, report


def _checked_cells(cells: int | Sequence[int], d: int) -> tuple[int, ...]:
    counts = [cells] * d if isinstance(cells, (int, np.integer)) else list(cells)
    if len(counts) != d or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in counts):
        raise ValueError(f"`cells` must be a positive integer or {d} of them (one per axis), got {cells!r}")
    return tuple(int(n) for n in counts)


def _refined(cells: tuple[int, ...], lipschitz: np.ndarray, miss: float) -> tuple[int, ...]:
    """More cells along the axes where G varies, by the factor the error missed by (1.25–3)."""
    factor = min(3.0, max(1.25, 1.1 * miss))
    varying = lipschitz > 0 if np.any(lipschitz > 0) else np.ones(len(cells), dtype=bool)
    return tuple(int(math.ceil(n * factor)) if v else n for n, v in zip(cells, varying))
