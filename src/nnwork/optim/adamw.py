"""AdamW (Loshchilov & Hutter): Adam with decoupled weight decay: `torch.optim.AdamW`.

    θ ← θ(1 − ηλ), then the Adam step on the plain gradient (see `adam.py`).

The decay shrinks the weights directly instead of passing through the moment estimates,
so it is not rescaled by 1/√v. It is `Adam(..., decoupled_weight_decay=True)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .adam import Adam
from .optimizer import Param, ParamGroup


class AdamW(Adam):
    """Adam with decoupled weight decay λ (default 1e-2); the other arguments are Adam's."""

    def __init__(
        self,
        params: Iterable[Param] | Iterable[ParamGroup],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )
