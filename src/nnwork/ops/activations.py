"""The smooth ReLU-like activations of modern networks, under PyTorch's names: GELU, SiLU, ELU
(and SELU), log σ, and the clamp-like Hardtanh.

Each follows PyTorch's formulas for its value and gradient, so they agree at the edges as well
(GELU(−inf) = nan, since −inf·Φ(−inf) = −inf·0; ELU's gradient is α·eˣ for x ≤ 0, so α at 0).
Where PyTorch's scalar and vectorised kernels disagree (ELU's and Hardtanh's gradients at nan,
which depend on where in the array the nan sits), these follow the vectorised one.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.elementwise import stable_sigmoid
from nnwork.ops.math import quiet
from nnwork.ops.kernel import Kernel

SQRT_HALF = float(xp.sqrt(0.5))
INV_SQRT_2PI = float(1 / xp.sqrt(2 * xp.pi))
SQRT_2_OVER_PI = float(xp.sqrt(2 / xp.pi))
GELU_KAPPA = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# erfc(z) = t·exp(−z² + Σₖ cₖ Tₖ(2t − 1)) with t = 2/(2 + z), for z ≥ 0: a Chebyshev series
# (fitted for nnwork at 50 digits with mpmath) whose relative error is below 1e-14 for z < 6
# and stays small in the far tail, where 1 − erf(z) would cancel to 0.
ERFC_CHEBYSHEV = xp.array([
    -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
    -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05, -2.0278578112534242e-05,
    -1.6242900046470256e-06, 1.3036558355805232e-06, 1.5626441722066142e-08, -8.523809591492654e-08,
    6.5290544390988515e-09, 5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
    9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090725e-13,
    3.130921399342958e-13, -1.1270822361367252e-13, 3.810905255189232e-16, 7.106097613609237e-15,
    -1.5230282014571043e-15, -9.457494571291233e-17, 1.210237189224279e-16, -2.816663087747177e-17,
])


def erfc(z: xp.ndarray) -> xp.ndarray:
    """The complementary error function 1 − erf(z), in float64, accurate in both tails."""
    z = xp.asarray(z, dtype=xp.float64)
    size = xp.abs(z)
    with quiet():
        t = 2 / (2 + size)
        tail = t * xp.exp(xp.polynomial.chebyshev.chebval(2 * t - 1, ERFC_CHEBYSHEV) - size * size)
    return xp.where(z < 0, 2 - tail, tail)


def normal_cdf(x: xp.ndarray) -> xp.ndarray:
    """Φ(x) = ½ erfc(−x/√2), the standard normal's distribution function, in x's dtype."""
    return (0.5 * erfc(-xp.asarray(x, dtype=xp.float64) * SQRT_HALF)).astype(x.dtype, copy=False)


class GELU(Kernel):
    """x·Φ(x), the Gaussian error linear unit; derivative Φ(x) + x·φ(x). With
    approximate="tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³))) and its exact derivative."""

    __slots__ = ("a", "cdf", "tanh")

    def forward(self, a: xp.ndarray, approximate: str = "none") -> xp.ndarray:
        self.a = a
        with quiet():
            if approximate == "tanh":
                self.tanh = xp.tanh(a.dtype.type(SQRT_2_OVER_PI) * (a + a.dtype.type(GELU_KAPPA) * a * a * a))
                self.cdf = None
                return 0.5 * a * (1 + self.tanh)
            self.cdf = normal_cdf(a)
            return a * self.cdf

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        a, kind = self.a, self.a.dtype.type
        with quiet():
            if self.cdf is not None:
                density = xp.exp(-0.5 * a * a) * kind(INV_SQRT_2PI)
                return (grad * (self.cdf + a * density),)
            slope = (1 - self.tanh * self.tanh) * kind(SQRT_2_OVER_PI) * (1 + kind(3 * GELU_KAPPA) * a * a)
            return (grad * (0.5 * (1 + self.tanh) + 0.5 * a * slope),)


class SiLU(Kernel):
    """x·σ(x) (also called swish); derivative σ(x)(1 + x(1 − σ(x)))."""

    __slots__ = ("a", "sigmoid")

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a, self.sigmoid = a, stable_sigmoid(a)
        with quiet():
            return a * self.sigmoid

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        s = self.sigmoid
        with quiet():
            return (grad * (s * (1 + self.a * (1 - s))),)


class ELU(Kernel):
    """scale·x for x > 0, else scale·α(eˣ − 1); derivative scale, or scale·α·eˣ where x ≤ 0
    (nan at nan, as PyTorch's vectorised kernel). scale = 1 is ELU; SELU fixes α and scale."""

    __slots__ = ("a", "alpha", "scale")

    def forward(self, a: xp.ndarray, alpha: float = 1.0, scale: float = 1.0) -> xp.ndarray:
        self.a, self.alpha, self.scale = a, a.dtype.type(alpha), a.dtype.type(scale)
        with quiet():
            negative = self.alpha * xp.expm1(xp.minimum(a, 0))  # exp only where it cannot overflow
            return xp.where(a > 0, a, negative) * self.scale

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        a = self.a
        with quiet():
            slope = xp.where(a > 0, 1, self.alpha * xp.exp(xp.minimum(a, 0))) * self.scale
            return (grad * slope,)


class LogSigmoid(Kernel):
    """log σ(x) = min(x, 0) − ln(1 + e^−|x|), exact at any |x|; derivative σ(−x)."""

    __slots__ = ("a",)

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        self.a = a
        with quiet():
            return xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * stable_sigmoid(-self.a),)


class Hardtanh(Kernel):
    """x clamped to [low, high]; derivative 1 strictly inside, else 0: at the bounds too
    (unlike clamp, whose gradient passes there) and at nan, as PyTorch's vectorised kernel."""

    __slots__ = ("inside",)

    def forward(self, a: xp.ndarray, low: float = -1.0, high: float = 1.0) -> xp.ndarray:
        self.inside = (a > low) & (a < high)
        return xp.clip(a, a.dtype.type(low), a.dtype.type(high))

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad * self.inside,)
