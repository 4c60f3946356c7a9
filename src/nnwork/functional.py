"""Activations and losses as plain functions of tensors, under torch.nn.functional's names.

A loss L(ŷ, y) says how far the model's output ŷ is from the truth y: large when the model
is bad, smooth enough to differentiate. Every loss here takes `reduction`: "mean" (the
default), "sum", or "none" (one loss per element).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork import ops
from nnwork.functions import as_tensor, where
from nnwork.ops.activations import SELU_ALPHA, SELU_SCALE
from nnwork.tensor import Tensor, apply, real_number

# ---- activations ---------------------------------------------------------------------
def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ), exact in the limits: σ(±1e4) is 1 and 0, with no warning."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return x.leaky_relu(negative_slope)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^βx)/β, a smooth ReLU, exact at any |x|; just x where βx > threshold (as torch)."""
    return x.softplus(beta, threshold)


GELU_APPROXIMATIONS = ("none", "tanh")


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x), Φ the standard normal distribution function; approximate="tanh" uses
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"`approximate` must be one of {GELU_APPROXIMATIONS}, got {approximate!r}")
    return apply(ops.GELU, x, approximate=approximate)


def silu(x: Tensor) -> Tensor:
    """x·σ(x) (swish)."""
    return apply(ops.SiLU, x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else α(eˣ − 1)."""
    return apply(ops.ELU, x, alpha=real_number(alpha, "alpha"))


def selu(x: Tensor) -> Tensor:
    """scale·elu(x, α) with the self-normalising α ≈ 1.6733 and scale ≈ 1.0507."""
    return apply(ops.ELU, x, alpha=SELU_ALPHA, scale=SELU_SCALE)


def logsigmoid(x: Tensor) -> Tensor:
    """log σ(x) = −softplus(−x), exact at any |x|: logsigmoid(−1e4) = −1e4."""
    return apply(ops.LogSigmoid, x)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clamped to [min_val, max_val]; its gradient is 0 at the bounds themselves."""
    low, high = real_number(min_val, "min_val"), real_number(max_val, "max_val")
    if low > high:
        raise ValueError(f"`min_val` ({min_val}) cannot be greater than `max_val` ({max_val})")
    return apply(ops.Hardtanh, x, low=low, high=high)


def identity(x: Tensor) -> Tensor:
    return x


ACTIVATION_FUNCTIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softplus": softplus,
    "identity": identity,
    "gelu": gelu,
    "silu": silu,
    "elu": elu,
    "selu": selu,
    "logsigmoid": logsigmoid,
    "hardtanh": hardtanh,
}


def activation_function(name: str | None) -> Any:
    """The activation function called `name` (None means identity)."""
    key = "identity" if name is None else name
    if key not in ACTIVATION_FUNCTIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATION_FUNCTIONS)}")
    return ACTIVATION_FUNCTIONS[key]


def softmax(input: Tensor, dim: int | None = None, *, axis: Any = None) -> Tensor:
    """eˣⁱ / Σⱼ eˣʲ along `dim`, which is required (torch's implicit dim is deprecated)."""
    return input.softmax(dim, axis=axis)


def log_softmax(input: Tensor, dim: int | None = None, *, axis: Any = None) -> Tensor:
    """x − log Σ eˣ along `dim`, which is required (see softmax)."""
    return input.log_softmax(dim, axis=axis)


def logsumexp(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    """log Σ eˣ over `dim` (required), as torch.logsumexp."""
    return as_tensor(input).logsumexp(dim, keepdim, axis=axis, keepdims=keepdims)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias as one fused node; weight is (out, in) as in PyTorch."""
    if bias is None:
        return apply(ops.Linear, x, weight)
    return apply(ops.Linear, x, weight, bias)


# ---- losses (in nnwork.losses and nnwork.class_losses), dropout and layer_norm ----------
from nnwork.losses import REDUCTIONS as REDUCTIONS  # noqa: E402
from nnwork.losses import binary_cross_entropy as binary_cross_entropy  # noqa: E402
from nnwork.losses import binary_cross_entropy_with_logits as binary_cross_entropy_with_logits  # noqa: E402
from nnwork.losses import huber_loss as huber_loss, l1_loss as l1_loss, mse_loss as mse_loss  # noqa: E402
from nnwork.losses import smooth_l1_loss as smooth_l1_loss  # noqa: E402
from nnwork.class_losses import cross_entropy as cross_entropy, nll_loss as nll_loss  # noqa: E402
from nnwork.layer_functions import dropout as dropout, layer_norm as layer_norm  # noqa: E402
