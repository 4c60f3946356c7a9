"""Reductions (sum, mean, max) and the softmax family, stable for any logits.

A reduction's backward spreads the output gradient back over the axes it removed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnwork.tensor import Function


def normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """Check `axis` against `ndim` and return it as a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % max(ndim, 1))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(normalized))


def _expand(grad: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool, ndim: int) -> np.ndarray:
    """Put back the reduced axes (as size 1) so `grad` broadcasts against the input."""
    if keepdims or ndim == 0:
        return grad
    return np.expand_dims(grad, tuple(range(ndim)) if axis is None else axis)


class Sum(Function):
    """Σ over `axis`: every summed element gets the gradient of the sum."""

    __slots__ = ("shape", "axis", "keepdims")

    def forward(self, a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        grad = _expand(grad, self.axis, self.keepdims, len(self.shape))
        return (np.broadcast_to(grad, self.shape),)


class Mean(Function):
    """The average over `axis`: each element gets 1/n of the gradient."""

    __slots__ = ("shape", "axis", "keepdims")

    def forward(self, a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return np.mean(a, axis=axis, keepdims=keepdims)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        count = np.prod(self.shape) if self.axis is None else np.prod([self.shape[i] for i in self.axis])
        grad = _expand(grad, self.axis, self.keepdims, len(self.shape)) / grad.dtype.type(count)
        return (np.broadcast_to(grad, self.shape),)


class Max(Function):
    """The maximum over `axis`; the gradient goes to the maximal elements, split evenly
    between ties (as PyTorch's amax does)."""

    __slots__ = ("winners", "axis", "keepdims", "ndim")

    def forward(self, a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        if a.size == 0:
            raise ValueError(f"max of an empty tensor (shape {a.shape})")
        out = np.max(a, axis=axis, keepdims=True)
        winners = (a == out).astype(a.dtype)
        winners /= winners.sum(axis=axis, keepdims=True)
        self.winners, self.axis, self.keepdims, self.ndim = winners, axis, keepdims, a.ndim
        return out if keepdims else np.squeeze(out, axis=axis) if a.ndim else out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (_expand(grad, self.axis, self.keepdims, self.ndim) * self.winners,)


def _shifted(a: np.ndarray, axis: tuple[int, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """(a − m, m) for m the maximum along `axis` (kept as size 1; 0 where it is ±inf), so
    that no e^(a − m) overflows."""
    shift = np.max(a, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    return a - shift, shift


def _log_sum_exp(shifted: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """log Σ eˣ with keepdims, for x already shifted by `_shifted`."""
    with np.errstate(divide="ignore"):  # all -inf along an axis: log 0 = -inf is right
        return np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class LogSumExp(Function):
    """log Σ eˣ over `axis`; its gradient is softmax(x)."""

    __slots__ = ("a", "out", "axis", "keepdims")

    def forward(self, a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        shifted, shift = _shifted(a, axis)
        out = _log_sum_exp(shifted, axis) + shift
        self.a, self.out, self.axis, self.keepdims = a, out, axis, keepdims
        if keepdims or a.ndim == 0:
            return out.reshape(a.shape) if a.ndim == 0 else out
        return np.squeeze(out, axis=axis)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        grad = _expand(grad, self.axis, self.keepdims, self.a.ndim)
        return (grad * np.exp(self.a - self.out),)


class Softmax(Function):
    """eˣⁱ / Σⱼ eˣʲ along `axis`; backward: s ⊙ (g − Σ g ⊙ s)."""

    __slots__ = ("out", "axis")

    def forward(self, a: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
        self.axis = axis
        shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
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
        shifted, _ = _shifted(a, axis)
        self.out = shifted - _log_sum_exp(shifted, axis)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad - np.exp(self.out) * np.sum(grad, axis=self.axis, keepdims=True),)
