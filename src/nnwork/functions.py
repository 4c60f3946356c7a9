"""The ops as plain functions, under PyTorch's top-level names: `nnwork.exp(t)`,
`nnwork.where(cond, a, b)`, `nnwork.cat([...])`, … Each accepts tensors, arrays or numbers."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork import ops
from nnwork.ops import views
from nnwork.tensor import Tensor, apply


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


def log1p(x: Any) -> Tensor:
    return as_tensor(x).log1p()


def expm1(x: Any) -> Tensor:
    return as_tensor(x).expm1()


def log2(x: Any) -> Tensor:
    return as_tensor(x).log2()


def log10(x: Any) -> Tensor:
    return as_tensor(x).log10()


def tan(x: Any) -> Tensor:
    return as_tensor(x).tan()


def asin(x: Any) -> Tensor:
    return as_tensor(x).asin()


def acos(x: Any) -> Tensor:
    return as_tensor(x).acos()


def atan(x: Any) -> Tensor:
    return as_tensor(x).atan()


def sinh(x: Any) -> Tensor:
    return as_tensor(x).sinh()


def cosh(x: Any) -> Tensor:
    return as_tensor(x).cosh()


def reciprocal(x: Any) -> Tensor:
    return as_tensor(x).reciprocal()


def rsqrt(x: Any) -> Tensor:
    return as_tensor(x).rsqrt()


def square(x: Any) -> Tensor:
    return as_tensor(x).square()


def sign(x: Any) -> Tensor:
    return as_tensor(x).sign()


def floor(x: Any) -> Tensor:
    return as_tensor(x).floor()


def ceil(x: Any) -> Tensor:
    return as_tensor(x).ceil()


arcsin, arccos, arctan = asin, acos, atan


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """x rounded to `decimals` places, halves to even (round(2.5) = 2), as torch.round."""
    return as_tensor(x).round(decimals)


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both as tensors; a number takes the dtype of the other side's tensor."""
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return as_tensor(a, first), as_tensor(b, first)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max (broadcast); nan if either is nan; a tie splits the gradient in half."""
    return apply(ops.Maximum, *_pair(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min (broadcast); nan if either is nan; a tie splits the gradient in half."""
    return apply(ops.Minimum, *_pair(a, b))


def atan2(a: Any, b: Any) -> Tensor:
    """The angle of the point (b, a) in (−π, π], elementwise (broadcast)."""
    return apply(ops.Atan2, *_pair(a, b))


arctan2 = atan2


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


def transpose(x: Any, dim0: int, dim1: int) -> Tensor:
    """`x` with dims `dim0` and `dim1` swapped (PyTorch's meaning; see `permute`)."""
    return as_tensor(x).transpose(dim0, dim1)


def permute(x: Any, dims: Sequence[int]) -> Tensor:
    """`x` with its dims reordered as `dims` (NumPy's transpose)."""
    return as_tensor(x).permute(dims)


def t(x: Any) -> Tensor:
    return as_tensor(x).t()


def movedim(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    return as_tensor(x).movedim(source, destination)


moveaxis = movedim


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return as_tensor(x).flatten(start_dim, end_dim)


def squeeze(x: Any, dim: int | Sequence[int] | None = None) -> Tensor:
    return as_tensor(x).squeeze(dim)


def unsqueeze(x: Any, dim: int) -> Tensor:
    return as_tensor(x).unsqueeze(dim)


def flip(x: Any, dims: Sequence[int]) -> Tensor:
    return as_tensor(x).flip(dims)


def split(x: Any, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    return as_tensor(x).split(split_size_or_sections, dim)


def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    return as_tensor(x).chunk(chunks, dim)


def dot(a: Any, b: Any) -> Tensor:
    return as_tensor(a).dot(b)


def outer(a: Any, b: Any) -> Tensor:
    return as_tensor(a).outer(b)


def mm(a: Any, b: Any) -> Tensor:
    return as_tensor(a).mm(b)


def mv(a: Any, b: Any) -> Tensor:
    return as_tensor(a).mv(b)


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    return as_tensor(x).clip(min, max)


clamp = clip


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a` where `condition` is true, else `b` (both broadcast)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        raise TypeError(f"`condition` must be boolean, got dtype {cond.dtype}")
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    return apply(ops.Where, as_tensor(a, first), as_tensor(b, first), condition=cond)


def gather(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    return as_tensor(input).gather(dim, index)


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:  # noqa: A002
    return as_tensor(input).masked_fill(mask, value)


def _tensors(items: Sequence[Any], what: str) -> list[Tensor]:
    if isinstance(items, Tensor) or not len(items):
        raise ValueError(f"{what} needs a non-empty list of tensors")
    return [as_tensor(t) for t in items]


def _dim_or_axis(dim: int | None, axis: int | None) -> int:
    if dim is not None and axis is not None:
        raise TypeError(f"give `dim` or its alias `axis`, not both (got dim={dim}, axis={axis})")
    return 0 if dim is None and axis is None else dim if dim is not None else axis  # type: ignore[return-value]


def concatenate(tensors: Sequence[Any], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim (`axis` is an alias of `dim`, as in torch). As in
    torch, 1-D empty tensors are left out, whatever the other shapes."""
    parts = _tensors(tensors, "concatenate")
    shaped = [p for p in parts if p.shape != (0,)] or parts
    dim_ = views.dim_index(_dim_or_axis(dim, axis), shaped[0].ndim)
    return apply(ops.Concatenate, *parts, axis=dim_)


cat = concatenate


def stack(tensors: Sequence[Any], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Join same-shape tensors along a new dim (`axis` is an alias of `dim`)."""
    parts = _tensors(tensors, "stack")
    dim_ = views.dim_index(_dim_or_axis(dim, axis), parts[0].ndim + 1)
    return apply(ops.Stack, *parts, axis=dim_)
