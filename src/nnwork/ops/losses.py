"""Fused losses: the squared error and cross entropy as one node each, since a fit evaluates
one of them every step; binary cross entropy on probabilities, whose clamped logarithm and
gradient follow PyTorch's kernel exactly; and the weighted mean Σwℓ / Σw.

A "mean" over no elements is nan, as in PyTorch, and never a NumPy warning.
"""

from __future__ import annotations

import numpy as np

from nnwork.tensor import Function

# PyTorch's floor under p(1 − p) in the gradient of binary cross entropy: 1e-12 as a C float
BCE_EPSILON = float(np.float32(1e-12))


def mean_of(total: np.ndarray, count: int | np.ndarray, dtype: np.dtype) -> np.ndarray:
    """total / count, nan (without a warning) when count is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(total / dtype.type(count), dtype=dtype)


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
        if reduction == "sum":
            return total
        if not self.diff.size:
            return mean_of(total, 0, self.diff.dtype)
        return total / self.diff.dtype.type(self.diff.size)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        scale = grad * 2
        if self.reduction == "mean" and self.diff.size:
            scale = scale / self.diff.dtype.type(self.diff.size)
        grad_prediction = self.diff * scale
        return grad_prediction, (-grad_prediction if self.needs_grad[1] else None)


class CrossEntropy(Function):
    """−log softmax(logits)[label] per row of logits (N, C), averaged over the rows not
    ignored ("mean"), summed ("sum") or kept ("none", 0 for ignored rows).

    One node instead of log_softmax + indexing: the gradient is softmax(logits) − onehot(label)
    (times the incoming gradient), with no scatter-add. The labels come in as a second input
    (integer class indices, no gradient), so a captured step reads each batch's labels afresh;
    they are checked here, so a replay checks them too. A label equal to `ignore_index` (which
    lies outside [0, C)) drops its row.
    """

    __slots__ = ("probabilities", "labels", "reduction", "kept", "count")

    def forward(self, logits: np.ndarray, labels: np.ndarray, reduction: str, ignore_index: int = -100) -> np.ndarray:
        n, classes = logits.shape
        labels = labels.astype(np.intp, copy=False)
        kept = None
        if n and (labels.min() < 0 or labels.max() >= classes):
            kept = labels != ignore_index
            check_classes(labels[kept], classes)
            labels = np.where(kept, labels, 0)
        rows = np.arange(n)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = np.exp(shifted)
        totals = exponentials.sum(axis=1)
        losses = np.log(totals) - shifted[rows, labels]
        if kept is not None:
            losses *= kept
        self.probabilities = exponentials / totals[:, np.newaxis]
        self.labels, self.reduction, self.kept = labels, reduction, kept
        self.count = n if kept is None else int(kept.sum())
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, self.count, logits.dtype) if reduction == "mean" else total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, None]:
        grad_logits = self.probabilities.copy()
        grad_logits[np.arange(len(grad_logits)), self.labels] -= 1
        if self.kept is not None:
            grad_logits *= self.kept[:, np.newaxis]
        if self.reduction == "none":
            grad_logits *= grad[:, np.newaxis]
        elif self.count:
            grad_logits *= grad / self.count if self.reduction == "mean" else grad
        return grad_logits, None


def check_classes(labels: np.ndarray, classes: int) -> None:
    """IndexError (PyTorch's) for a class index outside [0, classes)."""
    bad = labels[(labels < 0) | (labels >= classes)]
    if bad.size:
        raise IndexError(f"Target {bad[0]} is out of bounds: class indices must lie in [0, {classes - 1}]")


class BinaryCrossEntropy(Function):
    """−w·[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)] for probabilities p ∈ [0, 1].

    Gradients as PyTorch's kernel: ∂/∂p = w·(p − y) / max(p(1 − p), float32(1e-12)) and
    ∂/∂y = w·(ln(1 − p) − ln p), infinite at p = 0 or 1. Inputs (p, y) or (p, y, w).
    """

    __slots__ = ("p", "y", "w", "reduction")

    def forward(self, p: np.ndarray, y: np.ndarray, *w: np.ndarray, reduction: str) -> np.ndarray:
        self.p, self.y, self.w, self.reduction = p, y, (w[0] if w else None), reduction
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        losses = (y - 1) * log_q - y * log_p
        if self.w is not None:
            losses = losses * self.w
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, losses.size, p.dtype) if reduction == "mean" else total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if self.reduction == "mean" and self.p.size:
            grad = grad / self.p.dtype.type(self.p.size)
        scale = grad if self.w is None else grad * self.w
        grad_p = scale * (self.p - self.y) / np.maximum((1 - self.p) * self.p, BCE_EPSILON)
        grad_y = None
        if self.needs_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_y = scale * (np.log1p(-self.p) - np.log(self.p))
        return (grad_p, grad_y) + ((None,) if self.w is not None else ())


class WeightedMean(Function):
    """Σ wᵢℓᵢ / Σ wᵢ (nan if Σw = 0, as in PyTorch);
    ∂/∂ℓᵢ = wᵢ/Σw, ∂/∂wᵢ = (ℓᵢ − mean)/Σw."""

    __slots__ = ("losses", "weights", "total_weight", "out")

    def forward(self, losses: np.ndarray, weights: np.ndarray) -> np.ndarray:
        self.losses, self.weights = losses, weights
        self.total_weight = weights.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            self.out = np.asarray(np.sum(losses * weights) / self.total_weight, dtype=losses.dtype)
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = grad / self.total_weight
            return self.weights * scale, (self.losses - self.out) * scale
