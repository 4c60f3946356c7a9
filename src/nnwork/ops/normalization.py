"""Layer normalization as one node, with its analytic backward."""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.kernel import Kernel


class LayerNorm(Kernel):
    """y = (x − μ)/√(σ² + ε)·w + b over the last `dims` axes, with the biased variance σ².

    With x̂ = (x − μ)·r, r = 1/√(σ² + ε) and ĝ = g·w, the gradients are
    ∂/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ∂/∂w = Σ g·x̂ and ∂/∂b = Σ g over the leading axes.
    Inputs (x), (x, w), (x, b) or (x, w, b), as `has_weight` and `has_bias` say.
    """

    __slots__ = ("axes", "normalized", "rstd", "weight", "has_weight", "has_bias")

    def forward(self, x: xp.ndarray, *params: xp.ndarray, dims: int, eps: float,
                has_weight: bool, has_bias: bool) -> xp.ndarray:
        self.axes = tuple(range(x.ndim - dims, x.ndim))
        self.has_weight, self.has_bias = has_weight, has_bias
        self.weight = params[0] if has_weight else None
        if x.size == 0:
            self.normalized = self.rstd = x
            return xp.empty_like(x)
        centered = x - x.mean(axis=self.axes, keepdims=True)
        variance = xp.mean(centered * centered, axis=self.axes, keepdims=True)
        self.rstd = 1 / xp.sqrt(variance + x.dtype.type(eps))
        self.normalized = centered * self.rstd
        out = self.normalized if self.weight is None else self.normalized * self.weight
        return out + params[-1] if has_bias else out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        leading = tuple(range(grad.ndim - len(self.axes)))
        grads: list[xp.ndarray | None] = []
        if grad.size == 0:
            grads.append(xp.zeros_like(grad))
        else:
            g_hat = grad if self.weight is None else grad * self.weight
            mean_g = g_hat.mean(axis=self.axes, keepdims=True)
            mean_gx = (g_hat * self.normalized).mean(axis=self.axes, keepdims=True)
            grads.append(self.rstd * (g_hat - mean_g - self.normalized * mean_gx))
        if self.has_weight:
            grads.append((grad * self.normalized).sum(axis=leading) if self.needs_grad[1] else None)
        if self.has_bias:
            grads.append(grad.sum(axis=leading) if self.needs_grad[-1] else None)
        return tuple(grads)
