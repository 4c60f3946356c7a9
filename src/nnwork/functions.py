"""The ops as plain functions, under PyTorch's top-level names: `nnwork.exp(t)`,
`nnwork.where(cond, a, b)`, `nnwork.cat([...])`, … Each accepts tensors, arrays or numbers."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork import ops
from nnwork.tensor import Tensor


def as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    """`value` if it is a Tensor, else a constant tensor (numbers take `like`'s dtype)."""
    if isinstance(value, Tensor):
        return value
    if like is not None:
        return like._other(value)
    return Tensor(value)


def exp(x: Any) -> Tensor:
    return as_tensor(x).exp()


def log(x: Any) -> Tensor:
    return as_tensor(x).log()


def sqrt(x: Any) -> Tensor:
    return as_tensor(x).sqrt()


def abs(x: Any) -> Tensor:  # noqa: A001 (PyTorch's name)
    return as_tensor(x).abs()


def sin(x: Any) -> Tensor:
    return as_tensor(x).sin()


def cos(x: Any) -> Tensor:
    return as_tensor(x).cos()


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:  # noqa: A001
    return as_tensor(input).sum(dim, keepdim, axis=axis, keepdims=keepdims)


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).mean(dim, keepdim, axis=axis, keepdims=keepdims)


def max(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:  # noqa: A001
    """max(input): the largest value; max(input, dim): (values, indices), as torch.max."""
    return as_tensor(input).max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:  # noqa: A001
    """min(input): the smallest value; min(input, dim): (values, indices), as torch.min."""
    return as_tensor(input).min(dim, keepdim, axis=axis, keepdims=keepdims)


def amax(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).amax(dim, keepdim, axis=axis, keepdims=keepdims)


def amin(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).amin(dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def prod(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).prod(dim, keepdim, axis=axis, keepdims=keepdims)


def var(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None,
        axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)


def std(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None,
        axis: Any = None, keepdims: Any = None) -> Tensor:
    return as_tensor(input).std(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)


def cumsum(input: Any, dim: Any = None, *, axis: Any = None) -> Tensor:
    return as_tensor(input).cumsum(dim, axis=axis)


def matmul(a: Any, b: Any) -> Tensor:
    return as_tensor(a) @ b


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    return as_tensor(x).reshape(shape)


def transpose(x: Any, axes: Sequence[int] = ()) -> Tensor:
    return as_tensor(x).transpose(tuple(axes))


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    return as_tensor(x).clip(min, max)


clamp = clip


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a` where `condition` is true, else `b` (both broadcast)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        raise TypeError(f"`condition` must be boolean, got dtype {cond.dtype}")
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return ops.Where.apply(as_tensor(a, first), as_tensor(b, first), condition=cond)


def _tensors(items: Sequence[Any], what: str) -> list[Tensor]:
    if isinstance(items, Tensor) or not len(items):
        raise ValueError(f"{what} needs a non-empty list of tensors")
    return [as_tensor(t) for t in items]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    parts = _tensors(tensors, "concatenate")
    axis_ = ops.normalize_axis(axis, parts[0].ndim)[0]  # type: ignore[index]
    return ops.Concatenate.apply(*parts, axis=axis_)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis."""
    parts = _tensors(tensors, "stack")
    axis_ = ops.normalize_axis(axis, parts[0].ndim + 1)[0]  # type: ignore[index]
    return ops.Stack.apply(*parts, axis=axis_)
