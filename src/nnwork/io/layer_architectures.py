"""Dropout and LayerNorm as architectures, so a Sequential holding them can be saved.

LayerNorm's weight and bias are parameters (the model file carries them); its description
holds what shapes it: normalized_shape, eps, which parameters it has, and the dtype.
"""

from __future__ import annotations

import math
from typing import Any

from nnwork.io.architecture import DTYPES, _choice, _dtype_name, _fields, register_architecture, reserve_parameters
from nnwork.nn.dropout import Dropout
from nnwork.nn.normalization import LayerNorm


def _number(spec: dict[str, Any], key: str, kind: str, low: float, high: float) -> float:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{kind} architecture: `{key}` must be a number in [{low}, {high}], got {value!r:.50}")
    return float(value)


def _flag(spec: dict[str, Any], key: str, kind: str) -> bool:
    if not isinstance(spec[key], bool):
        raise ValueError(f"{kind} architecture: `{key}` must be true or false, got {spec[key]!r:.50}")
    return spec[key]


def _build_dropout(spec: dict[str, Any]) -> Dropout:
    _fields(spec, "Dropout", ("p",))
    return Dropout(_number(spec, "p", "Dropout", 0.0, 1.0))


def _build_layer_norm(spec: dict[str, Any]) -> LayerNorm:
    kind = "LayerNorm"
    _fields(spec, kind, ("normalized_shape", "eps", "elementwise_affine", "bias", "dtype"))
    shape = spec["normalized_shape"]
    if not isinstance(shape, list) or not shape or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape
    ):
        raise ValueError(f"{kind} architecture: `normalized_shape` must be a non-empty list of positive integers, "
                         f"got {shape!r:.80}")
    affine, bias = _flag(spec, "elementwise_affine", kind), _flag(spec, "bias", kind)
    eps = _number(spec, "eps", kind, 0.0, math.inf)
    reserve_parameters(math.prod(shape) * (int(affine) + int(affine and bias)), kind)
    return LayerNorm(shape, eps, affine, bias, dtype=_choice(spec, "dtype", kind, DTYPES))


register_architecture(Dropout, lambda m: {"p": m.p}, _build_dropout)
register_architecture(
    LayerNorm,
    lambda m: {"normalized_shape": list(m.normalized_shape), "eps": m.eps, "elementwise_affine": m.elementwise_affine,
               "bias": m.bias is not None, "dtype": _dtype_name(m)},
    _build_layer_norm,
)
