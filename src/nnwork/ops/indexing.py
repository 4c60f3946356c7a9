"""Indexing with PyTorch's rules: x[index], gather and masked_fill, each with its backward.

The kernels take an index already normalised by the Tensor layer (`plain_index` in
nnwork.tensor_operators: ints, slices, None, Ellipsis and integer or boolean arrays). Basic
indices (ints, slices, None, ...) are NumPy's and PyTorch's alike. With index arrays the two differ in where the indexed dimensions go: PyTorch first applies
the basic part (an int removes its dimension, None adds one), then indexes that view with
the arrays alone, so an int never separates two index arrays. `GetItem` does exactly that,
in two NumPy steps. Every backward adds with `xp.add.at`, so an element picked twice gets
both gradients.
"""

from __future__ import annotations

from typing import Any

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel


def _is_advanced(index: tuple[Any, ...]) -> bool:
    return any(isinstance(p, xp.ndarray) for p in index)


def _dims_used(part: Any) -> int:
    if part is None or part is Ellipsis:
        return 0
    return part.ndim if isinstance(part, xp.ndarray) and part.dtype == xp.bool_ else 1


def split_index(index: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(basic, arrays): x[index] in PyTorch is x[basic][arrays], where `basic` holds the ints,
    slices and None and `arrays` only full slices and integer arrays, one per view dimension."""
    used = sum(_dims_used(p) for p in index)
    if used > len(shape):
        raise IndexError(f"too many indices for a tensor of dimension {len(shape)} (got {used})")
    if sum(p is Ellipsis for p in index) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    basic: list[Any] = []
    arrays: list[Any] = []
    dim = 0
    for part in index:
        if isinstance(part, int):
            basic.append(part)
            dim += 1
        elif part is Ellipsis:
            basic += [slice(None)] * (len(shape) - used)
            arrays += [slice(None)] * (len(shape) - used)
            dim += len(shape) - used
        elif part is None or isinstance(part, slice):
            basic.append(part)
            arrays.append(slice(None))
            dim += part is not None
        elif part.dtype != xp.bool_:
            basic.append(slice(None))
            arrays.append(part)
            dim += 1
        elif part.ndim == 0:  # True / False: a new dimension of length 1, kept or emptied
            basic.append(None)
            arrays.append(xp.zeros(1 if part else 0, dtype=xp.intp))
        else:
            covered = shape[dim : dim + part.ndim]
            if part.shape != covered:
                raise IndexError(
                    f"the shape of the mask {list(part.shape)} does not match the shape "
                    f"{list(covered)} of the dimensions {dim}.. it indexes (tensor shape {list(shape)})"
                )
            basic += [slice(None)] * part.ndim
            arrays += list(xp.nonzero(part))
            dim += part.ndim
    return tuple(basic), tuple(arrays)


class GetItem(Kernel):
    """a[index] with PyTorch's rules (see the module docstring); ∂/∂a puts each gradient
    back where its value came from, summing over repeats."""

    __slots__ = ("shape", "dtype", "basic", "arrays")

    def forward(self, a: xp.ndarray, index: tuple[Any, ...]) -> xp.ndarray:
        self.shape, self.dtype = a.shape, a.dtype
        try:
            if not _is_advanced(index):
                self.basic, self.arrays = index, None
                return a[index]
            self.basic, self.arrays = split_index(index, a.shape)
            return a[self.basic][self.arrays]
        except IndexError as error:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {a.shape}: {error}") from None

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        full = xp.zeros(self.shape, dtype=self.dtype)
        if self.arrays is None:
            full[self.basic] = grad
        else:
            xp.add.at(full[self.basic], self.arrays, grad)  # full[basic] is a view into full
        return (full,)


class Gather(Kernel):
    """out[i][j] = a[index[i][j]][j] for dim = 0 (and likewise for any dim), as torch.gather:
    `index` has a's number of dimensions and is no larger than a apart from along `dim`.
    ∂/∂a adds each gradient back at the element it came from."""

    __slots__ = ("shape", "dtype", "picks", "picks_shape")

    def forward(self, a: xp.ndarray, dim: int, index: xp.ndarray) -> xp.ndarray:
        self.shape, self.dtype = a.shape, a.dtype
        source = a.reshape(a.shape or (1,))
        picks = index.reshape(index.shape or (1,))
        if not -source.ndim <= dim < source.ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-source.ndim}, {source.ndim - 1}], but got {dim})"
            )
        dim %= source.ndim
        if picks.ndim != source.ndim:
            raise RuntimeError(
                f"Index tensor must have the same number of dimensions as input tensor "
                f"(index shape {index.shape}, input shape {a.shape})"
            )
        larger = [d for d, (p, s) in enumerate(zip(picks.shape, source.shape)) if d != dim and p > s]
        if larger:
            raise RuntimeError(
                f"Size does not match at dimension {larger[0]}: expected index {list(index.shape)} to be no "
                f"larger than self {list(a.shape)} apart from dimension {dim}"
            )
        if picks.size and (picks.min() < 0 or picks.max() >= source.shape[dim]):
            bad = picks.min() if picks.min() < 0 else picks.max()
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {source.shape[dim]}")
        grids = xp.ogrid[tuple(slice(n) for n in picks.shape)]
        self.picks = tuple(picks if d == dim else grids[d] for d in range(picks.ndim))
        self.picks_shape = picks.shape
        return source[self.picks].reshape(index.shape)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        full = xp.zeros(self.shape or (1,), dtype=self.dtype)
        xp.add.at(full, self.picks, grad.reshape(self.picks_shape))
        return (full.reshape(self.shape),)


class MaskedFill(Kernel):
    """`value` where `mask` is true, else a (mask broadcasts): ∂/∂a = 1 off the mask,
    ∂/∂value = the sum of the gradient on the mask."""

    __slots__ = ("mask",)

    def forward(self, a: xp.ndarray, value: xp.ndarray, mask: xp.ndarray) -> xp.ndarray:
        try:
            xp.broadcast_shapes(a.shape, mask.shape)
        except ValueError:
            raise RuntimeError(
                f"masked_fill: the mask of shape {mask.shape} does not broadcast with the tensor's shape {a.shape}"
            ) from None
        self.mask = mask
        return xp.where(mask, value, a).astype(a.dtype, copy=False)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        return (
            xp.where(self.mask, 0, grad) if self.needs_grad[0] else None,
            xp.asarray(xp.where(self.mask, grad, 0).sum()) if self.needs_grad[1] else None,
        )
