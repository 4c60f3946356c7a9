"""The negative log-likelihood of class indices, with PyTorch's class weights, ignored
index and label smoothing, for log-probabilities of shape (N, C, d1, ...)."""

from __future__ import annotations

import numpy as np

from nnwork.ops.losses import check_classes, mean_of
from nnwork.tensor import Function


class NLLLoss(Function):
    """ℓ = −(1 − ε)·w[t]·x[t] − (ε/C)·Σ_c w[c]·x[c] at each position whose target t is not
    `ignore_index` (0 there); x are log-probabilities with classes on axis 1.

    "mean" divides the sum by Σ w[t] over the positions kept (PyTorch's weighted mean: nan
    when nothing is kept); ∂ℓ/∂x[c] = −(1 − ε)·w[t]·[c = t] − (ε/C)·w[c] at kept positions.
    Inputs (x, targets) or (x, targets, w).
    """

    __slots__ = ("shape", "safe", "kept", "picked_weight", "w", "smoothing", "reduction", "total_weight")

    def forward(self, x: np.ndarray, targets: np.ndarray, *w: np.ndarray, ignore_index: int,
                label_smoothing: float, reduction: str) -> np.ndarray:
        last = np.moveaxis(x, 1, -1)  # (N, d1, ..., C)
        classes = last.shape[-1]
        targets = targets.astype(np.intp, copy=False)
        kept = targets != ignore_index
        check_classes(targets[kept], classes)
        safe = np.where(kept, targets, 0)
        weight = w[0] if w else np.ones(classes, dtype=x.dtype)
        picked_weight = np.where(kept, weight[safe], 0).astype(x.dtype, copy=False)
        picked = np.take_along_axis(last, safe[..., np.newaxis], axis=-1)[..., 0]
        losses = -(1 - label_smoothing) * picked_weight * np.where(kept, picked, 0)
        if label_smoothing:
            spread = -(last * weight).sum(axis=-1) * (label_smoothing / classes)
            losses = losses + np.where(kept, spread, 0)
        self.shape, self.safe, self.kept, self.picked_weight = last.shape, safe, kept, picked_weight
        self.w, self.smoothing, self.reduction = weight, label_smoothing, reduction
        self.total_weight = picked_weight.sum()
        losses = losses.astype(x.dtype, copy=False)
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, self.total_weight, x.dtype) if reduction == "mean" else total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.reduction == "mean":
                grad = grad / self.total_weight
            grad = np.broadcast_to(grad, self.kept.shape)
            grad_last = np.zeros(self.shape, dtype=self.w.dtype)
            at_target = np.where(self.kept, -(1 - self.smoothing) * self.picked_weight * grad, 0)
            np.put_along_axis(grad_last, self.safe[..., np.newaxis], at_target[..., np.newaxis], axis=-1)
            if self.smoothing:
                spread = np.where(self.kept, grad * (-self.smoothing / self.shape[-1]), 0)
                grad_last += spread[..., np.newaxis] * self.w
        return (np.moveaxis(grad_last, -1, 1), None) + ((None,) if len(self.needs_grad) == 3 else ())
