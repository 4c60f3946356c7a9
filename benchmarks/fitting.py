"""The time-to-accuracy protocol of W3/W4, shared by every tool so that all are measured alike.

- Mini-batch runs (`train_to_target`): each epoch the driver draws the shuffle (the same
  permutation sequence for every tool), hands the shuffled arrays to the tool's trainer,
  which takes steps of `problem.batch` in order, then asks it for predictions on the
  validation grid and computes the MSE with one formula (`workloads.validation_mse`).
- Full-batch runs (L-BFGS, Levenberg–Marquardt) validate after every chunk of iterations.

The clock runs from the first epoch to the last validation: the validation forward pass and
the shuffle are counted in the wall-clock time of every tool. Building the model and (for
JAX) compiling are done before the clock starts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from benchmarks.workloads import Array, FitData, FitProblem, epoch_orders, validation_mse


class Trainer(Protocol):
    def train_epoch(self, x: Array, y: Array) -> None:
        """One pass over the (already shuffled) training set in steps of `problem.batch`."""

    def predict_validation(self) -> Array:
        """Predictions on the validation grid, any array-like of shape (N,) or (N, 1)."""


@dataclass
class FitRun:
    """What one training run achieved; `epochs` counts epochs, or iterations for full batch."""

    target_mse: float
    cap: float
    checkpoints: tuple[float, ...] = ()
    reached_at: float | None = None
    epochs_at_target: int | None = None
    best_mse: float = math.inf
    best_by: dict[float, float] = field(default_factory=dict)
    epochs: int = 0
    seconds: float = 0.0
    note: str = ""

    def record(self, mse: float, elapsed: float, epochs: int) -> bool:
        """Note one validation; return True when the run must stop (diverged)."""
        self.epochs, self.seconds = epochs, elapsed
        if not math.isfinite(mse):
            self.note = "diverged (NaN/Inf)"
            return True
        self.best_mse = min(self.best_mse, mse)
        for c in self.checkpoints:
            if elapsed <= c:
                self.best_by[c] = min(self.best_by.get(c, math.inf), mse)
        if self.reached_at is None and mse <= self.target_mse and elapsed <= self.cap:
            self.reached_at, self.epochs_at_target = elapsed, epochs
        return False


def train_to_target(trainer: Trainer, problem: FitProblem, data: FitData, seed: int, cap: float,
                    run_to_cap: bool = False, checkpoints: tuple[float, ...] = ()) -> FitRun:
    """Mini-batch epochs until the validation MSE reaches the target (or, with `run_to_cap`,
    until the time cap, recording when the target was first reached)."""
    run = FitRun(problem.target_mse, cap, checkpoints)
    orders = epoch_orders(seed)
    n = len(data.x_train)
    epochs = 0
    start = time.perf_counter()
    with np.errstate(all="ignore"):  # a diverging tool is reported, not warned about
        while True:
            order = orders.permutation(n)
            trainer.train_epoch(data.x_train[order], data.y_train[order])
            epochs += 1
            mse = validation_mse(trainer.predict_validation(), data)
            elapsed = time.perf_counter() - start
            if run.record(mse, elapsed, epochs):
                break
            if (run.reached_at is not None and not run_to_cap) or elapsed >= cap:
                break
    return run


def full_batch_to_cap(chunk: Callable[[], int], predict: Callable[[], Array], data: FitData,
                      target_mse: float, cap: float, checkpoints: tuple[float, ...] = ()) -> FitRun:
    """Call `chunk()` (some full-batch iterations; it returns how many) and validate after
    each, until the time cap."""
    run = FitRun(target_mse, cap, checkpoints)
    iterations = 0
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        while True:
            done = chunk()
            iterations += done
            mse = validation_mse(predict(), data)
            elapsed = time.perf_counter() - start
            if run.record(mse, elapsed, iterations) or elapsed >= cap:
                break
            if done == 0:
                run.note = "optimizer stopped making steps (converged or stalled)"
                break
    return run


def scipy_lbfgs_to_cap(value_and_grad: Callable[[Array], tuple[float, Array]], x0: Array,
                       predict: Callable[[Array], Array], data: FitData, target_mse: float,
                       cap: float, checkpoints: tuple[float, ...] = (), every: int = 20) -> FitRun:
    """SciPy's L-BFGS-B on a flat float64 parameter vector, validating every `every`
    iterations (as a 20-iteration `LBFGS.step` does elsewhere) until the time cap."""
    from scipy.optimize import minimize

    run = FitRun(target_mse, cap, checkpoints)
    count = [0]
    start = time.perf_counter()

    def callback(intermediate_result: object) -> None:
        count[0] += 1
        if count[0] % every:
            return
        mse = validation_mse(predict(intermediate_result.x), data)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        if run.record(mse, elapsed, count[0]) or elapsed >= cap:
            raise StopIteration

    with np.errstate(all="ignore"):
        result = minimize(value_and_grad, x0, jac=True, method="L-BFGS-B", callback=callback,
                          options={"maxiter": 10**9, "maxfun": 10**9, "maxcor": 50, "ftol": 0.0, "gtol": 0.0})
        if count[0] % every or count[0] == 0:  # SciPy stopped by itself between two checks
            run.record(validation_mse(predict(result.x), data), time.perf_counter() - start, count[0])
    if run.seconds < cap and not run.note:
        run.note = f"SciPy stopped: {result.message}"
    return run
