"""Reductions of a Tensor (sum, mean, max, var, ...) and the softmax family, with torch's
signatures: `dim` first (an int, a tuple of ints, or None for every dim), then `keepdim`; the
aliases `axis=` and `keepdims=` are accepted, as torch accepts them. Each checks its
arguments as torch does (the checks in nnwork.ops.dims) and applies its kernel.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nnwork import ops as _ops
from nnwork.ops.dims import check_nonempty, dim_and_keepdim, reduction_dims
from nnwork.ops.kernel import Kernel
from nnwork.ops.reductions import Amax, Amin, PickAlongAxis, extreme_indices
from nnwork.ops.statistics import correction_of
from nnwork.tensor_base import TensorBase


class ReductionMethods(TensorBase):
    """sum, mean, prod, amax/amin, max/min, argmax/argmin, var/std, logsumexp, cumsum, softmax."""

    __slots__ = ()

    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        if dim is None and axis is None and keepdims is None and keepdim is False:  # the hot path
            return self._apply(_ops.Sum, self, axis=None, keepdims=False)
        return reduce(self, _ops.Sum, "sum", dim, keepdim, axis, keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        if dim is None and axis is None and keepdims is None and keepdim is False:  # the hot path
            return self._apply(_ops.Mean, self, axis=None, keepdims=False)
        return reduce(self, _ops.Mean, "mean", dim, keepdim, axis, keepdims)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        return reduce(self, _ops.Prod, "prod", dim, keepdim, axis, keepdims, False, True)

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        return extreme_value(self, "amax", dim, keepdim, axis, keepdims)

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        return extreme_value(self, "amin", dim, keepdim, axis, keepdims)

    def max(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """max(): the largest value (ties share the gradient); max(dim): the named tuple
        (values, indices) along `dim`, the gradient going to the index (the first of ties)."""
        return extreme(self, "max", dim, keepdim, axis, keepdims)

    def min(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """min(): the smallest value; min(dim): (values, indices) along `dim` (see max)."""
        return extreme(self, "min", dim, keepdim, axis, keepdims)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        return arg_extreme(self, "argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        return arg_extreme(self, "argmin", dim, keepdim, axis, keepdims)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: Any = None) -> TensorBase:
        """Σ(x − x̄)² / (N − correction) over `dim`; correction 1 (unbiased) by default."""
        return statistic(self, _ops.Var, "var", dim, unbiased, keepdim, correction, axis, keepdims)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: Any = None) -> TensorBase:
        """√var (see var)."""
        return statistic(self, _ops.Std, "std", dim, unbiased, keepdim, correction, axis, keepdims)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> TensorBase:
        """log Σ eˣ over `dim` (required, as in torch), stable for any x."""
        axis_, keepdim = logsumexp_dims(self, dim, keepdim, axis, keepdims)
        return self._apply(_ops.LogSumExp, self, axis=axis_, keepdims=keepdim)

    def cumsum(self, dim: int | None = None, *, axis: Any = None) -> TensorBase:
        return self._apply(_ops.Cumsum, self, axis=single_dim(self, "cumsum", dim, axis))

    def softmax(self, dim: int | None = None, *, axis: Any = None) -> TensorBase:
        return self._apply(_ops.Softmax, self, axis=single_dim(self, "softmax", dim, axis))

    def log_softmax(self, dim: int | None = None, *, axis: Any = None) -> TensorBase:
        return self._apply(_ops.LogSoftmax, self, axis=single_dim(self, "log_softmax", dim, axis))


class ValuesIndices(NamedTuple):
    """What max(dim) and min(dim) return, as torch.return_types.max: `.values` (with a
    gradient) and `.indices` (a constant int64 tensor)."""

    values: TensorBase
    indices: TensorBase


def reduce(t: TensorBase, op: type[Kernel], name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any,
           tuples: bool = True, keepdim_needs_dim: bool = False) -> TensorBase:
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    if keepdim_needs_dim and keepdim and dim is None:
        raise TypeError(f"{name}(keepdim=True) needs `dim`, as in torch")
    return t._apply(op, t, axis=reduction_dims(dim, t.shape, name, tuples), keepdims=keepdim)


def extreme_value(t: TensorBase, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> TensorBase:
    """amax/amin: over every dim by default; ties share the gradient."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, nonempty=True)
    if axis_ is None:
        check_nonempty(name, t.shape)
    return t._apply(Amax if name == "amax" else Amin, t, axis=axis_, keepdims=keepdim)


def extreme(t: TensorBase, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Any:
    """max/min: with no dim, the value (as amax/amin); with a dim, (values, indices)."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    largest = name == "max"
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(keepdim=True) needs `dim`, as in torch")
        check_nonempty(name, t.shape)
        return t._apply(Amax if largest else Amin, t, axis=None, keepdims=False, nan_wins=True)
    axis_ = reduction_dims(dim, t.shape, name, tuples=False, nonempty=True)
    indices = extreme_indices(t.data, axis_, keepdim, largest)
    values = t._apply(PickAlongAxis, t, indices=indices, axis=axis_, keepdims=keepdim)
    return ValuesIndices(values, t._wrap(indices))


def arg_extreme(t: TensorBase, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> TensorBase:
    """argmax/argmin as a constant int64 tensor (over the flattened tensor when dim is None)."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, tuples=False, nonempty=True)
    if axis_ is None:
        check_nonempty(name, t.shape, error=IndexError)
    return t._wrap(extreme_indices(t.data, axis_, keepdim, name == "argmax"))


def statistic(t: TensorBase, op: type[Kernel], name: str, dim: Any, unbiased: Any, keepdim: Any,
              correction: Any, axis: Any, keepdims: Any) -> TensorBase:
    """var/std, with torch's `unbiased` or `correction`."""
    if isinstance(dim, (bool, np.bool_)):  # torch's var(unbiased) form
        dim, unbiased = None, dim
    correction = correction_of(name, unbiased, correction)
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, one_by_one=True)
    return t._apply(op, t, axis=axis_, keepdims=keepdim, correction=correction)


def logsumexp_dims(t: TensorBase, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """logsumexp's (axis, keepdim): `dim` is required, and dim=() (every dim) is an error
    without keepdim unless the tensor is 0-d or empty, as in torch 2.13."""
    dim, keepdim = dim_and_keepdim("logsumexp", dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError("logsumexp() needs `dim` (an int or a tuple of ints), as in torch")
    if isinstance(dim, (tuple, list)) and not dim and t.ndim and t.numel() and not keepdim:  # as torch 2.13
        raise RuntimeError(f"logsumexp(): dim=() names no dim of a tensor of shape {t.shape}")
    return reduction_dims(dim, t.shape, "logsumexp"), keepdim


def single_dim(t: TensorBase, name: str, dim: Any, axis: Any) -> tuple[int, ...]:
    """The one required int `dim` of softmax, log_softmax and cumsum, as NumPy's axis."""
    dim, _ = dim_and_keepdim(name, dim, False, axis, None)
    if dim is None:
        raise TypeError(f"{name}() needs `dim` (an int), as in torch")
    return reduction_dims(dim, t.shape, name, tuples=False)  # type: ignore[return-value]
