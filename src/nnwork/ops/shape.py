"""Ops that move values around without changing them: reshape, transpose, concatenate
and stack (indexing: `indexing.py`). Their backward puts each gradient back where its value
came from."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnwork.tensor import Function


class Reshape(Function):
    __slots__ = ("shape",)

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {a.shape} into {shape}") from None

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.reshape(self.shape),)


def transpose_axes(axes: Sequence[int], ndim: int) -> tuple[int, ...]:
    """Axes for transpose: reversed when none are given, else a checked permutation."""
    if not axes:
        return tuple(reversed(range(ndim)))
    if any(not -ndim <= a < ndim for a in axes) or sorted(a % ndim for a in axes) != list(range(ndim)):
        raise ValueError(f"transpose axes {tuple(axes)} are not a permutation of {ndim} axes")
    return tuple(a % ndim for a in axes)


class Transpose(Function):
    __slots__ = ("axes",)

    def forward(self, a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        self.axes = axes
        return a.transpose(axes)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.transpose(np.argsort(self.axes)),)


class Concatenate(Function):
    """Join tensors along an existing axis; backward splits the gradient at the seams."""

    __slots__ = ("axis", "splits")

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        try:
            out = np.concatenate(arrays, axis=axis)
        except ValueError:  # NumPy checks the shapes before we read a.shape[axis] below
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"cannot concatenate shapes {shapes} along axis {axis}") from None
        self.axis = axis
        self.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(grad, self.splits, axis=self.axis))


class Stack(Function):
    """Join same-shape tensors along a new axis; backward takes each slice back out."""

    __slots__ = ("axis", "count")

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        self.axis, self.count = axis, len(arrays)
        if len({a.shape for a in arrays}) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"stack needs tensors of one shape, got {shapes}")
        return np.stack(arrays, axis=axis)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.take(grad, i, axis=self.axis) for i in range(self.count))
