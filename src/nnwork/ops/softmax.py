"""The softmax family: logsumexp, softmax, log_softmax, stable for logits of any size.

Each shifts by the maximum m before exponentiating, e^(x − m) ≤ 1, so nothing overflows.
`axis` is NumPy's (see `dims.reduction_dims`): () on a 0-d tensor.
"""

from __future__ import annotations

import numpy as np

from nnwork.ops.dims import expand_reduced
from nnwork.tensor import Function


def _shifted(a: np.ndarray, axis: tuple[int, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """(a − m, m) for m the maximum along `axis` (kept as size 1; 0 where it is ±inf or the
    axis is empty), so that no e^(a − m) overflows."""
    shift = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(np.isfinite(shift), shift, 0)
    return a - shift, shift


def _log_sum_exp(shifted: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """log Σ eˣ with keepdims, for x already shifted by `_shifted`."""
    with np.errstate(divide="ignore"):  # all -inf (or nothing) along an axis: log 0 = -inf is right
        return np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class LogSumExp(Function):
    """log Σ eˣ over `axis`; its gradient is softmax(x)."""

    __slots__ = ("a", "out", "axis", "keepdims")

    def forward(self, a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        shifted, shift = _shifted(a, axis)
        out = _log_sum_exp(shifted, axis) + shift
        self.a, self.out, self.axis, self.keepdims = a, out, axis, keepdims
        if keepdims or a.ndim == 0:
            return out
        return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        grad = expand_reduced(grad, self.axis, self.keepdims, self.a.ndim)
        with np.errstate(invalid="ignore"):  # all -inf: -inf − (-inf) is nan, as in torch
            return (grad * np.exp(self.a - self.out),)


class Softmax(Function):
    """eˣⁱ / Σⱼ eˣʲ along `axis`; backward: s ⊙ (g − Σ g ⊙ s)."""

    __slots__ = ("out", "axis")

    def forward(self, a: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
        self.axis = axis
        with np.errstate(invalid="ignore"):  # a row of -inf (or one +inf) gives nan, as in torch
            shifted = np.exp(a - np.max(a, axis=axis, keepdims=True, initial=-np.inf))
            self.out = shifted / np.sum(shifted, axis=axis, keepdims=True)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        out = self.out
        return (out * (grad - np.sum(grad * out, axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    """x − log Σ eˣ along `axis`, as (x − m) − log Σ e^(x − m) for the maximum m: finite for
    logits of any size, and the large m cancels exactly before the rounding of the log-sum.
    Backward: g − softmax·Σg."""

    __slots__ = ("out", "axis")

    def forward(self, a: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
        self.axis = axis
        with np.errstate(invalid="ignore"):  # a row of -inf (or one +inf) gives nan, as in torch
            shifted = a - np.max(a, axis=axis, keepdims=True, initial=-np.inf)
            self.out = shifted - _log_sum_exp(shifted, axis)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad - np.exp(self.out) * np.sum(grad, axis=self.axis, keepdims=True),)
