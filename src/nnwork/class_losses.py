"""Losses over classes, under torch.nn.functional's names: nll_loss on log-probabilities and
cross_entropy on logits, with classes on axis 1 of inputs (N, C, d1, ...) or on the only axis
of an input (C,).

Targets are class indices of shape (N, d1, ...) (or () for an input (C,)), or, for
cross_entropy, class probabilities of the input's shape. Since nnwork tensors hold floats,
indices may come as a float tensor of whole numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnwork import ops
from nnwork.losses import check_reduction, constant_weight, reduce
from nnwork.tensor import Tensor, apply, constant


def _indices(input: Tensor, target: Any, name: str) -> Tensor:
    """The class-index target as a tensor of whole numbers, checked against the input's shape."""
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if labels.dtype.kind not in "iu" and (labels.dtype.kind != "f" or not np.all(labels == np.round(labels))):
        raise TypeError(f"{name}: `target` must hold integer class indices, got dtype {labels.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{name}: `input` needs a class axis, got a 0-d tensor")
    if input.ndim == 1:
        expected: tuple[int, ...] = () if labels.ndim == 0 else (1,)
    else:
        expected = (input.shape[0], *input.shape[2:])
    if labels.shape != expected:
        batch = (f"expected input batch_size ({input.shape[0]}) to match target batch_size "
                 f"({labels.shape[0]}): " if input.ndim >= 2 and labels.ndim and labels.shape[0] != input.shape[0] else "")
        raise ValueError(f"{name}: {batch}for input of shape {input.shape} `target` must have shape "
                         f"{expected if input.ndim > 1 else '() or (1,)'}, got {labels.shape}")
    if isinstance(target, Tensor):
        return target  # as it is: a captured step then reads each batch's labels
    return constant(labels.astype(np.intp))


def _class_weight(weight: Any, input: Tensor, name: str) -> list[Tensor]:
    if weight is None:
        return []
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if isinstance(weight, str):
        return [constant_weight(weight, input, name)]  # raises the TypeError that explains
    if np.shape(weight.data if isinstance(weight, Tensor) else weight) != (classes,):
        raise ValueError(f"{name}: `weight` must have one value per class, shape ({classes},), "
                         f"got {np.shape(weight.data if isinstance(weight, Tensor) else weight)}")
    return [constant_weight(weight, constant(np.empty(classes, input.dtype)), name)]


def _nll(log_probs: Tensor, target: Tensor, weight: list[Tensor], ignore_index: int,
         label_smoothing: float, reduction: str) -> Tensor:
    vector = log_probs.ndim == 1  # one sample (C,): computed as a batch of one
    if vector:
        log_probs, target = log_probs.reshape(1, -1), constant(np.asarray(target.data).reshape(1))
    loss = apply(ops.NLLLoss, log_probs, target, *weight, ignore_index=int(ignore_index),
                             label_smoothing=float(label_smoothing), reduction=reduction)
    return loss.reshape(()) if vector and reduction == "none" else loss


def nll_loss(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """ℓ = −w[t]·x[t] for log-probabilities x and class t (0 where t = ignore_index); "mean"
    divides the sum by Σ w[t] over the targets not ignored, as PyTorch does."""
    check_reduction(reduction)
    target = _indices(input, target, "nll_loss")
    return _nll(input, target, _class_weight(weight, input, "nll_loss"), ignore_index, 0.0, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """−log softmax(x)[t] for logits x; with label smoothing ε the target is (1 − ε)·onehot(t)
    + ε/C. A target of the input's shape holds class probabilities p: ℓ = −Σ_c w[c]·p[c]·log
    softmax(x)[c], whose mean divides by the number of samples (not by the weights)."""
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: `label_smoothing` must be between 0.0 and 1.0, got {label_smoothing}")
    weights = _class_weight(weight, input, "cross_entropy")
    target_shape = target.shape if isinstance(target, Tensor) else np.shape(target)
    if input.ndim and target_shape == input.shape:
        return _soft_cross_entropy(input, target, weights, ignore_index, reduction, label_smoothing)
    labels = _indices(input, target, "cross_entropy")
    if input.ndim == 2 and not weights and not label_smoothing and not 0 <= ignore_index < input.shape[1]:
        return apply(ops.CrossEntropy, input, labels, reduction=reduction, ignore_index=int(ignore_index))
    log_probs = input.log_softmax(axis=1 if input.ndim > 1 else 0)
    return _nll(log_probs, labels, weights, ignore_index, label_smoothing, reduction)


def _soft_cross_entropy(input: Tensor, target: Any, weights: list[Tensor], ignore_index: int,
                        reduction: str, label_smoothing: float) -> Tensor:
    if not isinstance(target, Tensor) and np.asarray(target).dtype.kind != "f":
        raise TypeError("cross_entropy: a `target` of class probabilities (the input's shape) must be "
                        f"floating point, got dtype {np.asarray(target).dtype}")
    if ignore_index >= 0:
        raise ValueError(f"cross_entropy: `ignore_index` ({ignore_index}) is not supported for "
                         "class-probability targets")
    target = target if isinstance(target, Tensor) else constant(np.asarray(target, dtype=input.dtype))
    axis = 1 if input.ndim > 1 else 0
    classes = input.shape[axis]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = input.log_softmax(axis=axis) * target
    if weights:
        terms = terms * weights[0].reshape((classes,) + (1,) * (input.ndim - axis - 1))
    losses = -terms.sum(axis=axis)
    if reduction != "mean":
        return reduce(losses, reduction)
    count = input.data.size // classes if classes else 0
    return losses.sum() / float(count) if count else losses.sum() * float("nan")
