"""The activations of an exported network in plain NumPy, with nnwork's own formulas.

This file is copied verbatim into every NumPy export (which must run where nnwork is not
installed), so it imports NumPy alone. Each function computes in its argument's dtype, as
nnwork does (GELU's Φ in float64, as nnwork's).
"""

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_HALF = float(np.sqrt(0.5))
SQRT_2_OVER_PI = float(np.sqrt(2 / np.pi))
GELU_KAPPA = 0.044715
# erfc(z) = t·exp(−z² + Σₖ cₖ Tₖ(2t − 1)), t = 2/(2 + z), z ≥ 0 (nnwork.ops.activations).
ERFC_CHEBYSHEV = np.array([
    -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
    -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05, -2.0278578112534242e-05,
    -1.6242900046470256e-06, 1.3036558355805232e-06, 1.5626441722066142e-08, -8.523809591492654e-08,
    6.5290544390988515e-09, 5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
    9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090725e-13,
    3.130921399342958e-13, -1.1270822361367252e-13, 3.810905255189232e-16, 7.106097613609237e-15,
    -1.5230282014571043e-15, -9.457494571291233e-17, 1.210237189224279e-16, -2.816663087747177e-17,
])


def _quiet():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def sigmoid(a):
    with _quiet():
        return 1 / (1 + np.exp(-a))


def erfc(z):
    z = np.asarray(z, dtype=np.float64)
    size = np.abs(z)
    with _quiet():
        t = 2 / (2 + size)
        tail = t * np.exp(np.polynomial.chebyshev.chebval(2 * t - 1, ERFC_CHEBYSHEV) - size * size)
    return np.where(z < 0, 2 - tail, tail)


def gelu(a, approximate="none"):
    with _quiet():
        if approximate == "tanh":
            kind = a.dtype.type
            return 0.5 * a * (1 + np.tanh(kind(SQRT_2_OVER_PI) * (a + kind(GELU_KAPPA) * a * a * a)))
        return a * (0.5 * erfc(-np.asarray(a, dtype=np.float64) * SQRT_HALF)).astype(a.dtype)


def softplus(a, beta=1.0, threshold=20.0):
    with _quiet():
        scaled = a * a.dtype.type(beta) if beta != 1 else a
        soft = np.maximum(scaled, 0) + np.log1p(np.exp(-np.abs(scaled)))
        if beta != 1:
            soft = soft / a.dtype.type(beta)
        return np.where(scaled > threshold, a, soft)


def elu(a, alpha=1.0, scale=1.0):
    with _quiet():
        negative = a.dtype.type(alpha) * np.expm1(np.minimum(a, 0))
        return np.where(a > 0, a, negative) * a.dtype.type(scale)


ACTIVATIONS = {
    "identity": lambda a: a,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, np.zeros_like(a)),
    "leaky_relu": lambda a, negative_slope=0.01: np.where(a > 0, a, a * a.dtype.type(negative_slope)),
    "softplus": softplus,
    "gelu": gelu,
    "silu": lambda a: a * sigmoid(a),
    "elu": elu,
    "selu": lambda a: elu(a, SELU_ALPHA, SELU_SCALE),
    "logsigmoid": lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
    "hardtanh": lambda a, min_val=-1.0, max_val=1.0: np.clip(a, a.dtype.type(min_val), a.dtype.type(max_val)),
}
