"""RMSprop (Hinton), optionally centred and with momentum: `torch.optim.RMSprop`.

    g ← ±∇L(θ) + λθ
    v ← αv + (1 − α)g²                      running mean square
    σ ← √v + ε   or, centred,  ḡ ← αḡ + (1 − α)g,  σ ← √(v − ḡ²) + ε
    b ← μb + g/σ,  θ ← θ − ηb   (momentum μ > 0)   or   θ ← θ − ηg/σ
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Array, Optimizer, Param, ParamGroup, check_range, lerp_


def rmsprop(
    param: Array,
    grad: Array,
    square_avg: Array,
    grad_avg: Array | None,
    momentum_buffer: Array | None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
) -> None:
    """One RMSprop update of `param` and its buffers, in place."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= alpha
    square_avg += (1 - alpha) * g * g
    if centered:
        assert grad_avg is not None  # internal invariant: RMSprop._update creates it
        lerp_(grad_avg, g, 1 - alpha)
        avg = np.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = np.sqrt(square_avg)
    avg = avg + eps
    if momentum > 0:
        assert momentum_buffer is not None  # internal invariant: RMSprop._update creates it
        momentum_buffer *= momentum
        momentum_buffer += g / avg
        param -= lr * momentum_buffer
    else:
        param += -lr * g / avg


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    **Arguments:**
        params: parameters or parameter groups (see `Optimizer`).
        lr: the learning rate η (default 1e-2).
        alpha: α, the smoothing constant of the running averages (default 0.99).
        eps: ε, added to the denominator (default 1e-8).
        weight_decay: L2 penalty λ (default 0); momentum: μ (default 0).
        centered: normalise by an estimate of the gradient's variance instead of its mean square.
        maximize: ascend the objective instead of descending it.
    """

    def __init__(
        self,
        params: Iterable[Param] | Iterable[ParamGroup],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check(self, group: ParamGroup) -> None:
        check_range(group["lr"], "lr", "learning rate", 0.0)
        check_range(group["eps"], "eps", "epsilon value", 0.0)
        check_range(group["momentum"], "momentum", "momentum value", 0.0)
        check_range(group["weight_decay"], "weight_decay", "weight_decay value", 0.0)
        check_range(group["alpha"], "alpha", "alpha value", 0.0)

    fused = True

    def _update(self, data: Array, grad: Array, state: dict[str, Any], group: ParamGroup,
                scratch: tuple[Array, ...] = ()) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(data)
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(data)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(data)
        state["step"] += 1  # kept for torch's state layout; RMSprop does not use it
        # Hyperparameters go in as Python floats, which NumPy treats as "weak": float32 stays float32.
        rmsprop(
            data,
            grad,
            state["square_avg"],
            state.get("grad_avg"),
            state.get("momentum_buffer"),
            lr=float(group["lr"]),
            alpha=float(group["alpha"]),
            eps=float(group["eps"]),
            weight_decay=float(group["weight_decay"]),
            momentum=float(group["momentum"]),
            centered=group["centered"],
            maximize=group["maximize"],
        )
