"""A parsed formula as a tree of typed nodes, and its two evaluators.

A node evaluates itself on `columns` (one value per variable: an array or a Tensor) with an
`apply` that says how a FormulaFunction meets the values of its arguments:

- `on_arrays`: the function's NumPy form, on whole float64 columns (targets, data, plots);
- `on_tensors`: its Tensor form, so that our autodiff can differentiate the formula
  (explain descent). A part without a variable, such as 2*pi, is folded to one float64
  number with the NumPy form and meets the Tensors as a Python number, as in `x * 2.0`.

The two never differ in the tree they read; they differ only in `apply`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from nnwork.targets.functions import FormulaFunction
from nnwork.tensor import Tensor

Apply = Callable[[FormulaFunction, list[Any]], Any]


def on_arrays(function: FormulaFunction, args: list[Any]) -> Any:
    """Apply the NumPy form of `function` to arrays or NumPy scalars."""
    return function.numpy(*args)


def on_tensors(function: FormulaFunction, args: list[Any]) -> Any:
    """Apply the Tensor form of `function`, or its NumPy form when no argument is a Tensor."""
    if not any(isinstance(arg, Tensor) for arg in args):
        return function.numpy(*args)
    return function.tensor(*[arg if isinstance(arg, Tensor) else float(arg) for arg in args])


class Node:
    """A node of the tree; `evaluate` gives its value on whole columns at once."""

    def evaluate(self, columns: Sequence[Any], apply: Apply) -> Any:
        raise NotImplementedError

    def functions(self) -> Iterator[FormulaFunction]:
        """The functions and operators this node and the nodes below it apply."""
        return iter(())


@dataclass(frozen=True)
class Number(Node):
    value: float

    def evaluate(self, columns: Sequence[Any], apply: Apply) -> Any:
        return np.float64(self.value)  # broadcast later


@dataclass(frozen=True)
class Variable(Node):
    index: int  # 0 for x or x1, 1 for y or x2, ...

    def evaluate(self, columns: Sequence[Any], apply: Apply) -> Any:
        return columns[self.index]


@dataclass(frozen=True)
class Call(Node):
    """A function, a sign or a power, applied to its arguments; `function.name` says which."""

    function: FormulaFunction
    args: tuple[Node, ...]

    def evaluate(self, columns: Sequence[Any], apply: Apply) -> Any:
        return apply(self.function, [arg.evaluate(columns, apply) for arg in self.args])

    def functions(self) -> Iterator[FormulaFunction]:
        yield self.function
        for arg in self.args:
            yield from arg.functions()


@dataclass(frozen=True)
class Chain(Node):
    """a op b op c ... of one precedence level, kept flat so that a long sum is not a deep tree."""

    first: Node
    rest: tuple[tuple[FormulaFunction, Node], ...]  # (operator, operand), left to right

    def evaluate(self, columns: Sequence[Any], apply: Apply) -> Any:
        value = self.first.evaluate(columns, apply)
        for operator, operand in self.rest:
            value = apply(operator, [value, operand.evaluate(columns, apply)])
        return value

    def functions(self) -> Iterator[FormulaFunction]:
        yield from self.first.functions()
        for operator, operand in self.rest:
            yield operator
            yield from operand.functions()
