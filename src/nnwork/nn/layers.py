"""Fully connected networks: Linear layers, Sequential and MLP (activations: nn/activations.py).

Each module type describes itself (`config()`, and `from_config()` which checks its untrusted
fields: see nnwork.nn.config), so every one of them can be saved and loaded.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from nnwork import functional as F
from nnwork import rng
from nnwork.nn.activations import ACTIVATIONS, activation_module
from nnwork.nn.config import Fields, build, describe, dtype_name, reserve_parameters
from nnwork.nn.module import Module, Parameter, pack_parameters
from nnwork.tensor import Tensor

INITS = ("xavier", "he")


class Linear(Module):
    """y = x·Wᵀ + b, one fused node. W is (out_features, in_features), as in PyTorch.

    Arguments:
        in_features, out_features: sizes of x's last axis and of y's.
        bias: whether to add b (out_features,), drawn uniform in ±1/√in (PyTorch's rule).
            Random biases spread the units' transitions over the input space; zero biases
            would put every first-layer unit's boundary through the origin.
        init: "xavier" (uniform ±√(6/(in+out)), for tanh/sigmoid) or "he" (normal with
            std √(2/in), for ReLU).
        generator: a seed or np.random.Generator; default nnwork's (see `manual_seed`).
        dtype: float32 (default) or float64.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "xavier",
        generator: int | np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {size!r}")
        if init not in INITS:
            raise ValueError(f"`init` must be one of {INITS}, got {init!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        draw = rng.generator(generator)
        shape = (self.out_features, self.in_features)
        if init == "xavier":
            limit = np.sqrt(6.0 / (in_features + out_features))
            weight = draw.uniform(-limit, limit, size=shape)
        else:
            weight = draw.normal(0.0, np.sqrt(2.0 / in_features), size=shape)
        self.weight = Parameter(weight, dtype=dtype)
        self.bias = None
        if bias:
            bound = 1.0 / np.sqrt(in_features)
            self.bias = Parameter(draw.uniform(-bound, bound, size=out_features), dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def config(self) -> dict[str, Any]:
        return {"in_features": self.in_features, "out_features": self.out_features, "bias": self.bias is not None,
                "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Linear:
        f = Fields(fields, "Linear", ("in_features", "out_features", "bias", "dtype"))
        n_in, n_out, bias = f.positive_int("in_features"), f.positive_int("out_features"), f.flag("bias")
        reserve_parameters(n_in * n_out + (n_out if bias else 0), "Linear")
        return cls(n_in, n_out, bias=bias, generator=0, dtype=f.dtype())

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after another: Sequential(a, b, c)(x) = c(b(a(x)))."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules; argument {i} is a {type(module).__name__}")
            setattr(self, str(i), module)

    def forward(self, x: Tensor) -> Tensor:
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def config(self) -> dict[str, Any]:
        return {"modules": [describe(module) for module in self]}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Sequential:
        modules = Fields(fields, "Sequential", ("modules",)).raw("modules")
        if not isinstance(modules, list):
            raise ValueError(f"Sequential architecture: `modules` must be a list, got {modules!r:.50}")
        return cls(*[build(child) for child in modules])


class MLP(Sequential):
    """A multilayer perceptron: Linear layers of the given sizes with an activation between
    them, e.g. MLP([2, 64, 64, 1], "tanh") maps (N, 2) to (N, 1).

    The last layer has `output_activation` (none by default: a regression output). Weights
    use He init for ReLU-like activations and Xavier otherwise.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str | None = None,
        generator: int | np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"`sizes` needs at least an input and an output size, got {sizes}")
        activation_module(activation)  # check the names before building anything
        activation_module(output_activation)
        draw = rng.generator(generator)
        init = "he" if activation in ("relu", "leaky_relu") else "xavier"
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, init=init, generator=draw, dtype=dtype))
            last = i == len(sizes) - 2
            if not last:
                layers.append(activation_module(activation))
            elif output_activation is not None:
                layers.append(activation_module(output_activation))
        super().__init__(*layers)
        pack_parameters(self.parameters())  # one array for the whole model: see pack_parameters
        self.sizes, self.activation, self.output_activation = sizes, activation, output_activation

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, activation={self.activation!r}"

    def config(self) -> dict[str, Any]:
        return {"sizes": [int(n) for n in self.sizes], "activation": self.activation,
                "output_activation": self.output_activation, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> MLP:
        f = Fields(fields, "MLP", ("sizes", "activation", "output_activation", "dtype"))
        sizes = f.positive_ints("sizes", at_least=2)
        activation = f.choice("activation", [None, *ACTIVATIONS])
        output = f.choice("output_activation", [None, *ACTIVATIONS])
        reserve_parameters(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])), "MLP")
        return cls(sizes, activation, output, generator=0, dtype=f.dtype())
