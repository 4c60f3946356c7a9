"""Adam (Kingma & Ba), with optional AMSGrad and L2 or decoupled weight decay: `torch.optim.Adam`.

    g ← ±∇L(θ) (+ λθ, L2 weight decay)        or   θ ← θ(1 − ηλ) (decoupled, AdamW)
    m ← β₁m + (1 − β₁)g                            first moment
    v ← β₂v + (1 − β₂)g²                           second moment (v̂ ← max(v̂, v) with AMSGrad)
    θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Array, Optimizer, Param, ParamGroup, check_range, lerp_


def adam(
    param: Array,
    grad: Array,
    exp_avg: Array,
    exp_avg_sq: Array,
    max_exp_avg_sq: Array | None,
    *,
    step: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
    scratch: tuple[Array, ...] = (),
) -> None:
    """One Adam update of `param` and its moment buffers, in place; `step` counts from 1.
    `scratch` may hold two spare arrays shaped like `param` for the temporaries."""
    work, update = scratch if scratch else (np.empty_like(param), np.empty_like(param))
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    lerp_(exp_avg, g, 1 - beta1, work)
    np.multiply(g, 1 - beta2, out=work)  # (1 − β₂)·g·g, in torch's order
    work *= g
    exp_avg_sq *= beta2
    exp_avg_sq += work
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    second_moment = exp_avg_sq
    if amsgrad:
        assert max_exp_avg_sq is not None  # internal invariant: Adam._update creates it
        second_moment = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    denom = np.sqrt(second_moment, out=work)
    denom /= bias_correction2_sqrt
    denom += eps
    np.multiply(exp_avg, -step_size, out=update)
    update /= denom
    param += update


class Adam(Optimizer):
    """Adam: per-coordinate step sizes from running averages of the gradient and its square.

    **Arguments:**
        params: parameters or parameter groups (see `Optimizer`).
        lr: the learning rate η (default 1e-3).
        betas: (β₁, β₂), the decay rates of the two moments (default (0.9, 0.999)).
        eps: ε, added to the denominator (default 1e-8).
        weight_decay: λ (default 0), as an L2 term in the gradient, or decoupled (see `AdamW`).
        amsgrad: use the maximum of past second moments (AMSGrad).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: shrink θ by (1 − ηλ) instead of adding λθ to the gradient.
    """

    def __init__(
        self,
        params: Iterable[Param] | Iterable[ParamGroup],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check(self, group: ParamGroup) -> None:
        check_range(group["lr"], "lr", "learning rate", 0.0)
        check_range(group["eps"], "eps", "epsilon value", 0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"`betas` must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            check_range(beta, f"betas[{i}]", f"beta parameter at index {i}", 0.0, 1.0)
        check_range(group["weight_decay"], "weight_decay", "weight_decay value", 0.0)

    fused = True

    def _update(self, data: Array, grad: Array, state: dict[str, Any], group: ParamGroup,
                scratch: tuple[Array, ...] = ()) -> None:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(data)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        # Hyperparameters go in as Python floats, which NumPy treats as "weak": float32 stays float32.
        adam(
            data,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            state.get("max_exp_avg_sq"),
            step=state["step"],
            lr=float(group["lr"]),
            beta1=float(beta1),
            beta2=float(beta2),
            eps=float(group["eps"]),
            weight_decay=float(group["weight_decay"]),
            amsgrad=group["amsgrad"],
            maximize=group["maximize"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
            scratch=scratch,
        )
