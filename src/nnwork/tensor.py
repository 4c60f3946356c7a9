"""Tensor: a NumPy array that remembers the op that made it, so gradients can flow back.

Longer than 300 lines: the Tensor's whole PyTorch-named surface (each method a one-line
dispatch to an op) lives on the one class, as in torch.

Reverse-mode automatic differentiation in one file. Each differentiable op is a small
`Function` subclass (in `ops.py`) with a `forward` on arrays and a `backward` that turns the
gradient of its output into gradients of its inputs. `Function.apply` does all the graph
bookkeeping; `Tensor.backward()` sorts the graph once (iteratively, so deep graphs cannot hit
the recursion limit) and walks it in reverse, applying the chain rule

    ∂L/∂input = ∂L/∂output · ∂output/∂input

at every node, summing where a tensor was used more than once, and freeing the graph as it goes.
"""

from __future__ import annotations

import warnings
from typing import Any, Iterator, Sequence

import numpy as np

from nnwork import _grad_mode

# Arrays of these dtypes keep them; anything else numeric becomes the default float32.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
DEFAULT_DTYPE = np.dtype(np.float32)

float32 = np.float32
float64 = np.float64

_T_DEPRECATED = (  # torch's warnings for x.T on a 0-d tensor, and on any other ndim but 2
    "Tensor.T is deprecated on 0-D tensors (it is the identity)",
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*range(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
)


class Function:
    """One differentiable op: `forward` on arrays, `backward` from the output's gradient.

    Subclasses store what backward needs on `self` during forward. `backward(grad)` returns
    one gradient per input (or None where an input needs none); `self.needs_grad[i]` says
    whether input i wants one, so an op can skip work nobody will use. Gradients may have the
    broadcast shape of the output: `Tensor.backward` reduces them to each input's shape.
    A backward must never modify `grad` in place: the same array may be shared by other nodes.

    An op that sets `writes_into = True` also accepts `forward(..., out=array)` and
    `backward(grad, out=(array or None, one per input))`, writing its results into the arrays
    given (of exactly the shapes and dtype it would return): a captured step (`nnwork.capture`)
    then reuses the same arrays every step instead of allocating new ones.
    """

    __slots__ = ("parents", "needs_grad")
    writes_into = False

    parents: tuple[Tensor, ...]
    needs_grad: tuple[bool, ...]

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run the op on the inputs' arrays and, if any input wants a gradient, record it."""
        fn = cls()
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
            result._ctx = fn
        else:
            result.requires_grad = False
            result._ctx = None
        if _grad_mode.recorder is not None:  # nnwork.capture is recording a step
            _grad_mode.recorder.append((fn, inputs, options, result))
        return result

    @property
    def name(self) -> str:
        return type(self).__name__


class FreedGraph(Function):
    """Takes the place of an op once backward() has freed its graph (retain_graph=False), so
    that going back through it again is an error, as in PyTorch, and not a silent loss of the
    gradients of everything behind it."""

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise RuntimeError(
            "backward() through a graph that an earlier backward() already freed; pass "
            "retain_graph=True to the first backward() to go through the graph twice"
        )


FREED = FreedGraph()
FREED.parents, FREED.needs_grad = (), ()


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


class Tensor:
    """An n-dimensional float array with an optional gradient and the op that produced it.

    `data` is the NumPy array; `grad` (a NumPy array of the same shape, or None) is filled by
    `backward()` on tensors created with `requires_grad=True`. Operators and methods build the
    graph; `nnwork.no_grad()` turns recording off.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "__weakref__")
    __array_ufunc__ = None  # make `ndarray * Tensor` call Tensor.__rmul__, not NumPy

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    _ctx: Function | None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self.data.dtype == np.bool_:
            raise RuntimeError("only Tensors of floating point dtype can require gradients (got a bool tensor)")
        self._ctx = None

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """A constant tensor around an array we own already (no copy, no checks)."""
        t = Tensor.__new__(Tensor)
        t.data, t.grad, t.requires_grad, t._ctx = array, None, False, None
        return t

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
        return _ops.Transpose.apply(self, axes=tuple(reversed(range(self.data.ndim))))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of matrices transposed)."""
        if self.data.ndim < 2:
            if self.data.ndim == 1:
                raise ValueError("mT needs a matrix or a batch of matrices, got a 1-D tensor")
            warnings.warn("Tensor.mT is deprecated on 0-D tensors (it is the identity)", UserWarning, stacklevel=2)
            return _ops.Transpose.apply(self, axes=())
        return self.transpose(-2, -1)

    @property
    def grad_fn(self) -> Function | None:
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

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
        return Tensor._wrap(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._ctx is not None and not requires_grad:
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
        if self._ctx is not None:
            extras += f", grad_fn=<{self._ctx.name}>"
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
        pending: dict[int, np.ndarray] = {id(self): seed}
        per_sample = _grad_mode.per_sample
        for node in reversed(self._topological_order()):
            g = pending.pop(id(node), None)
            if g is None:  # no path from self reaches this node
                continue
            ctx = node._ctx
            if ctx is None:
                node._accumulate(g)
                continue
            for parent, wanted, parent_grad in zip(ctx.parents, ctx.needs_grad, ctx.backward(g)):
                if not wanted or parent_grad is None:
                    continue
                shape = parent.data.shape
                if per_sample and parent._ctx is None:  # a leaf keeps one gradient per row
                    shape = (len(seed),) + shape
                if parent_grad.shape != shape:
                    parent_grad = unbroadcast(parent_grad, shape)
                key = id(parent)
                earlier = pending.get(key)
                pending[key] = parent_grad if earlier is None else earlier + parent_grad
            if not retain_graph:
                node._ctx = FREED

    def _accumulate(self, g: np.ndarray) -> None:
        if self.grad is None or (_grad_mode.per_sample and self.grad.shape != g.shape):
            self.grad = np.array(g, dtype=self.data.dtype, copy=True)
        else:
            self.grad += g

    def _topological_order(self) -> list[Tensor]:
        """Every tensor self depends on (that requires grad), inputs before outputs."""
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            if node._ctx is not None:
                for parent in reversed(node._ctx.parents):
                    if parent.requires_grad and id(parent) not in visited:
                        stack.append((parent, False))
        return order

    # ---- operators: one line each, dispatching to ops ---------------------------------
    def _other(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)):  # Python numbers take the tensor's dtype
            return Tensor._wrap(np.asarray(other, dtype=self.data.dtype))
        return Tensor(other)

    def __add__(self, other: Any) -> Tensor:
        return _ops.Add.apply(self, self._other(other))

    def __radd__(self, other: Any) -> Tensor:  # other + self
        return _ops.Add.apply(self._other(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.Sub.apply(self, self._other(other))

    def __rsub__(self, other: Any) -> Tensor:  # other - self
        return _ops.Sub.apply(self._other(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.Mul.apply(self, self._other(other))

    def __rmul__(self, other: Any) -> Tensor:  # other * self
        return _ops.Mul.apply(self._other(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.Div.apply(self, self._other(other))

    def __rtruediv__(self, other: Any) -> Tensor:  # other / self
        return _ops.Div.apply(self._other(other), self)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, (int, float)):
            return _ops.PowScalar.apply(self, exponent=float(exponent))
        return _ops.Pow.apply(self, self._other(exponent))

    def __rpow__(self, base: Any) -> Tensor:  # base ** self
        return _ops.Pow.apply(self._other(base), self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.MatMul.apply(self, self._other(other))

    def __rmatmul__(self, other: Any) -> Tensor:  # other @ self
        return _ops.MatMul.apply(self._other(other), self)

    def __abs__(self) -> Tensor:
        return _ops.Abs.apply(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.GetItem.apply(self, index=_ops.plain_index(index))

    # Comparisons give constant boolean tensors (for masks and `where`), never a graph.
    def __lt__(self, other: Any) -> Tensor:
        return Tensor._wrap(np.asarray(self.data < self._other(other).data))

    def __le__(self, other: Any) -> Tensor:
        return Tensor._wrap(np.asarray(self.data <= self._other(other).data))

    def __gt__(self, other: Any) -> Tensor:
        return Tensor._wrap(np.asarray(self.data > self._other(other).data))

    def __ge__(self, other: Any) -> Tensor:
        return Tensor._wrap(np.asarray(self.data >= self._other(other).data))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, int, float, np.ndarray, np.generic)):
            return NotImplemented  # torch too: t == None is False, not elementwise
        return Tensor._wrap(np.asarray(self.data == self._other(other).data))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, int, float, np.ndarray, np.generic)):
            return NotImplemented
        return Tensor._wrap(np.asarray(self.data != self._other(other).data))

    def gather(self, dim: int, index: Any) -> Tensor:
        """out[i][j] = self[index[i][j]][j] for dim=0, as torch.gather."""
        return _ops.Gather.apply(self, dim=int(dim), index=_ops.gather_index(index))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """`value` (a number or 0-d tensor) where the boolean `mask` is true, else self."""
        mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}")
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, got shape {value.shape}")
        return _ops.MaskedFill.apply(self, self._other(value), mask=mask)

    __hash__ = object.__hash__  # by identity, as in torch (== is elementwise)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    # ---- methods under torch's names (x.add(y, alpha=2) is x + 2·y) ------------------
    def neg(self) -> Tensor:
        return _ops.Neg.apply(self)

    def add(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self + (other if alpha == 1 else self._other(other) * alpha)

    def sub(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self - (other if alpha == 1 else self._other(other) * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is not None:
            raise NotImplementedError(f"div(rounding_mode={rounding_mode!r}) is not supported; only None")
        return self / other

    def true_divide(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    negative, subtract, multiply, divide = neg, sub, mul, div

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

    # ---- elementwise functions --------------------------------------------------------
    def exp(self) -> Tensor:
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return _ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    def sin(self) -> Tensor:
        return _ops.Sin.apply(self)

    def cos(self) -> Tensor:
        return _ops.Cos.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return _ops.Tanh.apply(self)

    def relu(self) -> Tensor:
        return _ops.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return _ops.LeakyReLU.apply(self, negative_slope=float(negative_slope))

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        return _ops.Softplus.apply(self, beta=real_number(beta, "beta"), threshold=real_number(threshold, "threshold"))

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        return _ops.Clip.apply(self, low=min, high=max)

    clamp = clip

    def log1p(self) -> Tensor:
        return _ops.Log1p.apply(self)

    def expm1(self) -> Tensor:
        return _ops.Expm1.apply(self)

    def log2(self) -> Tensor:
        return _ops.Log2.apply(self)

    def log10(self) -> Tensor:
        return _ops.Log10.apply(self)

    def tan(self) -> Tensor:
        return _ops.Tan.apply(self)

    def asin(self) -> Tensor:
        return _ops.Asin.apply(self)

    def acos(self) -> Tensor:
        return _ops.Acos.apply(self)

    def atan(self) -> Tensor:
        return _ops.Atan.apply(self)

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self) -> Tensor:
        return _ops.Sinh.apply(self)

    def cosh(self) -> Tensor:
        return _ops.Cosh.apply(self)

    def reciprocal(self) -> Tensor:
        return _ops.Reciprocal.apply(self)

    def rsqrt(self) -> Tensor:
        return _ops.Rsqrt.apply(self)

    def square(self) -> Tensor:
        return _ops.Square.apply(self)

    def sign(self) -> Tensor:
        return _ops.Sign.apply(self)

    def floor(self) -> Tensor:
        return _ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        return _ops.Ceil.apply(self)

    def round(self, decimals: int = 0) -> Tensor:
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"`decimals` must be an integer, got {decimals!r}")
        return _ops.Round.apply(self, decimals=int(decimals))

    def maximum(self, other: Any) -> Tensor:
        return _ops.Maximum.apply(self, self._other(other))

    def minimum(self, other: Any) -> Tensor:
        return _ops.Minimum.apply(self, self._other(other))

    def atan2(self, other: Any) -> Tensor:
        return _ops.Atan2.apply(self, self._other(other))

    arctan2 = atan2

    def to(self, dtype: Any) -> Tensor:
        """The same values as `dtype` (float32 or float64); gradients flow back through."""
        if np.dtype(dtype) not in FLOAT_DTYPES:
            raise TypeError(f"`dtype` must be float32 or float64, got {np.dtype(dtype)}")
        if np.dtype(dtype) == self.dtype:
            return self
        return _ops.Cast.apply(self, dtype=np.dtype(dtype))

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    # ---- reductions and softmax family ------------------------------------------------
    # torch's signatures and checks (see ops/reduction_calls.py); `axis=`/`keepdims=` are aliases.
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        if dim is None and axis is None and keepdims is None and keepdim is False:  # the hot path
            return _ops.Sum.apply(self, axis=None, keepdims=False)
        return _calls.reduce(self, _ops.Sum, "sum", dim, keepdim, axis, keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        if dim is None and axis is None and keepdims is None and keepdim is False:  # the hot path
            return _ops.Mean.apply(self, axis=None, keepdims=False)
        return _calls.reduce(self, _ops.Mean, "mean", dim, keepdim, axis, keepdims)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return _calls.reduce(self, _ops.Prod, "prod", dim, keepdim, axis, keepdims, False, True)

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return _calls.extreme_value(self, "amax", dim, keepdim, axis, keepdims)

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return _calls.extreme_value(self, "amin", dim, keepdim, axis, keepdims)

    def max(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """max(): the largest value (ties share the gradient); max(dim): the named tuple
        (values, indices) along `dim`, the gradient going to the index (the first of ties)."""
        return _calls.extreme(self, "max", dim, keepdim, axis, keepdims)

    def min(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """min(): the smallest value; min(dim): (values, indices) along `dim` (see max)."""
        return _calls.extreme(self, "min", dim, keepdim, axis, keepdims)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return _calls.arg_extreme(self, "argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return _calls.arg_extreme(self, "argmin", dim, keepdim, axis, keepdims)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        """Σ(x − x̄)² / (N − correction) over `dim`; correction 1 (unbiased) by default."""
        return _calls.statistic(self, _ops.Var, "var", dim, unbiased, keepdim, correction, axis, keepdims)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        """√var (see var)."""
        return _calls.statistic(self, _ops.Std, "std", dim, unbiased, keepdim, correction, axis, keepdims)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        """log Σ eˣ over `dim` (required, as in torch), stable for any x."""
        axis_, keepdim = _calls.logsumexp_dims(self, dim, keepdim, axis, keepdims)
        return _ops.LogSumExp.apply(self, axis=axis_, keepdims=keepdim)

    def cumsum(self, dim: int | None = None, *, axis: Any = None) -> Tensor:
        return _ops.Cumsum.apply(self, axis=_calls.single_dim(self, "cumsum", dim, axis))

    def softmax(self, dim: int | None = None, *, axis: Any = None) -> Tensor:
        return _ops.Softmax.apply(self, axis=_calls.single_dim(self, "softmax", dim, axis))

    def log_softmax(self, dim: int | None = None, *, axis: Any = None) -> Tensor:
        return _ops.LogSoftmax.apply(self, axis=_calls.single_dim(self, "log_softmax", dim, axis))

    # ---- shape ------------------------------------------------------------------------
    def size(self, dim: int | None = None) -> Any:
        """The shape (a tuple), or the size of dim `dim` (an int)."""
        if dim is None:
            return self.data.shape
        if self.data.ndim == 0:
            raise IndexError(f"size(dim={dim}) of a 0-d tensor: it has no dimensions")
        return self.data.shape[_views.dim_index(dim, self.data.ndim)]

    def dim(self) -> int:
        return self.data.ndim

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in `shape` (ints or one tuple; one size may be -1, inferred)."""
        return _ops.Reshape.apply(self, shape=_views.int_args(shape, "shape"))

    view = reshape  # no in-place ops on tensors, so sharing memory or not cannot show

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.Reshape.apply(self, shape=other.shape)

    view_as = reshape_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dims start_dim..end_dim joined into one (a 0-d tensor becomes shape (1,))."""
        return _ops.Reshape.apply(self, shape=_views.flatten_shape(self.shape, start_dim, end_dim))

    def squeeze(self, dim: int | Sequence[int] | None = None) -> Tensor:
        """Without its size-1 dims: all of them, or those among `dim` (an int or a tuple)."""
        return _ops.Reshape.apply(self, shape=_views.squeeze_shape(self.shape, dim))

    def unsqueeze(self, dim: int) -> Tensor:
        """A size-1 dim inserted at `dim` (a dim of the result, in [-ndim-1, ndim])."""
        return _ops.Reshape.apply(self, shape=_views.unsqueeze_shape(self.shape, dim))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Dims `dim0` and `dim1` swapped (PyTorch's meaning; `permute` takes all the dims)."""
        axes = list(range(self.data.ndim))
        d0, d1 = _views.dim_index(dim0, self.ndim, "dim0"), _views.dim_index(dim1, self.ndim, "dim1")
        if axes:
            axes[d0], axes[d1] = axes[d1], axes[d0]
        return _ops.Transpose.apply(self, axes=tuple(axes))

    def permute(self, *dims: Any) -> Tensor:
        """Dims reordered: dim i of the result is dim `dims[i]` of self (NumPy's transpose)."""
        return _ops.Transpose.apply(self, axes=_ops.transpose_axes(_views.int_args(dims, "dims"), self.ndim))

    def t(self) -> Tensor:
        """A matrix transposed; 0-d and 1-D tensors are returned as they are."""
        if self.data.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got shape {self.shape}; use mT or permute")
        return _ops.Transpose.apply(self, axes=tuple(reversed(range(self.data.ndim))))

    def movedim(self, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
        return _ops.Transpose.apply(self, axes=_views.movedim_axes(source, destination, self.ndim))

    moveaxis = movedim

    def expand(self, *sizes: Any) -> Tensor:
        """Size-1 dims repeated to `sizes` (-1 keeps a size; new dims go in front)."""
        shape = _views.expand_shape(self.shape, _views.int_args(sizes, "sizes"))
        return _ops.Expand.apply(self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.Expand.apply(self, shape=_views.expand_shape(self.shape, other.shape))

    def repeat(self, *repeats: Any) -> Tensor:
        """The tensor tiled `repeats[i]` times along dim i (extra leading repeats add dims)."""
        return _ops.Repeat.apply(self, repeats=_views.int_args(repeats, "repeats"))

    def flip(self, *dims: Any) -> Tensor:
        """The elements along `dims` in reverse order."""
        return _ops.Flip.apply(self, dims=_views.dim_indices(_views.int_args(dims, "dims"), self.ndim))

    def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces along `dim` of split_size_or_sections elements each (the last may be
        smaller), or of the sizes in that list."""
        return tuple(self[i] for i in _views.split_indices(self.shape, split_size_or_sections, dim))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most `chunks` pieces of equal size along `dim` (the last may be smaller)."""
        return tuple(self[i] for i in _views.chunk_indices(self.shape, chunks, dim))

    # ---- matrix products (`@` is matmul, with broadcasting) ---------------------------
    def dot(self, other: Any) -> Tensor:
        """Σᵢ aᵢ·bᵢ of two 1-D tensors of one size and dtype."""
        other = self._other(other)
        _views.check_matrix_product("dot", self.data, other.data, (1, 1))
        return _ops.MatMul.apply(self, other)

    def outer(self, other: Any) -> Tensor:
        """out[i, j] = a[i]·b[j] of two 1-D tensors."""
        return _ops.Outer.apply(self, self._other(other))

    def mm(self, other: Any) -> Tensor:
        """The product of two matrices (no broadcasting)."""
        other = self._other(other)
        _views.check_matrix_product("mm", self.data, other.data, (2, 2))
        return _ops.MatMul.apply(self, other)

    def mv(self, other: Any) -> Tensor:
        """A matrix times a vector."""
        other = self._other(other)
        _views.check_matrix_product("mv", self.data, other.data, (2, 1))
        return _ops.MatMul.apply(self, other)


def real_number(value: Any, name: str) -> float:
    """A real-number option of an op (`beta`, `alpha`, ...) as a float, or a TypeError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a real number, got {value!r}")
    return float(value)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes NumPy broadcasting added or stretched, to get back `shape`."""
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # e.g. a (k,) gradient for a (1, k) bias: add the missing axes
        grad = grad.reshape((1,) * (len(shape) - grad.ndim) + grad.shape)
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a Tensor from numbers, lists or arrays (copied). float32 unless data is float64
    or `dtype` says otherwise.

    >>> tensor([1.0, 2.0]) * 3
    tensor([3., 6.])
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


from nnwork import ops as _ops  # noqa: E402  (ops needs Tensor and Function defined first)
from nnwork.ops import views as _views  # noqa: E402
from nnwork.ops import reduction_calls as _calls  # noqa: E402
