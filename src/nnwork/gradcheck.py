"""Check backpropagated gradients against finite differences, in float64.

For f(inputs) and a fixed random weighting v of its outputs, s = Σ v ⊙ f is a scalar.
Backpropagation gives ∂s/∂x for every element of every input; the central difference
(s(x + h) − s(x − h)) / 2h estimates the same number. They must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnwork import _grad_mode
from nnwork.tensor import Tensor


@dataclass(frozen=True)
class GradcheckReport:
    """The worst mismatch found: which input, which element, and both derivatives."""

    ok: bool
    input_index: int
    element: tuple[int, ...]
    analytic: float
    numeric: float
    error: float

    def __str__(self) -> str:
        verdict = "gradients match" if self.ok else "GRADIENT MISMATCH"
        return (
            f"{verdict}: worst at input {self.input_index}, element {self.element}: "
            f"backprop gave {self.analytic:.10g}, central difference gave {self.numeric:.10g} "
            f"(difference {self.error:.3g})"
        )


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when backprop and finite differences disagree."""


def gradcheck(
    f: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare the gradients of `f` at `inputs` with central differences, in float64.

    Every input is copied to float64 and differentiated. Raises `GradcheckError` naming the
    worst mismatch (or returns the report with `ok=False` when `raise_exception=False`).
    """
    if not inputs:
        raise ValueError("gradcheck needs at least one input")
    xs = [Tensor(np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64), requires_grad=True) for x in inputs]
    out = f(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    (out * Tensor(weights, dtype=np.float64)).sum().backward()

    def weighted(values: list[np.ndarray]) -> float:
        with _grad_mode.no_grad():
            return float(np.sum(f(*[Tensor(v, dtype=np.float64) for v in values]).data * weights))

    worst = GradcheckReport(True, 0, (), 0.0, 0.0, -np.inf)
    worst_excess = -np.inf
    for i, x in enumerate(xs):
        analytic = x.grad if x.grad is not None else np.zeros_like(x.data)
        values = [t.data.copy() for t in xs]
        for element in np.ndindex(*x.shape):
            original = values[i][element]
            values[i][element] = original + eps
            above = weighted(values)
            values[i][element] = original - eps
            below = weighted(values)
            values[i][element] = original
            numeric = (above - below) / (2 * eps)
            error = abs(float(analytic[element]) - numeric)
            excess = error - (atol + rtol * abs(numeric))
            if not np.isfinite(error):
                excess = np.inf
            if excess > worst_excess:
                worst_excess = excess
                worst = GradcheckReport(excess <= 0, i, element, float(analytic[element]), numeric, error)
    if not worst.ok and raise_exception:
        raise GradcheckError(str(worst))
    return worst
