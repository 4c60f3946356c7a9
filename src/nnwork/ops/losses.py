"""Fused losses: the squared error and cross entropy as one node each, since a fit evaluates
one of them every step; binary cross entropy on probabilities, whose clamped logarithm and
gradient follow PyTorch's kernel exactly; and the weighted mean Σwℓ / Σw.

A "mean" over no elements is nan, as in PyTorch, and never a NumPy warning.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel

# PyTorch's floor under p(1 − p) in the gradient of binary cross entropy: 1e-12 as a C float
BCE_EPSILON = float(xp.float32(1e-12))


def mean_of(total: xp.ndarray, count: int | xp.ndarray, dtype: xp.dtype) -> xp.ndarray:
    """total / count, nan (without a warning) when count is 0."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.asarray(total / dtype.type(count), dtype=dtype)


class SquaredError(Kernel):
    """(ŷ − y)², then averaged ("mean"), summed ("sum") or kept ("none").

    ∂L/∂ŷ = 2(ŷ − y)·g (divided by the count for the mean), and ∂L/∂y = −∂L/∂ŷ.
    """

    __slots__ = ("diff", "reduction")

    def forward(self, prediction: xp.ndarray, target: xp.ndarray, reduction: str) -> xp.ndarray:
        self.diff = prediction - target
        self.reduction = reduction
        if reduction == "none":
            return self.diff * self.diff
        total = xp.vdot(self.diff, self.diff) if self.diff.flags.c_contiguous else xp.sum(self.diff * self.diff)
        total = xp.asarray(total, dtype=self.diff.dtype)
        if reduction == "sum":
            return total
        if not self.diff.size:
            return mean_of(total, 0, self.diff.dtype)
        return total / self.diff.dtype.type(self.diff.size)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        scale = grad * 2
        if self.reduction == "mean" and self.diff.size:
            scale = scale / self.diff.dtype.type(self.diff.size)
        grad_prediction = self.diff * scale
        return grad_prediction, (-grad_prediction if self.needs_grad[1] else None)


class CrossEntropy(Kernel):
    """−log softmax(logits)[label] per row of logits (N, C), averaged over the rows not
    ignored ("mean"), summed ("sum") or kept ("none", 0 for ignored rows).

    One node instead of log_softmax + indexing: the gradient is softmax(logits) − onehot(label)
    (times the incoming gradient), with no scatter-add. The labels come in as a second input
    (integer class indices, no gradient), so a captured step reads each batch's labels afresh;
    they are checked here, so a replay checks them too. A label equal to `ignore_index` (which
    lies outside [0, C)) drops its row.
    """

    __slots__ = ("probabilities", "labels", "reduction", "kept", "count")

    def forward(self, logits: xp.ndarray, labels: xp.ndarray, reduction: str, ignore_index: int = -100) -> xp.ndarray:
        n, classes = logits.shape
        labels = labels.astype(xp.intp, copy=False)
        kept = None
        if n and (labels.min() < 0 or labels.max() >= classes):
            kept = labels != ignore_index
            check_classes(labels[kept], classes)
            labels = xp.where(kept, labels, 0)
        rows = xp.arange(n)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = xp.exp(shifted)
        totals = exponentials.sum(axis=1)
        losses = xp.log(totals) - shifted[rows, labels]
        if kept is not None:
            losses *= kept
        self.probabilities = exponentials / totals[:, xp.newaxis]
        self.labels, self.reduction, self.kept = labels, reduction, kept
        self.count = n if kept is None else int(kept.sum())
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, self.count, logits.dtype) if reduction == "mean" else total

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, None]:
        grad_logits = self.probabilities.copy()
        grad_logits[xp.arange(len(grad_logits)), self.labels] -= 1
        if self.kept is not None:
            grad_logits *= self.kept[:, xp.newaxis]
        if self.reduction == "none":
            grad_logits *= grad[:, xp.newaxis]
        elif self.count:
            grad_logits *= grad / self.count if self.reduction == "mean" else grad
        return grad_logits, None


def check_classes(labels: xp.ndarray, classes: int) -> None:
    """IndexError (PyTorch's) for a class index outside [0, classes)."""
    bad = labels[(labels < 0) | (labels >= classes)]
    if bad.size:
        raise IndexError(f"Target {bad[0]} is out of bounds: class indices must lie in [0, {classes - 1}]")


class BinaryCrossEntropy(Kernel):
    """−w·[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)] for probabilities p ∈ [0, 1].

    Gradients as PyTorch's kernel: ∂/∂p = w·(p − y) / max(p(1 − p), float32(1e-12)) and
    ∂/∂y = w·(ln(1 − p) − ln p), infinite at p = 0 or 1. Inputs (p, y) or (p, y, w).
    """

    __slots__ = ("p", "y", "w", "reduction")

    def forward(self, p: xp.ndarray, y: xp.ndarray, *w: xp.ndarray, reduction: str) -> xp.ndarray:
        self.p, self.y, self.w, self.reduction = p, y, (w[0] if w else None), reduction
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(p), -100)
            log_q = xp.maximum(xp.log1p(-p), -100)
        losses = (y - 1) * log_q - y * log_p
        if self.w is not None:
            losses = losses * self.w
        if reduction == "none":
            return losses
        total = losses.sum()
        return mean_of(total, losses.size, p.dtype) if reduction == "mean" else total

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        if self.reduction == "mean" and self.p.size:
            grad = grad / self.p.dtype.type(self.p.size)
        scale = grad if self.w is None else grad * self.w
        grad_p = scale * (self.p - self.y) / xp.maximum((1 - self.p) * self.p, BCE_EPSILON)
        grad_y = None
        if self.needs_grad[1]:
            with xp.errstate(divide="ignore", invalid="ignore"):
                grad_y = scale * (xp.log1p(-self.p) - xp.log(self.p))
        return (grad_p, grad_y) + ((None,) if self.w is not None else ())


class WeightedMean(Kernel):
    """Σ wᵢℓᵢ / Σ wᵢ (nan if Σw = 0, as in PyTorch);
    ∂/∂ℓᵢ = wᵢ/Σw, ∂/∂wᵢ = (ℓᵢ − mean)/Σw."""

    __slots__ = ("losses", "weights", "total_weight", "out")

    def forward(self, losses: xp.ndarray, weights: xp.ndarray) -> xp.ndarray:
        self.losses, self.weights = losses, weights
        self.total_weight = weights.sum()
        with xp.errstate(divide="ignore", invalid="ignore"):
            self.out = xp.asarray(xp.sum(losses * weights) / self.total_weight, dtype=losses.dtype)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, xp.ndarray]:
        with xp.errstate(divide="ignore", invalid="ignore"):
            scale = grad / self.total_weight
            return self.weights * scale, (self.losses - self.out) * scale
