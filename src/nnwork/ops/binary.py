"""Elementwise ops of two broadcast tensors under PyTorch's names: maximum, minimum, atan2.

Gradients follow PyTorch's formulas: a tie in maximum/minimum sends half of the gradient to
each side, and atan2's gradient is 0 at the origin.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.math import quiet
from nnwork.ops.kernel import Kernel


class Maximum(Kernel):
    """max(a, b) elementwise (nan if either is); on a tie each side gets half the gradient."""

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.a, self.b = a, b
        return xp.maximum(a, b)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        return _tie_split(grad, self.a, self.b, self.needs_grad, xp.less)


class Minimum(Kernel):
    """min(a, b) elementwise (nan if either is); on a tie each side gets half the gradient."""

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.a, self.b = a, b
        return xp.minimum(a, b)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        return _tie_split(grad, self.a, self.b, self.needs_grad, xp.greater)


def _tie_split(grad: xp.ndarray, a: xp.ndarray, b: xp.ndarray, needs_grad: tuple[bool, ...],
               loses: xp.ufunc) -> tuple[xp.ndarray | None, xp.ndarray | None]:
    """PyTorch's rule: the gradient goes to the side that was chosen, halved on a tie; where
    a comparison is false both ways (a nan), both sides get all of it. `loses(a, b)` says
    where a was not chosen."""
    share = xp.where(a == b, grad * grad.dtype.type(0.5), grad)
    zero = grad.dtype.type(0)
    return (
        xp.where(loses(a, b), zero, share) if needs_grad[0] else None,
        xp.where(loses(b, a), zero, share) if needs_grad[1] else None,
    )


class Atan2(Kernel):
    """atan2(a, b), the angle of the point (b, a); ∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²),
    both 0 at the origin (as PyTorch)."""

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.a, self.b = a, b
        with quiet():
            return xp.arctan2(a, b)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        a, b = self.a, self.b
        with quiet():
            squared = a * a + b * b
            scale = xp.where(squared == 0, 0, grad / squared)
            return (scale * b if self.needs_grad[0] else None, -scale * a if self.needs_grad[1] else None)
