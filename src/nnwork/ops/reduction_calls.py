"""The Tensor methods of the reductions and the softmax family, with torch's signatures:
`dim` first (an int, a tuple of ints, or None for every dim), then `keepdim`; the aliases
`axis=` and `keepdims=` are accepted, as torch accepts them. Each checks its arguments as
torch does and applies its op."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nnwork.ops.dims import check_nonempty, dim_and_keepdim, reduction_dims
from nnwork.ops.reductions import Amax, Amin, PickAlongAxis, extreme_indices
from nnwork.ops.statistics import correction_of
from nnwork.tensor import Function, Tensor


class ValuesIndices(NamedTuple):
    """What max(dim) and min(dim) return, as torch.return_types.max: `.values` (with a
    gradient) and `.indices` (a constant int64 tensor)."""

    values: Tensor
    indices: Tensor


def reduce(t: Tensor, op: type[Function], name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any,
           tuples: bool = True, keepdim_needs_dim: bool = False) -> Tensor:
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    if keepdim_needs_dim and keepdim and dim is None:
        raise TypeError(f"{name}(keepdim=True) needs `dim`, as in torch")
    return op.apply(t, axis=reduction_dims(dim, t.shape, name, tuples), keepdims=keepdim)


def extreme_value(t: Tensor, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Tensor:
    """amax/amin: over every dim by default; ties share the gradient."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, nonempty=True)
    if axis_ is None:
        check_nonempty(name, t.shape)
    return (Amax if name == "amax" else Amin).apply(t, axis=axis_, keepdims=keepdim)


def extreme(t: Tensor, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Any:
    """max/min: with no dim, the value (as amax/amin); with a dim, (values, indices)."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    largest = name == "max"
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(keepdim=True) needs `dim`, as in torch")
        check_nonempty(name, t.shape)
        return (Amax if largest else Amin).apply(t, axis=None, keepdims=False, nan_wins=True)
    axis_ = reduction_dims(dim, t.shape, name, tuples=False, nonempty=True)
    indices = extreme_indices(t.data, axis_, keepdim, largest)
    values = PickAlongAxis.apply(t, indices=indices, axis=axis_, keepdims=keepdim)
    return ValuesIndices(values, Tensor._wrap(indices))


def arg_extreme(t: Tensor, name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Tensor:
    """argmax/argmin as a constant int64 tensor (over the flattened tensor when dim is None)."""
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, tuples=False, nonempty=True)
    if axis_ is None:
        check_nonempty(name, t.shape, error=IndexError)
    return Tensor._wrap(extreme_indices(t.data, axis_, keepdim, name == "argmax"))


def statistic(t: Tensor, op: type[Function], name: str, dim: Any, unbiased: Any, keepdim: Any,
              correction: Any, axis: Any, keepdims: Any) -> Tensor:
    """var/std, with torch's `unbiased` or `correction`."""
    if isinstance(dim, (bool, np.bool_)):  # torch's var(unbiased) form
        dim, unbiased = None, dim
    correction = correction_of(name, unbiased, correction)
    dim, keepdim = dim_and_keepdim(name, dim, keepdim, axis, keepdims)
    axis_ = reduction_dims(dim, t.shape, name, one_by_one=True)
    return op.apply(t, axis=axis_, keepdims=keepdim, correction=correction)


def logsumexp_dims(t: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """logsumexp's (axis, keepdim): `dim` is required, and dim=() (every dim) is an error
    without keepdim unless the tensor is 0-d or empty, as in torch 2.13."""
    dim, keepdim = dim_and_keepdim("logsumexp", dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError("logsumexp() needs `dim` (an int or a tuple of ints), as in torch")
    if isinstance(dim, (tuple, list)) and not dim and t.ndim and t.numel() and not keepdim:  # as torch 2.13
        raise RuntimeError(f"logsumexp(): dim=() names no dim of a tensor of shape {t.shape}")
    return reduction_dims(dim, t.shape, "logsumexp"), keepdim


def single_dim(t: Tensor, name: str, dim: Any, axis: Any) -> tuple[int, ...]:
    """The one required int `dim` of softmax, log_softmax and cumsum, as NumPy's axis."""
    dim, _ = dim_and_keepdim(name, dim, False, axis, None)
    if dim is None:
        raise TypeError(f"{name}() needs `dim` (an int), as in torch")
    return reduction_dims(dim, t.shape, name, tuples=False)  # type: ignore[return-value]
