"""Losses L(ŷ, y) under torch.nn.functional's names: how far the model's output ŷ is from the
truth y. Every loss takes `reduction`: "mean" (the default), "sum", or "none" (one loss per
element); a mean over no elements is nan, as in PyTorch.

Unlike PyTorch, `input` and `target` must have the same shape: PyTorch warns and broadcasts,
which turns an (N, 1) against (N,) mistake into an N×N loss (see docs/pytorch-differences.md).
The class losses (nll_loss, cross_entropy) are in `nnwork.class_losses`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork import ops
from nnwork.functions import as_tensor, where
from nnwork.tensor import Tensor, apply, constant

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """The mean, sum or (for "none") the losses themselves."""
    if reduction == "mean":
        return loss.mean() if loss.data.size else loss.sum() * float("nan")
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Tensor, target: Any, reduction: str, name: str) -> tuple[Tensor, Tensor]:
    """Check the arguments every loss shares: same shapes (no silent broadcasting) and a
    known reduction."""
    check_reduction(reduction)
    target = as_tensor(target, input)
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: `input` has shape {input.shape} but `target` has shape {target.shape}; "
            "they must match"
        )
    return input, target


def constant_weight(weight: Any, like: Tensor, name: str, argument: str = "weight") -> Tensor:
    """`weight` as a constant tensor of `like`'s dtype that broadcasts to `like`'s shape
    (PyTorch's losses are not differentiable in their weights and refuse ones that require grad)."""
    if isinstance(weight, str):
        raise TypeError(f"{name}: `{argument}` must be numbers, got the string {weight!r} "
                        "(pass reduction= by keyword: the third argument is the weight, as in PyTorch)")
    if isinstance(weight, Tensor) and weight.requires_grad:
        raise ValueError(f"{name} is not differentiable with respect to `{argument}`; pass a tensor "
                         "that does not require grad (e.g. weight.detach())")
    array = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=like.dtype)
    try:
        fits = np.broadcast_shapes(array.shape, like.shape) == like.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name}: `{argument}` of shape {array.shape} does not broadcast to the input's "
                         f"shape {like.shape}")
    return constant(array)


def _weighted(loss: Tensor, weight: Any, reduction: str, name: str, mean_by_weight: bool) -> Tensor:
    """PyTorch 2.13's per-element `weight` of mse/l1/huber: same shape as the input; the mean
    is Σwℓ/Σw for mse and l1 and mean(wℓ) for huber."""
    shape = weight.shape if isinstance(weight, Tensor) else np.shape(weight)
    if shape != loss.shape:
        raise ValueError(f"{name}: `weight` has shape {shape} but the input has shape {loss.shape}; "
                         "they must match")
    weight = as_tensor(weight, loss)
    if reduction == "mean" and mean_by_weight:
        return apply(ops.WeightedMean, loss, weight)
    return reduce(loss * weight, reduction)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Squared error L = (ŷ − y)², averaged (or summed) over all elements."""
    input, target = _pair(input, target, reduction, "mse_loss")
    if weight is not None:
        return _weighted(apply(ops.SquaredError, input, target, reduction="none"), weight, reduction, "mse_loss", True)
    return apply(ops.SquaredError, input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Absolute error L = |ŷ − y| (gradient sign(ŷ − y), 0 at 0): less swayed by outliers."""
    input, target = _pair(input, target, reduction, "l1_loss")
    loss = (input - target).abs()
    return reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction, "l1_loss", True)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None) -> Tensor:
    """½d² where |d| < δ, else δ(|d| − ½δ), with d = ŷ − y: squared near the target,
    absolute far from it."""
    if not delta > 0:
        raise ValueError(f"huber_loss does not support non-positive values for `delta`, got {delta}")
    input, target = _pair(input, target, reduction, "huber_loss")
    diff = input - target
    size = diff.abs()
    loss = where(size.data < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))
    return reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction, "huber_loss", False)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, else |d| − ½β, with d = ŷ − y (β = 0 is the L1 loss)."""
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss does not support negative values for `beta`, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    input, target = _pair(input, target, reduction, "smooth_l1_loss")
    diff = input - target
    size = diff.abs()
    loss = where(size.data < beta, (0.5 / beta) * diff * diff, size - 0.5 * beta)
    return reduce(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """−w·[y ln p + (1 − y) ln(1 − p)] for probabilities p = input, each logarithm clamped to
    ≥ −100 as PyTorch does (so p = 0 or 1 gives 100, not inf)."""
    input, target = _pair(input, target, reduction, "binary_cross_entropy")
    for name, values in (("input", input.data), ("target", target.data)):
        if not np.all((values >= 0) & (values <= 1)):
            raise ValueError(f"binary_cross_entropy: all elements of `{name}` should be between 0 and 1")
    if weight is None:
        return apply(ops.BinaryCrossEntropy, input, target, reduction=reduction)
    weight = constant_weight(weight, input, "binary_cross_entropy")
    return apply(ops.BinaryCrossEntropy, input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean", pos_weight: Any = None
) -> Tensor:
    """−w·[q·y ln σ(x) + (1 − y) ln(1 − σ(x))] for logits x, with q = pos_weight (which
    broadcasts along the last axis, one per class). Computed as (1 − y)·x + (1 + (q − 1)y)·softplus(−x),
    finite for any logit."""
    name = "binary_cross_entropy_with_logits"
    input, target = _pair(input, target, reduction, name)
    if pos_weight is None:
        loss = input.softplus() - input * target
    else:
        q = constant_weight(pos_weight, input, name, "pos_weight")
        loss = (1 - target) * input + (1 + (q - 1) * target) * (-input).softplus()
    if weight is not None:
        loss = loss * constant_weight(weight, input, name)
    return reduce(loss, reduction)
