"""Reductions: sum, mean, prod, amax/amin, max/min along a dim, cumsum.

A reduction's backward spreads the output gradient back over the axes it removed. `axis` is
NumPy's (see `dims.reduction_dims`): None for every axis, () on a 0-d tensor.
"""

from __future__ import annotations

from typing import Sequence

from nnwork.ops.backend import xp
from nnwork.ops.dims import expand_reduced, reduced_count
from nnwork.ops.kernel import Kernel


def normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """Check `axis` against `ndim` and return it as a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, xp.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, xp.integer)) or not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % max(ndim, 1))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(normalized))


class Sum(Kernel):
    """Σ over `axis`: every summed element gets the gradient of the sum."""

    __slots__ = ("shape", "axis", "keepdims")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> xp.ndarray:
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        return xp.sum(a, axis=axis, keepdims=keepdims)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        grad = expand_reduced(grad, self.axis, self.keepdims, len(self.shape))
        return (xp.broadcast_to(grad, self.shape),)


class Mean(Kernel):
    """Σx / n over `axis`: each element gets 1/n of the gradient. The mean of nothing is nan."""

    __slots__ = ("shape", "axis", "keepdims", "count")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> xp.ndarray:
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        self.count = reduced_count(a.shape, axis)
        if a.size == 0:  # xp.mean would warn; 0/0 is nan, as in torch
            with xp.errstate(invalid="ignore"):
                return xp.sum(a, axis=axis, keepdims=keepdims) / a.dtype.type(self.count)
        return xp.mean(a, axis=axis, keepdims=keepdims)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        if self.count == 0:  # the input is empty: so is its gradient
            return (xp.zeros(self.shape, dtype=grad.dtype),)
        grad = expand_reduced(grad, self.axis, self.keepdims, len(self.shape)) / grad.dtype.type(self.count)
        return (xp.broadcast_to(grad, self.shape),)


class Amax(Kernel):
    """The largest value over `axis`; the gradient goes to the maximal elements, split
    evenly between ties (torch's amax, and max() with no dim)."""

    __slots__ = ("winners", "axis", "keepdims", "ndim")
    reduce = staticmethod(xp.max)

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool,
                nan_wins: bool = False) -> xp.ndarray:
        out = self.reduce(a, axis=axis, keepdims=True)
        winners = a == out
        if nan_wins:  # torch's max()/min() with no dim: a nan result's gradient goes to the nans
            winners |= xp.isnan(a) & xp.isnan(out)
        winners = winners.astype(a.dtype)
        with xp.errstate(invalid="ignore"):  # else a nan has no winner: its gradient is nan (amax)
            winners /= winners.sum(axis=axis, keepdims=True)
        self.winners, self.axis, self.keepdims, self.ndim = winners, axis, keepdims, a.ndim
        if keepdims or a.ndim == 0:
            return out
        return out.reshape(()) if axis is None else xp.squeeze(out, axis=axis)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (expand_reduced(grad, self.axis, self.keepdims, self.ndim) * self.winners,)


Max = Amax  # the op's earlier name


class Amin(Amax):
    """The smallest value over `axis`; the gradient is split evenly between ties."""

    reduce = staticmethod(xp.min)


class PickAlongAxis(Kernel):
    """The elements at `indices` (one per slice) along `axis`, as max(dim) and min(dim)
    select them; the gradient goes to exactly those elements."""

    __slots__ = ("shape", "indices", "axis", "keepdims")

    def forward(self, a: xp.ndarray, indices: xp.ndarray, axis: tuple[int, ...], keepdims: bool) -> xp.ndarray:
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        if a.ndim == 0:
            self.indices = indices
            return a.copy()
        self.indices = xp.expand_dims(indices, axis) if not keepdims else indices
        out = xp.take_along_axis(a, self.indices, axis=axis[0])
        return out if keepdims else xp.squeeze(out, axis=axis)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        if not self.shape:
            return (grad,)
        full = xp.zeros(self.shape, dtype=grad.dtype)
        grad = grad if self.keepdims else xp.expand_dims(grad, self.axis)
        xp.put_along_axis(full, self.indices, grad, axis=self.axis[0])
        return (full,)


def extreme_indices(a: xp.ndarray, axis: tuple[int, ...] | None, keepdim: bool, largest: bool) -> xp.ndarray:
    """argmax/argmin as int64 (the first of ties, as torch); None `axis` means the flat index."""
    find = xp.argmax if largest else xp.argmin
    if a.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    if axis is None:
        index = xp.asarray(find(a), dtype=xp.int64)
        return index.reshape((1,) * a.ndim) if keepdim else index
    return find(a, axis=axis[0], keepdims=keepdim).astype(xp.int64)


class Prod(Kernel):
    """Πx over `axis`. Backward: the product of the others, ∏ⱼ≠ᵢ xⱼ, which is out/xᵢ when no
    x is 0; with zeros it is built from running products on each side (as torch does)."""

    __slots__ = ("a", "out", "axis", "keepdims")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> xp.ndarray:
        self.a, self.axis, self.keepdims = a, axis, keepdims
        self.out = xp.prod(a, axis=axis, keepdims=True)
        if keepdims or a.ndim == 0:
            return self.out
        return self.out.reshape(()) if axis is None else xp.squeeze(self.out, axis=axis)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        a = self.a
        grad = expand_reduced(grad, self.axis, self.keepdims, a.ndim)
        if a.ndim == 0 or self.axis == ():
            return (xp.broadcast_to(grad, a.shape),)
        if not (a == 0).any():
            return (grad * (self.out / a),)
        if self.axis is None:
            return (grad * _product_of_others(a.reshape(-1), 0).reshape(a.shape),)
        return (grad * _product_of_others(a, self.axis[0]),)


def _product_of_others(a: xp.ndarray, axis: int) -> xp.ndarray:
    """∏ⱼ≠ᵢ aⱼ along `axis` for every i, without dividing: (running product before i) ×
    (running product after i)."""
    before, after = xp.ones_like(a), xp.ones_like(a)
    head = [slice(None)] * a.ndim
    tail = [slice(None)] * a.ndim
    head[axis], tail[axis] = slice(1, None), slice(None, -1)
    before[tuple(head)] = xp.cumprod(a, axis=axis)[tuple(tail)]
    after[tuple(tail)] = xp.flip(xp.cumprod(xp.flip(a, axis), axis=axis), axis)[tuple(head)]
    return before * after


class Cumsum(Kernel):
    """Running sums along `axis`: yᵢ = Σⱼ≤ᵢ xⱼ. Backward: the running sums of the gradient
    taken from the other end, ∂L/∂xⱼ = Σᵢ≥ⱼ gᵢ."""

    __slots__ = ("axis",)

    def forward(self, a: xp.ndarray, axis: tuple[int, ...]) -> xp.ndarray:
        self.axis = axis
        return a.copy() if a.ndim == 0 else xp.cumsum(a, axis=axis[0])

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        if not self.axis:
            return (grad,)
        axis = self.axis[0]
        return (xp.flip(xp.cumsum(xp.flip(grad, axis), axis=axis), axis),)
