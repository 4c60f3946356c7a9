"""Module and Parameter: the bookkeeping every network shares.

A Module is a function F(Θ, x) with its parameters Θ attached. Assigning a Parameter or a
Module to an attribute registers it, so `named_parameters()`, `state_dict()` and `zero_grad()`
find every θ without each network listing its own. A module type that defines `config()` and
`from_config()` describes itself, so it can be saved and loaded (see `nnwork.nn.config`).
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

from nnwork.buffers import pack
from nnwork.nn import config as module_types
from nnwork.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a parameter θ of a model: it always requires a gradient."""

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=True, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every network: subclasses set parameters/submodules in `__init__`
    (after `super().__init__()`) and define `forward`."""

    training: bool

    def __init_subclass__(cls, architecture: str | bool | None = None, **kwargs: Any) -> None:
        """Register a subclass that defines `from_config` as a module type (nnwork.nn.config).

        `architecture`: the name it is saved under (default: its class name); True registers a
        class that inherits its `from_config`; False never registers it (a base class).
        """
        super().__init_subclass__(**kwargs)
        if architecture is False or (architecture is None and "from_config" not in cls.__dict__):
            return
        module_types.register(cls, name=architecture if isinstance(architecture, str) else None)

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        registry = self.__dict__.get("_parameters")
        if registry is None:
            raise AttributeError(
                f"cannot set {name!r} before Module.__init__(): call super().__init__() first "
                f"in {type(self).__name__}.__init__"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        """forward(*args); NumPy arrays and (nested) lists among the positional arguments
        become constant tensors first, so `model(x)` takes data as it comes."""
        return self.forward(*(Tensor(a) if isinstance(a, (np.ndarray, list)) else a for a in args), **kwargs)

    # ---- walking the tree ---------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first, with dotted names."""
        yield prefix, self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}.{name}" if prefix else name)

    def children(self) -> Iterator[Module]:
        yield from self._modules.values()

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every parameter once (shared ones under their first name), with dotted names."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, param in module._parameters.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{prefix}.{name}" if prefix else name), param

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.fill(0)

    def train(self, mode: bool = True) -> Module:
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---- saving and loading ---------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter array, by dotted name."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> None:
        """Copy arrays from `state` into the parameters, in place (optimizers keep working).

        Every key must name a parameter and every parameter must be given (unless
        `strict=False`), with the same shape; otherwise ValueError says which and nothing
        is changed.
        """
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if strict and (missing or unexpected):
            raise ValueError(
                f"state_dict does not fit {type(self).__name__}: missing keys {missing}, "
                f"unexpected keys {unexpected}"
            )
        arrays = {}
        for name in params.keys() & state.keys():
            value = state[name]
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.shape != params[name].shape:
                raise ValueError(
                    f"state_dict[{name!r}] has shape {array.shape}, but the parameter has "
                    f"shape {params[name].shape}"
                )
            if array.dtype.kind not in "fiu":
                raise TypeError(f"state_dict[{name!r}] must hold numbers, got dtype {array.dtype}")
            arrays[name] = array
        for name, array in arrays.items():
            np.copyto(params[name].data, array, casting="unsafe")

    # ---- describing itself (saving the architecture) ----------------------------------------
    def config(self) -> dict[str, Any]:
        """What shapes this module, as JSON data (its parameters' values are not part of it)."""
        raise TypeError(f"{type(self).__name__} does not describe itself: give it config() and from_config()")

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Module:
        """A new module (fresh parameters) from untrusted `config()` data; see nnwork.nn.config."""
        raise TypeError(f"{cls.__name__} cannot be built from a config: give it config() and from_config()")

    # ---- printing -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def _tree_repr(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        if not self._modules:
            return lines[0] + ")"
        for name, module in self._modules.items():
            child = module._tree_repr().replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        return "\n".join(lines) + "\n)"

    def __repr__(self) -> str:
        return f"{self._tree_repr()}  # {self.num_parameters():,} parameters"


def pack_parameters(params: list[Parameter]) -> None:
    """Lay the parameters' values back to back in ONE contiguous array, each `p.data`
    becoming a view of its own part (values unchanged), so that an optimizer updates the
    whole model through that one array (see `nnwork.buffers`). Rebinding `p.data` is only
    safe before anyone holds the old arrays, so model constructors call this on the
    parameters they have just created. Parameters of mixed dtypes are left as they are.
    """
    if not params or len({p.data.dtype for p in params}) != 1:
        return
    for p, view in zip(params, pack([p.data for p in params])):
        p.data = view
