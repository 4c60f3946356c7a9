"""Elementwise functions and activations, each stable at any input size.

Where the derivative is a function of the output (exp, sigmoid, tanh), backward uses the saved
output instead of recomputing: σ' = σ(1 − σ), tanh' = 1 − tanh².

Outside a function's domain, or where it overflows, the result is PyTorch's (log 0 = −inf,
log(−1) = nan, e¹⁰⁰⁰⁰ = inf), without NumPy's warnings: `xp.errstate` silences exactly those.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel


class Exp(Kernel):
    """eˣ; its derivative is itself."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with xp.errstate(over="ignore"):
            self.out = xp.exp(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * self.out,)


class Log(Kernel):
    """ln x; derivative 1/x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.log(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (grad / self.a,)


class Sqrt(Kernel):
    """√x; derivative 1/(2√x) (inf at 0, as PyTorch)."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        with xp.errstate(invalid="ignore"):
            self.out = xp.sqrt(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (grad / (2 * self.out),)


class Abs(Kernel):
    """|x|; derivative sign(x), taken as 0 at 0 and at nan (as PyTorch does)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        return xp.abs(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * torch_sign(self.a),)


def torch_sign(a: xp.ndarray) -> xp.ndarray:
    """sign(x) ∈ {−1, 0, 1}, with PyTorch's sign(nan) = 0 (NumPy's is nan)."""
    return xp.nan_to_num(xp.sign(a, out=xp.empty_like(a)), copy=False)


class Sin(Kernel):
    """sin x; derivative cos x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with xp.errstate(invalid="ignore"):  # sin(±inf) = nan
            return xp.sin(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with xp.errstate(invalid="ignore"):
            return (grad * xp.cos(self.a),)


class Cos(Kernel):
    """cos x; derivative −sin x."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with xp.errstate(invalid="ignore"):  # sin(±inf) = nan
            return xp.cos(a)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with xp.errstate(invalid="ignore"):
            return (grad * -xp.sin(self.a),)


def stable_sigmoid(x: xp.ndarray) -> xp.ndarray:
    """σ(x) = 1 / (1 + e⁻ˣ) without overflow warnings.

    For very negative x, e⁻ˣ overflows to inf and 1/(1 + inf) = 0 is exactly the limit, so
    the naive formula is right; only NumPy's warning is wrong, and we silence just that.
    """
    t = xp.negative(x, out=xp.empty_like(x))  # one buffer, reused in place (0-d too)
    with xp.errstate(over="ignore"):
        xp.exp(t, out=t)
    t += 1
    return xp.reciprocal(t, out=t)


class Sigmoid(Kernel):
    """σ(x) = 1/(1 + e⁻ˣ): the neuron's squashing function; σ' = σ(1 − σ)."""

    __slots__ = ("out",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.out = stable_sigmoid(a)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        out = self.out
        return (grad * (out * (1 - out)),)


class Tanh(Kernel):
    """tanh x; derivative 1 − tanh² x."""

    __slots__ = ("out",)
    writes_into = True

    def forward(self, a: xp.ndarray, out: xp.ndarray | None = None) -> xp.ndarray:
        self.out = xp.tanh(a, out=out)
        return self.out

    def backward(self, grad: xp.ndarray, out: tuple[xp.ndarray | None, ...] = (None,)) -> tuple[xp.ndarray]:
        if out[0] is None:
            return (grad * (1 - self.out * self.out),)
        slope = xp.multiply(self.out, self.out, out=out[0])  # the same numbers, in the array given
        xp.subtract(1, slope, out=slope)
        return (xp.multiply(grad, slope, out=slope),)


class ReLU(Kernel):
    """max(x, 0); derivative 0 where x ≤ 0, else 1 (so 0 at x = 0 and 1 at nan, as PyTorch)."""

    __slots__ = ("passes",)
    writes_into = True

    def forward(self, a: xp.ndarray, out: xp.ndarray | None = None) -> xp.ndarray:
        self.passes = ~(a <= 0)  # as torch: only x ≤ 0 blocks the gradient (nan lets it pass)
        # Not x·(x > 0), which is nan at −inf; and against an array of zeros, not the scalar 0,
        # because NumPy's array-with-array loop is much faster than its array-with-scalar one.
        if out is None:
            out = xp.zeros_like(a)
        else:
            out.fill(0)
        return xp.maximum(a, out, out=out)

    def backward(self, grad: xp.ndarray, out: tuple[xp.ndarray | None, ...] = (None,)) -> tuple[xp.ndarray]:
        return (xp.multiply(grad, self.passes, out=out[0]),)


class LeakyReLU(Kernel):
    """x where x > 0, else slope·x."""

    __slots__ = ("positive", "slope")

    def forward(self, a: xp.ndarray, negative_slope: float) -> xp.ndarray:
        self.positive = a > 0
        self.slope = negative_slope
        return xp.where(self.positive, a, a * xp.asarray(negative_slope, dtype=a.dtype))

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        slope = xp.asarray(self.slope, dtype=grad.dtype)
        return (xp.where(self.positive, grad, grad * slope),)


class Softplus(Kernel):
    """ln(1 + e^βx)/β, computed as (max(βx, 0) + ln(1 + e^−|βx|))/β, exact and warning-free at
    any |x|; as in PyTorch, just x where βx > threshold. Its derivative is σ(βx) (1 there)."""

    __slots__ = ("scaled", "linear")

    def forward(self, a: xp.ndarray, beta: float = 1.0, threshold: float = 20.0) -> xp.ndarray:
        with xp.errstate(divide="ignore", invalid="ignore"):  # beta = 0: inf·0 and 1/0
            scaled = a * a.dtype.type(beta) if beta != 1 else a
            self.scaled, self.linear = scaled, scaled > threshold
            soft = xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))
            if beta != 1:
                soft /= a.dtype.type(beta)
        return xp.where(self.linear, a, soft)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (xp.where(self.linear, grad, grad * stable_sigmoid(self.scaled)),)


class Clip(Kernel):
    """x limited to [low, high]; the gradient passes only where low ≤ x ≤ high."""

    __slots__ = ("inside",)

    def forward(self, a: xp.ndarray, low: float | None, high: float | None) -> xp.ndarray:
        if low is None and high is None:
            raise ValueError("clip needs at least one of `min` and `max`")
        inside = xp.ones(a.shape, dtype=bool)
        if low is not None:
            inside &= a >= low
        if high is not None:
            inside &= a <= high
        self.inside = inside
        return xp.clip(a, low, high).astype(a.dtype, copy=False)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * self.inside,)


class Where(Kernel):
    """a where condition holds, else b; each side gets the gradient where it was chosen."""

    __slots__ = ("condition",)

    def forward(self, a: xp.ndarray, b: xp.ndarray, condition: xp.ndarray) -> xp.ndarray:
        self.condition = condition
        return xp.where(condition, a, b)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        zero = xp.zeros((), dtype=grad.dtype)
        return (
            xp.where(self.condition, grad, zero) if self.needs_grad[0] else None,
            xp.where(self.condition, zero, grad) if self.needs_grad[1] else None,
        )


class Cast(Kernel):
    """The same values in another float dtype; the gradient is cast back."""

    __slots__ = ("source",)

    def forward(self, a: xp.ndarray, dtype: xp.dtype) -> xp.ndarray:
        self.source = a.dtype
        return a.astype(dtype)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad.astype(self.source),)
