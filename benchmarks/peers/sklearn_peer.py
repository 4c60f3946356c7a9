"""scikit-learn's MLPRegressor / MLPClassifier (NumPy inside, hand-derived backprop).

scikit-learn draws its own initial weights (Glorot uniform, seeded by `random_state`) and
cannot load ours, so its epochs-to-target differ from the other tools' for that reason too.
The L2 penalty is off (`alpha=0`) to match the other tools' plain loss; `shuffle=False`
because the harness hands every tool the same shuffled order.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from benchmarks.fitting import full_batch_to_cap
from benchmarks.workloads import Array, FitData, FitProblem, Parameters, StepWorkload

LABEL = f"scikit-learn {sklearn.__version__}"
LBFGS_CHUNK = 100  # iterations per `fit` call; each call restarts L-BFGS's memory (warm_start keeps the weights)


def versions() -> dict[str, str]:
    import scipy

    return {"scikit-learn": sklearn.__version__, "scipy": scipy.__version__}


def configure(threads: int) -> None:
    """scikit-learn's MLP uses NumPy's BLAS, limited by the harness."""


def _hidden(sizes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sizes[1:-1])


def step_runners(workload: StepWorkload, params: Parameters, x: Array, y: Array) -> dict[str, Callable[[int], None]]:
    """`partial_fit` on the one batch: one training step per call."""
    common = dict(hidden_layer_sizes=_hidden(workload.sizes), activation=workload.activation,
                  batch_size=workload.batch, learning_rate_init=workload.lr, alpha=0.0,
                  shuffle=False, random_state=0)
    if workload.loss == "mse":
        model = MLPRegressor(solver="adam", **common)
        target, extra = y.ravel(), {}
    else:
        model = MLPClassifier(solver="sgd", momentum=workload.momentum, nesterovs_momentum=False, **common)
        target, extra = y, {"classes": np.arange(workload.sizes[-1])}

    def run(steps: int) -> None:
        for _ in range(steps):
            model.partial_fit(x, target, **extra)

    return {f"{LABEL} partial_fit": run}


class _AdamTrainer:
    def __init__(self, problem: FitProblem, data: FitData, seed: int) -> None:
        self.model = MLPRegressor(hidden_layer_sizes=_hidden(problem.sizes), activation=problem.activation,
                                  solver="adam", batch_size=problem.batch, learning_rate_init=problem.lr,
                                  alpha=0.0, shuffle=False, random_state=seed)
        self.x_val = data.x_val

    def train_epoch(self, x: Array, y: Array) -> None:
        self.model.partial_fit(x, y.ravel())  # one epoch, in mini-batches, in the given order

    def predict_validation(self) -> Array:
        return self.model.predict(self.x_val)


def adam_trainers(problem: FitProblem, params: Parameters, data: FitData, seed: int) -> dict[str, object]:
    return {LABEL: _AdamTrainer(problem, data, seed)}


def best_runs(problem: FitProblem, params: Parameters, data: FitData, seed: int, cap: float,
              checkpoints: tuple[float, ...]) -> dict[str, Callable[[], object]]:
    """solver="lbfgs" (SciPy's L-BFGS-B, full batch) in chunks of LBFGS_CHUNK iterations."""

    def lbfgs() -> object:
        model = MLPRegressor(hidden_layer_sizes=_hidden(problem.sizes), activation=problem.activation,
                             solver="lbfgs", max_iter=LBFGS_CHUNK, max_fun=10**9, tol=0.0, alpha=0.0,
                             warm_start=True, random_state=seed)
        y = data.y_train.ravel()

        def chunk() -> int:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # each chunk stops at max_iter
                model.fit(data.x_train, y)
            return int(model.n_iter_)

        return full_batch_to_cap(chunk, lambda: model.predict(data.x_val), data, problem.target_mse,
                                 cap, checkpoints)

    return {f"{LABEL} lbfgs": lbfgs}
