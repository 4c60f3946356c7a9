"""Fused losses: the squared error as one node, since every fit evaluates it every step."""

from __future__ import annotations

import numpy as np

from nnwork.tensor import Function


class SquaredError(Function):
    """(ŷ − y)², then averaged ("mean"), summed ("sum") or kept ("none").

    ∂L/∂ŷ = 2(ŷ − y)·g (divided by the count for the mean), and ∂L/∂y = −∂L/∂ŷ.
    """

    __slots__ = ("diff", "reduction")

    def forward(self, prediction: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
        self.diff = prediction - target
        self.reduction = reduction
        if reduction == "none":
            return self.diff * self.diff
        total = np.vdot(self.diff, self.diff) if self.diff.flags.c_contiguous else np.sum(self.diff * self.diff)
        total = np.asarray(total, dtype=self.diff.dtype)
        return total / self.diff.dtype.type(self.diff.size) if reduction == "mean" else total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        scale = grad * 2
        if self.reduction == "mean":
            scale = scale / self.diff.dtype.type(self.diff.size)
        grad_prediction = self.diff * scale
        return grad_prediction, (-grad_prediction if self.needs_grad[1] else None)
