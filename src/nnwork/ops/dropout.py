"""Inverted dropout, drawing its mask from nnwork's seeded generator."""

from __future__ import annotations

import numpy as np

from nnwork import rng
from nnwork.tensor import Function


class Dropout(Function):
    """y = x·m/(1 − p) with m ~ Bernoulli(1 − p) drawn afresh on every forward (so a
    captured step replays with a new mask, the same one the eager step would draw);
    ∂y/∂x = m/(1 − p). p = 1 gives x·0, as in PyTorch."""

    __slots__ = ("noise",)

    def forward(self, x: np.ndarray, p: float) -> np.ndarray:
        if p == 1:
            self.noise = np.zeros((), dtype=x.dtype)
        else:
            keep = rng.generator().random(x.shape, dtype=x.dtype) >= x.dtype.type(p)
            self.noise = keep * x.dtype.type(1 / (1 - p))
        with np.errstate(invalid="ignore"):  # inf·0 is nan, as in PyTorch
            return x * self.noise

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (np.broadcast_to(grad * self.noise, grad.shape),)
