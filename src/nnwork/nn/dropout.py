"""Dropout as a module: active in training mode, the identity after `model.eval()`."""

from __future__ import annotations

from typing import Any

from nnwork.layer_functions import check_probability, dropout
from nnwork.nn.config import Fields
from nnwork.nn.module import Module
from nnwork.tensor import Tensor


class Dropout(Module):
    """In training mode, zero each element with probability p and scale the rest by
    1/(1 − p); in eval mode, pass the input through unchanged.

    Arguments:
        p: the probability of zeroing an element, in [0, 1] (ValueError otherwise).
    The masks come from nnwork's generator: after `nnwork.manual_seed(s)` a run repeats.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = check_probability(p)

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def config(self) -> dict[str, Any]:
        return {"p": self.p}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Dropout:
        return cls(float(Fields(fields, "Dropout", ("p",)).number("p", 0.0, 1.0)))
