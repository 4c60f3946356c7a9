"""Stochastic gradient descent, optionally with (Nesterov) momentum: `torch.optim.SGD`.

    g ← ±∇L(θ) + λθ                    (− when maximize; λ = weight_decay)
    b ← μb + (1 − τ)g                  (b ← g on the first step; μ = momentum, τ = dampening)
    g ← g + μb  (Nesterov)   or   g ← b
    θ ← θ − ηg
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Array, Optimizer, Param, ParamGroup, check_range


def sgd(
    param: Array,
    grad: Array,
    momentum_buffer: Array | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
    scratch: tuple[Array, ...] = (),
) -> Array | None:
    """One SGD update of `param`, in place. Returns the momentum buffer (new or updated in place).
    `scratch` may hold a spare array shaped like `param` for the temporary."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    buf = momentum_buffer
    if momentum != 0:
        if buf is None:
            buf = np.array(g, copy=True)  # np.array keeps a 0-d parameter's buffer an array
        else:
            buf *= momentum
            buf += g if dampening == 0 else (1 - dampening) * g  # 1·g is g: skip the product
        g = g + momentum * buf if nesterov else buf
    param -= np.multiply(g, lr, out=scratch[0] if scratch else None)
    return buf


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.

    **Arguments:**
        params: parameters or parameter groups (see `Optimizer`).
        lr: the learning rate η (default 1e-3).
        momentum: μ (default 0); dampening: τ (default 0); weight_decay: L2 penalty λ (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending it.

    >>> import numpy as np
    >>> class P:
    ...     def __init__(self, x): self.data, self.grad = np.array(x), None
    >>> p = P([1.0, 2.0]); opt = SGD([p], lr=0.1)
    >>> p.grad = np.array([1.0, -1.0]); opt.step(); p.data
    array([0.9, 2.1])
    """

    def __init__(
        self,
        params: Iterable[Param] | Iterable[ParamGroup],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check(self, group: ParamGroup) -> None:
        check_range(group["lr"], "lr", "learning rate", 0.0)
        check_range(group["momentum"], "momentum", "momentum value", 0.0)
        check_range(group["dampening"], "dampening", "dampening value", float("-inf"))
        check_range(group["weight_decay"], "weight_decay", "weight_decay value", 0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got `momentum`={group['momentum']}, `dampening`={group['dampening']})"
            )

    fused = True

    def _update(self, data: Array, grad: Array, state: dict[str, Any], group: ParamGroup,
                scratch: tuple[Array, ...] = ()) -> None:
        # Hyperparameters go in as Python floats, which NumPy treats as "weak": float32 stays float32.
        buf = sgd(
            data,
            grad,
            state.get("momentum_buffer"),
            lr=float(group["lr"]),
            momentum=float(group["momentum"]),
            dampening=float(group["dampening"]),
            weight_decay=float(group["weight_decay"]),
            nesterov=group["nesterov"],
            maximize=group["maximize"],
            scratch=scratch,
        )
        if buf is not None:
            state["momentum_buffer"] = buf
