"""The optimizer base class: parameter groups, per-parameter state, `zero_grad`, `state_dict`.

Every optimizer changes the parameter arrays in place,

    θ ← θ − η · u(∂L/∂θ, state),

where u is one small function per algorithm (`sgd`, `adam`, `rmsprop`) that works on plain
arrays, so it can later run on flat buffers holding the whole model at once.

A parameter is anything with `.data` (a float NumPy array, updated in place, never rebound)
and `.grad` (an array of the same shape and dtype, or None: "no gradient, skip me").
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
ParamGroup = dict[str, Any]


class Param(Protocol):
    """What an optimizer needs from a parameter."""

    data: Array
    grad: Array | None


class ParamState:
    """Per-parameter state dicts keyed by the parameter object itself.

    Keys compare by identity (as torch's tensors do), so parameters need not be hashable.
    Reading a missing parameter gives a new empty dict, like torch's `defaultdict(dict)`.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Param, dict[str, Any]]] = {}

    def __getitem__(self, p: Param) -> dict[str, Any]:
        if id(p) not in self._entries:
            self._entries[id(p)] = (p, {})
        return self._entries[id(p)][1]

    def __setitem__(self, p: Param, value: dict[str, Any]) -> None:
        self._entries[id(p)] = (p, value)

    def __contains__(self, p: object) -> bool:
        return id(p) in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Param]:
        return (p for p, _ in self._entries.values())

    def items(self) -> list[tuple[Param, dict[str, Any]]]:
        return list(self._entries.values())


class Optimizer:
    """Base class: holds `param_groups` and `state`; a subclass writes `_update(data, grad, state, group)`.

    **Arguments:**
        params: an iterable of parameters, or of dicts `{"params": [...], "lr": ..., ...}`
            (parameter groups, each with its own hyperparameters).
        defaults: the hyperparameters a group gets when it does not set them.
    """

    def __init__(self, params: Iterable[Param] | Iterable[ParamGroup], defaults: dict[str, Any]) -> None:
        if hasattr(params, "data") or isinstance(params, (dict, set)) or not isinstance(params, Iterable):
            raise TypeError(
                "`params` must be an ordered iterable (e.g. a list) of parameters or of parameter-group "
                f"dicts, got {type(params).__name__}"
            )
        self.defaults = dict(defaults)
        self._check(self.defaults)
        self.param_groups: list[ParamGroup] = []
        self.state = ParamState()
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check(self, group: ParamGroup) -> None:
        """Raise ValueError/TypeError if a group's hyperparameters are invalid (subclasses)."""

    # Subclasses whose update is elementwise set this: their groups are then updated as one
    # flat array per buffer (see FlatGroup), a handful of NumPy calls for the whole model.
    fused = False

    def _update(self, data: Array, grad: Array, state: dict[str, Any], group: ParamGroup,
                scratch: tuple[Array, ...] = ()) -> None:
        """Update `data` in place from `grad` and the per-parameter `state` (subclasses).
        `scratch`, when given, holds two spare arrays shaped like `data` for temporaries."""
        raise NotImplementedError

    def add_param_group(self, param_group: ParamGroup) -> None:
        """Add a group of parameters, filling in the hyperparameters it does not set."""
        if not isinstance(param_group, dict):
            raise TypeError(f"`param_group` must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"`param_group` needs a 'params' entry, got keys {sorted(param_group)}")
        params = param_group["params"]
        if hasattr(params, "data"):
            params = [params]
        elif isinstance(params, (set, dict)) or not isinstance(params, Iterable):
            raise TypeError(
                f"a group's 'params' must be an ordered collection such as a list, got {type(params).__name__}"
            )
        group = {"params": list(params), **{k: v for k, v in param_group.items() if k != "params"}}
        for i, p in enumerate(group["params"]):
            data = getattr(p, "data", None)
            if not (isinstance(data, np.ndarray) and np.issubdtype(data.dtype, np.floating) and hasattr(p, "grad")):
                got = type(p).__name__ if data is None else f"{type(p).__name__} with .data {type(data).__name__}"
                raise TypeError(
                    "an optimizer needs parameters with a float NumPy array `.data` and a `.grad`, "
                    f"but parameter {i} of the group is {got}"
                )
        ids = {id(p) for p in group["params"]}
        if len(ids) != len(group["params"]):
            raise ValueError("a parameter group contains the same parameter more than once")
        if any(id(p) in ids for g in self.param_groups for p in g["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        self.param_groups.append(group)
        self._flat_groups: dict[int, FlatGroup] = {}  # rebuilt from the per-parameter state

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set `.grad` to None, or fill it with 0 in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, θ ← θ − η·u(∂L/∂θ, state).

        **Arguments:**
            closure: optional; re-evaluates the loss and the gradients, and returns the loss.

        **Returns:** the closure's loss, or None without a closure.
        """
        loss = None if closure is None else closure()
        for g, group in enumerate(self.param_groups):
            params = group["params"]
            for i, p in enumerate(params):
                if p.grad is not None:
                    check_grad(p, f"parameter {i} of group {g}")
            if self.fused and self._step_flat(g, group):
                continue
            for p in params:
                if p.grad is not None:
                    self._update(p.data, p.grad, self.state[p], group)
        return loss

    def _step_flat(self, g: int, group: ParamGroup) -> bool:
        """Update group g as one flat array per buffer, if its parameters allow it (every one
        has a gradient, one dtype, states in step); return whether it did."""
        params = group["params"]
        if any(p.grad is None for p in params):
            return False
        flat = self._flat_groups.get(g)
        if flat is None or not flat.fits(params):
            states = [self.state[p] for p in params]
            if len({p.data.dtype for p in params}) != 1 or len({_scalars(s) for s in states}) != 1:
                return False
            flat = self._flat_groups[g] = FlatGroup(params, states)
        flat.gather()
        self._update(flat.data, flat.grad, flat.state, group, flat.scratch)
        flat.scatter()
        flat.share_state()
        return True

    def gradient_buffers(self) -> dict[int, Array]:
        """{id(p): the array the next flat update reads p's gradient from}, for every
        parameter of a group updated flat so far. Whoever computes the gradients (a captured
        step) may write them there and set `p.grad` to that array: the update then skips
        copying them in. Empty for optimizers or groups that do not update flat."""
        return {id(p): view for flat in self._flat_groups.values() for p, view in zip(flat.params, flat.grad_views)}

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data (dicts, lists, numbers, copied NumPy arrays).

        Parameters are numbered 0, 1, 2, ... across the groups, as in torch:
        `{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}`.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _plain(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: _plain(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a `state_dict()`: check it fits these parameters, then copy it in.

        Nothing changes if a check fails. Loaded arrays are copied and cast to the parameter's dtype.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"`state_dict` must be a dict with keys 'state' and 'param_groups', got {got}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"but the optimizer has {len(self.param_groups)}"
            )
        by_index: dict[Any, Param] = {}
        groups = []
        for g, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"parameter group {g} of the loaded state dict must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {g} of the loaded state dict has {len(saved['params'])} parameters, "
                    f"but the optimizer's group {g} has {len(group['params'])}"
                )
            by_index.update(zip(saved["params"], group["params"]))
            new = {"params": group["params"], **{k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}}
            for key, value in self.defaults.items():
                new.setdefault(key, value)
            self._check(new)
            groups.append(new)
        state = ParamState()
        for index, saved_state in state_dict["state"].items():
            if index not in by_index:
                raise ValueError(
                    f"loaded state dict has state for parameter index {index!r}, "
                    f"but its parameter groups list only {sorted(by_index)}"
                )
            if not isinstance(saved_state, dict):
                raise ValueError(f"state of parameter {index} must be a dict, got {type(saved_state).__name__}")
            p = by_index[index]
            state[p] = {k: self._load_value(v, p, f"state[{index}][{k!r}]") for k, v in saved_state.items()}
        self.param_groups = groups
        self.state = state
        self._flat_groups = {}  # the loaded arrays replace the flat ones: build them again

    def _state_shape(self, p: Param) -> tuple[int, ...]:
        """The shape of the arrays kept in p's state (LBFGS keeps flat vectors instead)."""
        return tuple(p.data.shape)

    def _load_value(self, value: Any, p: Param, where: str) -> Any:
        """A copy of a loaded state value, with arrays checked against p and cast to its dtype."""
        if isinstance(value, np.ndarray):
            if value.shape != self._state_shape(p):
                raise ValueError(
                    f"loaded {where} has shape {value.shape}, but this optimizer needs shape "
                    f"{self._state_shape(p)} for that parameter"
                )
            dtype = p.data.dtype if np.issubdtype(value.dtype, np.floating) else value.dtype
            return np.array(value, dtype=dtype, copy=True)
        if isinstance(value, dict):
            return {k: self._load_value(v, p, f"{where}[{k!r}]") for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._load_value(v, p, f"{where}[{i}]") for i, v in enumerate(value))
        return value

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


class FlatGroup:
    """A group's optimizer state kept as ONE contiguous array per buffer, so that an
    elementwise update runs once over the whole group: the same numbers as parameter by
    parameter, in a handful of NumPy calls instead of a handful per parameter.

    The parameters themselves are used in place when they already lie back to back in one
    array (`nnwork.nn.MLP` packs its parameters so: see `nn.module.pack_parameters`); otherwise
    each step copies them into a flat array and the new values back out (`p.data` is never
    rebound here). Gradients are copied into the flat gradient array, unless `p.grad` already
    is its view of it (a captured step writes them there: see `gradient_buffers`). Each
    parameter's state arrays are views into the flat state, so `state_dict()` sees them;
    `load_state_dict` drops the flat arrays, and the next step builds them again from the
    loaded values. (Replacing a state array by hand in `optimizer.state` is not noticed:
    change it in place instead.)
    """

    def __init__(self, params: list[Param], states: list[dict[str, Any]]) -> None:
        self.params = params
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
        for key, value in states[0].items():
            if isinstance(value, np.ndarray):
                self.state[key] = np.concatenate([s[key].reshape(-1) for s in states])
            else:
                self.state[key] = value
        self.state_views: dict[str, list[Array]] = {}
        self.states = states
        self.share_state()

    def _split(self, flat: Array) -> list[Array]:
        ends = np.cumsum(self.sizes)
        return [flat[end - size : end].reshape(shape) for end, size, shape in zip(ends, self.sizes, self.shapes)]

    def fits(self, params: list[Param]) -> bool:
        """Whether this layout still describes `params` (nobody rebound a `p.data`)."""
        return params is self.params and all(p.data is a for p, a in zip(params, self.arrays))

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
        """Make each parameter's state show the flat state: views of new flat arrays (made
        once, the first time a buffer appears), and the current scalars (the step count)."""
        for key, value in self.state.items():
            if isinstance(value, np.ndarray):
                if key not in self.state_views:
                    self.state_views[key] = self._split(value)
                    for state, view in zip(self.states, self.state_views[key]):
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


def _scalars(state: dict[str, Any]) -> tuple[Any, ...]:
    """The non-array entries of a state (e.g. the step count) and the names of its arrays."""
    return tuple(sorted((k, v if not isinstance(v, np.ndarray) else "array") for k, v in state.items()))


def _plain(value: Any) -> Any:
    """A deep copy of state as plain data: arrays copied, NumPy scalars turned into Python numbers."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def check_grad(p: Param, where: str) -> None:
    """Raise if p.grad cannot be p's gradient (wrong type, shape or dtype)."""
    grad = p.grad
    if not isinstance(grad, np.ndarray):
        raise TypeError(f"the gradient of {where} must be a NumPy array or None, got {type(grad).__name__}")
    if grad.shape != p.data.shape:
        raise ValueError(f"the gradient of {where} has shape {grad.shape}, but the parameter has shape {p.data.shape}")
    if grad.dtype != p.data.dtype:
        raise TypeError(f"the gradient of {where} has dtype {grad.dtype}, but the parameter has dtype {p.data.dtype}")


def check_range(value: Any, name: str, label: str, low: float, high: float | None = None) -> None:
    """Raise unless `value` is a real number with low <= value (< high when high is given).

    The message starts like torch's ("Invalid learning rate: -1") and names the argument.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {value!r} ({type(value).__name__})")
    if not (low <= value and (high is None or value < high)):  # NaN fails too
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"Invalid {label}: {value} (`{name}` must be {bound})")


def lerp_(start: Array, end: Array, weight: float, work: Array | None = None) -> None:
    """start ← start + w·(end − start), in place, in torch's order of operations
    (`work`, an array shaped like `start`, takes the temporary)."""
    difference = np.subtract(end, start, out=work)
    if abs(weight) < 0.5:
        difference *= weight
        start += difference
    else:
        difference *= 1 - weight
        np.subtract(end, difference, out=start)
