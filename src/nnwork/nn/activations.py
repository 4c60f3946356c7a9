"""Activation functions as modules (no parameters), so they can sit in a Sequential or an MLP.

`ACTIVATIONS` names them for `MLP(sizes, "tanh")` and the command line. Each is a module type
that describes itself: the plain ones by their name alone, the ones with options (Softplus's β,
GELU's approximation, ...) by their `OPTIONS`, a field left out of a file taking its default.
"""

from __future__ import annotations

from typing import Any, Callable

from nnwork import functional as F
from nnwork.nn.config import Fields, option_values
from nnwork.nn.module import Module
from nnwork.tensor import Tensor, real_number


class Activation(Module, architecture=False):
    """An activation function as a module (no parameters), so it can sit in a Sequential.

    Each subclass is a module type of its own: with no options, its name is its whole config.
    """

    function: Callable[[Tensor], Tensor] = staticmethod(F.identity)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        kwargs.setdefault("architecture", True)
        super().__init_subclass__(**kwargs)

    def forward(self, x: Tensor) -> Tensor:
        return type(self).function(x)

    def config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Activation:
        Fields(fields, cls.__name__)
        return cls()


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

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> LeakyReLU:
        return cls(Fields(fields, "LeakyReLU", ("negative_slope",)).number("negative_slope"))

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softplus(Module):
    """ln(1 + e^βx)/β, and x where βx > threshold (as torch.nn.Softplus)."""

    OPTIONS = {"beta": 1.0, "threshold": 20.0}  # files written before Softplus had options have none

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = real_number(beta, "beta"), real_number(threshold, "threshold")

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def config(self) -> dict[str, Any]:
        return option_values(self, self.OPTIONS)

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Softplus:
        return cls(**Fields(fields, "Softplus", defaults=cls.OPTIONS).options())

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """x·Φ(x); approximate="tanh" for the tanh formula (as torch.nn.GELU)."""

    OPTIONS = {"approximate": "none"}

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in F.GELU_APPROXIMATIONS:
            raise ValueError(f"`approximate` must be one of {F.GELU_APPROXIMATIONS}, got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def config(self) -> dict[str, Any]:
        return option_values(self, self.OPTIONS)

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> GELU:
        return cls(**Fields(fields, "GELU", defaults=cls.OPTIONS).options())

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """x for x > 0, else α(eˣ − 1) (as torch.nn.ELU)."""

    OPTIONS = {"alpha": 1.0}

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = real_number(alpha, "alpha")

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def config(self) -> dict[str, Any]:
        return option_values(self, self.OPTIONS)

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> ELU:
        return cls(**Fields(fields, "ELU", defaults=cls.OPTIONS).options())

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (as torch.nn.Hardtanh)."""

    OPTIONS = {"min_val": -1.0, "max_val": 1.0}

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val, self.max_val = real_number(min_val, "min_val"), real_number(max_val, "max_val")
        if self.min_val > self.max_val:
            raise ValueError(f"`min_val` ({min_val}) cannot be greater than `max_val` ({max_val})")

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def config(self) -> dict[str, Any]:
        return option_values(self, self.OPTIONS)

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Hardtanh:
        return cls(**Fields(fields, "Hardtanh", defaults=cls.OPTIONS).options())

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
