"""Ensemble: K networks trained apart (other seeds, other validation rows), predicting their mean.

Averaging a few independently trained networks is the simplest reliable way to generalise
better on small noisy data (each member's own overfitting partly cancels), and the members'
disagreement — their standard deviation at a point — is an error bar that grows where the
data say little: far from the training rows the members extrapolate each their own way.

    ensemble = Ensemble(MLP([2, 8, 1], generator=0), MLP([2, 8, 1], generator=1))
    ensemble(x)          # the mean of the members' outputs
    ensemble.spread(x)   # their standard deviation, per point and output (NumPy arrays)

Saved like any module (docs/model-format.md): `{"type": "Ensemble", "members": [...]}`, its
parameters under `param/<member>.<name>`.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from nnwork._grad_mode import no_grad
from nnwork.nn.config import Fields, build, describe
from nnwork.nn.module import Module
from nnwork.tensor import Tensor

MAX_MEMBERS = 256  # a file that claims more members is refused before building them


class Ensemble(Module):
    """The mean of K member modules with the same input and output shapes."""

    def __init__(self, *members: Module) -> None:
        super().__init__()
        if not members:
            raise ValueError("an Ensemble needs at least one member")
        for i, member in enumerate(members):
            if not isinstance(member, Module):
                raise TypeError(f"Ensemble takes Modules; member {i} is a {type(member).__name__}")
            setattr(self, str(i), member)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def forward(self, x: Tensor) -> Tensor:
        total = None
        for member in self:
            out = member(x)
            total = out if total is None else total + out
        assert total is not None
        return total / len(self)

    def outputs(self, x: Tensor) -> np.ndarray:
        """Every member's output, stacked: an array (K, N, k)."""
        with no_grad():
            return np.stack([member(x).data for member in self])

    def spread(self, x: Tensor) -> np.ndarray:
        """The members' standard deviation (N, k) around their mean (population std, ddof 0)."""
        return self.outputs(x).std(axis=0)

    def config(self) -> dict[str, Any]:
        return {"members": [describe(member) for member in self]}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> Ensemble:
        members = Fields(fields, "Ensemble", ("members",)).raw("members")
        if not isinstance(members, list) or not 1 <= len(members) <= MAX_MEMBERS:
            raise ValueError(f"Ensemble architecture: `members` must be a list of 1 to {MAX_MEMBERS} "
                             f"architectures, got {members!r:.50}")
        return cls(*[build(member) for member in members])
