"""Shape ops under PyTorch's names: the checks on their dims and sizes (as torch checks them),
and the ops that are not plain reshapes or permutations: expand, repeat, flip and outer.

Dims count from the end when negative; a 0-d tensor takes dim 0 or -1, as in torch.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel, unbroadcast


def as_int(value: Any, name: str) -> int:
    """`value` as a Python int; bools and floats are a TypeError, as in torch."""
    if isinstance(value, (bool, xp.bool_)) or not isinstance(value, (int, xp.integer)):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__} {value!r}")
    return int(value)


def int_args(values: tuple[Any, ...], name: str) -> tuple[int, ...]:
    """Sizes or dims given as several ints or as one tuple/list (torch accepts both; a 0-d
    tensor's empty shape or dims must be given as ())."""
    if not values:
        raise TypeError(f"missing `{name}`: give several ints or one tuple, () for none")
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = tuple(values[0])
    return tuple(as_int(v, name) for v in values)


def dim_index(dim: Any, ndim: int, name: str = "dim") -> int:
    """`dim` as an index in range(ndim), checked: out of range is an IndexError, as in torch."""
    dim = as_int(dim, name)
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"`{name}` = {dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected a dim in [{-size}, {size - 1}])"
        )
    return dim % size


def dim_indices(dims: Any, ndim: int, name: str = "dims") -> tuple[int, ...]:
    """An int or a sequence of dims as checked indices, none repeated."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    indices = tuple(dim_index(d, ndim, name) for d in dims)
    if len(set(indices)) != len(indices):
        raise ValueError(f"`{name}` {dims} names a dim more than once")
    return indices


def reshape_shape(old: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """`shape` with its -1 (at most one) inferred so that it holds the elements of `old`."""
    size = math.prod(old)
    where = f"cannot reshape a tensor of shape {old} into {shape}"
    for i, n in enumerate(shape):
        if n < -1:
            raise ValueError(f"{where}: invalid size {n} at index {i}")
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1:
        raise ValueError(f"{where}: only one size can be -1 (inferred)")
    known = math.prod(n for n in shape if n != -1)
    if unknown and known == 0:
        reason = "the -1 could be any size" if size == 0 else f"it holds 0 elements, not {size}"
        raise ValueError(f"{where}: {reason}")
    if unknown and size % known == 0:
        return shape[: unknown[0]] + (size // known,) + shape[unknown[0] + 1 :]
    if unknown or known != size:
        raise ValueError(f"{where}: the sizes do not multiply to its {size} elements")
    return shape


def flatten_shape(shape: tuple[int, ...], start_dim: Any, end_dim: Any) -> tuple[int, ...]:
    """The shape after joining dims start_dim..end_dim (inclusive) into one; 0-d gives (1,)."""
    start = dim_index(start_dim, len(shape), "start_dim")
    end = dim_index(end_dim, len(shape), "end_dim")
    if not shape:
        return (1,)
    if start > end:
        raise ValueError(f"flatten: `start_dim` ({start_dim}) comes after `end_dim` ({end_dim}) for shape {shape}")
    return shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]


def squeeze_shape(shape: tuple[int, ...], dim: Any) -> tuple[int, ...]:
    """The shape without its size-1 dims (all, or those in `dim`; other dims named stay)."""
    if dim is None:
        return tuple(n for n in shape if n != 1)
    dims = dim_indices(dim, len(shape), "dim")
    return tuple(n for i, n in enumerate(shape) if not (n == 1 and i in dims))


def unsqueeze_shape(shape: tuple[int, ...], dim: Any) -> tuple[int, ...]:
    """The shape with a size-1 dim inserted at `dim` (a dim of the result)."""
    d = dim_index(dim, len(shape) + 1, "dim")
    return shape[:d] + (1,) + shape[d:]


def expand_shape(shape: tuple[int, ...], sizes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape `expand(*sizes)` gives: -1 keeps a size, size-1 dims stretch, new dims lead."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ValueError(f"expand: `sizes` {sizes} has fewer dims than the tensor's shape {shape}")
    result = []
    for i, n in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if n == -1 and old is not None:
            n = old
        elif n < 0:
            where = "a new leading dim" if old is None else "a size"
            raise ValueError(f"expand: `sizes` {sizes} has {n} at index {i}, which is not allowed as {where}")
        elif old is not None and old != 1 and n != old:
            raise ValueError(
                f"expand: `sizes` {sizes} asks for {n} at index {i}, where the tensor of shape "
                f"{shape} has {old}; only size-1 dims can be expanded"
            )
        result.append(n)
    return tuple(result)


def movedim_axes(source: Any, destination: Any, ndim: int) -> tuple[int, ...]:
    """The permutation that moves dims `source` to positions `destination` (as xp.moveaxis)."""
    src = dim_indices(source, ndim, "source")
    dst = dim_indices(destination, ndim, "destination")
    if len(src) != len(dst):
        raise ValueError(f"movedim: `source` {source} and `destination` {destination} differ in length")
    if ndim == 0:
        return ()
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(order)


def split_indices(shape: tuple[int, ...], sizes: Any, dim: Any) -> list[tuple[slice, ...]]:
    """The index of each piece of `split(sizes, dim)`: pieces of `sizes` elements (the last
    may be smaller), or of each size in the list `sizes`."""
    if not shape:
        raise ValueError("split expects at least a 1-D tensor, got a 0-d tensor")
    d = dim_index(dim, len(shape))
    length = shape[d]
    if isinstance(sizes, (tuple, list)):
        sizes = int_args((sizes,), "split_size_or_sections")
        if any(n < 0 for n in sizes) or sum(sizes) != length:
            raise ValueError(
                f"split: `split_size_or_sections` {sizes} must be sizes >= 0 that add up to "
                f"{length}, the size of dim {dim}"
            )
        ends = xp.cumsum((0,) + sizes).tolist()
        bounds = list(zip(ends[:-1], ends[1:]))
    else:
        size = as_int(sizes, "split_size_or_sections")
        if size < 0 or (size == 0 and length != 0):
            raise ValueError(
                f"split: `split_size_or_sections` = {size} must be positive (dim {dim} has size {length})"
            )
        bounds = [(start, min(start + size, length)) for start in range(0, length, size or 1)] or [(0, 0)]
    return [(slice(None),) * d + (slice(start, stop),) for start, stop in bounds]


def chunk_indices(shape: tuple[int, ...], chunks: Any, dim: Any) -> list[tuple[slice, ...]]:
    """The index of each piece of `chunk(chunks, dim)`: split into pieces of ⌈size/chunks⌉."""
    chunks = as_int(chunks, "chunks")
    if chunks <= 0:
        raise ValueError(f"chunk: `chunks` must be positive, got {chunks}")
    if not shape:
        raise ValueError("chunk expects at least a 1-D tensor, got a 0-d tensor")
    length = shape[dim_index(dim, len(shape))]
    if length == 0:  # as torch: `chunks` empty pieces
        return split_indices(shape, [0] * chunks, dim)
    return split_indices(shape, -(-length // chunks), dim)


class Expand(Kernel):
    """Repeat size-1 dims (and add leading dims) without copying: the gradient of each input
    element is the sum of the gradients of its copies."""

    __slots__ = ("shape",)

    def forward(self, a: xp.ndarray, shape: tuple[int, ...]) -> xp.ndarray:
        self.shape = a.shape
        return xp.broadcast_to(a, shape)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (unbroadcast(grad, self.shape),)


class Repeat(Kernel):
    """Tile the tensor `repeats[i]` times along dim i (new dims lead); each input element's
    gradient sums the gradients of its tiles."""

    __slots__ = ("shape", "repeats")

    def forward(self, a: xp.ndarray, repeats: tuple[int, ...]) -> xp.ndarray:
        if len(repeats) < a.ndim or any(r < 0 for r in repeats):
            raise ValueError(
                f"repeat: `repeats` {repeats} must be sizes >= 0, at least one per dim of shape {a.shape}"
            )
        self.shape, self.repeats = a.shape, repeats
        return xp.tile(a, repeats)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        padded = (1,) * (len(self.repeats) - len(self.shape)) + self.shape
        interleaved = [n for pair in zip(self.repeats, padded) for n in pair]
        tiles = grad.reshape(interleaved).sum(axis=tuple(range(0, len(interleaved), 2)))
        return (tiles.reshape(self.shape),)


class Flip(Kernel):
    """Reverse the order of the elements along `dims`; the gradient is flipped back."""

    __slots__ = ("dims",)

    def forward(self, a: xp.ndarray, dims: tuple[int, ...]) -> xp.ndarray:
        self.dims = dims if a.ndim else ()
        return xp.flip(a, self.dims)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (xp.flip(grad, self.dims),)


class Outer(Kernel):
    """a ⊗ b for vectors: out[i, j] = a[i]·b[j]; ∂L/∂a = G·b, ∂L/∂b = Gᵀ·a."""

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        if a.ndim != 1 or b.ndim != 1:
            raise ValueError(f"outer: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
        self.a, self.b = a, b
        return xp.multiply.outer(a, b)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        return (
            grad @ self.b if self.needs_grad[0] else None,
            self.a @ grad if self.needs_grad[1] else None,
        )


def check_matrix_product(name: str, a: xp.ndarray, b: xp.ndarray, ndims: tuple[int, int]) -> None:
    """dot (1-D, 1-D), mm (2-D, 2-D), mv (2-D, 1-D): torch's checks before the product."""
    if (a.ndim, b.ndim) != ndims:
        raise ValueError(
            f"{name}: expected a {ndims[0]}-D and a {ndims[1]}-D tensor, got shapes {a.shape} and {b.shape}"
        )
    if a.dtype != b.dtype:
        raise TypeError(f"{name}: expected both tensors to have the same dtype, got {a.dtype} and {b.dtype}")
    if a.shape[-1] != b.shape[0]:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} do not fit ({a.shape[-1]} against {b.shape[0]})")
