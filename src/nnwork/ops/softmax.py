"""The softmax family: logsumexp, softmax, log_softmax, stable for logits of any size.

Each shifts by the maximum m before exponentiating, e^(x − m) ≤ 1, so nothing overflows.
`axis` is NumPy's (see `dims.reduction_dims`): () on a 0-d tensor.
"""

from __future__ import annotations

from nnwork.ops.backend import xp
from nnwork.ops.dims import expand_reduced
from nnwork.ops.kernel import Kernel


def _shifted(a: xp.ndarray, axis: tuple[int, ...] | None) -> tuple[xp.ndarray, xp.ndarray]:
    """(a − m, m) for m the maximum along `axis` (kept as size 1; 0 where it is ±inf or the
    axis is empty), so that no e^(a − m) overflows."""
    shift = xp.max(a, axis=axis, keepdims=True, initial=-xp.inf)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    return a - shift, shift


def _log_sum_exp(shifted: xp.ndarray, axis: tuple[int, ...] | None) -> xp.ndarray:
    """log Σ eˣ with keepdims, for x already shifted by `_shifted`."""
    with xp.errstate(divide="ignore"):  # all -inf (or nothing) along an axis: log 0 = -inf is right
        return xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


class LogSumExp(Kernel):
    """log Σ eˣ over `axis`; its gradient is softmax(x)."""

    __slots__ = ("a", "out", "axis", "keepdims")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> xp.ndarray:
        shifted, shift = _shifted(a, axis)
        out = _log_sum_exp(shifted, axis) + shift
        self.a, self.out, self.axis, self.keepdims = a, out, axis, keepdims
        if keepdims or a.ndim == 0:
            return out
        return out.reshape(()) if axis is None else xp.squeeze(out, axis=axis)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        grad = expand_reduced(grad, self.axis, self.keepdims, self.a.ndim)
        with xp.errstate(invalid="ignore"):  # all -inf: -inf − (-inf) is nan, as in torch
            return (grad * xp.exp(self.a - self.out),)


class Softmax(Kernel):
    """eˣⁱ / Σⱼ eˣʲ along `axis`; backward: s ⊙ (g − Σ g ⊙ s)."""

    __slots__ = ("out", "axis")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...]) -> xp.ndarray:
        self.axis = axis
        with xp.errstate(invalid="ignore"):  # a row of -inf (or one +inf) gives nan, as in torch
            shifted = xp.exp(a - xp.max(a, axis=axis, keepdims=True, initial=-xp.inf))
            self.out = shifted / xp.sum(shifted, axis=axis, keepdims=True)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        out = self.out
        return (out * (grad - xp.sum(grad * out, axis=self.axis, keepdims=True)),)


class LogSoftmax(Kernel):
    """x − log Σ eˣ along `axis`, as (x − m) − log Σ e^(x − m) for the maximum m: finite for
    logits of any size, and the large m cancels exactly before the rounding of the log-sum.
    Backward: g − softmax·Σg."""

    __slots__ = ("out", "axis")

    def forward(self, a: xp.ndarray, axis: tuple[int, ...]) -> xp.ndarray:
        self.axis = axis
        with xp.errstate(invalid="ignore"):  # a row of -inf (or one +inf) gives nan, as in torch
            shifted = a - xp.max(a, axis=axis, keepdims=True, initial=-xp.inf)
            self.out = shifted - _log_sum_exp(shifted, axis)
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (grad - xp.exp(self.out) * xp.sum(grad, axis=self.axis, keepdims=True),)
