"""What an optimizer needs from the loop that trains with it, declared by the optimizer.

A first-order method (SGD, Adam, RMSprop) reads gradients of a minibatch's loss; L-BFGS
re-evaluates the loss along a line search, so it needs a closure over the whole training
set; Levenberg–Marquardt fits least squares, so it needs the residuals y − ŷ of the whole
set, not a scalar loss. Each optimizer class says which of these it is in one typed
`needs = Needs(...)` attribute, and the training loop (nnwork.training_step) picks one step
strategy from it at the start of a run: no caller asks for an optimizer by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StepInput = Literal["gradients", "closure", "residuals"]

# What `step` needs to be given, for each kind, in the words the optimizers' own errors use.
STEP_INPUTS: dict[str, str] = {
    "gradients": "the gradients in `.grad` (loss.backward() before step())",
    "closure": "a `closure` that re-evaluates the loss and the gradients",
    "residuals": "a closure that returns the residuals",
}


@dataclass(frozen=True)
class Needs:
    """An optimizer's requirements, for the training loop.

    **Fields:**
        step: what `step` works from: "gradients" (already in `.grad`), "closure" (a function
            it calls to re-evaluate the loss and the gradients, maybe several times) or
            "residuals" (a closure returning the residual tensor, for least squares).
        full_batch: it needs the whole training set every step (its curvature estimate or
            line search assumes the same function on every call).
        no_learning_rate: why it takes no learning rate ("" when it takes one, `lr`).
        lr_schedule: a learning-rate schedule such as ReduceLROnPlateau helps it (not when a
            line search or an adaptive damping sets the step length).
        dtype: the parameter dtype it is best used with ("float64" for second-order methods,
            which can use the extra digits of the curvature).
        hidden: the hidden layer sizes to give a network by default when training with it,
            or None for the usual default (Levenberg–Marquardt's cost grows as P²).
        capture: its step can be captured once and replayed (nnwork.capture).
    """

    step: StepInput = "gradients"
    full_batch: bool = False
    no_learning_rate: str = ""
    lr_schedule: bool = True
    dtype: Literal["float32", "float64"] = "float32"
    hidden: tuple[int, ...] | None = None
    capture: bool = True

    def __post_init__(self) -> None:
        if self.step not in STEP_INPUTS:
            raise ValueError(f"`step` must be one of {sorted(STEP_INPUTS)}, got {self.step!r}")
        if self.capture and self.step != "gradients":
            raise ValueError(f"only a step from gradients can be captured, not one from {self.step!r}")
        if self.no_learning_rate and self.lr_schedule:
            raise ValueError("an optimizer without a learning rate cannot follow a learning-rate schedule")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"`dtype` must be 'float32' or 'float64', got {self.dtype!r}")
        if self.hidden is not None and not all(isinstance(h, int) and h >= 1 for h in self.hidden):
            raise ValueError(f"`hidden` must be positive layer sizes, got {self.hidden!r}")

    @property
    def learning_rate(self) -> bool:
        """Whether the optimizer takes a learning rate `lr`."""
        return not self.no_learning_rate
