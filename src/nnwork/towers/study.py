"""Building versus training: how good is the tower construction for its number of neurons?

For each test function and grid size this measures, on one dense grid, the error of
- "towers": the steep towers built by `approximate(G, domain, cells=n)`;
- "towers + Adam": those towers, then trained by Adam (construct, then train);
- "soft towers", "soft towers + Adam": the same construction with soft neurons (steps with
  k·cell = 2, corner neurons σ(4(z − d + ½))), before and after the same training;
- "MLP": an MLP with the same number of neurons (one hidden sigmoid layer and a linear
  output neuron), trained from random weights by Adam for the same number of steps.
Steep sigmoids are flat almost everywhere (σ' ≈ 0 beyond 1/k of each edge), so gradient
descent can hardly move steep towers; soft ones start worse but train well.
The rows are plain dicts, ready for a table (`format_rows`) or a figure
(`nnwork.plot.towers.study_figure`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nnwork import functional as F
from nnwork.nn import MLP, Module
from nnwork.optim import Adam
from nnwork.targets import resolve
from nnwork.tensor import Tensor
from nnwork.towers.approximation import approximate, cell_heights, grid_points, net_values
from nnwork.towers.grid import TowerGrid

# (name, formula, domain, cells per axis to try)
STUDY_FUNCTIONS: tuple[tuple[str, str, tuple[tuple[float, float], ...], tuple[int, ...]], ...] = (
    ("sin(3x)", "sin(3*x)", ((-1.0, 1.0),), (4, 8, 16, 32)),
    ("gaussian", "exp(-(x^2 + y^2)/2)", ((-3.0, 3.0), (-3.0, 3.0)), (3, 6, 12)),
)


def train(net: Module, X: np.ndarray, y: np.ndarray, steps: int, lr: float) -> None:
    """Full-batch Adam on the mean squared error, `steps` times."""
    inputs, targets = Tensor(X), Tensor(y.reshape(-1, 1))
    optimizer = Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        F.mse_loss(net(inputs), targets).backward()
        optimizer.step()


def errors(net: Module, G: Callable[[np.ndarray], np.ndarray], points: np.ndarray) -> tuple[float, float]:
    """(max, RMS) of |net − G| on `points`."""
    error = np.abs(net_values(net, points) - G(points))
    return float(error.max()), float(np.sqrt(np.mean(error**2)))


def construction_vs_training(
    functions: Sequence[tuple[str, str, Sequence[tuple[float, float]], Sequence[int]]] = STUDY_FUNCTIONS,
    steps: int = 1000,
    lr: float = 0.03,
    tune_lr: float = 0.01,
    train_points: int = 512,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Error against neuron count for built towers, a trained MLP, and built-then-trained towers.

    Arguments:
        functions: (name, formula or target name, domain, cells per axis to try) tuples.
        steps: full-batch Adam steps for every trained network.
        lr, tune_lr: Adam's learning rate for the MLP and for fine-tuning towers.
        train_points: random training points (seeded), the same for every network.
    Returns:
        One row per function, size and method: {"function", "inputs", "neurons", "method"
        (see the module docstring), "max_error", "rms_error"}, all measured on one dense
        grid per function (2001 points in 1-D, 161 × 161 in 2-D).
    """
    rows: list[dict[str, Any]] = []
    for name, spec, domain, sizes in functions:
        G = resolve(spec, n_inputs=len(domain))
        d = len(domain)
        per_axis = 2001 if d == 1 else 161
        points = grid_points([np.linspace(lo, hi, per_axis) for lo, hi in domain])
        draw = np.random.default_rng(seed)
        X = np.column_stack([draw.uniform(lo, hi, train_points) for lo, hi in domain])
        y = G(X)

        def row(neurons: int, method: str, measured: tuple[float, float]) -> dict[str, Any]:
            return {"function": name, "inputs": d, "neurons": neurons, "method": method,
                    "max_error": measured[0], "rms_error": measured[1]}

        for cells in sizes:
            towers, report = approximate(G, domain, cells=cells)
            n = report.neurons
            rows.append(row(n, "towers", errors(towers, G, points)))
            train(towers, X, y, steps, tune_lr)
            rows.append(row(n, "towers + Adam", errors(towers, G, points)))
            soft_k = [2.0 * c / (hi - lo) for (lo, hi), c in zip(domain, report.cells)]
            soft = TowerGrid(domain, cell_heights(G, domain, report.cells), soft_k, 4.0, dtype=np.float64)
            rows.append(row(n, "soft towers", errors(soft, G, points)))
            train(soft, X, y, steps, tune_lr)
            rows.append(row(n, "soft towers + Adam", errors(soft, G, points)))
            mlp = MLP([d, n - 1, 1], activation="sigmoid", generator=seed, dtype=np.float64)
            train(mlp, X, y, steps, lr)
            rows.append(row(n, "MLP", errors(mlp, G, points)))
    return rows


METHODS = ("towers", "towers + Adam", "soft towers", "soft towers + Adam", "MLP")


def format_rows(rows: Sequence[dict[str, Any]]) -> str:
    """The study's rows as a Markdown table: one line per function and size, the methods side
    by side as "max / RMS" error."""
    lines = ["| function | neurons | " + " | ".join(METHODS) + " |",
             "|---|---:|" + "---|" * len(METHODS)]
    by_key: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_key.setdefault((r["function"], r["neurons"]), {})[r["method"]] = r
    for (function, neurons), methods in by_key.items():
        cells = [f"{methods[m]['max_error']:.2g} / {methods[m]['rms_error']:.2g}" if m in methods else "–"
                 for m in METHODS]
        lines.append(f"| {function} | {neurons} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
