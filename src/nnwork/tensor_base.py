"""What every Tensor is, below the modules that give it its methods.

`nnwork.tensor.Tensor` is one class built from parts, one idea per module:

    tensor_base        TensorBase: the slots, the dtypes, the three primitives below
    tensor_operators   + − × ÷ @ **, comparisons, indexing, and their torch-named methods
    tensor_math        elementwise functions (exp, tanh, relu, round, ...) and dtype casts
    tensor_reductions  sum/mean/max/var/... and the softmax family, with torch's signatures
    tensor_shape       reshape/transpose/expand/... and the matrix products
    tensor             the Tensor itself (data, grad, backward) and the factory functions

The method modules see a tensor as a TensorBase and make new ones only through three
primitives that `Tensor` provides: `_apply(kernel, *inputs, **options)` (run a kernel and
record it in the graph: `nnwork.tensor.apply`), `_wrap(array)` (a constant around an array)
and `self._other(value)` (a number, array or tensor as a tensor of self's dtype).
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Arrays of these dtypes keep them; anything else numeric becomes the default float32.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
DEFAULT_DTYPE = np.dtype(np.float32)


class TensorBase:
    """The data of a tensor: `data` (the array), `grad` (∂L/∂data or None), `requires_grad`
    and `grad_fn` (the kernel of the op that made it, None for a leaf). See nnwork.tensor."""

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "__weakref__")

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    grad_fn: Any

    # The three primitives the method modules build on, provided by nnwork.tensor.Tensor.
    _apply: Any  # staticmethod (kernel, *inputs, **options) -> Tensor
    _wrap: Any  # staticmethod (array) -> Tensor

    def _other(self, other: Any) -> TensorBase:
        raise NotImplementedError


def real_number(value: Any, name: str) -> float:
    """A real-number option of an op (`beta`, `alpha`, ...) as a float, or a TypeError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a real number, got {value!r}")
    return float(value)
