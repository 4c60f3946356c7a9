"""Kernel: one differentiable op on arrays, its forward and backward side by side.

A kernel knows nothing of Tensors or of the graph: `forward` takes arrays (and options) and
returns an array; `backward` takes ∂L/∂output and returns ∂L/∂input, one per input. The
Tensor layer (`nnwork.tensor.apply`) runs a kernel on its inputs' arrays and, when a gradient
is wanted, keeps the kernel instance as the result's `grad_fn`, with `parents` (the input
tensors) and `needs_grad` (which of them want a gradient) filled in; the backward walk
(`nnwork.autograd`) then calls `backward`. Layers: backend (the array library) ← kernels ←
autograd ← tensor.
"""

from __future__ import annotations

from typing import Any

from nnwork.ops.backend import xp


class Kernel:
    """One differentiable op: `forward` on arrays, `backward` from the output's gradient.

    Subclasses store what backward needs on `self` during forward. `backward(grad)` returns
    one gradient per input (or None where an input needs none); `self.needs_grad[i]` says
    whether input i wants one, so a kernel can skip work nobody will use. Gradients may have
    the broadcast shape of the output: the walk reduces them to each input's shape
    (`unbroadcast`). A backward must never modify `grad` in place: the same array may be
    shared by other nodes.

    `per_sample_backward(grad)` is the backward of the walk's per-sample mode (Levenberg–
    Marquardt's Jacobian, `nnwork.autograd.jacobian`): every input gradient keeps one row per
    sample. The default is `backward`, which is right for every kernel whose input gradients
    keep the output's rows (elementwise and broadcasting ops); a kernel that sums over the
    rows into an input without a batch axis (a weight) overrides it (MatMul, Linear), and for
    any other the walk raises when a parameter's gradient arrives without its rows.

    A kernel that sets `writes_into = True` also accepts `forward(..., out=array)` and
    `backward(grad, out=(array or None, one per input))`, writing its results into the arrays
    given (of exactly the shapes and dtype it would return): a captured step (`nnwork.capture`)
    then reuses the same arrays every step instead of allocating new ones.
    """

    __slots__ = ("parents", "needs_grad")
    writes_into = False

    parents: tuple[Any, ...]  # the input Tensors, set by the Tensor layer when it records the op
    needs_grad: tuple[bool, ...]

    def forward(self, *arrays: xp.ndarray) -> xp.ndarray:
        raise NotImplementedError

    def backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        raise NotImplementedError

    def per_sample_backward(self, grad: xp.ndarray) -> tuple[xp.ndarray | None, ...]:
        return self.backward(grad)

    @property
    def name(self) -> str:
        return type(self).__name__


def unbroadcast(grad: xp.ndarray, shape: tuple[int, ...]) -> xp.ndarray:
    """Sum `grad` over the axes broadcasting added or stretched, to get back `shape`."""
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # e.g. a (k,) gradient for a (1, k) bias: add the missing axes
        grad = grad.reshape((1,) * (len(shape) - grad.ndim) + grad.shape)
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)
