"""`parse` and `Formula`: formula text as a function of NumPy arrays, or of Tensors.

`parse("sin(x)*cos(y)")` checks the text against the grammar of `nnwork.targets.parser` and
keeps its tree. Calling the Formula evaluates the tree on whole columns of X with NumPy;
`on_tensors` evaluates the same tree with our Tensors, so that `backward()` differentiates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nnwork.targets.functions import FUNCTIONS
from nnwork.targets.parser import MAX_INPUTS, MAX_LENGTH, Parser, formula_error, shorten
from nnwork.targets.tree import Node, on_arrays, on_tensors
from nnwork.tensor import Tensor

Array = NDArray[np.float64]


def _as_inputs(X: Any, n_inputs: int) -> Array:
    """X as a float64 array of shape (N, n_inputs); (N,) is accepted when n_inputs is 1."""
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`X` must hold real numbers, got an array of dtype {array.dtype}")
    if array.ndim == 1 and n_inputs == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] != n_inputs:
        also = " or (N,)" if n_inputs == 1 else ""
        raise ValueError(f"`X` must have shape (N, {n_inputs}){also} for a function of "
                         f"{n_inputs} input(s), got shape {array.shape}")
    return array.astype(np.float64, copy=False)


@dataclass(frozen=True)
class Formula:
    """A parsed formula: `f(X)` maps an (N, n_inputs) float array to an (N,) float64 array.

    `variables` names the input columns in order: ('x', 'y') for a formula in x and y (or in y
    alone), ('x1', 'x2', 'x3') for one whose highest variable is x3. Build it with `parse`.
    """

    text: str
    variables: tuple[str, ...]
    tree: Node = field(repr=False, compare=False)

    @property
    def n_inputs(self) -> int:
        return len(self.variables)

    @property
    def functions(self) -> tuple[str, ...]:
        """The names of the functions the formula calls, once each, in the order written."""
        called = (function.name for function in self.tree.functions())
        return tuple(dict.fromkeys(name for name in called if name in FUNCTIONS))  # no operators

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, variables={self.variables!r})"

    def __call__(self, X: Any, check_finite: bool = True) -> Array:
        """Evaluate on every row of X, never warning. NaN or ±inf where the inputs are finite
        raises ValueError naming the first such point, unless `check_finite` is False."""
        inputs = _as_inputs(X, self.n_inputs)
        result = np.empty(len(inputs))
        with np.errstate(all="ignore"):
            result[...] = self.tree.evaluate(inputs.T, on_arrays)  # also broadcasts a constant
        if check_finite:
            bad = ~np.isfinite(result) & np.isfinite(inputs).all(axis=1)
            if bad.any():
                row = int(np.argmax(bad))
                pairs = zip(self.variables, inputs[row][:8])
                point = ", ".join(f"{name}={float(value)!r}" for name, value in pairs)
                raise NotFiniteError(
                    f"formula {shorten(self.text)} is not finite at {point}"
                    f"{', ...' if self.n_inputs > 8 else ''} (row {row} of X): it gives "
                    f"{float(result[row])!r}")
        return result

    def on_tensors(self, *inputs: Tensor) -> Tensor:
        """The formula on Tensors, one per variable in the order of `variables`, through ops
        our autodiff differentiates (`backward()` then gives the gradient of each input).

        The inputs broadcast against each other, as in PyTorch; a constant formula gives
        `inputs[0] * 0 + c`, still attached to the graph. Never warns: NaN and ±inf are the
        caller's to check.
        """
        if len(inputs) != self.n_inputs:
            raise ValueError(f"formula {shorten(self.text)} takes {self.n_inputs} Tensor(s), one "
                             f"for each of {', '.join(self.variables)}; got {len(inputs)}")
        for position, value in enumerate(inputs):
            if not isinstance(value, Tensor):
                raise TypeError(f"input {position} of `on_tensors` must be a Tensor, "
                                f"got {type(value).__name__}")
        with np.errstate(all="ignore"):
            value = self.tree.evaluate(inputs, on_tensors)
            return value if isinstance(value, Tensor) else inputs[0] * 0.0 + float(value)


class NotFiniteError(ValueError):
    """A formula gave NaN or ±inf where its inputs are finite; `where` says where and what."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(f"{where}; a target must be finite wherever its inputs are "
                         "(pass check_finite=False to allow it)")


def parse(text: str, n_inputs: int | None = None) -> Formula:
    """Parse formula text into a vectorised `Formula`, never executing it as Python.

    Arguments:
        text: e.g. "sin(x)*cos(y)" or "x1^2 + tanh(x3)"; at most MAX_LENGTH characters.
        n_inputs: force more inputs than the formula uses, e.g. parse("sin(x)", 2) is a
            function of (x, y) that ignores y. Default: the highest variable used (at least 1).
    Returns:
        A Formula; `formula(X)` with X of shape (N, n_inputs) gives shape (N,).
    Raises:
        ValueError naming the column, for anything outside the grammar of
        `nnwork.targets.parser`.

    >>> parse("2^3^2")([[0.0]])
    array([512.])
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__}")
    if n_inputs is not None and (isinstance(n_inputs, bool) or not isinstance(n_inputs, int)):
        raise TypeError(f"`n_inputs` must be an int or None, got {type(n_inputs).__name__}")
    if len(text) > MAX_LENGTH:
        length = f"the formula is {len(text)} characters long"
        raise formula_error(text, MAX_LENGTH + 1, f"{length}; at most {MAX_LENGTH} are allowed")
    if not text.strip(" \t\n\r\f\v"):
        expected = "expected a number, a variable, a function or '('"
        raise formula_error(text, 1, f"the formula is empty; {expected}")
    parser = Parser(text)
    tree = parser.formula()
    fewest = max(parser.n_used, 1)
    n = fewest if n_inputs is None else n_inputs
    if not fewest <= n <= MAX_INPUTS:
        raise ValueError(f"`n_inputs` must be from {fewest} (the inputs {shorten(text)} uses) "
                         f"to {MAX_INPUTS}, got {n_inputs}")
    if parser.family == "x, y, z" and n > 3:
        raise ValueError(f"`n_inputs`={n} is more than the names x, y, z can cover; "
                         f"write the formula {shorten(text)} with x1, x2, ... instead")
    xyz = parser.family == "x, y, z" or (parser.family is None and n <= 3)
    variables = tuple("xyz"[:n]) if xyz else tuple(f"x{i}" for i in range(1, n + 1))
    return Formula(text, variables, tree)
