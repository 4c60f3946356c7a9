"""Variance and standard deviation, with torch's Bessel `correction`.

var = Σ(x − x̄)² / max(0, N − correction) over `axis` (N elements in each reduction): N − 1 by
default (unbiased), N with correction=0. N − correction ≤ 0 gives inf or nan, as in torch,
and no warning.
"""

from __future__ import annotations

from typing import Any

from nnwork.ops.backend import xp
from nnwork.ops.dims import expand_reduced, reduced_count
from nnwork.ops.kernel import Kernel


def correction_of(name: str, unbiased: Any, correction: Any) -> float:
    """The correction from torch's `unbiased` (True: 1, False: 0) or `correction` (default 1)."""
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{name}() got both `unbiased` and `correction`; pass only one")
        if not isinstance(unbiased, (bool, xp.bool_)):
            raise TypeError(f"{name}(): `unbiased` must be a bool, got {type(unbiased).__name__} {unbiased!r}")
        return 1.0 if unbiased else 0.0
    if correction is None:
        return 1.0
    if not isinstance(correction, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{name}(): `correction` must be a number, got {type(correction).__name__} {correction!r}")
    return float(correction)


def _first(a: xp.ndarray, axis: tuple[int, ...] | None) -> xp.ndarray:
    """The first element of each slice reduced over `axis` (kept as size 1)."""
    if a.size == 0:
        return xp.zeros((), dtype=a.dtype)
    index = [slice(None)] * a.ndim
    for i in range(a.ndim) if axis is None else axis:
        index[i] = slice(0, 1)
    return a[tuple(index)]


class Var(Kernel):
    """Σ(x − x̄)² / max(0, N − c). Backward: 2(x − x̄)/(N − c) · g, as torch: over some dims
    it divides by N − c itself, not by the clamped divisor; over every dim with N − c ≤ 0 it
    gives g·inf, or g·nan where x = x̄."""

    __slots__ = ("deviation", "axis", "keepdims", "scale", "out", "degenerate")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool, correction: float) -> xp.ndarray:
        count = reduced_count(a.shape, axis)
        self.axis, self.keepdims = axis, keepdims
        with xp.errstate(invalid="ignore", divide="ignore"):  # N − c ≤ 0: inf or nan, as in torch
            centred = a - _first(a, axis)  # exactly 0 for constant slices, and exact for large offsets
            self.deviation = centred - xp.sum(centred, axis=axis, keepdims=True) / a.dtype.type(count)
            squares = xp.sum(self.deviation * self.deviation, axis=axis, keepdims=keepdims)
            self.out = squares / a.dtype.type(max(0.0, count - correction))
            self.scale = a.dtype.type(2.0) / a.dtype.type(count - correction)
        self.degenerate = (axis is None or a.ndim == 0) and count - correction <= 0
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        grad = expand_reduced(grad, self.axis, self.keepdims, self.deviation.ndim)
        with xp.errstate(invalid="ignore", divide="ignore"):
            if self.degenerate:
                return (grad * xp.where(self.deviation == 0, xp.nan, xp.inf).astype(grad.dtype),)
            return (grad * self.deviation * self.scale,)


class Std(Var):
    """√var. Backward: g / (2·std) into var's backward, 0 where std is 0 (as torch)."""

    __slots__ = ()

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool, correction: float) -> xp.ndarray:
        self.out = xp.sqrt(super().forward(a, axis, keepdims, correction))
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        with xp.errstate(invalid="ignore", divide="ignore"):
            grad = xp.where(self.out == 0, grad.dtype.type(0), grad / (2 * self.out))
        return super().backward(grad)
