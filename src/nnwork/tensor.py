"""Tensor: a NumPy array that remembers the op that made it, so gradients can flow back.

`apply(kernel, *tensors)` runs one kernel (nnwork.ops: forward and backward on arrays) on
the tensors' arrays; when an input requires a gradient (and `no_grad()` is off) the result
keeps the kernel as its `grad_fn`, with the inputs as the kernel's `parents`: the graph.
`Tensor.backward()` hands the graph to the one backward walk (`nnwork.autograd.backprop`),
which applies the chain rule at every node, sums where a tensor was used more than once, and
accumulates into every leaf's `.grad`.

Tensor's ~100 methods, one line each, live in modules by idea (operators, math, reductions,
shape: see nnwork.tensor_base); this module holds the Tensor itself and its factories.
"""

from __future__ import annotations

import warnings
from typing import Any, Iterator

import numpy as np

from nnwork import _grad_mode
from nnwork import ops as _ops
from nnwork.autograd import backprop
from nnwork.ops.kernel import Kernel
from nnwork.ops.kernel import unbroadcast as unbroadcast
from nnwork.tensor_base import DEFAULT_DTYPE as DEFAULT_DTYPE, FLOAT_DTYPES as FLOAT_DTYPES
from nnwork.tensor_base import real_number as real_number
from nnwork.tensor_math import MathMethods
from nnwork.tensor_operators import OperatorMethods
from nnwork.tensor_reductions import ReductionMethods
from nnwork.tensor_shape import ShapeMethods

float32 = np.float32
float64 = np.float64

_T_DEPRECATED = (  # torch's warnings for x.T on a 0-d tensor, and on any other ndim but 2
    "Tensor.T is deprecated on 0-D tensors (it is the identity)",
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*range(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
)


def apply(kernel: type[Kernel], *inputs: Tensor, **options: Any) -> Tensor:
    """Run `kernel` on the inputs' arrays and, if any input wants a gradient, record it:
    the result's `grad_fn` is the kernel instance, its `parents` the inputs."""
    fn = kernel()
    out = fn.forward(*[t.data for t in inputs], **options)
    if type(out) is not np.ndarray:  # NumPy gives scalars, not arrays, for 0-d results
        out = np.asarray(out)
    result = Tensor.__new__(Tensor)
    result.data = out
    result.grad = None
    needs_grad = tuple([t.requires_grad for t in inputs])
    if True in needs_grad and _grad_mode.enabled:
        fn.parents = inputs
        fn.needs_grad = needs_grad
        result.requires_grad = True
        result.grad_fn = fn
    else:
        result.requires_grad = False
        result.grad_fn = None
    if _grad_mode.recorder is not None:  # nnwork.capture is recording a step
        _grad_mode.recorder.append((fn, inputs, options, result))
    return result


class Function(Kernel):
    """A differentiable op of your own, as torch.autograd.Function: subclass it, write
    `forward(self, *arrays)` and `backward(self, grad)` on arrays (see nnwork.ops.Kernel),
    and call `YourOp.apply(*tensors)`."""

    __slots__ = ()

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        return apply(cls, *inputs, **options)


def constant(array: np.ndarray) -> Tensor:
    """A tensor around `array` itself (shared, not copied or checked) that needs no gradient:
    for arrays the caller owns already (a batch, a mask, an index)."""
    t = Tensor.__new__(Tensor)
    t.data, t.grad, t.requires_grad, t.grad_fn = array, None, False, None
    return t


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Validate `data` and copy it into the float array a Tensor holds: float32, unless
    `dtype` says otherwise or `data` is already a float64 array (kept, as PyTorch does)."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        wanted = np.dtype(dtype)
        if wanted not in FLOAT_DTYPES:
            raise TypeError(f"`dtype` must be float32 or float64, got {wanted}")
    given_array = isinstance(data, (np.ndarray, np.generic))
    array = np.asarray(data)
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"a tensor holds real numbers; got data of dtype {array.dtype} "
            f"(from {type(data).__name__})"
        )
    if dtype is None and array.dtype == np.bool_:  # a mask, as torch.tensor([True]) is
        dtype = np.bool_
    if dtype is None:
        dtype = array.dtype if given_array and array.dtype in FLOAT_DTYPES else DEFAULT_DTYPE
    return np.array(array, dtype=dtype, copy=True)


class Tensor(OperatorMethods, MathMethods, ReductionMethods, ShapeMethods):
    """An n-dimensional float array with an optional gradient and the op that produced it.

    `data` is the NumPy array; `grad` (a NumPy array of the same shape, or None) is filled by
    `backward()` on tensors created with `requires_grad=True`; `grad_fn` is the kernel of the
    op that made it (None for a leaf). Operators and methods build the graph;
    `nnwork.no_grad()` turns recording off.
    """

    __slots__ = ()
    __array_ufunc__ = None  # make `ndarray * Tensor` call Tensor.__rmul__, not NumPy

    _apply = staticmethod(apply)
    _wrap = staticmethod(constant)

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self.data.dtype == np.bool_:
            raise RuntimeError("only Tensors of floating point dtype can require gradients (got a bool tensor)")
        self.grad_fn = None

    def _other(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)):  # Python numbers take the tensor's dtype
            dtype = self.data.dtype
            if dtype == np.bool_ and not isinstance(other, bool):  # mask * 2.5 counts, as in torch
                dtype = DEFAULT_DTYPE
            return constant(np.asarray(other, dtype=dtype))
        return Tensor(other)

    # ---- properties -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def T(self) -> Tensor:
        """All dims reversed; torch warns that this is deprecated unless the tensor is 2-D."""
        if self.data.ndim != 2:
            warnings.warn(_T_DEPRECATED[min(self.data.ndim, 1)], UserWarning, stacklevel=2)
        return apply(_ops.Transpose, self, axes=tuple(reversed(range(self.data.ndim))))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of matrices transposed)."""
        if self.data.ndim < 2:
            if self.data.ndim == 1:
                raise ValueError("mT needs a matrix or a batch of matrices, got a 1-D tensor")
            warnings.warn("Tensor.mT is deprecated on 0-D tensors (it is the identity)", UserWarning, stacklevel=2)
            return apply(_ops.Transpose, self, axes=())
        return self.transpose(-2, -1)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return float(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, like torch: changing one changes the other)."""
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (shares the array)."""
        return constant(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise ValueError("requires_grad_(False) is only for leaf tensors; use detach()")
        if requires_grad and self.data.dtype == np.bool_:
            raise RuntimeError("only Tensors of floating point dtype can require gradients (got a bool tensor)")
        self.requires_grad = bool(requires_grad)
        return self

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", precision=4, prefix="tensor(")
        extras = ""
        if self.data.dtype != DEFAULT_DTYPE:
            extras += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extras += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"


    # ---- autodiff ---------------------------------------------------------------------
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Accumulate ∂self/∂leaf into `leaf.grad` for every leaf that requires a gradient.

        `grad` is ∂L/∂self; it may be omitted only when self holds a single value (then 1).
        The graph is freed afterwards unless `retain_graph=True`; going back through a freed
        graph (a second backward(), or a new graph built on one of its tensors) raises.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran under no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without `grad` needs a single-value tensor, got shape "
                    f"{self.shape}; pass grad= of that shape (e.g. ones) or reduce first"
                )
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward(grad) needs grad of shape {self.shape}, got {seed.shape}"
                )
        backprop(self, seed, retain_graph=retain_graph)

    # ---- conversions to Python numbers (one-element tensors only, as in torch) ------------
    def _one_value(self) -> Any:
        if self.data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (shape {self.shape})")
        return self.data.reshape(()).item()

    def __bool__(self) -> bool:
        if self.data.size != 1:
            amount = "no values" if self.data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous (shape {self.shape})")
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return float(self._one_value())

    def __int__(self) -> int:
        return int(self._one_value())

    def __index__(self) -> int:
        if self.data.dtype != np.bool_ or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._one_value())

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]



def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a Tensor from numbers, lists or arrays (copied). float32 unless data is float64
    or `dtype` says otherwise.

    >>> tensor([1.0, 2.0]) * 3
    tensor([3., 6.])
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)

