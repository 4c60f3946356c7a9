"""Flat updates: a parameter group's optimizer state as ONE contiguous array per buffer.

An elementwise update (SGD, Adam, RMSprop) then runs once over the whole group: the same
numbers as parameter by parameter, in a handful of NumPy calls instead of a handful per
parameter.

The per-parameter states (`optimizer.state[p]`) are the truth; the flat state is a copy made
from them, its arrays shared with them as views. It is made again from the per-parameter
states whenever they may have changed behind its back (see `Optimizer._step_flat`), and a flat
update runs only when every parameter's state agrees (the same entries, the same step count).
The layout and the rules it shares with models and captured steps: `nnwork.buffers`.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from nnwork.buffers import FlatLayout, tiling

if TYPE_CHECKING:
    from .optimizer import Array, Param


class FlatGroup:
    """One group's parameters, gradients and optimizer state as flat arrays.

    The parameters themselves are used in place when they already lie back to back in one
    array (a packed model: see `nnwork.buffers`); otherwise each step copies them into a flat
    array and the new values back out (`p.data` is never rebound here). Gradients are copied
    into the flat gradient array, unless `p.grad` already is its view of it (its home: a
    captured step writes it there).
    Each parameter's state arrays are views into the flat state, and its scalars (the step
    count) are copied out after every flat update, so `state_dict()` sees them.
    """

    def __init__(self, params: list[Param]) -> None:
        self.params = list(params)
        self.arrays = [p.data for p in params]  # what the layout below was built for
        self.layout = FlatLayout.of(self.arrays)
        block = tiling(self.arrays)
        self.packed = block is not None
        self.data = block if block is not None else self.layout.join(self.arrays)
        self.views = self.layout.split(self.data)
        self.grad = self.layout.empty()
        self.grad_views = self.layout.split(self.grad)
        self.scratch = (np.empty_like(self.data), np.empty_like(self.data))  # for the update's temporaries
        self.state: dict[str, Any] = {}
        self.states: list[dict[str, Any]] = []  # the per-parameter states the flat state was made from
        self.state_views: dict[str, tuple[Array, list[Array]]] = {}  # key → (flat array, its views)
        self.source: tuple[Any, int] | None = None  # (ParamState, its version) at the last sync

    def fits(self, params: list[Param]) -> bool:
        """Whether this layout still describes `params` (the same ones, no `p.data` rebound)."""
        return len(params) == len(self.params) and all(
            p is q and p.data is a for p, q, a in zip(params, self.params, self.arrays)
        )

    def sync(self, states: list[dict[str, Any]]) -> bool:
        """Make the flat state from the per-parameter `states` (one per parameter, in order).

        Returns False, changing nothing, unless they agree: the same entries, equal scalars,
        arrays of each parameter's shape and dtype. Arrays that already are views of the flat
        ones are not copied.
        """
        first = states[0]
        if any(s.keys() != first.keys() for s in states):
            return False
        flat: dict[str, Any] = {}
        for key, value in first.items():
            if isinstance(value, np.ndarray):
                arrays = [s[key] for s in states]
                if not all(isinstance(a, np.ndarray) and a.shape == shape and a.dtype == self.data.dtype
                           for a, shape in zip(arrays, self.layout.shapes)):
                    return False
                shared = self.state_views.get(key)
                if shared is not None and all(a is view for a, view in zip(arrays, shared[1])):
                    flat[key] = shared[0]
                else:
                    flat[key] = self.layout.join(arrays)
            elif isinstance(value, numbers.Number) and all(
                isinstance(s[key], numbers.Number) and s[key] == value for s in states
            ):
                flat[key] = value
            else:
                return False
        self.state, self.states = flat, states
        self.state_views = {k: v for k, v in self.state_views.items() if flat.get(k) is v[0]}
        self.share_state()
        return True

    def gather(self) -> None:
        """Bring the parameters and their gradients into the flat arrays (where they are not already)."""
        if not self.packed:
            self.layout.join([p.data for p in self.params], out=self.data)
        if any(p.grad is not view for p, view in zip(self.params, self.grad_views)):
            self.layout.join([p.grad for p in self.params], out=self.grad)  # type: ignore[misc]

    def scatter(self) -> None:
        """Copy the updated flat values back into each parameter's own array, in place."""
        if not self.packed:
            for p, view in zip(self.params, self.views):
                np.copyto(p.data, view)

    def share_state(self) -> None:
        """Make each parameter's state show the flat state: views of each flat array (split
        once per array: when it first appears), and the current scalars (the step count)."""
        for key, value in self.state.items():
            if isinstance(value, np.ndarray):
                shared = self.state_views.get(key)
                if shared is None or shared[0] is not value:
                    views = self.layout.split(value)
                    self.state_views[key] = (value, views)
                    for state, view in zip(self.states, views):
                        state[key] = view
            else:
                for state in self.states:
                    state[key] = value


    def gradient_homes(self) -> dict[int, Array]:
        """{id(p): the view of the flat gradient array that p's gradient is read from}."""
        return {id(p): view for p, view in zip(self.params, self.grad_views)}
