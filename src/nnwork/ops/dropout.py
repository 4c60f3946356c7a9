"""Inverted dropout, drawing its mask from nnwork's seeded generator."""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork import rng
from nnwork.ops.kernel import Kernel


class Dropout(Kernel):
    """y = x·m/(1 − p) with m ~ Bernoulli(1 − p) drawn afresh on every forward (so a
    captured step replays with a new mask, the same one the eager step would draw);
    ∂y/∂x = m/(1 − p). p = 1 gives x·0, as in PyTorch."""

    __slots__ = ("noise",)

    def forward(self, x: xp.ndarray, p: float) -> xp.ndarray:
        if p == 1:
            self.noise = xp.zeros((), dtype=x.dtype)
        else:
            keep = rng.generator().random(x.shape, dtype=x.dtype) >= x.dtype.type(p)
            self.noise = keep * x.dtype.type(1 / (1 - p))
        with xp.errstate(invalid="ignore"):  # inf·0 is nan, as in PyTorch
            return x * self.noise

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (xp.broadcast_to(grad * self.noise, grad.shape),)
