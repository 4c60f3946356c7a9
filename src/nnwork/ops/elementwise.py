"""Elementwise functions and activations, each stable at any input size.

Where the derivative is a function of the output (exp, sigmoid, tanh), backward uses the saved
output instead of recomputing: σ' = σ(1 − σ), tanh' = 1 − tanh².
"""

from __future__ import annotations

import numpy as np

from nnwork.tensor import Function


class Exp(Function):
    """eˣ; its derivative is itself."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = np.exp(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * self.out,)


class Log(Function):
    """ln x; derivative 1/x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.log(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / self.a,)


class Sqrt(Function):
    """√x; derivative 1/(2√x)."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / (2 * self.out),)


class Abs(Function):
    """|x|; derivative sign(x), taken as 0 at 0 (as PyTorch does)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.abs(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * np.sign(self.a),)


class Sin(Function):
    """sin x; derivative cos x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.sin(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * np.cos(self.a),)


class Cos(Function):
    """cos x; derivative −sin x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.cos(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * -np.sin(self.a),)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e⁻ˣ) without overflow warnings.

    For very negative x, e⁻ˣ overflows to inf and 1/(1 + inf) = 0 is exactly the limit, so
    the naive formula is right; only NumPy's warning is wrong, and we silence just that.
    """
    t = np.negative(x, out=np.empty_like(x))  # one buffer, reused in place (0-d too)
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


class Sigmoid(Function):
    """σ(x) = 1/(1 + e⁻ˣ): the neuron's squashing function; σ' = σ(1 − σ)."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = stable_sigmoid(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        out = self.out
        return (grad * (out * (1 - out)),)


class Tanh(Function):
    """tanh x; derivative 1 − tanh² x."""

    __slots__ = ("out",)
    writes_into = True

    def forward(self, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        self.out = np.tanh(a, out=out)
        return self.out

    def backward(self, grad: np.ndarray, out: tuple[np.ndarray | None, ...] = (None,)) -> tuple[np.ndarray]:
        if out[0] is None:
            return (grad * (1 - self.out * self.out),)
        slope = np.multiply(self.out, self.out, out=out[0])  # the same numbers, in the array given
        np.subtract(1, slope, out=slope)
        return (np.multiply(grad, slope, out=slope),)


class ReLU(Function):
    """max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""

    __slots__ = ("positive",)
    writes_into = True

    def forward(self, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        self.positive = a > 0
        return np.multiply(a, self.positive, out=out)

    def backward(self, grad: np.ndarray, out: tuple[np.ndarray | None, ...] = (None,)) -> tuple[np.ndarray]:
        return (np.multiply(grad, self.positive, out=out[0]),)


class LeakyReLU(Function):
    """x where x > 0, else slope·x."""

    __slots__ = ("positive", "slope")

    def forward(self, a: np.ndarray, negative_slope: float) -> np.ndarray:
        self.positive = a > 0
        self.slope = negative_slope
        return np.where(self.positive, a, a * np.asarray(negative_slope, dtype=a.dtype))

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        slope = np.asarray(self.slope, dtype=grad.dtype)
        return (np.where(self.positive, grad, grad * slope),)


class Softplus(Function):
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|), exact and warning-free at any |x|; σ is its
    derivative."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * stable_sigmoid(self.a),)


class Clip(Function):
    """x limited to [low, high]; the gradient passes only where low ≤ x ≤ high."""

    __slots__ = ("inside",)

    def forward(self, a: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
        if low is None and high is None:
            raise ValueError("clip needs at least one of `min` and `max`")
        inside = np.ones(a.shape, dtype=bool)
        if low is not None:
            inside &= a >= low
        if high is not None:
            inside &= a <= high
        self.inside = inside
        return np.clip(a, low, high).astype(a.dtype, copy=False)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * self.inside,)


class Where(Function):
    """a where condition holds, else b; each side gets the gradient where it was chosen."""

    __slots__ = ("condition",)

    def forward(self, a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        zero = np.zeros((), dtype=grad.dtype)
        return (
            np.where(self.condition, grad, zero) if self.needs_grad[0] else None,
            np.where(self.condition, zero, grad) if self.needs_grad[1] else None,
        )


class Cast(Function):
    """The same values in another float dtype; the gradient is cast back."""

    __slots__ = ("source",)

    def forward(self, a: np.ndarray, dtype: np.dtype) -> np.ndarray:
        self.source = a.dtype
        return a.astype(dtype)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.astype(self.source),)
