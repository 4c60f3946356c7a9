"""Layer normalization as a module, with PyTorch's parameter names weight and bias.

Its config holds what shapes it (normalized_shape, eps, which parameters it has, the dtype);
weight and bias are parameters, which a model file carries.
"""

from __future__ import annotations

from typing import Any, Sequence

import math

import numpy as np

from nnwork.layer_functions import layer_norm, normalized_shape_of
from nnwork.nn.config import Fields, dtype_name, reserve_parameters
from nnwork.nn.module import Module, Parameter
from nnwork.tensor import Tensor


class LayerNorm(Module):
    """y = (x − μ)/√(σ² + ε)·weight + bias over the last axes of x (μ and the biased
    variance σ² of each sample), as torch.nn.LayerNorm.

    Arguments:
        normalized_shape: the shape of those last axes (an int for one axis).
        eps: ε, added to the variance.
        elementwise_affine: whether to learn weight (starting at 1) and bias (starting at 0),
            each of shape normalized_shape.
        bias: whether to learn the bias (when elementwise_affine).
        dtype: float32 (default) or float64.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, dtype: Any = np.float32) -> None:
        super().__init__()
        self.normalized_shape = normalized_shape_of(normalized_shape)
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        self.weight = Parameter(np.ones(self.normalized_shape), dtype=dtype) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape), dtype=dtype) if elementwise_affine and bias else None

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"

    def config(self) -> dict[str, Any]:
        return {"normalized_shape": list(self.normalized_shape), "eps": self.eps,
                "elementwise_affine": self.elementwise_affine, "bias": self.bias is not None, "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> LayerNorm:
        f = Fields(fields, "LayerNorm", ("normalized_shape", "eps", "elementwise_affine", "bias", "dtype"))
        shape = f.raw("normalized_shape")
        if not isinstance(shape, list) or not shape or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape
        ):
            raise ValueError("LayerNorm architecture: `normalized_shape` must be a non-empty list of positive "
                             f"integers, got {shape!r:.80}")
        affine, bias = f.flag("elementwise_affine"), f.flag("bias")
        eps = float(f.number("eps", 0.0, math.inf))
        reserve_parameters(math.prod(shape) * (int(affine) + int(affine and bias)), "LayerNorm")
        return cls(shape, eps, affine, bias, dtype=f.dtype())
