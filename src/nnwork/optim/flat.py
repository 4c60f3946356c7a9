"""Flat updates: a parameter group's optimizer state as ONE contiguous array per buffer.

An elementwise update (SGD, Adam, RMSprop) then runs once over the whole group: the same
numbers as parameter by parameter, in a handful of NumPy calls instead of a handful per
parameter.

The per-parameter states (`optimizer.state[p]`) are the truth; the flat state is a copy made
from them, its arrays shared with them as views. It is made again from the per-parameter
states whenever they may have changed behind its back (see `Optimizer._step_flat`), and a flat
update runs only when every parameter's state agrees (the same entries, the same step count).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .optimizer import Array, Param


class FlatGroup:
    """One group's parameters, gradients and optimizer state as flat arrays.

    The parameters themselves are used in place when they already lie back to back in one
    array (`nnwork.nn.MLP` packs its parameters so: see `nn.module.pack_parameters`); otherwise
    each step copies them into a flat array and the new values back out (`p.data` is never
    rebound here). Gradients are copied into the flat gradient array, unless `p.grad` already
    is its view of it (a captured step writes them there: see `Optimizer.gradient_buffers`).
    Each parameter's state arrays are views into the flat state, and its scalars (the step
    count) are copied out after every flat update, so `state_dict()` sees them.
    """

    def __init__(self, params: list[Param]) -> None:
        self.params = list(params)
        self.arrays = [p.data for p in params]  # what the layout below was built for
        self.sizes = [p.data.size for p in params]
        self.shapes = [p.data.shape for p in params]
        block = contiguous_block(self.arrays)
        self.packed = block is not None
        self.data = block if block is not None else np.concatenate([a.reshape(-1) for a in self.arrays])
        self.views = self._split(self.data)
        self.grad = np.empty_like(self.data)
        self.grad_views = self._split(self.grad)
        self.scratch = (np.empty_like(self.data), np.empty_like(self.data))  # for the update's temporaries
        self.state: dict[str, Any] = {}
        self.states: list[dict[str, Any]] = []  # the per-parameter states the flat state was made from
        self.state_views: dict[str, tuple[Array, list[Array]]] = {}  # key → (flat array, its views)
        self.source: tuple[Any, int] | None = None  # (ParamState, its version) at the last sync

    def _split(self, flat: Array) -> list[Array]:
        ends = np.cumsum(self.sizes)
        return [flat[end - size : end].reshape(shape) for end, size, shape in zip(ends, self.sizes, self.shapes)]

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
                           for a, shape in zip(arrays, self.shapes)):
                    return False
                shared = self.state_views.get(key)
                if shared is not None and all(a is view for a, view in zip(arrays, shared[1])):
                    flat[key] = shared[0]
                else:
                    flat[key] = np.concatenate([a.reshape(-1) for a in arrays])
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
            np.concatenate([p.data.reshape(-1) for p in self.params], out=self.data)
        if any(p.grad is not view for p, view in zip(self.params, self.grad_views)):
            np.concatenate([p.grad.reshape(-1) for p in self.params], out=self.grad)  # type: ignore[union-attr]

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
                    views = self._split(value)
                    self.state_views[key] = (value, views)
                    for state, view in zip(self.states, views):
                        state[key] = view
            else:
                for state in self.states:
                    state[key] = value


def contiguous_block(arrays: list[Array]) -> Array | None:
    """The 1-D array that `arrays` tile exactly, back to back in this order, or None.

    True when the arrays are C-contiguous views of one 1-D array, each starting where the
    previous one ends: then the whole group can be updated through that one array.
    """
    first = arrays[0]
    base = first.base
    if not isinstance(base, np.ndarray) or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    itemsize = base.itemsize
    start = first.__array_interface__["data"][0]
    address = start
    for a in arrays:
        if a.base is not base or a.dtype != base.dtype or not a.flags.c_contiguous:
            return None
        if a.__array_interface__["data"][0] != address:
            return None
        address += a.size * itemsize
    offset = (start - base.__array_interface__["data"][0]) // itemsize
    return base[offset : offset + (address - start) // itemsize]
