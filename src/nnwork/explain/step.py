"""One gradient-descent step on a network, made visible: θ ← θ − η·∂L/∂θ, loss before and after.

To first order the step changes the loss by ΔL ≈ Σ ∂L/∂θ · Δθ = −η·Σ (∂L/∂θ)²: never upwards,
for a small enough η. `gradient_step` takes the step with `optim.SGD` (the same code that
trains networks) and reports the loss before, after, and as that first-order estimate, plus
the loss along the whole line θ − s·∂L/∂θ, so a picture can show where the step landed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nnwork import functional as F
from nnwork import optim
from nnwork._grad_mode import no_grad
from nnwork.explain.backprop import DEFAULT_X, DEFAULT_Y, _as_sample, default_network
from nnwork.nn import Module
from nnwork.tensor import Tensor

DEFAULT_LR = 2.0  # sigmoid networks have small gradients; a bold step shows the change


@dataclass(frozen=True)
class ParameterUpdate:
    name: str
    before: np.ndarray
    gradient: np.ndarray
    after: np.ndarray


@dataclass
class StepReport:
    lr: float
    loss_before: float
    loss_after: float
    predicted_change: float  # −η·Σ(∂L/∂θ)², the first-order estimate of loss_after − loss_before
    updates: list[ParameterUpdate]
    line: tuple[np.ndarray, np.ndarray]  # s and L(θ − s·∂L/∂θ), for s from 0 to 2η

    @property
    def gradient_norm(self) -> float:
        """‖∂L/∂θ‖ over all parameters: a step s moves θ by s·‖∂L/∂θ‖."""
        return float(np.sqrt(sum(np.sum(u.gradient ** 2) for u in self.updates)))

    def format(self) -> str:
        lines = [f"One gradient-descent step θ ← θ − η·∂L/∂θ with η = {self.lr:g}:",
                 f"    {'θ':<14} {'before':>12} {'∂L/∂θ':>12} {'after':>12}"]
        for u in self.updates:
            for index in np.ndindex(u.before.shape):
                label = u.name + (f"[{','.join(map(str, index))}]" if index else "")
                numbers = (u.before[index], u.gradient[index], u.after[index])
                lines.append(f"    {label:<14} " + " ".join(f"{v:>12.6g}" for v in numbers))
        change = self.loss_after - self.loss_before
        lines += [
            f"loss before {self.loss_before:.6g}, after {self.loss_after:.6g}: "
            f"change {change:+.4g} ({change / self.loss_before:+.1%})" if self.loss_before else
            f"loss before {self.loss_before:.6g}, after {self.loss_after:.6g}",
            f"first-order estimate −η·Σ(∂L/∂θ)² = {self.predicted_change:+.4g}",
        ]
        return "\n".join(lines)


def loss_on_sample(model: Module, x: Any, y: Any) -> float:
    """L = mean (ŷ − y)² of the model on samples x, y, without recording a graph."""
    dtype = model.parameters()[0].dtype
    with no_grad():
        return float(F.mse_loss(model(Tensor(x, dtype=dtype)), Tensor(y, dtype=dtype)).item())


def loss_along(model: Module, x: Any, y: Any, direction: dict[str, np.ndarray], s: np.ndarray) -> np.ndarray:
    """L(θ + s·direction) for every s (the model is left as it was)."""
    params = dict(model.named_parameters())
    originals = {name: params[name].data.copy() for name in direction}
    values = []
    try:
        for step in np.asarray(s, dtype=np.float64):
            for name, d in direction.items():
                params[name].data[...] = originals[name] + step * d
            values.append(loss_on_sample(model, x, y))
    finally:
        for name, data in originals.items():
            params[name].data[...] = data
    return np.array(values)


def gradient_step(model: Module | None = None, x: Any = DEFAULT_X, y: Any = DEFAULT_Y,
                  lr: float = DEFAULT_LR) -> tuple[Module, StepReport]:
    """Take one step θ ← θ − η·∂L/∂θ on the squared error of one sample, in place.

    Arguments:
        model: any Module (default: the article's five-neuron network, float64); its
            parameters change, as with `optimizer.step()`.
        x, y: the sample; lr: the learning rate η.
    Returns:
        (model, StepReport) with the loss before and after, the first-order estimate, every
        parameter before/gradient/after, and the loss along the step's line.
    """
    model = default_network() if model is None else model
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"`lr` must be a positive number, got {lr!r}")
    xs, ys = _as_sample(x, "x"), _as_sample(y, "y")
    dtype = model.parameters()[0].dtype
    model.zero_grad()
    loss = F.mse_loss(model(Tensor(xs, dtype=dtype)), Tensor(ys, dtype=dtype))
    loss.backward()
    named = list(model.named_parameters())
    gradients = {name: (p.grad.astype(np.float64) if p.grad is not None else np.zeros(p.shape)) for name, p in named}
    before = {name: p.data.astype(np.float64) for name, p in named}
    s = np.linspace(0.0, 2.0 * lr, 41)
    line = loss_along(model, xs, ys, {name: -g for name, g in gradients.items()}, s)
    optim.SGD(model.parameters(), lr=lr).step()
    updates = [ParameterUpdate(name, before[name], gradients[name], p.data.astype(np.float64)) for name, p in named]
    predicted = -lr * float(sum(np.sum(g * g) for g in gradients.values()))
    report = StepReport(float(lr), float(loss.item()), loss_on_sample(model, xs, ys), predicted, updates, (s, line))
    return model, report
