"""The built-in targets: each entry of the catalogue parsed into a `Target`, found by name.

A target G is the function a network learns to imitate. `get_target("franke")` picks one by
name; `resolve` takes either a name or formula text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from nnwork.targets.catalogue import CATALOGUE
from nnwork.targets.formula import Array, Formula, parse
from nnwork.targets.parser import shorten


@dataclass(frozen=True)
class Target:
    """A named test function G with its natural domain: one (low, high) pair per input."""

    name: str
    description: str
    domain: tuple[tuple[float, float], ...]
    formula: Formula = field(repr=False)

    @property
    def n_inputs(self) -> int:
        return self.formula.n_inputs

    @property
    def variables(self) -> tuple[str, ...]:
        return self.formula.variables

    def __repr__(self) -> str:
        return f"Target({self.name!r}, n_inputs={self.n_inputs}, domain={self.domain!r})"

    def __call__(self, X: Any, check_finite: bool = True) -> Array:
        """G on every row of X: shape (N, n_inputs) (or (N,) for one input) to shape (N,)."""
        return self.formula(X, check_finite)


TARGETS: dict[str, Target] = {
    d.name: Target(d.name, d.description, d.domain, parse(d.text, n_inputs=len(d.domain)))
    for d in CATALOGUE
}


def get_target(name: str) -> Target:
    """The built-in target called `name` (see TARGETS)."""
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}")
    if name not in TARGETS:
        close = difflib.get_close_matches(name, TARGETS, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target {shorten(name)}{guess}; known targets are {known}")
    return TARGETS[name]


def resolve(spec: str, n_inputs: int | None = None) -> Formula | Target:
    """A built-in target if `spec` is one's name, otherwise `spec` parsed as a formula."""
    if not isinstance(spec, str):
        raise TypeError(f"`spec` must be a str, got {type(spec).__name__}")
    target = TARGETS.get(spec.strip())
    if target is None:
        return parse(spec, n_inputs)
    if n_inputs is not None and n_inputs != target.n_inputs:
        raise ValueError(f"target {target.name!r} has {target.n_inputs} inputs, "
                         f"got `n_inputs`={n_inputs}")
    return target
