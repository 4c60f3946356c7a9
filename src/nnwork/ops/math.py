"""More elementwise maths under PyTorch's names: logs and exponentials, trigonometry and its
inverses, hyperbolic functions and rounding (the binary maximum/minimum/atan2: ops/binary.py).

Each gradient is PyTorch's formula, so the edges agree too: d/dx asin = ∞ at ±1, d/dx acos =
−∞ there, and rounding has gradient 0 everywhere. Outside a domain the value is nan (asin 2, log2(−1)) or ±inf (log2 0),
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
