"""Elementwise ops of two broadcast tensors under PyTorch's names: maximum, minimum, atan2.

Gradients follow PyTorch's formulas: a tie in maximum/minimum sends half of the gradient to
each side, and atan2's gradient is 0 at the origin.
"""

from __future__ import annotations

import numpy as np

from nnwork.ops.math import quiet
from nnwork.tensor import Function


class Maximum(Function):
    """max(a, b) elementwise (nan if either is); on a tie each side gets half the gradient."""

    __slots__ = ("a", "b")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        return _tie_split(grad, self.a, self.b, self.needs_grad, np.less)


class Minimum(Function):
    """min(a, b) elementwise (nan if either is); on a tie each side gets half the gradient."""

    __slots__ = ("a", "b")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        return _tie_split(grad, self.a, self.b, self.needs_grad, np.greater)


def _tie_split(grad: np.ndarray, a: np.ndarray, b: np.ndarray, needs_grad: tuple[bool, ...],
               loses: np.ufunc) -> tuple[np.ndarray | None, np.ndarray | None]:
    """PyTorch's rule: the gradient goes to the side that was chosen, halved on a tie; where
    a comparison is false both ways (a nan), both sides get all of it. `loses(a, b)` says
    where a was not chosen."""
    share = np.where(a == b, grad * grad.dtype.type(0.5), grad)
    zero = grad.dtype.type(0)
    return (
        np.where(loses(a, b), zero, share) if needs_grad[0] else None,
        np.where(loses(b, a), zero, share) if needs_grad[1] else None,
    )


class Atan2(Function):
    """atan2(a, b), the angle of the point (b, a); ∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²),
    both 0 at the origin (as PyTorch)."""

    __slots__ = ("a", "b")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        with quiet():
            return np.arctan2(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        with quiet():
            squared = a * a + b * b
            scale = np.where(squared == 0, 0, grad / squared)
            return (scale * b if self.needs_grad[0] else None, -scale * a if self.needs_grad[1] else None)
