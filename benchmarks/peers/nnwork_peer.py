"""nnwork through its public API: nnwork.nn.MLP, nnwork.optim, nnwork.functional, no_grad.

Two features of issue 6 may or may not be in the nnwork being measured: a captured training
step (`nnwork.capture_step`) and Levenberg–Marquardt. Each is used when present (`hasattr`);
if it fails, the harness reports the error under the table instead of a figure.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

import nnwork
from benchmarks.fitting import full_batch_to_cap
from benchmarks.workloads import Array, FitData, FitProblem, Parameters, StepWorkload
from nnwork import functional as F

LABEL = f"nnwork {nnwork.__version__}"
CAPTURED = f"{LABEL} captured"


def versions() -> dict[str, str]:
    return {"nnwork": nnwork.__version__}


_THREADS: int | None = None  # the harness's thread count for every tool (configure)


def configure(threads: int) -> None:
    """nnwork keeps NumPy's BLAS on one thread inside its own work and shares out large
    products over its own threads: the harness's count becomes that count (see step_runners)."""
    global _THREADS
    _THREADS = threads


def features() -> dict[str, bool]:
    return {"captured step (nnwork.capture_step)": hasattr(nnwork, "capture_step"),
            "nnwork.optim.LevenbergMarquardt": hasattr(nnwork.optim, "LevenbergMarquardt")}


def build(params: Parameters, activation: str, seed: int = 0) -> nnwork.nn.MLP:
    """nnwork.nn.MLP with the shared initial weights copied in (in place, layer by layer)."""
    nnwork.manual_seed(seed)
    sizes = [params[0][0].shape[1]] + [w.shape[0] for w, _ in params]
    model = nnwork.nn.MLP(sizes, activation)
    arrays = [a for layer in params for a in layer]
    parameters = model.parameters()
    if [p.shape for p in parameters] != [a.shape for a in arrays]:
        raise ValueError(f"nnwork.nn.MLP parameter shapes {[p.shape for p in parameters]} do not match "
                         f"the benchmark's {[a.shape for a in arrays]}")
    for p, a in zip(parameters, arrays):
        np.copyto(p.data, a)
    return model


def optimizer(model: nnwork.nn.Module, name: str, lr: float, momentum: float = 0.0) -> nnwork.optim.Optimizer:
    if name == "adam":
        return nnwork.optim.Adam(model.parameters(), lr=lr)
    return nnwork.optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def loss_function(name: str) -> Callable[..., nnwork.Tensor]:
    return F.mse_loss if name == "mse" else F.cross_entropy


def as_fit(step: Callable[[], object], count: int | None = None) -> Callable[[int], None]:
    """Steps run the way nnwork.fit runs them (training._Run.train_epoch): inside
    `nnwork.threads.working(count)` (the BLAS on one thread, large products on nnwork's own
    threads), each step between a ThreadChooser's begin() and end() unless `count` or
    nnwork.set_num_threads fixed the count. The chooser is kept as `run.chooser`."""
    try:
        threads = importlib.import_module("nnwork.threads")
    except ImportError:  # an nnwork without its own threads: steps as they are
        threads = None
    chosen = count is None and threads is not None and threads.fixed() is None
    chooser = threads.ThreadChooser() if chosen else None

    def run(steps: int) -> None:
        if threads is None:
            for _ in range(steps):
                step()
            return
        with threads.working(count):
            for _ in range(steps):
                if chooser is not None:
                    chooser.begin()
                step()
                if chooser is not None:
                    chooser.end()

    run.chooser = chooser  # type: ignore[attr-defined]
    return run


# ---- the harness's interface --------------------------------------------------------------
def step_runners(workload: StepWorkload, params: Parameters, x: Array, y: Array,
                 fit_threads: bool = False) -> dict[str, Callable[[int], None]]:
    """The eager and the captured step, inside nnwork's working scope (see `as_fit`): on the
    harness's thread count, or, with `fit_threads`, with the count nnwork.fit would choose.
    (A plain loop would leave NumPy's BLAS held on one thread after the first large product,
    for the peers in this process too: see nnwork.threads.keep_blas.)"""
    model = build(params, workload.activation)
    opt = optimizer(model, workload.optimizer, workload.lr, workload.momentum)
    loss_fn = loss_function(workload.loss)
    xt = nnwork.Tensor(x)
    target: Any = nnwork.Tensor(y) if workload.loss == "mse" else y

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(xt), target).backward()
        opt.step()

    count = None if fit_threads else _THREADS
    runners = {LABEL: as_fit(step, count)}
    if hasattr(nnwork, "capture_step"):
        captured_model = build(params, workload.activation)
        captured_opt = optimizer(captured_model, workload.optimizer, workload.lr, workload.momentum)
        replay = nnwork.capture_step(captured_model, loss_fn, captured_opt)
        labels = y if workload.loss != "mse" else y.astype(x.dtype)
        try:
            with nnwork.threads.working(count):  # the capture's products too (see the docstring)
                replay(x, labels)
        except nnwork.CaptureError:  # cross-entropy picks by label: not capturable
            return runners

        runners[CAPTURED] = as_fit(lambda: replay(x, labels), count)
    return runners


class _AdamTrainer:
    """A hand loop (not nnwork.fit) so that every tool sees the same batches in the same order."""

    def __init__(self, problem: FitProblem, params: Parameters, data: FitData, seed: int) -> None:
        self.model = build(params, problem.activation, seed)
        self.opt = nnwork.optim.Adam(self.model.parameters(), lr=problem.lr)
        self.batch, self.x_val = problem.batch, nnwork.Tensor(data.x_val)

    def train_epoch(self, x: Array, y: Array) -> None:
        for start in range(0, len(x), self.batch):
            xb, yb = nnwork.Tensor(x[start:start + self.batch]), nnwork.Tensor(y[start:start + self.batch])
            self.opt.zero_grad()
            F.mse_loss(self.model(xb), yb).backward()
            self.opt.step()

    def predict_validation(self) -> Array:
        with nnwork.no_grad():
            return self.model(self.x_val).data


class _CapturedAdamTrainer(_AdamTrainer):
    """The same loop with each step captured once (per batch shape) and replayed."""

    def __init__(self, problem: FitProblem, params: Parameters, data: FitData, seed: int) -> None:
        super().__init__(problem, params, data, seed)
        self.step = nnwork.capture_step(self.model, F.mse_loss, self.opt)

    def train_epoch(self, x: Array, y: Array) -> None:
        for start in range(0, len(x), self.batch):
            self.step(x[start:start + self.batch], y[start:start + self.batch])


def adam_trainers(problem: FitProblem, params: Parameters, data: FitData, seed: int) -> dict[str, object]:
    trainers: dict[str, object] = {LABEL: _AdamTrainer(problem, params, data, seed)}
    if hasattr(nnwork, "capture_step"):
        trainers[CAPTURED] = _CapturedAdamTrainer(problem, params, data, seed)
    return trainers


# Levenberg–Marquardt solves a P × P system: it trains the network `nnwork fit --optimizer lm`
# gives by default (16 × 16 hidden units, 337 parameters here), in float64.
# LM's own network width: declared by the optimizer (nnwork.optim.needs); older nnworks named it in workflow.
_LM_NEEDS = getattr(getattr(nnwork.optim, "LevenbergMarquardt", None), "needs", None)
LM_HIDDEN = (getattr(_LM_NEEDS, "hidden", None) or getattr(importlib.import_module("nnwork.workflow"), "LM_HIDDEN", (16, 16)))[0]


def best_runs(problem: FitProblem, params: Parameters, data: FitData, seed: int, cap: float,
              checkpoints: tuple[float, ...]) -> dict[str, Callable[[], object]]:
    """nnwork.optim.LBFGS (same settings as torch's: full batch, strong Wolfe, 20 iterations
    per step, history 50) and, when present, nnwork.optim.LevenbergMarquardt."""
    x, y, x_val = (nnwork.Tensor(a) for a in (data.x_train, data.y_train, data.x_val))

    def predict(model: nnwork.nn.Module) -> Callable[[], Array]:
        def run() -> Array:
            with nnwork.no_grad():
                return model(x_val).data
        return run

    def lbfgs() -> object:
        model = build(params, problem.activation, seed)
        opt = nnwork.optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=50,
                                 line_search_fn="strong_wolfe")

        def closure() -> float:
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            return loss.item()

        state = opt.state[model.parameters()[0]]  # L-BFGS keeps its counters here, as torch's

        def chunk() -> int:
            before = state.get("n_iter", 0)
            opt.step(closure)
            return state["n_iter"] - before

        return full_batch_to_cap(chunk, predict(model), data, problem.target_mse, cap, checkpoints)

    runs: dict[str, Callable[[], object]] = {f"{LABEL} L-BFGS": lbfgs}
    if hasattr(nnwork.optim, "LevenbergMarquardt"):
        x64, y64, x_val64 = (nnwork.Tensor(a.astype(np.float64)) for a in (data.x_train, data.y_train, data.x_val))

        def levenberg_marquardt() -> object:
            sizes = [x64.shape[1], LM_HIDDEN, LM_HIDDEN, y64.shape[1]]
            model = nnwork.nn.MLP(sizes, problem.activation, generator=seed, dtype=np.float64)
            opt = nnwork.optim.LevenbergMarquardt(model.parameters())

            def chunk() -> int:
                with nnwork.threads.working(_THREADS):  # as fit runs it (and NumPy's BLAS given back)
                    opt.step(lambda: model(x64) - y64)
                return 1

            def run() -> Array:
                with nnwork.no_grad():
                    return model(x_val64).data

            return full_batch_to_cap(chunk, run, data, problem.target_mse, cap, checkpoints)

        runs[f"{LABEL} Levenberg–Marquardt (2-{LM_HIDDEN}-{LM_HIDDEN}-1, float64)"] = levenberg_marquardt
    return runs
