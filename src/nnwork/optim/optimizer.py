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
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from nnwork.buffers import GradientHomes

from .checks import check_grad as check_grad, check_range as check_range
from .flat import FlatGroup
from .needs import Needs
from .param_state import Array as Array, Param as Param, ParamGroup as ParamGroup, ParamState as ParamState


class Optimizer:
    """Base class: holds `param_groups` and `state`; a subclass writes `_update(data, grad, state, group)`.

    **Arguments:**
        params: an iterable of parameters, or of dicts `{"params": [...], "lr": ..., ...}`
            (parameter groups, each with its own hyperparameters).
        defaults: the hyperparameters a group gets when it does not set them.

    `needs` declares what the training loop must give `step` (see nnwork.optim.needs); the
    default is a first-order method: gradients of minibatches, a learning rate, capturable.
    `title` is the name messages give it.
    """

    needs: ClassVar[Needs] = Needs()
    title: ClassVar[str] = "Optimizer"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "title" not in cls.__dict__:
            cls.title = cls.__name__

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
        self._flat_groups: dict[int, FlatGroup] = {}  # group index → its flat arrays (see _step_flat)
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
        has a gradient, one dtype, states that agree); return whether it did.

        The flat state is made again from the per-parameter states whenever `self.state`'s
        version has moved since: after parameters were updated one by one (`step` with a
        missing gradient reads their states through `self.state[p]`), after `load_state_dict`
        (a new `self.state`), or after anyone took a state out of `self.state`.
        """
        params = group["params"]
        if any(p.grad is None for p in params):
            return False
        flat = self._flat_groups.get(g)
        if flat is None or not flat.fits(params):
            if len({p.data.dtype for p in params}) != 1:
                return False
            flat = self._flat_groups[g] = FlatGroup(params)
        source = self.state
        if flat.source != (source, source.version):
            if not flat.sync([source.peek(p) for p in params]):
                return False
            flat.source = (source, source.version)
        flat.gather()
        self._update(flat.data, flat.grad, flat.state, group, flat.scratch)
        flat.scatter()
        flat.share_state()
        return True

    def gradient_homes(self) -> GradientHomes:
        """Where the next flat update reads each parameter's gradient from, for every
        parameter of a group updated flat so far (see `nnwork.buffers`). Empty for
        optimizers or groups that do not update flat."""
        homes: dict[int, Array] = {}
        for flat in self._flat_groups.values():
            homes.update(flat.gradient_homes())
        return GradientHomes(homes)

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
        # Empty states (SGD without momentum) are left out, as torch has none for them.
        state = {index[id(p)]: _plain(s) for p, s in self.state._entries.values() if s}
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
        self.state = state  # a new ParamState: the flat groups copy it in before their next update

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
