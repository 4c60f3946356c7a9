"""PyTorch's `dim` arguments, checked and turned into NumPy's `axis`.

torch's rules: a dim lies in [-ndim, ndim - 1] (a 0-d tensor has the one dim 0, also -1); a
dim out of range is an IndexError, a repeated dim a RuntimeError, a dim that is not an int a
TypeError; `dim=()` reduces over every dim. `axis=` and `keepdims=` are accepted for `dim=` and
`keepdim=`, as torch accepts them, but not both names at once.
"""

from __future__ import annotations

from typing import Any

from nnwork.ops.backend import xp


def _one_dim(d: Any, shape: tuple[int, ...], name: str) -> int:
    if isinstance(d, (bool, xp.bool_)) or not isinstance(d, (int, xp.integer)):
        raise TypeError(f"{name}(): `dim` must be an int or a tuple of ints, got {type(d).__name__} {d!r}")
    n = max(len(shape), 1)
    if not -n <= d < n:
        raise IndexError(
            f"{name}(): dim {d} is out of range for a tensor of shape {shape} "
            f"(expected a dim in [{-n}, {n - 1}])"
        )
    return int(d) % n


def _nonempty_dim(d: Any, shape: tuple[int, ...], name: str) -> int:
    d = _one_dim(d, shape, name)
    if shape and shape[d] == 0:
        raise IndexError(f"{name}(): cannot reduce over dim {d} of size 0 (tensor of shape {shape})")
    return d


def reduction_dims(dim: Any, shape: tuple[int, ...], name: str, tuples: bool = True,
                   nonempty: bool = False, one_by_one: bool = False) -> tuple[int, ...] | None:
    """torch's `dim` as NumPy's `axis`: None for every dim, else a sorted tuple of
    non-negative axes, () on a 0-d tensor (it has nothing to reduce). `tuples=False` for
    the ops that take a single int (max(dim), softmax, cumsum, ...); `nonempty=True` for
    those that cannot reduce a dim of size 0 (max, argmax, ...: IndexError, as torch);
    `one_by_one=True` reports a repeat before a later dim out of range (var, std: as torch)."""
    if dim is None:
        return None
    check = _nonempty_dim if nonempty else _one_dim
    if isinstance(dim, (tuple, list)):
        if not tuples:
            raise TypeError(f"{name}(): `dim` must be an int, got {type(dim).__name__} {dim!r}")
        if not dim:
            return None
        dims: list[int] = []
        for d in dim:
            dims.append(check(d, shape, name))
            if one_by_one and dims.count(dims[-1]) > 1:
                break
        repeated = [d for d in dims if dims.count(d) > 1]
        if repeated:
            raise RuntimeError(f"{name}(): dim {repeated[0]} appears more than once in dim={tuple(dim)}")
        return tuple(sorted(dims)) if shape else ()
    d = check(dim, shape, name)
    return (d,) if shape else ()


def dim_and_keepdim(name: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """`dim` and `keepdim`, taken from their aliases `axis` and `keepdims` when those are given."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}() got both `dim` and its alias `axis`; pass only one")
        dim = axis
    if keepdims is not None:
        if keepdim is not False:
            raise TypeError(f"{name}() got both `keepdim` and its alias `keepdims`; pass only one")
        keepdim = keepdims
    if not isinstance(keepdim, (bool, xp.bool_)):
        raise TypeError(f"{name}(): `keepdim` must be a bool, got {type(keepdim).__name__} {keepdim!r}")
    return dim, bool(keepdim)


def reduced_count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    """How many elements go into each value of a reduction over `axis`."""
    if axis is None:
        return int(xp.prod(shape, dtype=xp.int64))
    return int(xp.prod([shape[i] for i in axis], dtype=xp.int64))


def expand_reduced(grad: xp.ndarray, axis: tuple[int, ...] | None, keepdim: bool, ndim: int) -> xp.ndarray:
    """Put back the reduced axes (as size 1) so `grad` broadcasts against the input."""
    if keepdim or ndim == 0:
        return grad
    return xp.expand_dims(grad, tuple(range(ndim)) if axis is None else axis)


def check_nonempty(name: str, shape: tuple[int, ...], error: type = RuntimeError) -> None:
    """torch's error for a max-like reduction over every dim of an empty tensor (`error`:
    RuntimeError for max/amax, IndexError for argmax)."""
    if 0 in shape:
        raise error(
            f"{name}(): the tensor of shape {shape} is empty; pass `dim` to reduce over a "
            "dim of non-zero size"
        )
