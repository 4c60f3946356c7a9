"""One training step on one batch, in the form the optimizer needs, chosen once per run.

Each optimizer declares what its `step` works from (`optimizer.needs`, see
nnwork.optim.needs), and `choose_step` picks the matching strategy at the start of a run:

    gradients, capturable   CapturedGradientStep  the step recorded once, replayed after
    gradients               GradientStep          zero_grad; loss.backward(); step()
    closure                 ClosureStep           step(closure): L-BFGS re-evaluates the loss
    residuals               ResidualStep          step(residuals): Levenberg–Marquardt

A strategy is called with a batch (x, y) as arrays and returns the batch's loss; its
`full_batch` says whether the loop must hand it the whole training set every time. A
strategy refuses, when it is made, an optimizer that needs something else.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnwork import functional as F
from nnwork.capture import CaptureError, capture_step
from nnwork.nn.module import Module
from nnwork.optim import Optimizer
from nnwork.optim.needs import STEP_INPUTS
from nnwork.tensor import Tensor

Loss = Callable[..., Tensor]


class Step:
    """A training step for (model, loss, optimizer): `step(x, y)` → the batch's loss. `gives`
    is what it hands the optimizer's `step` (a key of nnwork.optim.needs.STEP_INPUTS)."""

    gives = ""

    def __init__(self, model: Module, loss_fn: Loss, optimizer: Optimizer) -> None:
        needs = optimizer.needs
        if needs.step != self.gives:
            raise TypeError(f"{type(optimizer).__name__}.step needs {STEP_INPUTS[needs.step]}; "
                            f"{type(self).__name__} gives it {STEP_INPUTS[self.gives]}")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.full_batch = needs.full_batch

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError


class GradientStep(Step):
    """zero_grad; L(model(x), y).backward(); optimizer.step(): a first-order method's step."""

    gives = "gradients"

    def evaluate(self, xb: Tensor, yb: Tensor) -> float:
        """Zero the gradients, compute the loss and its gradients; the loss's value."""
        self.optimizer.zero_grad()
        value = self.loss_fn(self.model(xb), yb)
        value.backward()
        return value.item()  # type: ignore[no-any-return]

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        value = self.evaluate(Tensor._wrap(x), Tensor._wrap(y))
        self.optimizer.step()
        return value


class CapturedGradientStep(GradientStep):
    """The gradient step captured once per batch shape and replayed (nnwork.capture): the same
    numbers as GradientStep with less Python work. A loss that reads data a replay cannot see
    (CaptureError) makes it step eagerly from then on."""

    def __init__(self, model: Module, loss_fn: Loss, optimizer: Optimizer) -> None:
        super().__init__(model, loss_fn, optimizer)
        self.captured: Any = capture_step(model, loss_fn, optimizer)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        if self.captured is not None:
            try:
                return self.captured(x, y)  # type: ignore[no-any-return]
            except CaptureError:
                self.captured = None
        return super().__call__(x, y)


class ClosureStep(GradientStep):
    """optimizer.step(closure), the closure re-evaluating the loss and its gradients on the
    batch as often as the optimizer asks (L-BFGS's line search)."""

    gives = "closure"

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        xb, yb = Tensor._wrap(x), Tensor._wrap(y)
        return self.optimizer.step(lambda: self.evaluate(xb, yb))  # type: ignore[no-any-return]


class ResidualStep(Step):
    """optimizer.step(residuals), the closure returning model(x) − y with the graph recorded,
    for least squares (Levenberg–Marquardt); only the mean squared error is least squares."""

    gives = "residuals"

    def __init__(self, model: Module, loss_fn: Loss, optimizer: Optimizer) -> None:
        super().__init__(model, loss_fn, optimizer)
        if loss_fn is not F.mse_loss:
            raise ValueError(f"{optimizer.title} minimises squared errors: use loss='mse' with it")

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        xb, yb = Tensor._wrap(x), Tensor._wrap(y)
        return self.optimizer.step(lambda: self.model(xb) - yb)  # type: ignore[no-any-return]


STEPS: dict[tuple[str, bool], type[Step]] = {
    # (what the optimizer's step works from, whether it can be captured) → the strategy
    ("gradients", True): CapturedGradientStep,
    ("gradients", False): GradientStep,
    ("closure", False): ClosureStep,
    ("residuals", False): ResidualStep,
}


def choose_step(model: Module, loss_fn: Loss, optimizer: Optimizer) -> Step:
    """The step strategy for this optimizer, from what it declares it needs."""
    needs = optimizer.needs
    return STEPS[needs.step, needs.capture](model, loss_fn, optimizer)
