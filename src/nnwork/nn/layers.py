"""Fully connected networks: Linear layers, activation modules, Sequential and MLP."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from nnwork import functional as F
from nnwork import rng
from nnwork.nn.module import Module, Parameter, pack_parameters
from nnwork.tensor import Tensor, real_number

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


class Softplus(Module):
    """ln(1 + e^βx)/β, and x where βx > threshold (as torch.nn.Softplus)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = real_number(beta, "beta"), real_number(threshold, "threshold")

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """x·Φ(x); approximate="tanh" for the tanh formula (as torch.nn.GELU)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in F.GELU_APPROXIMATIONS:
            raise ValueError(f"`approximate` must be one of {F.GELU_APPROXIMATIONS}, got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """x for x > 0, else α(eˣ − 1) (as torch.nn.ELU)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = real_number(alpha, "alpha")

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (as torch.nn.Hardtanh)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val, self.max_val = real_number(min_val, "min_val"), real_number(max_val, "max_val")
        if self.min_val > self.max_val:
            raise ValueError(f"`min_val` ({min_val}) cannot be greater than `max_val` ({max_val})")

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class SiLU(Activation):
    function = staticmethod(F.silu)


class SELU(Activation):
    function = staticmethod(F.selu)


class LogSigmoid(Activation):
    function = staticmethod(F.logsigmoid)


ACTIVATIONS: dict[str, type[Module]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softplus": Softplus,
    "identity": Identity,
    "gelu": GELU,
    "silu": SiLU,
    "elu": ELU,
    "selu": SELU,
    "logsigmoid": LogSigmoid,
    "hardtanh": Hardtanh,
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
