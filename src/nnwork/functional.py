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
from nnwork.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


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


def softplus(x: Tensor) -> Tensor:
    """ln(1 + eˣ), a smooth ReLU; exact at any |x|."""
    return x.softplus()


def identity(x: Tensor) -> Tensor:
    return x


ACTIVATION_FUNCTIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softplus": softplus,
    "identity": identity,
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
        return ops.Linear.apply(x, weight)
    return ops.Linear.apply(x, weight, bias)


# ---- losses --------------------------------------------------------------------------
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Tensor, target: Any, reduction: str, name: str) -> tuple[Tensor, Tensor]:
    """Check the arguments every loss shares: same shapes (no silent broadcasting, which
    turns an (N, 1) against (N,) mistake into an N×N loss) and a known reduction."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {REDUCTIONS}, got {reduction!r}")
    target = as_tensor(target, input)
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: `input` has shape {input.shape} but `target` has shape {target.shape}; "
            "they must match"
        )
    return input, target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error L = (y − ŷ)², averaged (or summed) over all elements."""
    input, target = _pair(input, target, reduction, "mse_loss")
    return ops.SquaredError.apply(input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Absolute error L = |y − ŷ|: less swayed by outliers than the squared error."""
    input, target = _pair(input, target, reduction, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½d² where |d| < δ, else δ(|d| − ½δ), with d = ŷ − y: squared near the target,
    absolute far from it."""
    if delta <= 0:
        raise ValueError(f"`delta` must be positive, got {delta}")
    input, target = _pair(input, target, reduction, "huber_loss")
    diff = input - target
    size = diff.abs()
    loss = where(size.data < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """−[y ln σ(x) + (1 − y) ln(1 − σ(x))] for logits x, computed as softplus(x) − x·y,
    which stays finite for any logit."""
    input, target = _pair(input, target, reduction, "binary_cross_entropy_with_logits")
    return _reduce(input.softplus() - input * target, reduction)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """−log softmax(logits)[class] for logits (N, C) and integer class targets (N,)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {REDUCTIONS}, got {reduction!r}")
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if input.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, C), got {input.shape}")
    if labels.shape != (input.shape[0],):
        raise ValueError(
            f"cross_entropy expects targets of shape ({input.shape[0]},) for logits "
            f"{input.shape}, got {labels.shape}"
        )
    if labels.dtype.kind not in "iu" and not np.all(labels == np.round(labels)):
        raise TypeError(f"cross_entropy targets must be integer class indices, got {labels.dtype}")
    labels = labels.astype(np.intp)
    if labels.size and (labels.min() < 0 or labels.max() >= input.shape[1]):
        raise ValueError(
            f"cross_entropy targets must lie in [0, {input.shape[1] - 1}], "
            f"got values from {labels.min()} to {labels.max()}"
        )
    # A tensor of labels goes in as it is (a captured step then reads each batch's labels).
    return ops.CrossEntropy.apply(input, target if isinstance(target, Tensor) else Tensor._wrap(labels), reduction=reduction)
