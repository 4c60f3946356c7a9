"""Dropout and layer normalization as plain functions of tensors (torch.nn.functional's
`dropout` and `layer_norm`), re-exported by `nnwork.functional`."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnwork import ops
from nnwork.functions import as_tensor
from nnwork.tensor import Tensor, apply


def check_probability(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """In training, zero each element with probability p and scale the rest by 1/(1 − p)
    (inverted dropout: the expected value is unchanged); the input itself when not training,
    when p = 0 or when it is empty. The mask comes from nnwork's seeded generator."""
    p = check_probability(p)
    if not training or p == 0 or input.data.size == 0:
        return input
    return apply(ops.Dropout, input, p=p)


def normalized_shape_of(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise ValueError(f"`normalized_shape` must be a non-negative integer or a sequence of them, got {normalized_shape!r}")
    return tuple(int(n) for n in shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Any = None,
               bias: Any = None, eps: float = 1e-5) -> Tensor:
    """(x − μ)/√(σ² + ε)·weight + bias, with the mean μ and the biased variance σ² over the
    last len(normalized_shape) axes; weight and bias have shape normalized_shape."""
    shape = normalized_shape_of(normalized_shape)
    if not shape or input.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise ValueError(f"layer_norm: given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}")
    params = []
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None:
            value = as_tensor(value, input)
            if value.shape != shape:
                raise ValueError(f"layer_norm: `{name}` must have shape normalized_shape={shape}, got {value.shape}")
            params.append(value)
    return apply(ops.LayerNorm, input, *params, dims=len(shape), eps=float(eps),
                               has_weight=weight is not None, has_bias=bias is not None)
