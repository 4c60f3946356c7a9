"""Tensor operators (+ − × ÷ ** @, comparisons, indexing) and their torch-named methods.

Each operator is one line applying a kernel (`self._apply`, see nnwork.tensor_base); the
reflected ones say which side is which (`# other - self`). Comparisons give constant boolean
tensors (for masks and `where`), never a graph. An index is normalised once by `plain_index`
(tensors, lists and nested tuples become integer or boolean arrays) before the GetItem kernel
sees it (see nnwork.ops.indexing for PyTorch's rules).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork import _grad_mode
from nnwork import ops as _ops
from nnwork.tensor_base import TensorBase

_VALID = "only integers, slices, None, ..., and integer or boolean arrays/tensors are valid indices"


def _as_index_array(value: Any, what: str) -> Any:
    """An int, a 0-d bool array, an integer array or a bool array for one part of an index."""
    array = np.asarray(value.data if isinstance(value, TensorBase) else value)
    if array.dtype.kind == "f" and what == "an array":
        raise IndexError(f"arrays used as indices must hold integers or booleans, got dtype {array.dtype}")
    if array.dtype.kind == "f":  # nnwork tensors hold floats only: integer values are indices
        if not np.all(array == np.round(array)):
            raise IndexError(f"{what} used as an index must hold integers or booleans, got {array.dtype} values")
        array = array.astype(np.intp)
    elif array.dtype.kind not in "biu":
        raise IndexError(f"{what} used as an index must hold integers or booleans, got dtype {array.dtype}")
    if array.ndim == 0 and array.dtype.kind != "b":
        return int(array)  # a 0-d integer index acts as an int (it removes its dimension)
    return array.astype(np.intp) if array.dtype.kind != "b" else array


def _part(part: Any) -> Any:
    if part is None or part is Ellipsis or isinstance(part, slice):
        return part
    if isinstance(part, bool):
        return np.asarray(part)
    if isinstance(part, (int, np.integer)):
        return int(part)
    if isinstance(part, TensorBase):
        return _as_index_array(part, "a tensor")
    if isinstance(part, np.ndarray):
        return _as_index_array(part, "an array")
    if isinstance(part, (list, tuple)):
        try:
            array = np.asarray(part)
        except ValueError:
            raise IndexError(f"a nested index must be rectangular, got {part!r}") from None
        if array.dtype == object:
            raise IndexError(f"a nested index must hold only integers or booleans, got {part!r}")
        if array.size == 0:
            array = array.astype(np.intp)
        return _as_index_array(array, "a list")
    raise IndexError(f"{_VALID} (got {type(part).__name__})")


def plain_index(index: Any) -> tuple[Any, ...]:
    """The index as a tuple of ints, slices, None, Ellipsis and integer/boolean arrays.

    A list is one array index (x[[0, 0]] picks row 0 twice). A list holding slices, None or
    sequences is refused: PyTorch reads it as a tuple, NumPy as an array."""
    if isinstance(index, list) and any(
        p is None or p is Ellipsis or isinstance(p, (slice, list, tuple, TensorBase, np.ndarray)) for p in index
    ):
        raise IndexError(
            f"ambiguous index {index!r}: write x[tuple(...)] for one index per dimension, "
            "or x[np.array(...)] for an index array"
        )
    parts = index if isinstance(index, tuple) else (index,)
    return tuple(_part(p) for p in parts)


def gather_index(index: Any) -> np.ndarray:
    """gather's `index` as an integer array (an nnwork tensor may hold integer-valued floats)."""
    array = np.asarray(index.data if isinstance(index, TensorBase) else index)
    if isinstance(index, TensorBase) and array.dtype.kind == "f" and np.all(array == np.round(array)):
        array = array.astype(np.intp)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected an integer `index`, got dtype {array.dtype}")
    return array.astype(np.intp, copy=False)


class OperatorMethods(TensorBase):
    """+ − × ÷ ** @, comparisons and indexing, with their method forms (x.add(y, alpha=2))."""

    __slots__ = ()

    def _pair(self, other: Any) -> tuple[TensorBase, TensorBase]:
        """(self, other) in torch's result dtype: a 0-d tensor does not promote a tensor with
        dimensions (float32 x + tensor(2.0, float64) is float32), two of either kind do."""
        a, b = self, self._other(other)
        if a.dtype != b.dtype and (a.ndim == 0) != (b.ndim == 0) and a.dtype.kind == b.dtype.kind == "f":
            a, b = (a.to(b.dtype), b) if a.ndim == 0 else (a, b.to(a.dtype))
        return a, b

    def __add__(self, other: Any) -> TensorBase:
        return self._apply(_ops.Add, *self._pair(other))

    def __radd__(self, other: Any) -> TensorBase:  # other + self
        a, b = self._pair(other)
        return self._apply(_ops.Add, b, a)

    def __sub__(self, other: Any) -> TensorBase:
        return self._apply(_ops.Sub, *self._pair(other))

    def __rsub__(self, other: Any) -> TensorBase:  # other - self
        a, b = self._pair(other)
        return self._apply(_ops.Sub, b, a)

    def __mul__(self, other: Any) -> TensorBase:
        return self._apply(_ops.Mul, *self._pair(other))

    def __rmul__(self, other: Any) -> TensorBase:  # other * self
        a, b = self._pair(other)
        return self._apply(_ops.Mul, b, a)

    def __truediv__(self, other: Any) -> TensorBase:
        return self._apply(_ops.Div, *self._pair(other))

    def __rtruediv__(self, other: Any) -> TensorBase:  # other / self
        a, b = self._pair(other)
        return self._apply(_ops.Div, b, a)

    def __pow__(self, exponent: Any) -> TensorBase:
        if isinstance(exponent, (int, float)):
            return self._apply(_ops.PowScalar, self, exponent=float(exponent))
        return self._apply(_ops.Pow, *self._pair(exponent))

    def __rpow__(self, base: Any) -> TensorBase:  # base ** self
        a, b = self._pair(base)
        return self._apply(_ops.Pow, b, a)

    # p -= lr * p.grad on a parameter: in place under no_grad (the hand-written SGD step),
    # an error otherwise, as in torch. On any other tensor `x += y` makes a new tensor x.
    def _in_place(self, ufunc: np.ufunc, other: Any) -> Any:
        if not (self.requires_grad and self.grad_fn is None):
            return NotImplemented
        if _grad_mode.enabled:
            raise RuntimeError(
                "a leaf tensor that requires grad is being used in an in-place operation; "
                "update parameters under nnwork.no_grad() (or through `.data`)"
            )
        ufunc(self.data, other.data if isinstance(other, TensorBase) else other, out=self.data)
        return self

    def __iadd__(self, other: Any) -> Any:
        return self._in_place(np.add, other)

    def __isub__(self, other: Any) -> Any:
        return self._in_place(np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self._in_place(np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self._in_place(np.true_divide, other)

    def __neg__(self) -> TensorBase:
        return self._apply(_ops.Neg, self)

    def __pos__(self) -> TensorBase:
        return self

    def __matmul__(self, other: Any) -> TensorBase:
        return self._apply(_ops.MatMul, self, self._other(other))

    def __rmatmul__(self, other: Any) -> TensorBase:  # other @ self
        return self._apply(_ops.MatMul, self._other(other), self)

    def __abs__(self) -> TensorBase:
        return self._apply(_ops.Abs, self)

    def __getitem__(self, index: Any) -> TensorBase:
        return self._apply(_ops.GetItem, self, index=plain_index(index))

    # Comparisons give constant boolean tensors (for masks and `where`), never a graph.
    def __lt__(self, other: Any) -> TensorBase:
        return self._wrap(np.asarray(self.data < self._other(other).data))

    def __le__(self, other: Any) -> TensorBase:
        return self._wrap(np.asarray(self.data <= self._other(other).data))

    def __gt__(self, other: Any) -> TensorBase:
        return self._wrap(np.asarray(self.data > self._other(other).data))

    def __ge__(self, other: Any) -> TensorBase:
        return self._wrap(np.asarray(self.data >= self._other(other).data))

    def __eq__(self, other: Any) -> TensorBase:  # type: ignore[override]
        if not isinstance(other, (TensorBase, int, float, np.ndarray, np.generic)):
            return NotImplemented  # torch too: t == None is False, not elementwise
        return self._wrap(np.asarray(self.data == self._other(other).data))

    def __ne__(self, other: Any) -> TensorBase:  # type: ignore[override]
        if not isinstance(other, (TensorBase, int, float, np.ndarray, np.generic)):
            return NotImplemented
        return self._wrap(np.asarray(self.data != self._other(other).data))

    def gather(self, dim: int, index: Any) -> TensorBase:
        """out[i][j] = self[index[i][j]][j] for dim=0, as torch.gather."""
        return self._apply(_ops.Gather, self, dim=int(dim), index=gather_index(index))

    def masked_fill(self, mask: Any, value: Any) -> TensorBase:
        """`value` (a number or 0-d tensor) where the boolean `mask` is true, else self."""
        mask = np.asarray(mask.data if isinstance(mask, TensorBase) else mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}")
        if isinstance(value, TensorBase) and value.ndim != 0:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, got shape {value.shape}")
        return self._apply(_ops.MaskedFill, self, self._other(value), mask=mask)

    __hash__ = object.__hash__  # by identity, as in torch (== is elementwise)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    # ---- methods under torch's names (x.add(y, alpha=2) is x + 2·y) ------------------
    def neg(self) -> TensorBase:
        return self._apply(_ops.Neg, self)

    def add(self, other: Any, *, alpha: float = 1) -> TensorBase:
        return self + (other if alpha == 1 else self._other(other) * alpha)

    def sub(self, other: Any, *, alpha: float = 1) -> TensorBase:
        return self - (other if alpha == 1 else self._other(other) * alpha)

    def mul(self, other: Any) -> TensorBase:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> TensorBase:
        if rounding_mode is not None:
            raise NotImplementedError(f"div(rounding_mode={rounding_mode!r}) is not supported; only None")
        return self / other

    def true_divide(self, other: Any) -> TensorBase:
        return self / other

    def pow(self, exponent: Any) -> TensorBase:
        return self**exponent

    def matmul(self, other: Any) -> TensorBase:
        return self @ other

    negative, subtract, multiply, divide = neg, sub, mul, div
