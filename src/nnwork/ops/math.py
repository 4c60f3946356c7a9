"""More elementwise maths under PyTorch's names: logs and exponentials, trigonometry and its
inverses, hyperbolic functions, rounding, and the binary maximum/minimum/atan2.

Each gradient is PyTorch's formula, so the edges agree too: d/dx asin = ∞ at ±1, d/dx acos =
−∞ there, rounding has gradient 0 everywhere, and a tie in maximum/minimum sends half of the
gradient to each side. Outside a domain the value is nan (asin 2, log2(−1)) or ±inf (log2 0),
without NumPy's warnings.
"""

from __future__ import annotations

import numpy as np

from nnwork.ops.elementwise import torch_sign
from nnwork.tensor import Function

LN2 = float(np.log(2.0))
LN10 = float(np.log(10.0))


def quiet() -> np.errstate:
    """Silence the warnings of results that are nan or ±inf on purpose (as PyTorch gives)."""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


class Log1p(Function):
    """ln(1 + x), exact for tiny x; derivative 1/(1 + x)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.log1p(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad / (self.a + 1),)


class Expm1(Function):
    """eˣ − 1, exact for tiny x; derivative eˣ = out + 1."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with quiet():
            self.out = np.expm1(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (self.out + 1),)


class Log2(Function):
    """log₂ x; derivative 1/(x ln 2)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.log2(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad / (self.a * self.a.dtype.type(LN2)),)


class Log10(Function):
    """log₁₀ x; derivative 1/(x ln 10)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.log10(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad / (self.a * self.a.dtype.type(LN10)),)


class Tan(Function):
    """tan x; derivative 1 + tan² x."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with quiet():
            self.out = np.tan(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad * (1 + self.out * self.out),)


class Asin(Function):
    """arcsin x for x in [−1, 1] (nan outside); derivative 1/√(1 − x²)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.arcsin(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad / np.sqrt(1 - self.a * self.a),)


class Acos(Function):
    """arccos x for x in [−1, 1] (nan outside); derivative −1/√(1 − x²)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.arccos(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (-grad / np.sqrt(1 - self.a * self.a),)


class Atan(Function):
    """arctan x; derivative 1/(1 + x²)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.arctan(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad / (self.a * self.a + 1),)


class Sinh(Function):
    """sinh x; derivative cosh x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.sinh(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad * np.cosh(self.a),)


class Cosh(Function):
    """cosh x; derivative sinh x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.cosh(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad * np.sinh(self.a),)


class Reciprocal(Function):
    """1/x; derivative −1/x² = −out²."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with quiet():
            self.out = np.reciprocal(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (-grad * self.out * self.out,)


class Rsqrt(Function):
    """1/√x; derivative −½ x^(−3/2) = −½ out³."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with quiet():
            self.out = np.reciprocal(np.sqrt(a))
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad * (self.out * self.out * self.out) * self.out.dtype.type(-0.5),)


class Square(Function):
    """x²; derivative 2x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with quiet():
            return np.square(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with quiet():
            return (grad * (2 * self.a),)


class Rounding(Function):
    """A step function (sign, floor, ceil, round): its gradient is 0 everywhere, as PyTorch's."""

    __slots__ = ()

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (np.zeros_like(grad),)


class Sign(Rounding):
    """−1, 0 or 1 (0 at nan, as PyTorch)."""

    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return torch_sign(a)


class Floor(Rounding):
    """The largest integer ≤ x."""

    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.floor(a)


class Ceil(Rounding):
    """The smallest integer ≥ x."""

    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.ceil(a)


class Round(Rounding):
    """x rounded to `decimals` places, halves to even (2.5 → 2), as PyTorch and NumPy."""

    __slots__ = ()

    def forward(self, a: np.ndarray, decimals: int = 0) -> np.ndarray:
        with quiet():
            return np.round(a, decimals)


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
