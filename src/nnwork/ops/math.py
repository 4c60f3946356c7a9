"""More elementwise maths under PyTorch's names: logs and exponentials, trigonometry and its
inverses, hyperbolic functions and rounding (the binary maximum/minimum/atan2: ops/binary.py).

Each gradient is PyTorch's formula, so the edges agree too: d/dx asin = ∞ at ±1, d/dx acos =
−∞ there, and rounding has gradient 0 everywhere. Outside a domain the value is nan (asin 2, log2(−1)) or ±inf (log2 0),
without NumPy's warnings.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.elementwise import torch_sign
from nnwork.ops.kernel import Kernel

LN2 = float(xp.log(2.0))
LN10 = float(xp.log(10.0))


def quiet() -> xp.errstate:
    """Silence the warnings of results that are nan or ±inf on purpose (as PyTorch gives)."""
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore")


class Log1p(Kernel):
    """ln(1 + x), exact for tiny x; derivative 1/(1 + x)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.log1p(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad / (self.a + 1),)


class Expm1(Kernel):
    """eˣ − 1, exact for tiny x; derivative eˣ = out + 1."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with quiet():
            self.out = xp.expm1(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * (self.out + 1),)


class Log2(Kernel):
    """log₂ x; derivative 1/(x ln 2)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.log2(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad / (self.a * self.a.dtype.type(LN2)),)


class Log10(Kernel):
    """log₁₀ x; derivative 1/(x ln 10)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.log10(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad / (self.a * self.a.dtype.type(LN10)),)


class Tan(Kernel):
    """tan x; derivative 1 + tan² x."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with quiet():
            self.out = xp.tan(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad * (1 + self.out * self.out),)


class Asin(Kernel):
    """arcsin x for x in [−1, 1] (nan outside); derivative 1/√(1 − x²)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.arcsin(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad / xp.sqrt(1 - self.a * self.a),)


class Acos(Kernel):
    """arccos x for x in [−1, 1] (nan outside); derivative −1/√(1 − x²)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.arccos(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (-grad / xp.sqrt(1 - self.a * self.a),)


class Atan(Kernel):
    """arctan x; derivative 1/(1 + x²)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        return xp.arctan(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad / (self.a * self.a + 1),)


class Sinh(Kernel):
    """sinh x; derivative cosh x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.sinh(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad * xp.cosh(self.a),)


class Cosh(Kernel):
    """cosh x; derivative sinh x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.cosh(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad * xp.sinh(self.a),)


class Reciprocal(Kernel):
    """1/x; derivative −1/x² = −out²."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with quiet():
            self.out = xp.reciprocal(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (-grad * self.out * self.out,)


class Rsqrt(Kernel):
    """1/√x; derivative −½ x^(−3/2) = −½ out³."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with quiet():
            self.out = xp.reciprocal(xp.sqrt(a))
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad * (self.out * self.out * self.out) * self.out.dtype.type(-0.5),)


class Square(Kernel):
    """x²; derivative 2x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.square(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with quiet():
            return (grad * (2 * self.a),)


class Rounding(Kernel):
    """A step function (sign, floor, ceil, round): its gradient is 0 everywhere, as PyTorch's."""

    __slots__ = ()

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (xp.zeros_like(grad),)


class Sign(Rounding):
    """−1, 0 or 1 (0 at nan, as PyTorch)."""

    __slots__ = ()

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        return torch_sign(a)


class Floor(Rounding):
    """The largest integer ≤ x."""

    __slots__ = ()

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        return xp.floor(a)


class Ceil(Rounding):
    """The smallest integer ≥ x."""

    __slots__ = ()

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        return xp.ceil(a)


class Round(Rounding):
    """x rounded to `decimals` places, halves to even (2.5 → 2), as PyTorch and NumPy."""

    __slots__ = ()

    def forward(self, a: xp.ndarray, decimals: int = 0) -> xp.ndarray:
        with quiet():
            return xp.round(a, decimals)
