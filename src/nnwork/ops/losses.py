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


class CrossEntropy(Function):
    """−log softmax(logits)[label] per row, averaged ("mean"), summed or kept ("none").

    One node instead of log_softmax + indexing: the gradient is softmax(logits) − onehot(label)
    (times the incoming gradient), with no scatter-add. The labels come in as a second input
    (integer class indices, no gradient), so a captured step reads each batch's labels afresh.
    """

    __slots__ = ("probabilities", "labels", "reduction")

    def forward(self, logits: np.ndarray, labels: np.ndarray, reduction: str) -> np.ndarray:
        rows = np.arange(len(logits))
        labels = labels.astype(np.intp, copy=False)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = np.exp(shifted)
        totals = exponentials.sum(axis=1)
        losses = np.log(totals) - shifted[rows, labels]
        self.probabilities = exponentials / totals[:, np.newaxis]
        self.labels, self.reduction = labels, reduction
        if reduction == "none":
            return losses
        total = losses.sum()
        return total / logits.dtype.type(len(logits)) if reduction == "mean" else total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, None]:
        grad_logits = self.probabilities.copy()
        grad_logits[np.arange(len(grad_logits)), self.labels] -= 1
        if self.reduction == "none":
            grad_logits *= grad[:, np.newaxis]
        else:
            scale = grad / len(grad_logits) if self.reduction == "mean" else grad
            grad_logits *= scale
        return grad_logits, None
