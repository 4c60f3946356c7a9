"""Arithmetic ops: + − × ÷ powers, negation and matrix products, each with its backward.

Each backward returns ∂L/∂input = ∂L/∂output · ∂output/∂input, in the output's (broadcast)
shape; the backward walk (nnwork.autograd) sums it back to each input's own shape.
"""

from __future__ import annotations

import contextlib

import functools

from nnwork.ops.backend import xp
from nnwork.blas import matmul
from nnwork.ops.kernel import Kernel, unbroadcast


class Add(Kernel):
    """a + b: both inputs receive the gradient unchanged."""

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        return a + b

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, xp.ndarray]:
        return grad, grad


class Sub(Kernel):
    """a − b."""

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        return a - b

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray, xp.ndarray | None]:
        return grad, (-grad if self.needs_grad[1] else None)


class Mul(Kernel):
    """a · b: ∂/∂a = b, ∂/∂b = a."""

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        return (
            grad * self.b if self.needs_grad[0] else None,
            grad * self.a if self.needs_grad[1] else None,
        )


_NO_CHECK = contextlib.nullcontext()


class Div(Kernel):
    """a / b: ∂/∂a = 1/b, ∂/∂b = −a/b² = −out/b."""

    __slots__ = ("b", "out")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.b = b
        with _by_zero(b):
            self.out = a / b
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        with _by_zero(self.b):
            grad_a = grad / self.b
            return grad_a, (-grad_a * self.out if self.needs_grad[1] else None)


def _by_zero(divisor: xp.ndarray) -> contextlib.AbstractContextManager[object]:
    """Where a divisor is 0, x / 0 is ±inf (0 / 0 nan), as in torch, without NumPy's warning;
    the check is one pass, cheaper than entering errstate on every division."""
    return _NO_CHECK if xp.all(divisor) else xp.errstate(divide="ignore", invalid="ignore")


class Neg(Kernel):
    """−a."""

    def forward(self, a: xp.ndarray) -> xp.ndarray:
        return -a

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        return (-grad,)


class PowScalar(Kernel):
    """aᵖ for a constant p: ∂/∂a = p·aᵖ⁻¹ (0 for p = 0). Like torch, 0⁻¹ is inf and (−1)^½
    is nan, without a warning."""

    __slots__ = ("a", "exponent")

    def forward(self, a: xp.ndarray, exponent: float) -> xp.ndarray:
        self.a, self.exponent = a, exponent
        with xp.errstate(all="ignore"):
            if exponent == 2.0:
                return a * a
            return a ** xp.asarray(exponent, dtype=a.dtype)

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray]:
        p = self.exponent
        if p == 0.0:  # a⁰ = 1 is constant; p·aᵖ⁻¹ would give 0·∞ = nan at a = 0
            return (xp.zeros_like(grad),)
        with xp.errstate(all="ignore"):
            if p == 2.0:
                return (grad * (2 * self.a),)
            return (grad * (p * self.a ** xp.asarray(p - 1, dtype=self.a.dtype)),)


class Pow(Kernel):
    """aᵇ with both tensors: ∂/∂a = b·aᵇ⁻¹ (0 where b = 0, so 0⁰ gives 0 as in torch),
    ∂/∂b = aᵇ·ln a (0 where a = 0 and b ≥ 0)."""

    __slots__ = ("a", "b", "out")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        self.a, self.b = a, b
        with xp.errstate(all="ignore"):  # 0⁻¹ = inf, (−1)^½ = nan, as in torch
            self.out = a**b
        return self.out

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        a, b = self.a, self.b
        grad_a = grad_b = None
        with xp.errstate(all="ignore"):  # b·aᵇ⁻¹ is 0·∞ at a = b = 0; aᵇ·ln a is 0·(−∞) at a = 0
            if self.needs_grad[0]:
                grad_a = xp.where(b == 0, 0, grad * b * a ** (b - 1))
            if self.needs_grad[1]:
                grad_b = grad * xp.where((a == 0) & (b >= 0), 0, self.out * xp.log(a))
        return grad_a, grad_b


class MatMul(Kernel):
    """a @ b (matrices, vectors, or stacks of matrices that broadcast).

    For C = A·B: ∂L/∂A = ∂L/∂C · Bᵀ and ∂L/∂B = Aᵀ · ∂L/∂C. A 1-D operand is treated as a
    row (left) or column (right) vector and its gradient flattened back.
    """

    __slots__ = ("a", "b")

    def forward(self, a: xp.ndarray, b: xp.ndarray) -> xp.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul needs arrays of at least 1 dimension, got {a.shape} @ {b.shape}")
        inner_a = a.shape[-1]
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if inner_a != inner_b:
            raise ValueError(
                f"matmul shapes {a.shape} @ {b.shape} do not fit: {inner_a} columns "
                f"on the left against {inner_b} rows on the right"
            )
        self.a, self.b = a, b
        try:
            return matmul(a, b)
        except ValueError as error:  # batch dimensions that do not broadcast
            raise ValueError(f"matmul shapes {a.shape} @ {b.shape} do not broadcast: {error}") from None

    def _matrices(self, grad: xp.ndarray) -> tuple[xp.ndarray, xp.ndarray, xp.ndarray]:
        """a, b and grad with 1-D operands made a row (a) or a column (b) vector."""
        a = self.a[xp.newaxis, :] if self.a.ndim == 1 else self.a
        b = self.b[:, xp.newaxis] if self.b.ndim == 1 else self.b
        if self.b.ndim == 1:  # first: for vector · vector, grad is 0-d and becomes (1, 1)
            grad = xp.expand_dims(grad, -1)
        if self.a.ndim == 1:
            grad = xp.expand_dims(grad, -2)
        return a, b, grad

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        a, b, grad = self._matrices(grad)
        grad_b = None
        if self.needs_grad[1]:
            grad_b = unbroadcast(matmul(xp.swapaxes(a, -1, -2), grad), b.shape).reshape(self.b.shape)
        return self._grad_a(a, b, grad), grad_b

    def per_sample_backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, xp.ndarray | None]:
        """As backward, but b (a weight) gets one gradient per row of a: row i is aᵢ ⊗ gᵢ."""
        a, b, grad = self._matrices(grad)
        grad_b = per_sample_outer(a, grad).reshape((len(a),) + self.b.shape) if self.needs_grad[1] else None
        return self._grad_a(a, b, grad), grad_b

    def _grad_a(self, a: xp.ndarray, b: xp.ndarray, grad: xp.ndarray) -> xp.ndarray | None:
        """∂L/∂a = g·bᵀ, the same in both modes."""
        if not self.needs_grad[0]:
            return None
        return unbroadcast(matmul(grad, xp.swapaxes(b, -1, -2)), a.shape).reshape(self.a.shape)


def per_sample_outer(x: xp.ndarray, grad: xp.ndarray) -> xp.ndarray:
    """Row i's gradient of a weight W in x @ W: the outer product xᵢ ⊗ gᵢ, for every row
    (called with the arguments swapped, gᵢ ⊗ xᵢ: the gradient of W in x @ Wᵀ)."""
    if x.ndim != 2 or grad.ndim != 2:
        raise ValueError(
            f"per-sample gradients need a batch of rows (N, features); got inputs {x.shape} "
            f"and gradient {grad.shape}"
        )
    return x[:, :, xp.newaxis] * grad[:, xp.newaxis, :]


class Linear(Kernel):
    """x @ Wᵀ + b as one node: the whole of a fully connected layer, like torch's F.linear.

    x is (..., in), W is (out, in), b is (out,). ∂L/∂x = g·W, ∂L/∂W = gᵀ·x, ∂L/∂b = Σ g.
    """

    __slots__ = ("weight", "x")
    writes_into = True

    def forward(self, x: xp.ndarray, weight: xp.ndarray, bias: xp.ndarray | None = None,
                out: xp.ndarray | None = None) -> xp.ndarray:
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear layer expects inputs of shape (..., {weight.shape[1]}), got {x.shape}"
            )
        self.x, self.weight = x, weight
        result = matmul(x, weight.T, out=out)
        if bias is None:
            return result
        if result.dtype == xp.result_type(result, bias):
            result += bias  # in place: saves an allocation per layer
            return result
        return result + bias

    def backward(self, grad: xp.ndarray, out: tuple[xp.ndarray | None, ...] = (None, None, None)
                 ) -> tuple[xp.ndarray | None, ...]:
        grad_x = self._input_gradient(grad, out[0])
        grad_w = grad_b = None
        flat_grad = grad.reshape(-1, grad.shape[-1])
        if self.needs_grad[1]:
            grad_w = matmul(flat_grad.T, self.x.reshape(-1, self.x.shape[-1]), out=out[1])
        if len(self.needs_grad) == 2:
            return grad_x, grad_w
        if self.needs_grad[2]:  # Σ over rows, as one BLAS call
            grad_b = xp.matmul(ones(len(flat_grad), grad.dtype), flat_grad, out=out[2])
        return grad_x, grad_w, grad_b

    def per_sample_backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        """As backward, but W and b keep one gradient per row: row i of W's is gᵢ ⊗ xᵢ, of b's gᵢ."""
        grad_x = self._input_gradient(grad, None)
        grad_w = per_sample_outer(grad, self.x) if self.needs_grad[1] else None
        return (grad_x, grad_w) if len(self.needs_grad) == 2 else (grad_x, grad_w, grad)

    def _input_gradient(self, grad: xp.ndarray, out: xp.ndarray | None) -> xp.ndarray | None:
        if not self.needs_grad[0]:
            return None
        if self.weight.shape[0] == 1:  # one output unit: an outer product, far cheaper by broadcasting
            return xp.multiply(grad, self.weight[0], out=out)
        return matmul(grad, self.weight, out=out)


@functools.lru_cache(maxsize=16)
def ones(n: int, dtype: xp.dtype) -> xp.ndarray:
    """A cached, read-only vector of n ones (for sums over rows as matrix products)."""
    vector = xp.ones(n, dtype=dtype)
    vector.flags.writeable = False
    return vector
