"""Ops that move values around without changing them: reshape, transpose, concatenate
and stack (indexing: `indexing.py`). Their backward puts each gradient back where its value
came from."""

from __future__ import annotations

from typing import Sequence

from nnwork.ops.backend import xp
from nnwork.ops.views import dim_indices, reshape_shape
from nnwork.ops.kernel import Kernel


class Reshape(Kernel):
    __slots__ = ("shape",)

    def forward(self, a: xp.ndarray, shape: tuple[int, ...]) -> xp.ndarray:
        self.shape = a.shape
        return a.reshape(reshape_shape(a.shape, shape))

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad.reshape(self.shape),)


def transpose_axes(dims: Sequence[int], ndim: int) -> tuple[int, ...]:
    """`dims` for permute, checked to be a permutation of the tensor's `ndim` dims."""
    if len(dims) != ndim:
        raise ValueError(f"permute: `dims` {tuple(dims)} must name each of the tensor's {ndim} dims once")
    return dim_indices(tuple(dims), ndim, "dims") if ndim else ()


class Transpose(Kernel):
    __slots__ = ("axes",)

    def forward(self, a: xp.ndarray, axes: tuple[int, ...]) -> xp.ndarray:
        self.axes = axes
        return a.transpose(axes)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad.transpose(xp.argsort(self.axes)),)


class Concatenate(Kernel):
    """Join tensors along an existing axis; backward splits the gradient at the seams."""

    __slots__ = ("axis", "splits", "dtypes", "joined")

    def forward(self, *arrays: xp.ndarray, axis: int) -> xp.ndarray:
        # As in torch, 1-D empty tensors (shape (0,)) take no part: they fit with any shape.
        self.joined = [a.shape != (0,) for a in arrays]
        parts = [a for a, joined in zip(arrays, self.joined) if joined] or [arrays[0]]
        shapes = ", ".join(str(a.shape) for a in arrays)
        if any(a.ndim == 0 for a in parts):
            raise ValueError(f"cat: a 0-d tensor cannot be concatenated (shapes {shapes}); stack them instead")
        try:
            out = xp.concatenate(parts, axis=axis)
        except ValueError:  # NumPy checks the shapes before we read a.shape[axis] below
            raise ValueError(f"cannot concatenate shapes {shapes} along dim {axis}") from None
        self.axis, self.dtypes = axis, [a.dtype for a in arrays]
        self.splits = xp.cumsum([a.shape[axis] for a in parts])[:-1]
        return out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, ...]:
        pieces = iter(xp.split(grad, self.splits, axis=self.axis))
        return tuple(
            next(pieces).astype(dtype, copy=False) if joined else xp.zeros(0, dtype)
            for joined, dtype in zip(self.joined, self.dtypes)
        )


class Stack(Kernel):
    """Join same-shape tensors along a new axis; backward takes each slice back out."""

    __slots__ = ("axis", "dtypes")

    def forward(self, *arrays: xp.ndarray, axis: int) -> xp.ndarray:
        self.axis, self.dtypes = axis, [a.dtype for a in arrays]
        if len({a.shape for a in arrays}) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"stack needs tensors of one shape, got {shapes}")
        return xp.stack(arrays, axis=axis)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, ...]:
        pieces = (xp.take(grad, i, axis=self.axis) for i in range(len(self.dtypes)))
        return tuple(piece.astype(dtype, copy=False) for piece, dtype in zip(pieces, self.dtypes))
