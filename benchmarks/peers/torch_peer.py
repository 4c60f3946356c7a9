"""PyTorch eager on the CPU, used the way its tutorials use it (default optimizer settings)."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from benchmarks.fitting import full_batch_to_cap
from benchmarks.workloads import Array, FitData, FitProblem, Parameters, StepWorkload

LABEL = f"PyTorch {torch.__version__} eager"


def versions() -> dict[str, str]:
    return {"torch": torch.__version__}


def configure(threads: int) -> None:
    torch.set_num_threads(threads)


def build(params: Parameters, activation: str, dtype: torch.dtype = torch.float32) -> torch.nn.Sequential:
    """nn.Sequential of Linear layers with the given weights (PyTorch's own (out, in) layout)."""
    layers: list[torch.nn.Module] = []
    for i, (w, b) in enumerate(params):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(params) - 1:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def loss_function(name: str) -> Callable[..., torch.Tensor]:
    return F.mse_loss if name == "mse" else F.cross_entropy


def step_runners(workload: StepWorkload, params: Parameters, x: Array, y: Array) -> dict[str, Callable[[int], None]]:
    model = build(params, workload.activation)
    if workload.optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=workload.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=workload.lr, momentum=workload.momentum)
    loss_fn = loss_function(workload.loss)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run(steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(xt), yt).backward()
            opt.step()

    return {LABEL: run}


class _AdamTrainer:
    def __init__(self, problem: FitProblem, params: Parameters, data: FitData) -> None:
        self.model = build(params, problem.activation)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=problem.lr)
        self.batch, self.x_val = problem.batch, torch.from_numpy(data.x_val)

    def train_epoch(self, x: Array, y: Array) -> None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        for start in range(0, len(x), self.batch):
            self.opt.zero_grad()
            F.mse_loss(self.model(xt[start:start + self.batch]), yt[start:start + self.batch]).backward()
            self.opt.step()

    def predict_validation(self) -> Array:
        with torch.no_grad():
            return self.model(self.x_val).numpy()


def adam_trainers(problem: FitProblem, params: Parameters, data: FitData, seed: int) -> dict[str, object]:
    return {LABEL: _AdamTrainer(problem, params, data)}


def best_runs(problem: FitProblem, params: Parameters, data: FitData, seed: int, cap: float,
              checkpoints: tuple[float, ...]) -> dict[str, Callable[[], object]]:
    """torch.optim.LBFGS, full batch, strong Wolfe line search, 20 iterations per step."""

    def lbfgs() -> object:
        model = build(params, problem.activation)
        opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=50,
                                line_search_fn="strong_wolfe")
        x, y, x_val = (torch.from_numpy(a) for a in (data.x_train, data.y_train, data.x_val))

        def closure() -> torch.Tensor:
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            return loss

        state = opt.state[opt.param_groups[0]["params"][0]]  # L-BFGS keeps its counters here

        def chunk() -> int:
            before = state.get("n_iter", 0)
            opt.step(closure)
            return state["n_iter"] - before

        def predict() -> Array:
            with torch.no_grad():
                return model(x_val).numpy()

        return full_batch_to_cap(chunk, predict, data, problem.target_mse, cap, checkpoints)

    return {f"{LABEL} L-BFGS": lbfgs}

