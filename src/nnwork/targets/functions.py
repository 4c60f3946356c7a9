"""The formula language's functions and operators, each on NumPy arrays and on Tensors.

One table, keyed by the name a formula writes: `FUNCTIONS["sin"]` holds np.sin, which
evaluates a target on whole arrays, and Tensor.sin, which evaluates the same formula under
our autodiff (explain descent differentiates formula text this way). The parser puts the
entry itself into the tree, so both evaluators read the same node.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnwork.functions import as_tensor, atan2, maximum, minimum, sqrt
from nnwork.ops.elementwise import stable_sigmoid
from nnwork.tensor import Tensor


@dataclass(frozen=True)
class FormulaFunction:
    """One function of the formula language in its two forms.

    `numpy` takes float64 arrays or NumPy scalars; `tensor` takes Tensors (and Python floats
    for the constant arguments of a function of several), through ops our autodiff
    differentiates, with PyTorch's gradients. A call takes `fewest` to `most` arguments
    (`most` None: any number).
    """

    name: str
    numpy: Callable[..., Any]
    tensor: Callable[..., Any]
    fewest: int = 1
    most: int | None = 1
    piecewise_constant: bool = False  # its slope is 0 wherever it has one (sign, floor, ceil)


def _numpy_relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def _left_to_right(pairwise: Callable[[Tensor, Tensor], Tensor]) -> Callable[..., Tensor]:
    """min or max of many arguments on Tensors: pairwise, left to right as written, so that a
    tie splits the gradient as torch's pairwise minimum/maximum would; constant arguments
    become Tensors of the Tensor arguments' dtype."""

    def reduce(*args: Any) -> Tensor:
        like = next(arg for arg in args if isinstance(arg, Tensor))
        return functools.reduce(pairwise, [as_tensor(arg, like) for arg in args])

    return reduce


def _tensor_hypot(a: Any, b: Any) -> Tensor:
    """√(a² + b²) on Tensors, with np.hypot's value to the last bit.

    nnwork has no hypot op, so the graph is s·√((a/s)² + (b/s)²), with s a power of two near
    max(|a|, |b|) held constant (exact, and the value does not depend on it), so that the
    squares neither overflow nor underflow; its gradient is a/hypot, b/hypot. Its value is
    within an ulp or two of np.hypot's, and adding that difference as a constant makes it
    np.hypot's exactly (the difference of two floats this close is exact).
    """
    like = a if isinstance(a, Tensor) else b
    a, b = as_tensor(a, like), as_tensor(b, like)
    with np.errstate(all="ignore"):
        largest = np.maximum(np.abs(a.data), np.abs(b.data))
        _, exponent = np.frexp(np.where(np.isfinite(largest) & (largest > 0), largest, 1.0))
        scale = Tensor(np.ldexp(np.ones_like(largest), exponent - 1))
        u, v = a / scale, b / scale
        graph = sqrt(u * u + v * v) * scale
        exact = np.hypot(a.data, b.data)
        difference = np.where(np.isfinite(graph.data) & np.isfinite(exact), exact - graph.data, 0)
    return graph + Tensor(difference.astype(graph.dtype, copy=False))


def _numpy_min(*values: Any) -> Any:
    return functools.reduce(np.minimum, values)


def _numpy_max(*values: Any) -> Any:
    return functools.reduce(np.maximum, values)


_TABLE = (
    FormulaFunction("sin", np.sin, Tensor.sin),
    FormulaFunction("cos", np.cos, Tensor.cos),
    FormulaFunction("tan", np.tan, Tensor.tan),
    FormulaFunction("exp", np.exp, Tensor.exp),
    FormulaFunction("log", np.log, Tensor.log),
    FormulaFunction("log10", np.log10, Tensor.log10),
    FormulaFunction("log2", np.log2, Tensor.log2),
    FormulaFunction("sqrt", np.sqrt, Tensor.sqrt),
    FormulaFunction("abs", np.abs, Tensor.abs),
    FormulaFunction("tanh", np.tanh, Tensor.tanh),
    FormulaFunction("sinh", np.sinh, Tensor.sinh),
    FormulaFunction("cosh", np.cosh, Tensor.cosh),
    FormulaFunction("arcsin", np.arcsin, Tensor.asin),
    FormulaFunction("arccos", np.arccos, Tensor.acos),
    FormulaFunction("arctan", np.arctan, Tensor.atan),
    FormulaFunction("asin", np.arcsin, Tensor.asin),
    FormulaFunction("acos", np.arccos, Tensor.acos),
    FormulaFunction("atan", np.arctan, Tensor.atan),
    FormulaFunction("sign", np.sign, Tensor.sign, piecewise_constant=True),
    FormulaFunction("floor", np.floor, Tensor.floor, piecewise_constant=True),
    FormulaFunction("ceil", np.ceil, Tensor.ceil, piecewise_constant=True),
    FormulaFunction("sigmoid", stable_sigmoid, Tensor.sigmoid),
    FormulaFunction("relu", _numpy_relu, Tensor.relu),
    FormulaFunction("arctan2", np.arctan2, atan2, 2, 2),
    FormulaFunction("atan2", np.arctan2, atan2, 2, 2),
    FormulaFunction("pow", np.power, operator.pow, 2, 2),
    FormulaFunction("hypot", np.hypot, _tensor_hypot, 2, 2),
    FormulaFunction("min", _numpy_min, _left_to_right(minimum), 2, None),
    FormulaFunction("max", _numpy_max, _left_to_right(maximum), 2, None),
)
FUNCTIONS: dict[str, FormulaFunction] = {function.name: function for function in _TABLE}

# The operators, in the same form: a - b - c is a chain of "-", -a is "neg", a^b and a**b are "^".
OPERATORS: dict[str, FormulaFunction] = {
    "+": FormulaFunction("+", np.add, operator.add, 2, 2),
    "-": FormulaFunction("-", np.subtract, operator.sub, 2, 2),
    "*": FormulaFunction("*", np.multiply, operator.mul, 2, 2),
    "/": FormulaFunction("/", np.divide, operator.truediv, 2, 2),
    "^": FormulaFunction("^", np.power, operator.pow, 2, 2),
    "neg": FormulaFunction("neg", np.negative, operator.neg),
}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
