"""Elementwise functions of a Tensor (exp, log, tanh, relu, round, ...) and its dtype casts.

Each is one line applying its kernel from nnwork.ops (see nnwork.tensor_base for `_apply`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork import ops as _ops
from nnwork.tensor_base import FLOAT_DTYPES, TensorBase, real_number


class MathMethods(TensorBase):
    """exp, log, sqrt, the trigonometric and hyperbolic functions, activations, rounding, casts."""

    __slots__ = ()

    def exp(self) -> TensorBase:
        return self._apply(_ops.Exp, self)

    def log(self) -> TensorBase:
        return self._apply(_ops.Log, self)

    def sqrt(self) -> TensorBase:
        return self._apply(_ops.Sqrt, self)

    def abs(self) -> TensorBase:
        return self._apply(_ops.Abs, self)

    def sin(self) -> TensorBase:
        return self._apply(_ops.Sin, self)

    def cos(self) -> TensorBase:
        return self._apply(_ops.Cos, self)

    def sigmoid(self) -> TensorBase:
        return self._apply(_ops.Sigmoid, self)

    def tanh(self) -> TensorBase:
        return self._apply(_ops.Tanh, self)

    def relu(self) -> TensorBase:
        return self._apply(_ops.ReLU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> TensorBase:
        return self._apply(_ops.LeakyReLU, self, negative_slope=float(negative_slope))

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> TensorBase:
        return self._apply(_ops.Softplus, self, beta=real_number(beta, "beta"), threshold=real_number(threshold, "threshold"))

    def clip(self, min: float | None = None, max: float | None = None) -> TensorBase:
        return self._apply(_ops.Clip, self, low=min, high=max)

    clamp = clip

    def log1p(self) -> TensorBase:
        return self._apply(_ops.Log1p, self)

    def expm1(self) -> TensorBase:
        return self._apply(_ops.Expm1, self)

    def log2(self) -> TensorBase:
        return self._apply(_ops.Log2, self)

    def log10(self) -> TensorBase:
        return self._apply(_ops.Log10, self)

    def tan(self) -> TensorBase:
        return self._apply(_ops.Tan, self)

    def asin(self) -> TensorBase:
        return self._apply(_ops.Asin, self)

    def acos(self) -> TensorBase:
        return self._apply(_ops.Acos, self)

    def atan(self) -> TensorBase:
        return self._apply(_ops.Atan, self)

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self) -> TensorBase:
        return self._apply(_ops.Sinh, self)

    def cosh(self) -> TensorBase:
        return self._apply(_ops.Cosh, self)

    def reciprocal(self) -> TensorBase:
        return self._apply(_ops.Reciprocal, self)

    def rsqrt(self) -> TensorBase:
        return self._apply(_ops.Rsqrt, self)

    def square(self) -> TensorBase:
        return self._apply(_ops.Square, self)

    def sign(self) -> TensorBase:
        return self._apply(_ops.Sign, self)

    def floor(self) -> TensorBase:
        return self._apply(_ops.Floor, self)

    def ceil(self) -> TensorBase:
        return self._apply(_ops.Ceil, self)

    def round(self, decimals: int = 0) -> TensorBase:
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"`decimals` must be an integer, got {decimals!r}")
        return self._apply(_ops.Round, self, decimals=int(decimals))

    def maximum(self, other: Any) -> TensorBase:
        return self._apply(_ops.Maximum, self, self._other(other))

    def minimum(self, other: Any) -> TensorBase:
        return self._apply(_ops.Minimum, self, self._other(other))

    def atan2(self, other: Any) -> TensorBase:
        return self._apply(_ops.Atan2, self, self._other(other))

    arctan2 = atan2

    def to(self, dtype: Any) -> TensorBase:
        """The same values as `dtype` (float32 or float64); gradients flow back through."""
        if np.dtype(dtype) not in FLOAT_DTYPES:
            raise TypeError(f"`dtype` must be float32 or float64, got {np.dtype(dtype)}")
        if np.dtype(dtype) == self.dtype:
            return self
        return self._apply(_ops.Cast, self, dtype=np.dtype(dtype))

    def float(self) -> TensorBase:
        return self.to(np.float32)

    def double(self) -> TensorBase:
        return self.to(np.float64)
