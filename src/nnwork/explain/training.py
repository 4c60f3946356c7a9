"""Training as step 7's update repeated: plain gradient descent, and Adam as a refinement of it.

The tour's last step must show what it claims. `train_two_ways` fits one network to G twice
from the same initial parameters on the same points, full batch, no data scaling and no
schedule: once with θ ← θ − η·∂L/∂θ (`optim.SGD`, exactly the step of `explain.step`),
once with `optim.Adam`, which changes only how long each parameter's step is. It records the
loss after every step and a few snapshots of F, so a figure can show both curves and F on
its way towards G.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nnwork import functional as F
from nnwork import optim
from nnwork._grad_mode import no_grad
from nnwork.nn import MLP
from nnwork.tensor import Tensor


@dataclass
class TrainingRun:
    optimizer: str  # "gradient descent" or "Adam"
    lr: float
    loss: np.ndarray  # the loss before each step (len = steps)
    snapshots: dict[int, np.ndarray] = field(default_factory=dict)  # step -> F on `grid`
    final: np.ndarray = field(default_factory=lambda: np.zeros(0))  # F on `grid` after training
    rmse: float = float("nan")  # on the grid's points (not the training points)


def train_two_ways(target: Callable[[np.ndarray], np.ndarray], domain: tuple[float, float],
                   sizes: tuple[int, ...] = (1, 32, 32, 1), samples: int = 256, steps: int = 1500,
                   gd_lr: float = 0.1, adam_lr: float = 0.01, seed: int = 0,
                   snapshots: tuple[int, ...] = (0, 10, 100, 1000)) -> tuple[np.ndarray, list[TrainingRun]]:
    """Fit an MLP (tanh) to `target` on `samples` evenly spaced points of `domain`, full batch,
    once with plain gradient descent and once with Adam, from the same initial Θ.

    Returns (grid, [gradient-descent run, Adam run]); `grid` are 400 points of the domain that
    lie between the training points, where F's snapshots and final values are taken.
    """
    x = np.linspace(*domain, samples)[:, None]
    y = target(x)
    grid = np.linspace(*domain, 401)
    grid = 0.5 * (grid[1:] + grid[:-1])
    truth = target(grid[:, None])[:, 0]
    runs = []
    for name, make, lr in (("gradient descent", optim.SGD, gd_lr), ("Adam", optim.Adam, adam_lr)):
        net = MLP(list(sizes), "tanh", generator=seed, dtype=np.float64)
        optimizer = make(net.parameters(), lr=lr)
        run = TrainingRun(name, float(lr), np.zeros(steps))
        for step in range(steps):
            if step in snapshots:
                with no_grad():
                    run.snapshots[step] = net(Tensor(grid[:, None])).data[:, 0].copy()
            optimizer.zero_grad()
            loss = F.mse_loss(net(Tensor(x)), Tensor(y))
            loss.backward()
            optimizer.step()
            run.loss[step] = loss.item()
        with no_grad():
            run.final = net(Tensor(grid[:, None])).data[:, 0].copy()
        run.snapshots[steps] = run.final
        run.rmse = float(np.sqrt(np.mean((run.final - truth) ** 2)))
        runs.append(run)
    return grid, runs
