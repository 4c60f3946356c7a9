"""A sum of towers over a regular grid of cells that tiles exactly: edges, corners and all.

Why not simply add the article's towers side by side? Give neighbouring cells shared steps
and the threshold t = d − ½: on a face between two cells each tower sees z = d − ½ and is at
half height, so the two halves add up. But at a corner shared by 2ᵐ cells (m ≥ 2 axes on a
cell boundary) each tower sees z = d − m/2 ≤ d − 1 and all of them are ≈ 0: a hole as deep as
G itself. No single threshold fixes that, because σ(s(Σ bumps − t)) cannot be the product of
the bumps, which is what tiling needs.

So each tower here is written as an alternating sum of 2^d *corner towers*, towers whose box
reaches to +∞ on every axis:

    corner_J(x) = σ(s(Σᵢ σ(kᵢ(xᵢ − aᵢ,ⱼᵢ)) − (d − ½)))    ("xᵢ > aᵢ,ⱼᵢ on every axis")
    tower_J = Σ_{ε ∈ {0,1}^d} (−1)^|ε| corner_{J+ε},

and the sum of towers collapses to Σ_J Δ_J·corner_J, where Δ_J is the d-fold difference of the
heights h_J (Δ = h − h₋ in 1-D, h₀₀ − h₋₀ − h₀₋ + h₋₋ in 2-D, ...). The telescoping makes the
towers a partition of unity whatever the corner neurons do at a corner: the weights on the
heights always add up to corner₀(x) = σ(s/2) ≈ 1, so there is no hole and no double counting
(and s is chosen so that 1 − σ(s/2) = σ(−s/2) is negligible). On a face the
net takes the plain average of the two heights; near a corner it blends the 2ᵐ neighbouring
heights with weights that may be negative (e.g. h₁₀ + h₀₁ − h₀₀), which for a linear G is still
one of the neighbouring heights, so the error stays of the size of the change of G over a cell.
In 1-D it is the classic telescoping sum h₀ + Σⱼ (hⱼ − hⱼ₋₁)·stepⱼ(x), a convex blend.

The network: per axis a layer of nᵢ one-input step neurons (neuron j is σ(kᵢⱼxᵢ + bᵢⱼ), with
weight kᵢ and bias −kᵢaᵢ,ⱼ at first); M = Πnᵢ corner neurons, each reading one step per axis
with its own weights and bias (at first s and −s(d − ½)); and one output neuron with identity
activation whose weights are the Δ_J. The first step of each axis sits one cell below the domain so that it is
fully on inside it; the last cell's towers reach to +∞.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from nnwork.nn import Module, Neuron, Parameter
from nnwork.nn.config import Fields, dtype_name, positive_int, reserve_parameters
from nnwork.tensor import Tensor
from nnwork.towers.modules import as_input, check_box


def differences(heights: np.ndarray) -> np.ndarray:
    """The d-fold backward difference of `heights` (h₋₁ = 0 on every axis): the weights Δ_J."""
    delta = np.asarray(heights, dtype=np.float64)
    for axis in range(delta.ndim):
        delta = np.diff(delta, axis=axis, prepend=0.0)
    return delta


def cumulative(delta: np.ndarray) -> np.ndarray:
    """The inverse of `differences`: summing Δ along every axis gives the heights back."""
    heights = np.asarray(delta, dtype=np.float64)
    for axis in range(heights.ndim):
        heights = np.cumsum(heights, axis=axis)
    return heights


class TowerGrid(Module):
    """Σ_J h_J·tower_J(x) over the cells of a regular grid on `domain`, (N, d) → (N, 1).

    Arguments:
        domain: d pairs (low, high); the grid has `heights.shape[i]` cells along axis i.
        heights: the towers' heights, one per cell, shape (n₁, …, n_d).
        steepness: kᵢ of the step neurons, one number or one per axis.
        outer_steepness: s of the corner neurons (threshold d − ½); their arm leak and
            in-box shortfall are σ(−s/2) each.
    """

    def __init__(
        self,
        domain: Sequence[tuple[float, float]],
        heights: Any,
        steepness: Any,
        outer_steepness: float,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        domain = check_box(domain, "domain")
        heights = np.asarray(heights, dtype=np.float64)
        d = len(domain)
        if heights.ndim != d or 0 in heights.shape:
            raise ValueError(f"`heights` must have one axis per domain axis ({d}), got shape {heights.shape}")
        ks = np.broadcast_to(np.asarray(steepness, dtype=np.float64), (d,))
        self.domain, self.cells = domain, tuple(int(n) for n in heights.shape)
        self.n_inputs, self.threshold = d, d - 0.5
        for axis, ((low, high), n, k) in enumerate(zip(domain, self.cells, ks)):
            width = (high - low) / n
            at = low + width * np.arange(n)
            at[0] = low - width  # fully on across the whole domain
            setattr(self, f"steps{axis}_weight", Parameter(np.full(n, k), dtype=dtype))
            setattr(self, f"steps{axis}_bias", Parameter(-k * at, dtype=dtype))
        s = float(outer_steepness)
        # corner neuron J (a cell index) has weight corner_weight[i][J] on the step of axis i
        self.corner_weight = Parameter(np.full((d, *self.cells), s), dtype=dtype)
        self.corner_bias = Parameter(np.full(self.cells, -s * self.threshold), dtype=dtype)
        delta = differences(heights).ravel()
        self.output = Neuron(heights.size, activation="identity", weight=delta, bias=0.0, dtype=dtype)

    @property
    def neurons(self) -> int:
        """Step neurons + corner neurons + the output neuron."""
        return sum(self.cells) + int(np.prod(self.cells)) + 1

    def heights(self) -> np.ndarray:
        """The towers' heights, shape `cells` (from the output weights, as trained)."""
        return cumulative(self.output.weight.data.reshape(self.cells))

    def steps(self, x: Tensor, axis: int) -> Tensor:
        """The step neurons of one axis on x (N, d): shape (N, nᵢ)."""
        weight, bias = getattr(self, f"steps{axis}_weight"), getattr(self, f"steps{axis}_bias")
        return (x[:, axis : axis + 1] * weight + bias).sigmoid()

    def forward(self, x: Any) -> Tensor:
        x = as_input(x, self.corner_bias.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(
                f"TowerGrid over a {self.n_inputs}-D domain expects x of shape (N, {self.n_inputs}), got {x.shape}"
            )
        # z[n, J] = Σᵢ corner_weight[J, i]·stepᵢ[n, Jᵢ] + corner_bias[J], with J laid out as the
        # grid (n₁, …, n_d) so that stepᵢ broadcasts along the other axes instead of being copied.
        n, d = x.shape[0], self.n_inputs
        z = self.corner_bias
        for axis in range(d):
            shape = [n] + [1] * d
            shape[axis + 1] = self.cells[axis]
            z = z + self.steps(x, axis).reshape(shape) * self.corner_weight[axis]
        z = z.reshape(n, -1)
        return self.output(z.sigmoid()).reshape(-1, 1)

    def extra_repr(self) -> str:
        cells = " × ".join(map(str, self.cells))
        return f"{cells} cells on {self.domain}, {self.neurons} neurons"

    def config(self) -> dict[str, Any]:
        """The domain and the cells: steepness and heights are parameters (the file carries them)."""
        return {"domain": [list(pair) for pair in self.domain], "cells": list(self.cells), "dtype": dtype_name(self)}

    @classmethod
    def from_config(cls, fields: dict[str, Any]) -> TowerGrid:
        f = Fields(fields, "TowerGrid", ("domain", "cells", "dtype"))
        try:
            domain = check_box(f.raw("domain"), "domain")
        except ValueError as error:
            raise ValueError(f"TowerGrid architecture: {error}") from None
        cells = f.raw("cells")
        if not isinstance(cells, list) or len(cells) != len(domain):
            raise ValueError(f"TowerGrid architecture: `cells` must list one count per domain axis ({len(domain)}), "
                             f"got {cells!r:.80}")
        cells = [positive_int(n, f.what("cells")) for n in cells]
        reserve_parameters(2 * sum(cells) + (len(cells) + 2) * math.prod(cells) + 1, "TowerGrid")
        return cls(domain, np.zeros(cells), steepness=1.0, outer_steepness=1.0, dtype=f.dtype())
