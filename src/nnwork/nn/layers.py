"""Fully connected networks: Linear layers, activation modules, Sequential and MLP."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from nnwork import functional as F
from nnwork import rng
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

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Activation(Module):
    """An activation function as a module (no parameters), so it can sit in a Sequential."""

    function: Callable[[Tensor], Tensor] = staticmethod(F.identity)

    def forward(self, x: Tensor) -> Tensor:
        return type(self).function(x)


class Sigmoid(Activation):
    function = staticmethod(F.sigmoid)


class Tanh(Activation):
    function = staticmethod(F.tanh)


class ReLU(Activation):
    function = staticmethod(F.relu)


class Softplus(Activation):
    function = staticmethod(F.softplus)


class Identity(Activation):
    function = staticmethod(F.identity)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


ACTIVATIONS: dict[str, type[Module]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softplus": Softplus,
    "identity": Identity,
}


def activation_module(name: str | None) -> Module:
    """The activation module called `name` (None means identity)."""
    key = "identity" if name is None else name
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[key]()


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
