"""Elementwise functions and activations, each stable at any input size.

Where the derivative is a function of the output (exp, sigmoid, tanh), backward uses the saved
output instead of recomputing: σ' = σ(1 − σ), tanh' = 1 − tanh².

Outside a function's domain, or where it overflows, the result is PyTorch's (log 0 = −inf,
log(−1) = nan, e¹⁰⁰⁰⁰ = inf), without NumPy's warnings: `np.errstate` silences exactly those.
"""

from __future__ import annotations

import numpy as np

from nnwork.tensor import Function


class Exp(Function):
    """eˣ; its derivative is itself."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            self.out = np.exp(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * self.out,)


class Log(Function):
    """ln x; derivative 1/x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / self.a,)


class Sqrt(Function):
    """√x; derivative 1/(2√x) (inf at 0, as PyTorch)."""

    __slots__ = ("out",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            self.out = np.sqrt(a)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (2 * self.out),)


class Abs(Function):
    """|x|; derivative sign(x), taken as 0 at 0 and at nan (as PyTorch does)."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.abs(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * torch_sign(self.a),)


def torch_sign(a: np.ndarray) -> np.ndarray:
    """sign(x) ∈ {−1, 0, 1}, with PyTorch's sign(nan) = 0 (NumPy's is nan)."""
    return np.nan_to_num(np.sign(a, out=np.empty_like(a)), copy=False)


class Sin(Function):
    """sin x; derivative cos x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with np.errstate(invalid="ignore"):  # sin(±inf) = nan
            return np.sin(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(invalid="ignore"):
            return (grad * np.cos(self.a),)


class Cos(Function):
    """cos x; derivative −sin x."""

    __slots__ = ("a",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with np.errstate(invalid="ignore"):  # sin(±inf) = nan
            return np.cos(a)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(invalid="ignore"):
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
    """max(x, 0); derivative 0 where x ≤ 0, else 1 (so 0 at x = 0 and 1 at nan, as PyTorch)."""

    __slots__ = ("passes",)
    writes_into = True

    def forward(self, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        self.passes = ~(a <= 0)  # as torch: only x ≤ 0 blocks the gradient (nan lets it pass)
        # Not x·(x > 0), which is nan at −inf; and against an array of zeros, not the scalar 0,
        # because NumPy's array-with-array loop is much faster than its array-with-scalar one.
        if out is None:
            out = np.zeros_like(a)
        else:
            out.fill(0)
        return np.maximum(a, out, out=out)

    def backward(self, grad: np.ndarray, out: tuple[np.ndarray | None, ...] = (None,)) -> tuple[np.ndarray]:
        return (np.multiply(grad, self.passes, out=out[0]),)


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
    """ln(1 + e^βx)/β, computed as (max(βx, 0) + ln(1 + e^−|βx|))/β, exact and warning-free at
    any |x|; as in PyTorch, just x where βx > threshold. Its derivative is σ(βx) (1 there)."""

    __slots__ = ("scaled", "linear")

    def forward(self, a: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):  # beta = 0: inf·0 and 1/0
            scaled = a * a.dtype.type(beta) if beta != 1 else a
            self.scaled, self.linear = scaled, scaled > threshold
            soft = np.maximum(scaled, 0) + np.log1p(np.exp(-np.abs(scaled)))
            if beta != 1:
                soft /= a.dtype.type(beta)
        return np.where(self.linear, a, soft)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(self.linear, grad, grad * stable_sigmoid(self.scaled)),)


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
