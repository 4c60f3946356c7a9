"""The negative log-likelihood of class indices, with PyTorch's class weights, ignored
index and label smoothing, for log-probabilities of shape (N, C, d1, ...)."""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.losses import check_classes, mean_of
from nnwork.ops.kernel import Kernel


class NLLLoss(Kernel):
    """ℓ = −(1 − ε)·w[t]·x[t] − (ε/C)·Σ_c w[c]·x[c] at each position whose target t is not
    `ignore_index` (0 there); x are log-probabilities with classes on axis 1.

    "mean" divides the sum by Σ w[t] over the positions kept (PyTorch's weighted mean: nan
    when nothing is kept); ∂ℓ/∂x[c] = −(1 − ε)·w[t]·[c = t] − (ε/C)·w[c] at kept positions.
    Inputs (x, targets) or (x, targets, w).
    """

    __slots__ = ("shape", "safe", "kept", "picked_weight", "w", "smoothing", "reduction", "total_weight")

    def forward(self, x: xp.ndarray, targets: xp.ndarray, *w: xp.ndarray, ignore_index: int,
                label_smoothing: float, reduction: str) -> xp.ndarray:
        last = xp.moveaxis(x, 1, -1)  # (N, d1, ..., C)
        classes = last.shape[-1]
        targets = targets.astype(xp.intp, copy=False)
        kept = targets != ignore_index
        check_classes(targets[kept], classes)
        safe = xp.where(kept, targets, 0)
        weight = w[0] if w else xp.ones(classes, dtype=x.dtype)
        picked_weight = xp.where(kept, weight[safe], 0).astype(x.dtype, copy=False)
        picked = xp.take_along_axis(last, safe[..., xp.newaxis], axis=-1)[..., 0]
        losses = -(1 - label_smoothing) * picked_weight * xp.where(kept, picked, 0)
        if label_smoothing:
            spread = -(last * weight).sum(axis=-1) * (label_smoothing / classes)
            losses = losses + xp.where(kept, spread, 0)
        self.shape, self.safe, self.kept, self.picked_weight = last.shape, safe, kept, picked_weight
        self.w, self.smoothing, self.reduction = weight, label_smoothing, reduction
        self.total_weight = picked_weight.sum()
        losses = losses.astype(x.dtype, copy=False)
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, self.total_weight, x.dtype) if reduction == "mean" else total

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        with xp.errstate(divide="ignore", invalid="ignore"):
            if self.reduction == "mean":
                grad = grad / self.total_weight
            grad = xp.broadcast_to(grad, self.kept.shape)
            grad_last = xp.zeros(self.shape, dtype=self.w.dtype)
            at_target = xp.where(self.kept, -(1 - self.smoothing) * self.picked_weight * grad, 0)
            xp.put_along_axis(grad_last, self.safe[..., xp.newaxis], at_target[..., xp.newaxis], axis=-1)
            if self.smoothing:
                spread = xp.where(self.kept, grad * (-self.smoothing / self.shape[-1]), 0)
                grad_last += spread[..., xp.newaxis] * self.w
        return (xp.moveaxis(grad_last, -1, 1), None) + ((None,) if len(self.needs_grad) == 3 else ())
